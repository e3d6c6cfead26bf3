//! `server backup PATH`: a consistent copy of a SQLite database taken while the site serves.
//!
//! `VACUUM INTO` reads the database inside one read transaction, so the copy is the database
//! as of one moment, and (with write-ahead logging) the serving writer goes on meanwhile. The
//! copy is written beside PATH under a temporary name, checked with `PRAGMA integrity_check`,
//! and only then linked to PATH (a hard link, which refuses an existing name where a rename
//! would replace it): a file at PATH is always a whole, checked backup, and an existing PATH
//! is never overwritten. Restoring is copying the file back while the server
//! is stopped (docs/OPERATIONS.md).
//!
//! PostgreSQL has its own tools for this (`pg_dump`, base backups); on a PostgreSQL URL the
//! command says so and does nothing.

use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum BackupError {
    /// The database is not SQLite.
    NotSqlite,
    /// Something is at PATH already.
    Exists(PathBuf),
    /// PATH's folder is missing, or PATH is not a file name.
    BadPath(PathBuf),
    /// The copy was made but does not pass `integrity_check` (it is removed).
    Damaged(String),
    Db(sea_orm::DbErr),
    Io(std::io::Error),
}

impl fmt::Display for BackupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackupError::NotSqlite => {
                f.write_str("DATABASE_URL is not SQLite: back PostgreSQL up with pg_dump (docs/OPERATIONS.md)")
            }
            BackupError::Exists(p) => write!(f, "{} exists already: give a new file name", p.display()),
            BackupError::BadPath(p) => write!(f, "{}: not a file name in an existing folder", p.display()),
            BackupError::Damaged(why) => write!(f, "the copy failed its integrity check: {why}"),
            BackupError::Db(e) => write!(f, "database: {e}"),
            BackupError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for BackupError {}

impl From<sea_orm::DbErr> for BackupError {
    fn from(e: sea_orm::DbErr) -> Self {
        BackupError::Db(e)
    }
}

impl From<std::io::Error> for BackupError {
    fn from(e: std::io::Error) -> Self {
        BackupError::Io(e)
    }
}

/// What a finished backup holds.
#[derive(Debug)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
}

/// Copies the database behind `db` (a connection that may write: `VACUUM INTO` is refused on
/// a `query_only` one) into a new file at `path`.
pub async fn sqlite_into(db: &impl ConnectionTrait, path: &Path) -> Result<Backup, BackupError> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    let (Some(name), Some(folder)) = (path.file_name(), path.parent()) else {
        return Err(BackupError::BadPath(path.to_owned()));
    };
    let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
    if !folder.is_dir() {
        return Err(BackupError::BadPath(path.to_owned()));
    }
    if path.exists() {
        return Err(BackupError::Exists(path.to_owned()));
    }
    let mut partial = name.to_owned();
    partial.push(format!(".partial-{}", std::process::id()));
    let partial = folder.join(partial);
    let _ = std::fs::remove_file(&partial);
    let target = partial.to_str().ok_or_else(|| BackupError::BadPath(path.to_owned()))?;
    let copied = db
        .execute_raw(Statement::from_sql_and_values(DbBackend::Sqlite, "VACUUM INTO ?", [target.to_owned().into()]))
        .await;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e.into());
    }
    if let Err(e) = check(&partial).await {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    // A hard link refuses an existing name, where a rename would replace it.
    let linked = std::fs::hard_link(&partial, path);
    let _ = std::fs::remove_file(&partial);
    match linked {
        Ok(()) => Ok(Backup { path: path.to_owned(), bytes: std::fs::metadata(path)?.len() }),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(BackupError::Exists(path.to_owned())),
        Err(e) => Err(e.into()),
    }
}

/// `PRAGMA integrity_check` on a database file, opened read-only.
pub async fn check(file: &Path) -> Result<(), BackupError> {
    let url = format!("sqlite://{}?mode=ro", file.display());
    let copy = Database::connect(url).await?;
    let rows = copy.query_all_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA integrity_check")).await;
    copy.close().await?;
    let lines: Vec<String> =
        rows?.iter().map(|r| r.try_get_by_index::<String>(0)).collect::<Result<_, _>>().map_err(BackupError::Db)?;
    if lines == ["ok"] {
        Ok(())
    } else {
        Err(BackupError::Damaged(lines.join("; ")))
    }
}
