//! A candidate's name as printed on the certificate: Han characters, with the middle dot
//! U+00B7 between the parts of Uyghur and other minority names (`买买提·艾力`); or, for
//! passports and foreigners' cards, Latin letters with spaces, hyphens and apostrophes.

use super::message::{Lang, Problem};
use std::fmt;

/// Fewest and most characters (dots included). The longest minority names on resident
/// ID cards run to a few dozen characters; anything longer is a paste accident.
pub const MIN_CHARS: usize = 2;
pub const MAX_CHARS: usize = 30;
pub const DOT: char = '·';
pub const MAX_LATIN_CHARS: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonNameError {
    Empty,
    TooShort,
    TooLong {
        found: usize,
    },
    Space,
    Character {
        found: char,
    },
    EdgeDot,
    DoubledDot,
    /// Latin letters where the document requires Han characters.
    LatinNotAllowed,
    /// A Latin name starting or ending with a separator, or with two in a row.
    LatinSeparator,
    LatinTooLong {
        found: usize,
    },
}

/// Letters a Latin name may hold: A–Z and the accented capitals of Latin-1 and Latin
/// Extended-A (names are upper-cased by normalisation).
pub fn is_latin_letter(c: char) -> bool {
    c.is_ascii_uppercase()
        || matches!(c, 'À'..='Ö' | 'Ø'..='Þ')
        || (('\u{0100}'..='\u{017F}').contains(&c) && c.is_uppercase())
}

fn is_latin_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '\'')
}

/// Han ideographs of the CJK blocks in use for personal names, plus `〇`.
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'      // CJK Unified Ideographs
        | '\u{3400}'..='\u{4DBF}'    // Extension A
        | '\u{20000}'..='\u{2EBEF}'  // Extensions B–F
        | '\u{30000}'..='\u{3134F}'  // Extension G
        | '\u{F900}'..='\u{FAFF}'    // Compatibility Ideographs
        | '\u{3007}'                 // 〇
    )
}

impl PersonName {
    /// Parses an already normalised name (see `text::normalize_name`). Latin names are
    /// accepted only when `allow_latin` (the document is a passport or a foreigner's card).
    pub fn parse(name: &str, allow_latin: bool) -> Result<Self, PersonNameError> {
        if name.is_empty() {
            return Err(PersonNameError::Empty);
        }
        // A name with Latin letters and no Han character is judged as a Latin name.
        if name.chars().any(is_latin_letter) && !name.chars().any(is_han) {
            return Self::parse_latin(name, allow_latin);
        }
        if let Some(found) = name.chars().find(|&c| !is_han(c) && c != DOT) {
            return Err(if found.is_whitespace() || found == '\u{3000}' {
                PersonNameError::Space
            } else {
                PersonNameError::Character { found }
            });
        }
        if name.starts_with(DOT) || name.ends_with(DOT) {
            return Err(PersonNameError::EdgeDot);
        }
        if name.contains("··") {
            return Err(PersonNameError::DoubledDot);
        }
        let count = name.chars().count();
        if count < MIN_CHARS {
            return Err(PersonNameError::TooShort);
        }
        if count > MAX_CHARS {
            return Err(PersonNameError::TooLong { found: count });
        }
        Ok(Self(name.to_owned()))
    }

    fn parse_latin(name: &str, allow_latin: bool) -> Result<Self, PersonNameError> {
        if let Some(found) = name.chars().find(|&c| !is_latin_letter(c) && !is_latin_separator(c)) {
            return Err(PersonNameError::Character { found });
        }
        if !allow_latin {
            return Err(PersonNameError::LatinNotAllowed);
        }
        let chars: Vec<char> = name.chars().collect();
        let edge = chars.first().is_some_and(|c| is_latin_separator(*c))
            || chars.last().is_some_and(|c| is_latin_separator(*c));
        if edge || chars.windows(2).any(|w| is_latin_separator(w[0]) && is_latin_separator(w[1])) {
            return Err(PersonNameError::LatinSeparator);
        }
        if chars.len() < MIN_CHARS {
            return Err(PersonNameError::TooShort);
        }
        if chars.len() > MAX_LATIN_CHARS {
            return Err(PersonNameError::LatinTooLong { found: chars.len() });
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Problem for PersonNameError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "required",
            Self::TooShort => "too_short",
            Self::TooLong { .. } => "too_long",
            Self::Space => "space",
            Self::Character { .. } => "character",
            Self::EdgeDot => "edge_dot",
            Self::DoubledDot => "doubled_dot",
            Self::LatinNotAllowed => "latin_not_allowed",
            Self::LatinSeparator => "latin_separator",
            Self::LatinTooLong { .. } => "too_long",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::ZhCn, Self::Empty) => "请填写姓名".into(),
            (Lang::ZhCn, Self::TooShort) => format!("姓名至少{MIN_CHARS}个字"),
            (Lang::ZhCn, Self::TooLong { found }) => {
                format!("姓名最多{MAX_CHARS}个字，您输入了{found}个")
            }
            (Lang::ZhCn, Self::Space) => "姓名中不能有空格；少数民族姓名各部分之间请用间隔号“·”".into(),
            (Lang::ZhCn, Self::Character { found }) => {
                format!("姓名只能包含汉字和间隔号“·”（持护照等可用英文字母），不能包含“{found}”")
            }
            (Lang::ZhCn, Self::EdgeDot) => "间隔号“·”不能出现在姓名的开头或结尾".into(),
            (Lang::ZhCn, Self::DoubledDot) => "间隔号“·”不能连续出现".into(),
            (Lang::ZhCn, Self::LatinNotAllowed) => "持该证件报名时，姓名须用汉字填写，与证件上的一致".into(),
            (Lang::ZhCn, Self::LatinSeparator) => {
                "英文姓名的空格、连字符“-”和撇号“'”只能出现在字母之间，且不能连续出现".into()
            }
            (Lang::ZhCn, Self::LatinTooLong { found }) => {
                format!("英文姓名最多{MAX_LATIN_CHARS}个字符，您输入了{found}个")
            }
            (Lang::En, Self::Empty) => "Enter the name".into(),
            (Lang::En, Self::TooShort) => format!("A name has at least {MIN_CHARS} characters"),
            (Lang::En, Self::TooLong { found }) => {
                format!("A name has at most {MAX_CHARS} characters; you entered {found}")
            }
            (Lang::En, Self::Space) => "A name has no spaces; separate the parts of a minority name with “·”".into(),
            (Lang::En, Self::Character { found }) => {
                format!("A name has only Chinese characters and “·”, not “{found}”")
            }
            (Lang::En, Self::EdgeDot) => "A name cannot start or end with “·”".into(),
            (Lang::En, Self::DoubledDot) => "“·” cannot appear twice in a row".into(),
            (Lang::En, Self::LatinNotAllowed) => "With this document, write the name in Chinese characters".into(),
            (Lang::En, Self::LatinSeparator) => {
                "Spaces, hyphens and apostrophes go only between letters, one at a time".into()
            }
            (Lang::En, Self::LatinTooLong { found }) => {
                format!("A Latin name has at most {MAX_LATIN_CHARS} characters; you entered {found}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::normalize_name;

    fn parse_raw(raw: &str) -> Result<PersonName, PersonNameError> {
        PersonName::parse(&normalize_name(raw).value, false)
    }

    fn parse_latin(raw: &str) -> Result<PersonName, PersonNameError> {
        PersonName::parse(&normalize_name(raw).value, true)
    }

    #[test]
    fn latin_names_for_passports() {
        assert_eq!(parse_latin(" o'brien  mary-jane ").unwrap().as_str(), "O'BRIEN MARY-JANE");
        assert_eq!(parse_latin("José Müller").unwrap().as_str(), "JOSÉ MÜLLER");
        assert_eq!(parse_raw("Zhang San"), Err(PersonNameError::LatinNotAllowed));
        assert_eq!(parse_latin("-ANNA"), Err(PersonNameError::LatinSeparator));
        assert_eq!(parse_latin("ANNA--LEE"), Err(PersonNameError::LatinSeparator));
        assert_eq!(parse_latin("ANNA2"), Err(PersonNameError::Character { found: '2' }));
        assert_eq!(parse_latin("ＪＯＨＮ").unwrap().as_str(), "JOHN");
    }

    #[test]
    fn accepts_han_and_dotted_names() {
        for ok in ["张三", "买买提·艾力", "阿依古丽·买买提·吐尔逊", "欧阳〇", "𠮷野"] {
            assert!(parse_raw(ok).is_ok(), "{ok}");
        }
        assert_eq!(parse_raw("买买提．艾力").unwrap().as_str(), "买买提·艾力");
    }

    #[test]
    fn refuses_bad_dots_and_characters() {
        let cases = [
            ("", PersonNameError::Empty),
            ("张", PersonNameError::TooShort),
            ("·张三", PersonNameError::EdgeDot),
            ("张三·", PersonNameError::EdgeDot),
            ("张三•", PersonNameError::EdgeDot),
            ("买买提··艾力", PersonNameError::DoubledDot),
            ("买买提.．艾力", PersonNameError::DoubledDot),
            ("张 三", PersonNameError::Space),
            ("张三1", PersonNameError::Character { found: '1' }),
            ("张Z", PersonNameError::Character { found: 'Z' }),
            ("Zhang", PersonNameError::LatinNotAllowed),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_raw(raw), Err(want), "{raw:?}");
        }
        let long: String = "张".repeat(31);
        assert_eq!(parse_raw(&long), Err(PersonNameError::TooLong { found: 31 }));
    }
}
