//! The one source of "now". Tests use a manual clock to stand at a window's edges.

use crate::domain::Date;
use chrono::{DateTime, Datelike, FixedOffset, Utc};
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Clone, Debug, Default)]
pub enum Clock {
    #[default]
    System,
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

/// UTC+8, checked when compiling: there is no fallback to get wrong at run time.
const BEIJING: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// Exam windows, deadlines and birth dates are in Beijing time (UTC+8, no daylight saving).
pub fn beijing() -> FixedOffset {
    BEIJING
}

impl Clock {
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self::Manual(Arc::new(Mutex::new(at)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Self::System => Utc::now(),
            Self::Manual(at) => *at.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// Moves a manual clock; a system clock ignores it.
    pub fn set(&self, to: DateTime<Utc>) {
        if let Self::Manual(at) = self {
            *at.lock().unwrap_or_else(PoisonError::into_inner) = to;
        }
    }

    /// Today's date in Beijing, the "today" every rule uses.
    pub fn today(&self) -> Date {
        let local = self.now().with_timezone(&beijing()).date_naive();
        // chrono's years and months are always in range for a real clock.
        Date::new(local.year() as u16, local.month() as u8, local.day() as u8).unwrap_or(Date::EPOCH)
    }
}

/// `2025-01-06 10:00` in Beijing time.
pub fn format_beijing(at: DateTime<Utc>) -> String {
    at.with_timezone(&beijing()).format("%Y-%m-%d %H:%M").to_string()
}

/// The instant of a Beijing wall-clock minute (UTC+8 has no gaps or repeats).
pub fn from_beijing(m: crate::domain::Minute) -> DateTime<Utc> {
    let d = m.date();
    chrono::NaiveDate::from_ymd_opt(i32::from(d.year()), u32::from(d.month()), u32::from(d.day()))
        .and_then(|day| day.and_hms_opt(u32::from(m.hour()), u32::from(m.minute()), 0))
        .and_then(|local| local.and_local_timezone(beijing()).single())
        .map(|t| t.with_timezone(&Utc))
        // A `Minute` is a real date and time, so this is never reached.
        .unwrap_or_default()
}

/// The Beijing wall-clock minute of an instant (seconds dropped).
pub fn to_beijing(at: DateTime<Utc>) -> crate::domain::Minute {
    use chrono::Timelike;
    let local = at.with_timezone(&beijing());
    Date::new(local.year() as u16, local.month() as u8, local.day() as u8)
        .and_then(|d| crate::domain::Minute::new(d, local.hour() as u8, local.minute() as u8))
        .unwrap_or(crate::domain::Minute::EPOCH)
}

/// A stored calendar date as the rules' `Date`.
pub fn to_date(d: chrono::NaiveDate) -> Date {
    Date::new(d.year() as u16, d.month() as u8, d.day() as u8).unwrap_or(Date::EPOCH)
}

/// A rules' `Date` as stored.
pub fn from_date(d: Date) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(i32::from(d.year()), u32::from(d.month()), u32::from(d.day())).unwrap_or_default()
}
