//! The 18-digit resident identity card number (居民身份证号码) of GB 11643-1999:
//! 6-digit address code, 8-digit birth date, 3-digit sequence (odd = male), and a check
//! character computed with ISO 7064 MOD 11-2.

use super::date::Date;
use super::message::{Lang, Problem};
use super::region;
use super::Gender;
use std::fmt;

/// Youngest and oldest plausible candidate. NCRE has no age limit, but a birth date giving
/// an age outside this range is almost certainly a typing error.
pub const MIN_AGE: u16 = 6;
pub const MAX_AGE: u16 = 100;

/// ISO 7064 MOD 11-2 weights for positions 1–17 (2^(17-i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for `sum mod 11` = 0, 1, … 10.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// Computes the MOD 11-2 check character over 17 ASCII digits; `None` if any is not a digit.
pub fn mod11_2_check(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (b, w) in first17.iter().zip(WEIGHTS) {
        if !b.is_ascii_digit() {
            return None;
        }
        sum += u32::from(b - b'0') * w;
    }
    Some(CHECK_CHARS[(sum % 11) as usize] as char)
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResidentId {
    number: String,
    birth_date: Date,
    gender: Gender,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResidentIdError {
    Empty,
    Length { found: usize },
    Characters,
    Region { code: String },
    BirthDate { digits: String },
    BirthInFuture,
    Age { age: u16 },
    Checksum,
}

impl ResidentId {
    /// Parses an already normalised number (see `text::normalize_document_number`).
    /// `today` bounds the birth date; pass the server's clock or the browser's date.
    pub fn parse(number: &str, today: Date) -> Result<Self, ResidentIdError> {
        if number.is_empty() {
            return Err(ResidentIdError::Empty);
        }
        let count = number.chars().count();
        if count != 18 {
            return Err(ResidentIdError::Length { found: count });
        }
        let b = number.as_bytes();
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(ResidentIdError::Characters);
        }
        if region::province_name(&number[..2]).is_none() {
            return Err(ResidentIdError::Region {
                code: number[..2].to_owned(),
            });
        }
        let birth_date =
            Date::from_yyyymmdd(&number[6..14]).ok_or_else(|| ResidentIdError::BirthDate {
                digits: number[6..14].to_owned(),
            })?;
        check_birth_date(birth_date, today)?;
        if mod11_2_check(&b[..17]) != Some(b[17] as char) {
            return Err(ResidentIdError::Checksum);
        }
        let gender = if (b[16] - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        };
        Ok(Self {
            number: number.to_owned(),
            birth_date,
            gender,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.number
    }
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }
    pub fn gender(&self) -> Gender {
        self.gender
    }
}

/// A birth date must be in the past and give a plausible candidate age.
pub fn check_birth_date(birth: Date, today: Date) -> Result<(), ResidentIdError> {
    if birth > today {
        return Err(ResidentIdError::BirthInFuture);
    }
    let age = birth.age_on(today);
    if !(MIN_AGE..=MAX_AGE).contains(&age) {
        return Err(ResidentIdError::Age { age });
    }
    Ok(())
}

impl fmt::Display for ResidentId {
    /// Masked, so a stray `{}` in a log line never prints the full number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::document::mask(&self.number))
    }
}

impl Problem for ResidentIdError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "required",
            Self::Length { .. } => "length",
            Self::Characters => "characters",
            Self::Region { .. } => "region",
            Self::BirthDate { .. } => "birth_date",
            Self::BirthInFuture => "birth_future",
            Self::Age { .. } => "age",
            Self::Checksum => "checksum",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::ZhCn, Self::Empty) => "请填写证件号码".into(),
            (Lang::ZhCn, Self::Length { found }) => {
                format!("居民身份证号码应为18位，您输入了{found}位")
            }
            (Lang::ZhCn, Self::Characters) => {
                "居民身份证号码只能是数字，最后一位可以是字母X".into()
            }
            (Lang::ZhCn, Self::Region { code }) => {
                format!("证件号码前两位“{code}”不是有效的省级行政区划代码，请核对")
            }
            (Lang::ZhCn, Self::BirthDate { digits }) => {
                format!("证件号码第7至14位“{digits}”不是有效的出生日期，请核对")
            }
            (Lang::ZhCn, Self::BirthInFuture) => {
                "证件号码中的出生日期晚于今天，请核对".into()
            }
            (Lang::ZhCn, Self::Age { age }) => format!(
                "证件号码中的出生日期表示年龄为{age}岁，不在{MIN_AGE}至{MAX_AGE}岁之间，请核对"
            ),
            (Lang::ZhCn, Self::Checksum) => {
                "证件号码最后一位校验码与前17位不符，请逐位核对".into()
            }
            (Lang::En, Self::Empty) => "Enter the document number".into(),
            (Lang::En, Self::Length { found }) => {
                format!("A resident ID number has 18 characters; you entered {found}")
            }
            (Lang::En, Self::Characters) => {
                "A resident ID number has only digits, and the last may be X".into()
            }
            (Lang::En, Self::Region { code }) => {
                format!("The first two digits “{code}” are not a province code")
            }
            (Lang::En, Self::BirthDate { digits }) => {
                format!("Digits 7 to 14 “{digits}” are not a real date of birth")
            }
            (Lang::En, Self::BirthInFuture) => "The date of birth in the number is in the future".into(),
            (Lang::En, Self::Age { age }) => format!(
                "The date of birth in the number gives an age of {age}, outside {MIN_AGE} to {MAX_AGE}"
            ),
            (Lang::En, Self::Checksum) => {
                "The last character does not match the first 17: check each digit".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2025, 1, 6).unwrap()
    }

    /// Builds a valid number from its first 17 digits.
    fn with_check(first17: &str) -> String {
        format!("{first17}{}", mod11_2_check(first17.as_bytes()).unwrap())
    }

    #[test]
    fn check_character_follows_iso_7064() {
        // The GB 11643 example number.
        assert_eq!(mod11_2_check(b"11010519491231002"), Some('X'));
        assert_eq!(mod11_2_check(b"44052418800101001"), Some('4'));
        assert_eq!(mod11_2_check(b"1101051949123100"), None);
        assert_eq!(mod11_2_check(b"1101051949123100A"), None);
    }

    #[test]
    fn valid_numbers_derive_birth_and_gender() {
        let id = ResidentId::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.birth_date(), Date::new(1949, 12, 31).unwrap());
        assert_eq!(id.gender(), Gender::Female);
        let n = with_check("65010220010203123");
        let id = ResidentId::parse(&n, today()).unwrap();
        assert_eq!(id.gender(), Gender::Male);
        assert_eq!(id.birth_date().to_string(), "2001-02-03");
    }

    #[test]
    fn every_wrong_check_character_is_refused() {
        let good = with_check("65010220010203123");
        for c in "0123456789X".chars() {
            let candidate = format!("{}{c}", &good[..17]);
            let verdict = ResidentId::parse(&candidate, today());
            if candidate == good {
                assert!(verdict.is_ok());
            } else {
                assert_eq!(verdict, Err(ResidentIdError::Checksum), "{candidate}");
            }
        }
    }

    #[test]
    fn impossible_and_implausible_dates_are_refused() {
        let cases = [
            (
                "65010220010229123",
                ResidentIdError::BirthDate {
                    digits: "20010229".into(),
                },
            ),
            (
                "65010220011301123",
                ResidentIdError::BirthDate {
                    digits: "20011301".into(),
                },
            ),
            (
                "65010220010431123",
                ResidentIdError::BirthDate {
                    digits: "20010431".into(),
                },
            ),
            (
                "65010200000101123",
                ResidentIdError::BirthDate {
                    digits: "00000101".into(),
                },
            ),
            ("65010220250107123", ResidentIdError::BirthInFuture),
            ("65010220220101123", ResidentIdError::Age { age: 3 }),
            ("65010218800101123", ResidentIdError::Age { age: 145 }),
        ];
        for (first17, want) in cases {
            assert_eq!(
                ResidentId::parse(&with_check(first17), today()),
                Err(want),
                "{first17}"
            );
        }
    }

    #[test]
    fn shape_errors() {
        assert_eq!(ResidentId::parse("", today()), Err(ResidentIdError::Empty));
        assert_eq!(
            ResidentId::parse("6501022001020312", today()),
            Err(ResidentIdError::Length { found: 16 })
        );
        assert_eq!(
            ResidentId::parse("6501022001020312X3", today()),
            Err(ResidentIdError::Characters)
        );
        assert_eq!(
            ResidentId::parse(&with_check("99010220010203123"), today()),
            Err(ResidentIdError::Region { code: "99".into() })
        );
        // Multi-byte input of the right character count must not panic on slicing.
        assert_eq!(
            ResidentId::parse("六五０１０２２００１０２０３１２３Ｘ", today()),
            Err(ResidentIdError::Characters)
        );
    }

    #[test]
    fn display_is_masked() {
        let id = ResidentId::parse("11010519491231002X", today()).unwrap();
        assert_eq!(id.to_string(), "1101**********002X");
    }
}
