//! SQLite reads on the calling thread, for the reads every page makes.
//!
//! sqlx gives every SQLite connection a thread of its own: each query is handed to that
//! thread and its rows handed back, two thread switches whatever the query. Profiled under
//! load, that hand-over was most of a signed-in page's cost (docs/PERFORMANCE.md). A read
//! in SQLite is microseconds of work on pages the operating system already holds, so here
//! it runs where it is asked for, with a connection taken from a stack of idle ones (the
//! lock is held for a push or a pop, never during the read) and its statement prepared
//! once per connection.
//!
//! The SQL is sea-orm's: callers build the query once (`Fetch`, next door), and this only
//! executes it. Rows become entity models through their active model, each column given
//! the value type its entity declares (SQLite itself keeps only integers, reals, text and
//! blobs), so a value of the wrong type is an error here, never a silent `None`. Values are
//! bound as sqlx binds them (moments as RFC 3339 text, booleans as 0/1), so comparisons in
//! SQL see the same text either way.
//!
//! It only reads: a statement that would write is refused, and the connections are
//! `query_only`. A read blocks its thread for the read's duration, which suits the short
//! reads of a page; a long report belongs on a blocking thread.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use rusqlite::types::{Value as Stored, ValueRef};
use rusqlite::{Connection, OpenFlags, Row};
use sea_orm::sea_query::{ColumnType, Value};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, IdenStatic, Iterable, RuntimeErr, Statement, TryIntoModel,
};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Idle connections kept for reuse (more may be open while more threads read at once).
const KEEP_IDLE: usize = 16;
/// Prepared statements kept per connection (an `IN (…)` list of a new length is a new one).
const STATEMENTS: usize = 256;

pub struct Reader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader").field("path", &self.path).finish_non_exhaustive()
    }
}

fn failed(what: impl std::fmt::Display) -> DbErr {
    DbErr::Query(RuntimeErr::Internal(format!("SQLite read: {what}")))
}

/// The file of a `sqlite:` URL (`sqlite://data/ncre.db?mode=rwc` → `data/ncre.db`).
pub fn file_of(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
}

/// Where each of a model's columns is in a result row, and its value type.
pub struct Layout<E: EntityTrait> {
    columns: Vec<(E::Column, usize, ColumnType)>,
}

impl<E: EntityTrait> Layout<E> {
    /// The columns of `E` named `{prefix}{column}` among `names`.
    pub fn find(names: &[String], prefix: &str) -> Result<Layout<E>, DbErr> {
        let columns = E::Column::iter()
            .map(|c| {
                let name = format!("{prefix}{}", c.as_str());
                let at = names.iter().position(|n| *n == name).ok_or_else(|| failed(format!("no column {name}")))?;
                Ok((c, at, c.def().get_column_type().clone()))
            })
            .collect::<Result<_, DbErr>>()?;
        Ok(Layout { columns })
    }

    /// The model in `row`; `None` if every one of its columns is NULL (a left join's miss).
    pub fn model(&self, row: &Row<'_>) -> Result<Option<E::Model>, DbErr>
    where
        E::ActiveModel: TryIntoModel<E::Model>,
    {
        let mut values = Vec::with_capacity(self.columns.len());
        for (column, at, kind) in &self.columns {
            let stored = row.get_ref(*at).map_err(failed)?;
            let value = from_stored(kind, stored).map_err(|e| failed(format!("{}: {e}", column.as_str())))?;
            values.push((*column, !matches!(stored, ValueRef::Null), value));
        }
        if !values.iter().any(|(_, stored, _)| *stored) {
            return Ok(None);
        }
        let mut model = <E::ActiveModel as ActiveModelTrait>::default();
        for (column, _, value) in values {
            model.try_set(column, value).map_err(|e| failed(format!("{}: {e}", column.as_str())))?;
        }
        model.try_into_model().map(Some)
    }
}

impl Reader {
    /// Reads the database file of `url`, which the writer has already created.
    pub fn new(url: &str) -> Result<Reader, DbErr> {
        let path = file_of(url).ok_or_else(|| DbErr::Custom(format!("not a SQLite database file: {url}")))?;
        let reader = Reader { path, idle: Mutex::new(Vec::new()) };
        // Fail at start-up, not at the first page, if the file cannot be read.
        let first = reader.connect()?;
        reader.idle.lock().unwrap_or_else(PoisonError::into_inner).push(first);
        Ok(reader)
    }

    fn connect(&self) -> Result<Connection, DbErr> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(failed)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(failed)?;
        conn.pragma_update(None, "query_only", "ON").map_err(failed)?;
        conn.set_prepared_statement_cache_capacity(STATEMENTS);
        Ok(conn)
    }

    /// Runs `statement` and hands each row to `each`, with the result's column names.
    pub fn rows<L, T>(
        &self,
        statement: &Statement,
        layout: impl FnOnce(&[String]) -> Result<L, DbErr>,
        mut each: impl FnMut(&L, &Row<'_>) -> Result<T, DbErr>,
    ) -> Result<Vec<T>, DbErr> {
        let params = match &statement.values {
            Some(values) => values.0.iter().map(to_stored).collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.connect()?,
        };
        let out = (|| {
            let mut stmt = conn.prepare_cached(&statement.sql).map_err(failed)?;
            if !stmt.readonly() {
                return Err(failed("this handle only reads"));
            }
            let names: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
            let layout = layout(&names)?;
            let mut rows = stmt.query(rusqlite::params_from_iter(params)).map_err(failed)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(failed)? {
                out.push(each(&layout, row)?);
            }
            Ok(out)
        })();
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < KEEP_IDLE {
            idle.push(conn);
        }
        out
    }
}

/// A moment as sqlx writes it to SQLite.
fn moment_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

fn to_stored(value: &Value) -> Result<Stored, DbErr> {
    let int = |i: Option<i64>| i.map_or(Stored::Null, Stored::Integer);
    Ok(match value {
        Value::Bool(b) => int(b.map(i64::from)),
        Value::TinyInt(i) => int(i.map(i64::from)),
        Value::SmallInt(i) => int(i.map(i64::from)),
        Value::Int(i) => int(i.map(i64::from)),
        Value::BigInt(i) => int(*i),
        Value::TinyUnsigned(i) => int(i.map(i64::from)),
        Value::SmallUnsigned(i) => int(i.map(i64::from)),
        Value::Unsigned(i) => int(i.map(i64::from)),
        Value::BigUnsigned(i) => match i {
            Some(i) => Stored::Integer(i64::try_from(*i).map_err(|_| failed(format!("{i} is too large")))?),
            None => Stored::Null,
        },
        Value::Float(f) => f.map_or(Stored::Null, |f| Stored::Real(f64::from(f))),
        Value::Double(f) => f.map_or(Stored::Null, Stored::Real),
        Value::String(s) => s.clone().map_or(Stored::Null, Stored::Text),
        Value::Char(c) => c.map_or(Stored::Null, |c| Stored::Text(c.to_string())),
        Value::Bytes(b) => b.clone().map_or(Stored::Null, Stored::Blob),
        Value::ChronoDate(d) => d.map_or(Stored::Null, |d| Stored::Text(d.format("%F").to_string())),
        Value::ChronoDateTime(t) => t.map_or(Stored::Null, |t| Stored::Text(t.format("%F %T%.f").to_string())),
        Value::ChronoDateTimeUtc(t) => t.as_ref().map_or(Stored::Null, |t| Stored::Text(moment_text(t))),
        other => return Err(failed(format!("cannot bind {other:?}"))),
    })
}

/// A moment as sqlx reads one back: RFC 3339, or SQLite's own `YYYY-MM-DD HH:MM:SS[.f]`
/// (an offset or none, which means UTC).
fn parse_moment(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in ["%F %T%.f%#z", "%FT%T%.f%#z"] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    ["%F %T%.f", "%FT%T%.f"].iter().find_map(|f| NaiveDateTime::parse_from_str(text, f).ok()).map(|t| t.and_utc())
}

/// A stored value as the value type of a column declared `kind`.
fn from_stored(kind: &ColumnType, stored: ValueRef<'_>) -> Result<Value, String> {
    let text = |t: &[u8]| std::str::from_utf8(t).map(str::to_owned).map_err(|e| e.to_string());
    let int = |i: i64| -> Result<i32, String> { i32::try_from(i).map_err(|_| format!("{i} does not fit")) };
    let null = matches!(stored, ValueRef::Null);
    Ok(match (kind, stored) {
        (ColumnType::Boolean, ValueRef::Integer(i)) => Value::Bool(Some(i != 0)),
        (ColumnType::Boolean, _) if null => Value::Bool(None),
        (ColumnType::SmallInteger, ValueRef::Integer(i)) => {
            Value::SmallInt(Some(i16::try_from(i).map_err(|_| format!("{i} does not fit"))?))
        }
        (ColumnType::SmallInteger, _) if null => Value::SmallInt(None),
        (ColumnType::Integer, ValueRef::Integer(i)) => Value::Int(Some(int(i)?)),
        (ColumnType::Integer, _) if null => Value::Int(None),
        (ColumnType::BigInteger, ValueRef::Integer(i)) => Value::BigInt(Some(i)),
        (ColumnType::BigInteger, _) if null => Value::BigInt(None),
        (ColumnType::Char(_) | ColumnType::String(_) | ColumnType::Text, ValueRef::Text(t)) => {
            Value::String(Some(text(t)?))
        }
        (ColumnType::Char(_) | ColumnType::String(_) | ColumnType::Text, _) if null => Value::String(None),
        (ColumnType::Date, ValueRef::Text(t)) => {
            let t = text(t)?;
            Value::ChronoDate(Some(NaiveDate::parse_from_str(&t, "%F").map_err(|e| format!("date {t:?}: {e}"))?))
        }
        (ColumnType::Date, _) if null => Value::ChronoDate(None),
        // The entities use `DateTimeUtc` for every moment.
        (ColumnType::TimestampWithTimeZone, ValueRef::Text(t)) => {
            let t = text(t)?;
            Value::ChronoDateTimeUtc(Some(parse_moment(&t).ok_or_else(|| format!("not a moment: {t:?}"))?))
        }
        (ColumnType::TimestampWithTimeZone, _) if null => Value::ChronoDateTimeUtc(None),
        (kind, stored) => return Err(format!("{:?} stored where {kind:?} is declared", stored.data_type())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use sea_orm::sea_query::StringLen;

    #[test]
    fn file_of_reads_the_urls_we_use() {
        assert_eq!(file_of("sqlite://data/ncre.db?mode=rwc"), Some(PathBuf::from("data/ncre.db")));
        assert_eq!(file_of("sqlite:///tmp/x/ncre.db?mode=rwc"), Some(PathBuf::from("/tmp/x/ncre.db")));
        assert_eq!(file_of("sqlite:ncre.db"), Some(PathBuf::from("ncre.db")));
        assert_eq!(file_of("sqlite::memory:"), None);
        assert_eq!(file_of("postgres://localhost/ncre"), None);
    }

    #[test]
    fn moments_read_back_as_sqlx_wrote_them() {
        let whole = Utc.with_ymd_and_hms(2026, 12, 2, 19, 16, 33).single().expect("a moment");
        let fine = whole + chrono::Duration::microseconds(123_456);
        assert_eq!(parse_moment(&moment_text(&fine)), Some(fine));
        assert_eq!(moment_text(&whole), "2026-12-02T19:16:33+00:00");
        assert_eq!(parse_moment(&moment_text(&whole)), Some(whole));
        assert_eq!(parse_moment("2026-12-02 19:16:33"), Some(whole));
        assert_eq!(parse_moment("2026-12-03T03:16:33+08:00"), Some(whole));
        assert_eq!(parse_moment("yesterday"), None);
    }

    #[test]
    fn values_take_their_declared_type_and_refuse_another() {
        let text = ColumnType::String(StringLen::None);
        assert_eq!(from_stored(&ColumnType::Integer, ValueRef::Integer(7)), Ok(Value::Int(Some(7))));
        assert_eq!(from_stored(&ColumnType::BigInteger, ValueRef::Integer(7)), Ok(Value::BigInt(Some(7))));
        assert_eq!(from_stored(&ColumnType::SmallInteger, ValueRef::Integer(2)), Ok(Value::SmallInt(Some(2))));
        assert_eq!(from_stored(&ColumnType::Boolean, ValueRef::Integer(1)), Ok(Value::Bool(Some(true))));
        assert_eq!(from_stored(&text, ValueRef::Null), Ok(Value::String(None)));
        assert_eq!(from_stored(&text, ValueRef::Text(b"x")), Ok(Value::String(Some("x".into()))));
        assert!(from_stored(&ColumnType::Integer, ValueRef::Integer(1 << 40)).is_err());
        assert!(from_stored(&ColumnType::Integer, ValueRef::Text(b"7")).is_err());
        assert!(from_stored(&ColumnType::TimestampWithTimeZone, ValueRef::Text(b"soon")).is_err());
        assert!(from_stored(&ColumnType::Json, ValueRef::Text(b"{}")).is_err());
        assert_eq!(
            from_stored(&ColumnType::Date, ValueRef::Text(b"2026-03-01")),
            Ok(Value::ChronoDate(NaiveDate::from_ymd_opt(2026, 3, 1)))
        );
    }

    #[test]
    fn values_are_bound_as_sqlx_binds_them() {
        let t = Utc.with_ymd_and_hms(2026, 12, 2, 19, 16, 33).single().expect("a moment");
        assert_eq!(to_stored(&Value::ChronoDateTimeUtc(Some(t))).ok(), Some(Stored::Text(moment_text(&t))));
        assert_eq!(to_stored(&Value::Bool(Some(true))).ok(), Some(Stored::Integer(1)));
        assert_eq!(to_stored(&Value::String(None)).ok(), Some(Stored::Null));
        assert!(to_stored(&Value::BigUnsigned(Some(u64::MAX))).is_err());
    }
}
