//! A calendar date (proleptic Gregorian) without a time zone, small enough for the wasm build.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// 1970-01-01, a stand-in where a date is needed but none can be had.
    pub const EPOCH: Date = Date { year: 1970, month: 1, day: 1 };

    /// Builds a date only if it exists in the calendar (29 February only in leap years).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Self { year, month, day })
    }

    /// Parses exactly eight ASCII digits `YYYYMMDD`.
    pub fn from_yyyymmdd(s: &str) -> Option<Self> {
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year = s[0..4].parse().ok()?;
        let month = s[4..6].parse().ok()?;
        let day = s[6..8].parse().ok()?;
        Self::new(year, month, day)
    }

    /// Parses `YYYY-MM-DD`, the form's and the JSON verdict's format.
    pub fn from_iso(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        Self::from_yyyymmdd(&format!("{}{}{}", &s[0..4], &s[5..7], &s[8..10]))
    }

    /// Completed years of age on `today` (a birthday on 29 February counts from 1 March in
    /// common years). Zero if `today` is before `self`.
    pub fn age_on(self, today: Date) -> u16 {
        if today < self {
            return 0;
        }
        let mut age = today.year - self.year;
        if (today.month, today.day) < (self.month, self.day) {
            age -= 1;
        }
        age
    }

    /// `年月日` text as candidates read it, e.g. `2001年02月03日`.
    pub fn to_chinese(self) -> String {
        format!("{:04}年{:02}月{:02}日", self.year, self.month, self.day)
    }
}

impl fmt::Display for Date {
    /// ISO 8601 `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

pub fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_impossible_dates() {
        assert!(Date::new(2001, 2, 29).is_none());
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2024, 4, 31).is_none());
        assert!(Date::new(2024, 13, 1).is_none());
        assert!(Date::new(2024, 0, 1).is_none());
        assert!(Date::new(2024, 1, 0).is_none());
        assert!(Date::from_yyyymmdd("2024011").is_none());
        assert!(Date::from_yyyymmdd("2024+101").is_none());
    }

    #[test]
    fn age_counts_completed_years() {
        let born = Date::new(2000, 2, 29).unwrap();
        assert_eq!(born.age_on(Date::new(2018, 2, 28).unwrap()), 17);
        assert_eq!(born.age_on(Date::new(2018, 3, 1).unwrap()), 18);
        assert_eq!(born.age_on(Date::new(1999, 1, 1).unwrap()), 0);
    }

    #[test]
    fn round_trips_iso() {
        let d = Date::new(1987, 6, 5).unwrap();
        assert_eq!(Date::from_iso(&d.to_string()), Some(d));
        assert_eq!(d.to_chinese(), "1987年06月05日");
    }
}
