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

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
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

/// A wall-clock minute in Beijing (UTC+8, no daylight saving): how staff set windows and
/// print starts. The server turns it into an instant; the browser only compares and shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Minute {
    date: Date,
    hour: u8,
    minute: u8,
}

impl Minute {
    /// 1970-01-01 00:00, a stand-in where a time is needed but none can be had.
    pub const EPOCH: Minute = Minute { date: Date::EPOCH, hour: 0, minute: 0 };

    pub fn new(date: Date, hour: u8, minute: u8) -> Option<Self> {
        (hour < 24 && minute < 60).then_some(Self { date, hour, minute })
    }

    /// Parses `YYYY-MM-DD HH:MM` or `YYYY-MM-DDTHH:MM` (what `<input type="datetime-local">`
    /// sends; seconds, when a browser adds them, must be `:00`).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.strip_suffix(":00").filter(|rest| rest.len() == 16).unwrap_or(s);
        let b = s.as_bytes();
        if b.len() != 16 || !(b[10] == b' ' || b[10] == b'T') || b[13] != b':' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| {
            let part = &s[r];
            part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse::<u8>().ok()).flatten()
        };
        Self::new(Date::from_iso(&s[..10])?, digits(11..13)?, digits(14..16)?)
    }

    pub fn date(self) -> Date {
        self.date
    }

    pub fn hour(self) -> u8 {
        self.hour
    }

    pub fn minute(self) -> u8 {
        self.minute
    }

    /// `2025-01-06T10:00`, the value of a `datetime-local` input.
    pub fn to_input(self) -> String {
        format!("{}T{:02}:{:02}", self.date, self.hour, self.minute)
    }
}

impl fmt::Display for Minute {
    /// `2025-01-06 10:00`, as pages show a time.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:02}:{:02}", self.date, self.hour, self.minute)
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
    #[test]
    fn a_minute_reads_as_typed_or_as_the_browser_sends_it() {
        use super::Minute;
        let m = Minute::parse("2025-01-06 10:00").unwrap();
        assert_eq!(Minute::parse("2025-01-06T10:00"), Some(m));
        assert_eq!(Minute::parse("2025-01-06T10:00:00"), Some(m));
        assert_eq!(m.to_string(), "2025-01-06 10:00");
        assert_eq!(m.to_input(), "2025-01-06T10:00");
        for bad in [
            "",
            "2025-01-06",
            "2025-01-06 24:00",
            "2025-01-06 10:60",
            "2025-02-30 10:00",
            "2025-01-06 1:00",
            "2025-01-06 +1:00",
            "2025-01-06T10:00:30",
        ] {
            assert_eq!(Minute::parse(bad), None, "{bad}");
        }
        assert!(Minute::parse("2025-01-06 09:59").unwrap() < m);
    }

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
