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
//! On PostgreSQL both handles are the same pool.

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Db {
    read: DatabaseConnection,
    write: DatabaseConnection,
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
        if !url.starts_with("sqlite:") {
            let pool = Database::connect(options(url, POOL, false)).await?;
            return Ok(Db { read: pool.clone(), write: pool });
        }
        // The writer first: it creates the file and switches it to write-ahead logging.
        let write = Database::connect(options(url, 1, false)).await?;
        let read = Database::connect(options(url, SQLITE_READERS, true)).await?;
        Ok(Db { read, write })
    }

    /// For queries that only read.
    pub fn read(&self) -> &DatabaseConnection {
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
