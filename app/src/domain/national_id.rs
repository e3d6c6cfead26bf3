//! Numbers built like the resident identity card number of GB 11643-1999 (居民身份证号码):
//! 6-digit address code, 8-digit birth date, 3-digit sequence (odd = male) and a check
//! character computed with ISO 7064 MOD 11-2. The same construction serves the 港澳台居民
//! 居住证 and the 2023 外国人永久居留身份证; the 15-digit legacy number has no check character.

use super::date::Date;
use super::document::{DocumentError, DocumentType};
use super::region;
use super::Gender;

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

/// What an 18-character GB 11643-style number encodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Encoded {
    pub birth_date: Date,
    pub gender: Gender,
}

/// The shape shared by every 18-character number: 17 digits and a digit or `X`.
pub fn shape18(doc: DocumentType, number: &str) -> Result<(), DocumentError> {
    let count = number.chars().count();
    if count != 18 {
        return Err(DocumentError::Length { doc, found: count });
    }
    let b = number.as_bytes();
    if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
        return Err(DocumentError::Characters { doc });
    }
    Ok(())
}

/// Checks an 18-character number after its prefix: the shape, the birth date at
/// `birth_at..birth_at + 8`, the plausibility of the age, and the check character.
pub fn parse18(doc: DocumentType, number: &str, birth_at: usize, today: Date) -> Result<Encoded, DocumentError> {
    shape18(doc, number)?;
    let b = number.as_bytes();
    let digits = &number[birth_at..birth_at + 8];
    let birth_date =
        Date::from_yyyymmdd(digits).ok_or_else(|| DocumentError::BirthDate { digits: digits.to_owned() })?;
    check_birth_date(birth_date, today)?;
    if mod11_2_check(&b[..17]) != Some(b[17] as char) {
        return Err(DocumentError::Checksum);
    }
    Ok(Encoded { birth_date, gender: gender_of(b[16]) })
}

fn gender_of(digit: u8) -> Gender {
    if (digit - b'0') % 2 == 1 {
        Gender::Male
    } else {
        Gender::Female
    }
}

/// 居民身份证 (18 digits): a mainland province prefix and GB 11643.
pub fn parse_resident_id(number: &str, today: Date) -> Result<Encoded, DocumentError> {
    let doc = DocumentType::ResidentId;
    shape18(doc, number)?;
    if region::province_name(&number[..2]).is_none() {
        return Err(DocumentError::Region { code: number[..2].to_owned() });
    }
    parse18(doc, number, 6, today)
}

/// 居民身份证 (15 digits, issued before 1999): province prefix, `YYMMDD` in the 1900s, a
/// 3-digit sequence whose last digit is odd for men; no check character.
pub fn parse_resident_id_15(number: &str, today: Date) -> Result<Encoded, DocumentError> {
    let doc = DocumentType::ResidentId15;
    let count = number.chars().count();
    if count != 15 {
        return Err(DocumentError::Length { doc, found: count });
    }
    if !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DocumentError::Characters { doc });
    }
    if region::province_name(&number[..2]).is_none() {
        return Err(DocumentError::Region { code: number[..2].to_owned() });
    }
    let digits = format!("19{}", &number[6..12]);
    let birth_date = Date::from_yyyymmdd(&digits).ok_or(DocumentError::BirthDate { digits })?;
    check_birth_date(birth_date, today)?;
    Ok(Encoded { birth_date, gender: gender_of(number.as_bytes()[14]) })
}

/// A birth date must be in the past and give a plausible candidate age.
pub fn check_birth_date(birth: Date, today: Date) -> Result<(), DocumentError> {
    if birth > today {
        return Err(DocumentError::BirthInFuture);
    }
    let age = birth.age_on(today);
    if !(MIN_AGE..=MAX_AGE).contains(&age) {
        return Err(DocumentError::Age { age });
    }
    Ok(())
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
        let id = parse_resident_id("11010519491231002X", today()).unwrap();
        assert_eq!(id.birth_date, Date::new(1949, 12, 31).unwrap());
        assert_eq!(id.gender, Gender::Female);
        let id = parse_resident_id(&with_check("65010220010203123"), today()).unwrap();
        assert_eq!(id.gender, Gender::Male);
        assert_eq!(id.birth_date.to_string(), "2001-02-03");
    }

    #[test]
    fn every_wrong_check_character_is_refused() {
        let good = with_check("65010220010203123");
        for c in "0123456789X".chars() {
            let candidate = format!("{}{c}", &good[..17]);
            let verdict = parse_resident_id(&candidate, today());
            if candidate == good {
                assert!(verdict.is_ok());
            } else {
                assert_eq!(verdict, Err(DocumentError::Checksum), "{candidate}");
            }
        }
    }

    #[test]
    fn impossible_and_implausible_dates_are_refused() {
        let cases = [
            ("65010220010229123", DocumentError::BirthDate { digits: "20010229".into() }),
            ("65010220011301123", DocumentError::BirthDate { digits: "20011301".into() }),
            ("65010220010431123", DocumentError::BirthDate { digits: "20010431".into() }),
            ("65010200000101123", DocumentError::BirthDate { digits: "00000101".into() }),
            ("65010220250107123", DocumentError::BirthInFuture),
            ("65010220220101123", DocumentError::Age { age: 3 }),
            ("65010218800101123", DocumentError::Age { age: 145 }),
        ];
        for (first17, want) in cases {
            assert_eq!(parse_resident_id(&with_check(first17), today()), Err(want), "{first17}");
        }
    }

    #[test]
    fn shape_errors() {
        let doc = DocumentType::ResidentId;
        assert_eq!(parse_resident_id("6501022001020312", today()), Err(DocumentError::Length { doc, found: 16 }));
        assert_eq!(parse_resident_id("6501022001020312X3", today()), Err(DocumentError::Characters { doc }));
        assert_eq!(
            parse_resident_id(&with_check("99010220010203123"), today()),
            Err(DocumentError::Region { code: "99".into() })
        );
        // Multi-byte input of the right character count must not panic on slicing.
        assert_eq!(
            parse_resident_id("六五０１０２２００１０２０３１２３Ｘ", today()),
            Err(DocumentError::Characters { doc })
        );
    }

    #[test]
    fn legacy_fifteen_digit_numbers() {
        let id = parse_resident_id_15("110105491231002", today()).unwrap();
        assert_eq!(id.birth_date.to_string(), "1949-12-31");
        assert_eq!(id.gender, Gender::Female);
        assert_eq!(parse_resident_id_15("110105491231003", today()).unwrap().gender, Gender::Male);
        assert_eq!(
            parse_resident_id_15("110105490231002", today()),
            Err(DocumentError::BirthDate { digits: "19490231".into() })
        );
        assert_eq!(
            parse_resident_id_15("11010549123100", today()),
            Err(DocumentError::Length { doc: DocumentType::ResidentId15, found: 14 })
        );
    }
}
