//! Identity documents: the type a candidate chooses and the number parsed by that type's
//! rule (reference-data.md). Birth date and gender are derived where the number encodes them.

use super::codes;
use super::date::Date;
use super::message::{Lang, Problem};
use super::national_id::{self, Encoded};
use super::region;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub const ALL: [Gender; 2] = [Gender::Male, Gender::Female];

    pub fn code(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.code() == code)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Male => "男",
            Self::Female => "女",
        }
    }
}

/// Document types a candidate may register with. The wire code is stable (forms, JSON,
/// database); the label is what the candidate sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    ResidentId,
    ResidentId15,
    HkMacauPermit,
    TaiwanPermit,
    HmtResidencePermit,
    Passport,
    ForeignPermanentResidence,
}

impl DocumentType {
    /// Every type, in the order the select lists them.
    pub const ALL: [DocumentType; 7] = [
        DocumentType::ResidentId,
        DocumentType::ResidentId15,
        DocumentType::HkMacauPermit,
        DocumentType::TaiwanPermit,
        DocumentType::HmtResidencePermit,
        DocumentType::Passport,
        DocumentType::ForeignPermanentResidence,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::ResidentId => "resident_id",
            Self::ResidentId15 => "resident_id_15",
            Self::HkMacauPermit => "hk_macau_permit",
            Self::TaiwanPermit => "taiwan_permit",
            Self::HmtResidencePermit => "hmt_residence_permit",
            Self::Passport => "passport",
            Self::ForeignPermanentResidence => "foreign_permanent_residence",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::ResidentId => "中华人民共和国居民身份证",
            Self::ResidentId15 => "居民身份证（15位旧号码）",
            Self::HkMacauPermit => "港澳居民来往内地通行证",
            Self::TaiwanPermit => "台湾居民来往大陆通行证",
            Self::HmtResidencePermit => "港澳台居民居住证",
            Self::Passport => "护照",
            Self::ForeignPermanentResidence => "外国人永久居留身份证",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::ResidentId => "Resident identity card",
            Self::ResidentId15 => "Resident identity card (old 15-digit number)",
            Self::HkMacauPermit => "Mainland travel permit for Hong Kong and Macao residents",
            Self::TaiwanPermit => "Mainland travel permit for Taiwan residents",
            Self::HmtResidencePermit => "Residence permit for Hong Kong, Macao and Taiwan residents",
            Self::Passport => "Passport",
            Self::ForeignPermanentResidence => "Foreign permanent resident ID card",
        }
    }

    /// The longest normalised number of this type (for the input's `maxlength` hint).
    pub fn max_len(self) -> usize {
        self.lengths().max()
    }

    /// The lengths a number of this type may have: the one definition the parser, the
    /// field's `maxlength` and the messages use.
    fn lengths(self) -> Lengths {
        match self {
            Self::ResidentId | Self::HmtResidencePermit => Lengths::Exactly(18),
            Self::ResidentId15 => Lengths::Exactly(15),
            Self::HkMacauPermit => Lengths::Either(9, 11),
            Self::TaiwanPermit => Lengths::Either(8, 10),
            Self::Passport => Lengths::Between(5, 17),
            Self::ForeignPermanentResidence => Lengths::Either(15, 18),
        }
    }

    /// Whether the holder's name may be written in Latin letters (foreigners' documents).
    pub fn allows_latin_name(self) -> bool {
        matches!(self, Self::Passport | Self::ForeignPermanentResidence)
    }
}

/// A document number valid for its type, with what it encodes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DocumentNumber {
    doc_type: DocumentType,
    number: String,
    encoded: Option<Encoded>,
}

/// Why a number was refused. One enum for every type: the messages name the type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentError {
    Empty,
    Length { doc: DocumentType, found: usize },
    Characters { doc: DocumentType },
    Prefix { doc: DocumentType },
    Region { code: String },
    Nationality { code: String },
    BirthDate { digits: String },
    BirthInFuture,
    Age { age: u16 },
    Checksum,
}

/// How many characters a document number may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lengths {
    Exactly(usize),
    Either(usize, usize),
    Between(usize, usize),
}

impl Lengths {
    fn allows(self, n: usize) -> bool {
        match self {
            Lengths::Exactly(a) => n == a,
            Lengths::Either(a, b) => n == a || n == b,
            Lengths::Between(a, b) => (a..=b).contains(&n),
        }
    }

    fn max(self) -> usize {
        match self {
            Lengths::Exactly(a) => a,
            Lengths::Either(a, b) | Lengths::Between(a, b) => a.max(b),
        }
    }

    /// `18`, `9或11`, `5至17`.
    fn zh(self) -> String {
        match self {
            Lengths::Exactly(a) => a.to_string(),
            Lengths::Either(a, b) => format!("{a}或{b}"),
            Lengths::Between(a, b) => format!("{a}至{b}"),
        }
    }

    /// `18`, `9 or 11`, `5 to 17`.
    fn en(self) -> String {
        match self {
            Lengths::Exactly(a) => a.to_string(),
            Lengths::Either(a, b) => format!("{a} or {b}"),
            Lengths::Between(a, b) => format!("{a} to {b}"),
        }
    }
}

/// The length check of the types whose numbers have no further structure by length.
fn check_length(doc: DocumentType, number: &str) -> Result<(), DocumentError> {
    let found = number.chars().count();
    if doc.lengths().allows(found) {
        Ok(())
    } else {
        Err(DocumentError::Length { doc, found })
    }
}

impl DocumentNumber {
    /// Parses a normalised number (see `text::normalize_document_number`) by the rule of
    /// `doc_type`. `today` bounds birth dates: the server's clock, or the date the server
    /// handed to the page.
    pub fn parse(doc_type: DocumentType, number: &str, today: Date) -> Result<Self, DocumentError> {
        if number.is_empty() {
            return Err(DocumentError::Empty);
        }
        let encoded = match doc_type {
            DocumentType::ResidentId => Some(national_id::parse_resident_id(number, today)?),
            DocumentType::ResidentId15 => Some(national_id::parse_resident_id_15(number, today)?),
            DocumentType::HkMacauPermit => {
                check_length(doc_type, number)?;
                let b = number.as_bytes();
                if !(b[0] == b'H' || b[0] == b'M') || !b[1..].iter().all(u8::is_ascii_digit) {
                    return Err(DocumentError::Characters { doc: doc_type });
                }
                None
            }
            DocumentType::TaiwanPermit => {
                check_length(doc_type, number)?;
                if !number.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(DocumentError::Characters { doc: doc_type });
                }
                None
            }
            DocumentType::HmtResidencePermit => {
                national_id::shape18(doc_type, number)?;
                if !matches!(&number[..6], "810000" | "820000" | "830000") {
                    return Err(DocumentError::Prefix { doc: doc_type });
                }
                Some(national_id::parse18(doc_type, number, 6, today)?)
            }
            DocumentType::Passport => {
                check_length(doc_type, number)?;
                if !number.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
                    return Err(DocumentError::Characters { doc: doc_type });
                }
                None
            }
            DocumentType::ForeignPermanentResidence => parse_foreign_permanent(number, today)?,
        };
        Ok(Self { doc_type, number: number.to_owned(), encoded })
    }

    pub fn doc_type(&self) -> DocumentType {
        self.doc_type
    }

    /// The full number. Callers that show or log it use `Display` (masked) instead.
    pub fn expose(&self) -> &str {
        &self.number
    }

    pub fn birth_date(&self) -> Option<Date> {
        self.encoded.map(|e| e.birth_date)
    }

    pub fn gender(&self) -> Option<Gender> {
        self.encoded.map(|e| e.gender)
    }

    /// For passports: whether the number has the form of a PRC passport (`E` + 8 digits or
    /// `E` + a letter + 7 digits) rather than a foreign one.
    pub fn is_chinese_passport(&self) -> bool {
        let b = self.number.as_bytes();
        self.doc_type == DocumentType::Passport
            && b.len() == 9
            && b[0] == b'E'
            && (b[1].is_ascii_digit() || b[1].is_ascii_uppercase())
            && b[2..].iter().all(u8::is_ascii_digit)
    }
}

/// 外国人永久居留身份证. Old form (2017): three letters (nationality) and twelve digits.
/// 2023 form: `9`, a 2-digit province code, a 3-digit ISO 3166 numeric nationality, the
/// birth date `YYYYMMDD`, a 3-digit sequence (odd last digit for men, as in GB 11643) and
/// a MOD 11-2 check character.
fn parse_foreign_permanent(number: &str, today: Date) -> Result<Option<Encoded>, DocumentError> {
    let doc = DocumentType::ForeignPermanentResidence;
    let count = number.chars().count();
    match count {
        15 => {
            let b = number.as_bytes();
            if b[..3].iter().all(u8::is_ascii_uppercase) && b[3..].iter().all(u8::is_ascii_digit) {
                Ok(None)
            } else {
                Err(DocumentError::Characters { doc })
            }
        }
        18 => {
            national_id::shape18(doc, number)?;
            if !number.starts_with('9') {
                return Err(DocumentError::Prefix { doc });
            }
            if region::province_name(&number[1..3]).is_none() {
                return Err(DocumentError::Region { code: number[1..3].to_owned() });
            }
            if !codes::nationality().contains(&number[3..6]) {
                return Err(DocumentError::Nationality { code: number[3..6].to_owned() });
            }
            national_id::parse18(doc, number, 6, today).map(Some)
        }
        found => Err(DocumentError::Length { doc, found }),
    }
}

impl fmt::Display for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask(&self.number))
    }
}

impl Problem for DocumentError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "required",
            Self::Length { .. } => "length",
            Self::Characters { .. } => "characters",
            Self::Prefix { .. } => "prefix",
            Self::Region { .. } => "region",
            Self::Nationality { .. } => "nationality",
            Self::BirthDate { .. } => "birth_date",
            Self::BirthInFuture => "birth_future",
            Self::Age { .. } => "age",
            Self::Checksum => "checksum",
        }
    }

    fn message(&self, lang: Lang) -> String {
        use national_id::{MAX_AGE, MIN_AGE};
        match lang {
            Lang::ZhCn => match self {
                Self::Empty => "请填写证件号码".into(),
                Self::Length { doc, found } => {
                    format!("{}号码应为{}位，您输入了{found}位", short_zh(*doc), doc.lengths().zh())
                }
                Self::Characters { doc } => characters_zh(*doc).into(),
                Self::Prefix { doc: DocumentType::HmtResidencePermit } => {
                    "港澳台居民居住证号码应以810000（香港）、820000（澳门）或830000（台湾）开头".into()
                }
                Self::Prefix { .. } => "18位外国人永久居留身份证号码应以数字9开头".into(),
                Self::Region { code } => format!("证件号码中的“{code}”不是有效的省级行政区划代码，请核对"),
                Self::Nationality { code } => format!("证件号码第4至6位“{code}”不是有效的国籍代码，请核对"),
                Self::BirthDate { digits } => format!("证件号码中的“{digits}”不是有效的出生日期，请核对"),
                Self::BirthInFuture => "证件号码中的出生日期晚于今天，请核对".into(),
                Self::Age { age } => {
                    format!("证件号码中的出生日期表示年龄为{age}岁，不在{MIN_AGE}至{MAX_AGE}岁之间，请核对")
                }
                Self::Checksum => "证件号码最后一位校验码与前17位不符，请逐位核对".into(),
            },
            Lang::En => match self {
                Self::Empty => "Enter the document number".into(),
                Self::Length { doc, found } => {
                    format!("A {} number has {} characters; you entered {found}", doc.label_en(), doc.lengths().en())
                }
                Self::Characters { doc } => format!("The number does not have the form of a {}", doc.label_en()),
                Self::Prefix { .. } => "The number does not start as this document's numbers do".into(),
                Self::Region { code } => format!("“{code}” in the number is not a province code"),
                Self::Nationality { code } => format!("Digits 4 to 6 “{code}” are not a nationality code"),
                Self::BirthDate { digits } => format!("“{digits}” in the number is not a real date of birth"),
                Self::BirthInFuture => "The date of birth in the number is in the future".into(),
                Self::Age { age } => {
                    format!("The date of birth in the number gives an age of {age}, outside {MIN_AGE} to {MAX_AGE}")
                }
                Self::Checksum => "The last character does not match the first 17: check each digit".into(),
            },
        }
    }
}

/// The document's name as the length message says it ("居民身份证号码应为18位").
fn short_zh(doc: DocumentType) -> &'static str {
    match doc {
        DocumentType::ResidentId | DocumentType::ResidentId15 => "居民身份证",
        other => other.label_zh(),
    }
}

fn characters_zh(doc: DocumentType) -> &'static str {
    match doc {
        DocumentType::ResidentId | DocumentType::HmtResidencePermit => "证件号码只能是数字，最后一位可以是字母X",
        DocumentType::ResidentId15 | DocumentType::TaiwanPermit => "证件号码只能是数字",
        DocumentType::HkMacauPermit => "港澳居民来往内地通行证号码应为字母H或M加8位或10位数字",
        DocumentType::Passport => "护照号码只能包含英文字母和数字",
        DocumentType::ForeignPermanentResidence => {
            "外国人永久居留身份证号码应为3位字母加12位数字（旧版），或18位数字、最后一位可以是X（新版）"
        }
    }
}

/// Masks a document number for display and logs: the first four and last four characters
/// stay, everything between becomes `*` (`6501**********123X`). Numbers of eight characters
/// or fewer keep only their last two.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let n = chars.len();
    let (head, tail) = if n > 8 { (4, 4) } else { (0, n.min(2)) };
    chars.iter().enumerate().map(|(i, c)| if i < head || i >= n - tail { *c } else { '*' }).collect()
}

/// The key a masked number is found by: its first four and last four characters around one
/// `*` (`6501*123X`), from a full number or from one typed as lists show it (any number of
/// `*`, any case, spaces ignored). `None` when the number is too short to be masked so, or a
/// typed mask does not keep four characters each side.
pub fn mask_key(number: &str) -> Option<String> {
    let chars: Vec<char> = number.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
    let (head, tail): (Vec<char>, Vec<char>) =
        match (chars.iter().position(|c| *c == '*'), chars.iter().rposition(|c| *c == '*')) {
            (Some(first), Some(last)) => (chars[..first].to_vec(), chars[last + 1..].to_vec()),
            _ if chars.len() > 8 => (chars[..4].to_vec(), chars[chars.len() - 4..].to_vec()),
            _ => return None,
        };
    (head.len() == 4 && tail.len() == 4 && head.iter().chain(&tail).all(char::is_ascii_alphanumeric))
        .then(|| format!("{}*{}", head.iter().collect::<String>(), tail.iter().collect::<String>()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::national_id::mod11_2_check;

    #[test]
    fn a_masked_number_and_its_full_number_share_one_key() {
        let full = "65010219900101002x";
        assert_eq!(mask_key(full).as_deref(), Some("6501*002X"));
        assert_eq!(mask_key(&mask(full)).as_deref(), Some("6501*002X"));
        assert_eq!(mask_key("6501 ** 002x").as_deref(), Some("6501*002X"));
        assert_eq!(mask_key("650*002X"), None, "three characters before the stars");
        assert_eq!(mask_key("12345678"), None, "too short to be masked");
        assert_eq!(mask_key("6501**%%02"), None);
    }

    fn today() -> Date {
        Date::new(2025, 1, 6).unwrap()
    }

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", mod11_2_check(first17.as_bytes()).unwrap())
    }

    fn parse(t: DocumentType, n: &str) -> Result<DocumentNumber, DocumentError> {
        DocumentNumber::parse(t, n, today())
    }

    #[test]
    fn lengths_are_said_as_the_parser_checks_them() {
        let today = Date::new(2025, 1, 6).unwrap();
        for (doc, ok, short, zh, en) in [
            (DocumentType::HkMacauPermit, "H12345678", "H1234567", "9或11", "9 or 11"),
            (DocumentType::TaiwanPermit, "12345678", "1234567", "8或10", "8 or 10"),
            (DocumentType::Passport, "E1234567", "E123", "5至17", "5 to 17"),
        ] {
            assert!(DocumentNumber::parse(doc, ok, today).is_ok(), "{ok}");
            let e = DocumentNumber::parse(doc, short, today).unwrap_err();
            assert!(e.message(Lang::ZhCn).contains(zh), "{}", e.message(Lang::ZhCn));
            assert!(e.message(Lang::En).contains(en), "{}", e.message(Lang::En));
            assert_eq!(doc.max_len(), doc.lengths().max());
        }
        assert_eq!(DocumentType::Passport.max_len(), 17);
        assert_eq!(DocumentType::ResidentId.max_len(), 18);
    }

    #[test]
    fn masks_keep_only_the_ends() {
        assert_eq!(mask("65010220010203123X"), "6501**********123X");
        assert_eq!(mask("H1234567"), "******67");
        assert_eq!(mask(""), "");
    }

    #[test]
    fn codes_round_trip() {
        for t in DocumentType::ALL {
            assert_eq!(DocumentType::from_code(t.code()), Some(t));
        }
        assert_eq!(DocumentType::from_code("nope"), None);
    }

    #[test]
    fn permits() {
        use DocumentType::*;
        assert!(parse(HkMacauPermit, "H12345678").is_ok());
        assert!(parse(HkMacauPermit, "M1234567890").is_ok());
        assert_eq!(parse(HkMacauPermit, "X12345678"), Err(DocumentError::Characters { doc: HkMacauPermit }));
        assert_eq!(parse(HkMacauPermit, "H1234567"), Err(DocumentError::Length { doc: HkMacauPermit, found: 8 }));
        assert!(parse(TaiwanPermit, "12345678").is_ok());
        assert!(parse(TaiwanPermit, "1234567890").is_ok());
        assert_eq!(parse(TaiwanPermit, "123456789"), Err(DocumentError::Length { doc: TaiwanPermit, found: 9 }));
    }

    #[test]
    fn residence_permits_follow_gb_11643() {
        use DocumentType::*;
        let n = with_check("81000019900101123");
        let d = parse(HmtResidencePermit, &n).unwrap();
        assert_eq!(d.birth_date().unwrap().to_string(), "1990-01-01");
        assert_eq!(d.gender(), Some(Gender::Male));
        assert_eq!(
            parse(HmtResidencePermit, &with_check("84000019900101123")),
            Err(DocumentError::Prefix { doc: HmtResidencePermit })
        );
        let mut bad = n.clone();
        bad.replace_range(17..18, if n.ends_with('0') { "1" } else { "0" });
        assert_eq!(parse(HmtResidencePermit, &bad), Err(DocumentError::Checksum));
    }

    #[test]
    fn passports() {
        use DocumentType::*;
        for ok in ["E12345678", "EA1234567", "X1234", "AB12345678901234C"] {
            assert!(parse(Passport, ok).is_ok(), "{ok}");
        }
        assert!(parse(Passport, "E12345678").unwrap().is_chinese_passport());
        assert!(!parse(Passport, "X1234").unwrap().is_chinese_passport());
        assert_eq!(parse(Passport, "A123"), Err(DocumentError::Length { doc: Passport, found: 4 }));
        assert_eq!(parse(Passport, "A12·345"), Err(DocumentError::Characters { doc: Passport }));
    }

    #[test]
    fn foreign_permanent_residence_both_forms() {
        use DocumentType::*;
        assert!(parse(ForeignPermanentResidence, "USA110090010100").is_ok());
        let new = with_check("91184019900101123");
        let d = parse(ForeignPermanentResidence, &new).unwrap();
        assert_eq!(d.birth_date().unwrap().to_string(), "1990-01-01");
        assert_eq!(
            parse(ForeignPermanentResidence, &with_check("91100019900101123")),
            Err(DocumentError::Nationality { code: "000".into() })
        );
        assert_eq!(
            parse(ForeignPermanentResidence, &with_check("99984019900101123")),
            Err(DocumentError::Region { code: "99".into() })
        );
        assert_eq!(
            parse(ForeignPermanentResidence, &with_check("81184019900101123")),
            Err(DocumentError::Prefix { doc: ForeignPermanentResidence })
        );
    }
}
