//! The database handles, split the way SQLite wants them.
//!
//! SQLite lets one connection write at a time. With a pool of connections that all write,
//! the losers of each race sleep inside SQLite's busy handler (1, 2, 5 … 100 ms) and poll
//! again, so a burst of writes turns into long, unfair waits (measured: p99 124 ms at 2,800
//! seat claims/s). So on SQLite reads get a pool of connections that cannot write
//! (`query_only`, a write there fails loudly in tests), and every write goes through one
//! writer connection, for which requests queue fairly in the pool. Write-ahead logging lets
//! the readers go on while the writer writes; `synchronous=NORMAL` (the WAL setting SQLite
//! recommends) syncs at checkpoints rather than every commit: a power cut may lose the last
//! moments of commits, never corrupts, and a crashed process loses nothing.
//!
//! The reads every page makes (`Fetch`) skip sqlx on SQLite: its connections each run on a
//! thread of their own that every query hops to and back from, and that hop was most of a
//! page's cost. They run on the calling thread instead (`reader`).
//!
//! On PostgreSQL both handles are the same pool.

pub mod fetch;
pub mod reader;

pub use fetch::Fetch;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};
use std::sync::Arc;
use std::time::Duration;

/// How the page reads run on SQLite: on the calling thread (the default), or through sqlx's
/// pool like every other read (`SQLITE_READS=pool`: the measured baseline, and a way back
/// should the reader ever misbehave).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SqliteReads {
    #[default]
    Thread,
    Pool,
}

impl SqliteReads {
    /// The `SQLITE_READS` setting: unset or `thread`, or `pool`.
    pub fn from_setting(value: Option<&str>) -> Result<SqliteReads, String> {
        match value.map(str::trim) {
            None | Some("thread") => Ok(SqliteReads::Thread),
            Some("pool") => Ok(SqliteReads::Pool),
            Some(other) => Err(format!("`{other}` is not `thread` or `pool`")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Db {
    read: Reads,
    write: DatabaseConnection,
}

/// The read handle: sea-orm's pool, and on SQLite the calling-thread reader `Fetch` uses.
#[derive(Clone, Debug)]
pub struct Reads {
    pool: DatabaseConnection,
    local: Option<Arc<reader::Reader>>,
}

impl Reads {
    /// Whether `Fetch` reads on the calling thread (SQLite) rather than through the pool.
    pub fn on_calling_thread(&self) -> bool {
        self.local.is_some()
    }
}

/// Connections for reading on PostgreSQL (for everything there).
const POOL: u32 = 16;

/// Reading connections on SQLite. Each sqlx SQLite connection is a thread of its own that
/// every query hops to and back from; a read is a few microseconds of SQLite work, so more
/// readers than cores only add thread switches (profiled: most of a signed-in page's time
/// was the scheduler). Four leave room for a slow read without queueing the quick ones.
const SQLITE_READERS: u32 = 4;

fn options(url: &str, max: u32, query_only: bool) -> ConnectOptions {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(max)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    opts.map_sqlx_sqlite_opts(move |o| {
        o.pragma("journal_mode", "WAL")
            .pragma("synchronous", "NORMAL")
            .pragma("foreign_keys", "ON")
            .pragma("query_only", if query_only { "ON" } else { "OFF" })
    });
    opts
}

impl Db {
    pub async fn connect(url: &str) -> Result<Db, DbErr> {
        Db::connect_reading(url, SqliteReads::Thread).await
    }

    /// `connect`, choosing how `Fetch` reads on SQLite (elsewhere there is only the pool).
    pub async fn connect_reading(url: &str, reads: SqliteReads) -> Result<Db, DbErr> {
        if !url.starts_with("sqlite:") {
            let pool = Database::connect(options(url, POOL, false)).await?;
            return Ok(Db { read: Reads { pool: pool.clone(), local: None }, write: pool });
        }
        // The writer first: it creates the file and switches it to write-ahead logging.
        let write = Database::connect(options(url, 1, false)).await?;
        let pool = Database::connect(options(url, SQLITE_READERS, true)).await?;
        let local = match reads {
            SqliteReads::Thread => Some(Arc::new(reader::Reader::new(url)?)),
            SqliteReads::Pool => None,
        };
        Ok(Db { read: Reads { pool, local }, write })
    }

    /// For queries that only read, through sea-orm.
    pub fn read(&self) -> &DatabaseConnection {
        &self.read.pool
    }

    /// For the reads every page makes, run with `Fetch`.
    pub fn reads(&self) -> &Reads {
        &self.read
    }

    /// For anything that writes, and for reads that must see the writer's view.
    pub fn write(&self) -> &DatabaseConnection {
        &self.write
    }

    pub fn backend(&self) -> DbBackend {
        self.write.get_database_backend()
    }
}

#[cfg(test)]
mod tests {
    use super::SqliteReads;

    #[test]
    fn sqlite_reads_setting() {
        assert_eq!(SqliteReads::from_setting(None), Ok(SqliteReads::Thread));
        assert_eq!(SqliteReads::from_setting(Some("thread")), Ok(SqliteReads::Thread));
        assert_eq!(SqliteReads::from_setting(Some(" pool ")), Ok(SqliteReads::Pool));
        assert!(SqliteReads::from_setting(Some("fast")).is_err());
    }
}
