//! Input normalisation shared by every field: what candidates type on phones and Chinese
//! input methods (full-width digits, lower-case x, stray spaces, look-alike dots) is mapped
//! to one canonical form, and every change is reported so the page can tell the user.

use serde::{Deserialize, Serialize};

/// One kind of change made to a value before it was validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalization {
    /// Leading or trailing white space removed.
    Trimmed,
    /// Full-width letters, digits or punctuation turned into their ASCII forms.
    FullwidthToAscii,
    /// A lower-case `x` check character turned into `X`.
    UppercasedX,
    /// Spaces inside a document number removed.
    SpacesRemoved,
    /// Hyphens inside a document number removed.
    HyphensRemoved,
    /// A look-alike of the middle dot turned into `·` (U+00B7).
    DotUnified,
    /// Lower-case letters of a document number or Latin name turned into capitals.
    Uppercased,
    /// Runs of spaces inside a Latin name reduced to one.
    SpacesCollapsed,
    /// A date written another way (`2001/2/3`, `20010203`, `2001年2月3日`) put as `2001-02-03`.
    DateFormatted,
}

impl Normalization {
    pub fn code(self) -> &'static str {
        match self {
            Self::Trimmed => "trimmed",
            Self::FullwidthToAscii => "fullwidth_to_ascii",
            Self::UppercasedX => "uppercased_x",
            Self::SpacesRemoved => "spaces_removed",
            Self::HyphensRemoved => "hyphens_removed",
            Self::DotUnified => "dot_unified",
            Self::Uppercased => "uppercased",
            Self::SpacesCollapsed => "spaces_collapsed",
            Self::DateFormatted => "date_formatted",
        }
    }

    /// What the user is told, in plain Chinese.
    pub fn message_zh(self) -> &'static str {
        match self {
            Self::Trimmed => "已去掉首尾空格",
            Self::FullwidthToAscii => "已将全角字符转换为半角",
            Self::UppercasedX => "已将小写 x 改为大写 X",
            Self::SpacesRemoved => "已删除其中的空格",
            Self::HyphensRemoved => "已删除其中的连字符“-”",
            Self::DotUnified => "已将间隔号统一为“·”",
            Self::Uppercased => "已将小写字母改为大写",
            Self::SpacesCollapsed => "已将连续空格合并为一个",
            Self::DateFormatted => "已将日期整理为“年-月-日”格式",
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            Self::Trimmed => "Leading and trailing spaces were removed",
            Self::FullwidthToAscii => "Full-width characters were converted to half-width",
            Self::UppercasedX => "Lower-case x was changed to upper-case X",
            Self::SpacesRemoved => "Spaces were removed",
            Self::HyphensRemoved => "Hyphens were removed",
            Self::DotUnified => "Separator dots were changed to “·”",
            Self::Uppercased => "Lower-case letters were changed to capitals",
            Self::SpacesCollapsed => "Repeated spaces were reduced to one",
            Self::DateFormatted => "The date was written as year-month-day",
        }
    }
}

/// A value after normalisation together with the changes made to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub value: String,
    pub changes: Vec<Normalization>,
}

impl Normalized {
    fn note(&mut self, change: Normalization) {
        if !self.changes.contains(&change) {
            self.changes.push(change);
        }
    }

    /// Starts normalising `raw`: an empty result that already notes a trim, and the
    /// trimmed text to walk.
    fn begin(raw: &str) -> (Self, &str) {
        let mut out = Normalized { value: String::with_capacity(raw.len()), changes: Vec::new() };
        let trimmed = trim_all(raw);
        if trimmed.len() != raw.len() {
            out.note(Normalization::Trimmed);
        }
        (out, trimmed)
    }

    /// `c` as ASCII if it is a full-width form (noting the change), else `c`.
    fn ascii(&mut self, c: char) -> char {
        match fullwidth_to_ascii(c) {
            Some(a) => {
                self.note(Normalization::FullwidthToAscii);
                a
            }
            None => c,
        }
    }
}

/// Maps a full-width form (U+FF01–U+FF5E, and the ideographic space U+3000) to ASCII.
pub fn fullwidth_to_ascii(c: char) -> Option<char> {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        '\u{3000}' => Some(' '),
        _ => None,
    }
}

/// Characters people type for the middle dot in names such as `买买提·艾力`.
pub fn is_dot_variant(c: char) -> bool {
    matches!(
        c,
        '.' | '\u{FF0E}' // ．
            | '\u{2027}' // ‧
            | '\u{2022}' // •
            | '\u{30FB}' // ・
            | '\u{FF65}' // ･
            | '\u{2219}' // ∙
            | '\u{22C5}' // ⋅
            | '\u{2E31}' // ⸱
            | '\u{0387}' // ·  (Greek ano teleia, renders as a middle dot)
            | '\u{02D1}' // ˑ
    )
}

/// Normalises a document number: trim, full-width to ASCII, drop inner spaces and hyphens,
/// and upper-case letters (only `x` → `X` is reported separately, as it is the common case).
pub fn normalize_document_number(raw: &str) -> Normalized {
    let (mut out, trimmed) = Normalized::begin(raw);
    for c in trimmed.chars() {
        let c = out.ascii(c);
        match c {
            // Any white space inside (a line break pasted with the number, too): removing
            // only some kinds would leave others at the new ends, and a second pass would
            // trim them.
            c if c.is_whitespace() => out.note(Normalization::SpacesRemoved),
            '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => {
                out.note(Normalization::HyphensRemoved)
            }
            'x' => {
                out.note(Normalization::UppercasedX);
                out.value.push('X');
            }
            c if c.is_ascii_lowercase() => {
                out.note(Normalization::Uppercased);
                out.value.push(c.to_ascii_uppercase());
            }
            c => out.value.push(c),
        }
    }
    out
}

/// Normalises a name. A name with Han characters keeps them and has every dot variant
/// turned into U+00B7; a name without gets full-width letters turned into ASCII, runs of
/// spaces reduced to one, `’` turned into `'`, and letters upper-cased (as on passports).
pub fn normalize_name(raw: &str) -> Normalized {
    if raw.chars().any(crate::domain::person_name::is_han) {
        return normalize_han_name(raw);
    }
    let (mut out, trimmed) = Normalized::begin(raw);
    let mut last_space = false;
    for c in trimmed.chars() {
        let c = match fullwidth_to_ascii(c) {
            Some(a) if a != ' ' => {
                out.note(Normalization::FullwidthToAscii);
                a
            }
            _ if c.is_whitespace() => ' ',
            _ => c,
        };
        if c == ' ' {
            if last_space {
                out.note(Normalization::SpacesCollapsed);
                continue;
            }
            last_space = true;
            out.value.push(' ');
            continue;
        }
        last_space = false;
        let c = if c == '\u{2019}' { '\'' } else { c };
        if c.is_lowercase() {
            let upper: String = c.to_uppercase().collect();
            // Only letters whose capital is one other character (ß stays ß, 𝒶 has none).
            if upper.chars().count() == 1 && !upper.starts_with(c) {
                out.note(Normalization::Uppercased);
                out.value.push_str(&upper);
                continue;
            }
        }
        out.value.push(c);
    }
    out
}

/// Normalises a Chinese name: every dot variant becomes U+00B7.
fn normalize_han_name(raw: &str) -> Normalized {
    let (mut out, trimmed) = Normalized::begin(raw);
    for c in trimmed.chars() {
        if is_dot_variant(c) {
            out.note(Normalization::DotUnified);
            out.value.push('·');
        } else {
            out.value.push(c);
        }
    }
    out
}

/// Normalises a short ASCII field (postcode, e-mail, student number): trim, full-width
/// to ASCII, and, with `drop_spaces`, spaces inside removed.
pub fn normalize_ascii(raw: &str, drop_spaces: bool) -> Normalized {
    let (mut out, trimmed) = Normalized::begin(raw);
    for c in trimmed.chars() {
        let c = out.ascii(c);
        if drop_spaces && c.is_whitespace() {
            out.note(Normalization::SpacesRemoved);
            continue;
        }
        out.value.push(c);
    }
    out
}

/// Normalises free text: trim only (what people write inside is theirs).
pub fn normalize_text(raw: &str) -> Normalized {
    let trimmed = trim_all(raw);
    let changes = if trimmed.len() != raw.len() { vec![Normalization::Trimmed] } else { Vec::new() };
    Normalized { value: trimmed.to_owned(), changes }
}

/// Normalises a date to `YYYY-MM-DD` when it is written with `/`, `.`, `年月日`, single-digit
/// month or day, or as eight digits. Anything else is left for the rule to refuse.
pub fn normalize_date(raw: &str) -> Normalized {
    let ascii = normalize_ascii(raw, true);
    let mut out = Normalized { value: ascii.value.clone(), changes: ascii.changes };
    let v = &ascii.value;
    let parts: Vec<&str> = if v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()) {
        vec![&v[0..4], &v[4..6], &v[6..8]]
    } else {
        v.trim_end_matches('日').split(['-', '/', '.', '年', '月']).collect()
    };
    if parts.len() == 3
        && parts[0].len() == 4
        && (1..=2).contains(&parts[1].len())
        && (1..=2).contains(&parts[2].len())
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        let formatted = format!("{}-{:0>2}-{:0>2}", parts[0], parts[1], parts[2]);
        if formatted != out.value {
            out.note(Normalization::DateFormatted);
            out.value = formatted;
        }
    }
    out
}

/// Trims ASCII and Unicode white space, including the ideographic space.
pub fn trim_all(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_number_normalisation_reports_each_change() {
        let n = normalize_document_number(" １１０１０５ 1949-1001001x ");
        assert_eq!(n.value, "11010519491001001X");
        assert_eq!(
            n.changes,
            vec![
                Normalization::Trimmed,
                Normalization::FullwidthToAscii,
                Normalization::SpacesRemoved,
                Normalization::HyphensRemoved,
                Normalization::UppercasedX
            ]
        );
    }

    #[test]
    fn clean_input_reports_nothing() {
        let n = normalize_document_number("11010519491001001X");
        assert!(n.changes.is_empty());
        let n = normalize_name("买买提·艾力");
        assert!(n.changes.is_empty());
    }

    #[test]
    fn every_dot_variant_becomes_middle_dot() {
        for dot in ['.', '．', '‧', '•', '・', '･', '∙', '⋅'] {
            let n = normalize_name(&format!("买买提{dot}艾力"));
            assert_eq!(n.value, "买买提·艾力", "variant {dot:?}");
            assert_eq!(n.changes, vec![Normalization::DotUnified]);
        }
    }

    #[test]
    fn dates_are_put_in_one_form() {
        for raw in ["2001-02-03", "2001/2/3", "2001.02.03", "20010203", "2001年2月3日", "２００１-０２-０３"]
        {
            assert_eq!(normalize_date(raw).value, "2001-02-03", "{raw}");
        }
        assert_eq!(normalize_date("2001-2").value, "2001-2");
        assert_eq!(normalize_date("2001-02-03").changes, vec![]);
    }

    #[test]
    fn normalisation_is_idempotent() {
        for raw in [" ａｂ-1 x", "x x", "１２３４５６７８９０１２３４５６７Ｘ"] {
            let once = normalize_document_number(raw).value;
            let twice = normalize_document_number(&once);
            assert_eq!(once, twice.value);
            assert!(twice.changes.is_empty());
        }
    }
}
