//! A deterministic corpus of form inputs (JSON Lines for `judge_line`): valid documents of
//! every type, every single-character mutation of a sample of each, full-width forms,
//! random and Unicode edge strings, empty and huge inputs, and the other steps' fields.
//! Native and wasm32 builds generate the very same lines.

use app::domain::national_id::mod11_2_check;
use serde_json::json;

/// xorshift64*: tiny, deterministic, identical on every target.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

const PROVINCES: [&str; 8] = ["11", "31", "44", "51", "65", "64", "15", "54"];
const HAN: [&str; 12] = ["张", "王", "李", "买", "提", "艾", "力", "阿", "依", "古", "丽", "𠮷"];
const EDGE: [&str; 24] = [
    "", " ", "\u{3000}", "\u{200B}", "\u{202E}", "\u{0301}", "\u{FEFF}", "\0", "\u{7}", "\n", "·", "．", "•", "x", "X",
    "１", "Ａ", "-", "'", "<", "😀", "\u{D7FF}", "é", "ß",
];
const MUTATIONS: [&str; 16] = ["0", "1", "5", "9", "X", "x", "A", "z", "１", " ", "-", "·", "张", "😀", "\u{200B}", ""];

fn date(rng: &mut Rng) -> String {
    // Birth years within the plausible ages for 2025-01-06 (6–100), plus some outside.
    let year = 1920 + rng.below(110);
    format!("{year:04}{:02}{:02}", 1 + rng.below(12), 1 + rng.below(31))
}

fn with_check(first17: &str) -> String {
    format!("{first17}{}", mod11_2_check(first17.as_bytes()).unwrap_or('0'))
}

fn han_name(rng: &mut Rng) -> String {
    let n = 2 + rng.below(3);
    let mut s: String = (0..n).map(|_| *rng.pick(&HAN)).collect();
    if rng.below(4) == 0 {
        s.push('·');
        for _ in 0..2 {
            let part: &&str = rng.pick(&HAN);
            s.push_str(part);
        }
    }
    s
}

/// A document number of `doc_type`, usually valid.
pub fn document(rng: &mut Rng, doc_type: &str) -> String {
    match doc_type {
        "resident_id" => {
            with_check(&format!("{}{}{}{}", rng.pick(&PROVINCES), rng.digits(4), date(rng), rng.digits(3)))
        }
        "resident_id_15" => format!("{}{}{}{}", rng.pick(&PROVINCES), rng.digits(4), &date(rng)[2..], rng.digits(3)),
        "hk_macau_permit" => {
            let letter = *rng.pick(&["H", "M"]);
            let n = *rng.pick(&[8, 10]);
            format!("{letter}{}", rng.digits(n))
        }
        "taiwan_permit" => {
            let n = *rng.pick(&[8, 10]);
            rng.digits(n)
        }
        "hmt_residence_permit" => {
            with_check(&format!("{}{}{}", rng.pick(&["810000", "820000", "830000"]), date(rng), rng.digits(3)))
        }
        "passport" => match rng.below(3) {
            0 => format!("E{}", rng.digits(8)),
            1 => format!("E{}{}", char::from(b'A' + rng.below(26) as u8), rng.digits(7)),
            _ => (0..5 + rng.below(13))
                .map(|_| {
                    if rng.below(2) == 0 {
                        char::from(b'A' + rng.below(26) as u8)
                    } else {
                        char::from(b'0' + rng.below(10) as u8)
                    }
                })
                .collect(),
        },
        _ => match rng.below(2) {
            0 => format!("{}{}", ["USA", "GBR", "JPN", "KOR"][rng.below(4)], rng.digits(12)),
            _ => with_check(&format!(
                "9{}{}{}{}",
                rng.pick(&PROVINCES),
                rng.pick(&["840", "826", "392", "410", "000"]),
                date(rng),
                rng.digits(3)
            )),
        },
    }
}

pub const DOC_TYPES: [&str; 7] = [
    "resident_id",
    "resident_id_15",
    "hk_macau_permit",
    "taiwan_permit",
    "hmt_residence_permit",
    "passport",
    "foreign_permanent_residence",
];

fn identity(doc_type: &str, number: &str, name: &str) -> String {
    json!({"step": "identity", "fields": {"doc_type": doc_type, "doc_number": number, "name": name}}).to_string()
}

fn fullwidth(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_graphic() { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c }).collect()
}

fn edge_string(rng: &mut Rng, max: usize) -> String {
    (0..rng.below(max + 1)).map(|_| *rng.pick(&EDGE)).collect()
}

/// Every line of the corpus, in order. Calls `visit` for each so nothing is held in memory.
pub fn generate(mut visit: impl FnMut(&str)) -> usize {
    let mut rng = Rng::new(0x5EED_2025_0106);
    let mut count = 0;
    let mut emit = |line: String| {
        visit(&line);
        count += 1;
    };
    // Valid-shaped documents of every type, with Han names (Latin for passports too).
    for _ in 0..3000 {
        for t in DOC_TYPES {
            let n = document(&mut rng, t);
            let name = if t == "passport" && rng.below(2) == 0 { "ZHANG SAN".to_owned() } else { han_name(&mut rng) };
            emit(identity(t, &n, &name));
        }
    }
    // Every single-character mutation (replace, delete) of a sample of each type.
    for t in DOC_TYPES {
        for _ in 0..40 {
            let sample: Vec<char> = document(&mut rng, t).chars().collect();
            for pos in 0..sample.len() {
                for m in MUTATIONS {
                    let mut changed: String = sample[..pos].iter().collect();
                    changed.push_str(m);
                    changed.extend(&sample[pos + 1..]);
                    emit(identity(t, &changed, "张三"));
                }
            }
        }
    }
    // Full-width and lower-case forms of valid numbers.
    for _ in 0..3000 {
        let t = *rng.pick(&DOC_TYPES);
        let n = document(&mut rng, t);
        emit(identity(t, &fullwidth(&n), "买买提．艾力"));
        emit(identity(t, &n.to_lowercase(), &format!(" {} ", han_name(&mut rng))));
    }
    // Random and Unicode edge strings in every field, and unknown document types.
    for _ in 0..8000 {
        let t = if rng.below(10) == 0 { "library_card" } else { *rng.pick(&DOC_TYPES) };
        emit(identity(t, &edge_string(&mut rng, 20), &edge_string(&mut rng, 8)));
    }
    // Empty and huge.
    emit(identity("", "", ""));
    emit(identity("resident_id", &"1".repeat(10_000), &"张".repeat(10_000)));
    emit(identity("passport", &"A".repeat(100_000), &"A ".repeat(5_000)));
    // The other steps.
    for _ in 0..4000 {
        let doc = document(&mut rng, "resident_id");
        let birth = format!("{}-{}-{}", &doc[6..10], &doc[10..12], &doc[12..14]);
        let birth = match rng.below(4) {
            0 => birth,
            1 => birth.replace('-', "/"),
            2 => edge_string(&mut rng, 10),
            _ => format!("{}{}", &doc[6..14], rng.pick(&["", "0"])),
        };
        emit(
            json!({"step": "personal", "fields": {
                "doc_type": "resident_id", "doc_number": doc,
                "gender": rng.pick(&["male", "female", "", "x"]), "birth_date": birth,
                "ethnicity": format!("{:02}", rng.below(100)), "occupation": rng.pick(&["01", "20", "99", ""]),
                "education": rng.pick(&["11", "21", "81", "9"]), "training_type": rng.pick(&["1", "2", "3", "4"])
            }})
            .to_string(),
        );
        emit(
            json!({"step": "contact", "fields": {
                "postcode": rng.pick(&["830000", "８３００００", "83000", "", " 010010 "]),
                "address": edge_string(&mut rng, 40), "email": rng.pick(&["a@b.cn", "ａ@ｂ.cn", "a@b", "", "x@@y.z", "first.last@mail.example.org"])
            }})
            .to_string(),
        );
        emit(
            json!({"step": "school", "fields": {
                "department": edge_string(&mut rng, 30), "major": "计算机应用技术", "class_name": edge_string(&mut rng, 60),
                "student_no": rng.pick(&["2023-01", "２０２３", "a#b", "", &"9".repeat(31)])
            }})
            .to_string(),
        );
    }
    // Lines that are not what they should be.
    for bad in
        ["", "{", "null", "[]", r#"{"step":5}"#, r#"{"step":"identity","fields":{"name":[]}}"#, r#"{"step":"x"}"#]
    {
        emit(bad.to_owned());
    }
    count
}
