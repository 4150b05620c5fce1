//! Failures of the database file, its migrations, the legacy upgrade and the secret
//! store, each with what went wrong and the underlying error as its source.

use super::ErrorCode;
use std::path::{Path, PathBuf};

/// Why the database file could not be opened or created.
#[derive(Debug, thiserror::Error)]
pub enum OpenProblem {
    #[error("it is a directory")]
    Directory,
    #[error("not a SQLite database")]
    NotSqlite,
    #[error("directory {0} does not exist")]
    NoDirectory(PathBuf),
    #[error("no home directory to hold the default database; pass --db PATH")]
    NoHome,
    #[error("{0}")]
    Io(#[source] std::io::Error),
    #[error("{}", sqlite_reason(.0))]
    Sqlite(#[source] rusqlite::Error),
}

fn sqlite_reason(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(f, Some(msg)) => format!("{msg} ({:?})", f.code),
        rusqlite::Error::SqliteFailure(f, None) => format!("{:?}", f.code),
        other => other.to_string(),
    }
}

/// SQLite's own words for a failure.
fn detail(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(f, msg) => msg.clone().unwrap_or_else(|| f.to_string()),
        other => other.to_string(),
    }
}

/// A migration that could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum MigrationFailure {
    #[error("{0}")]
    Runner(#[source] refinery::Error),
    #[error("V{version}__{name}: {source}")]
    Step {
        version: i32,
        name: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("V{version}__{name} has no SQL in this build")]
    NoSql { version: i32, name: String },
    #[error("cannot find column {table}.{column} in its definition")]
    ColumnNotFound { table: String, column: String },
}

/// What the checks before commit found.
#[derive(Debug, thiserror::Error)]
pub enum CheckFailure {
    #[error("foreign_key_check failed: {table} row {rowid} has no {parent} row")]
    ForeignKey {
        table: String,
        rowid: i64,
        parent: String,
    },
    #[error("the database is corrupt (integrity_check: {})", .0.join("; "))]
    Integrity(Vec<String>),
    /// A new index, walked alone, is not in SQLite's order.
    #[error("the database is corrupt (index {index} out of order at rowid {rowid})")]
    IndexOrder { index: String, rowid: i64 },
    /// A new index does not hold exactly its table's (key, rowid) pairs.
    #[error("the database is corrupt (index {index} does not match its table: {entries} entries for {rows} rows)")]
    IndexMismatch {
        index: String,
        entries: u64,
        rows: u64,
    },
}

/// Why the upgrade refused a file or stopped; the file is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeProblem {
    #[error("the file does not exist")]
    Missing,
    #[error("it is a directory")]
    Directory,
    #[error("{0}")]
    Unopenable(#[source] std::io::Error),
    #[error("{0}")]
    Unreadable(#[source] std::io::Error),
    #[error("the file is empty, not a database")]
    Empty,
    #[error("it is not a SQLite database")]
    NotSqlite,
    #[error("the SQLite file is truncated")]
    Truncated,
    #[error("the SQLite header is corrupt")]
    BadHeader,
    #[error("the file is read-only")]
    FileReadOnly,
    #[error("the database has no tables, so it is not one of the earlier reader")]
    NoTables,
    #[error("it is a database of some other application (no rss-reader tables)")]
    OtherApplication,
    #[error("its Alembic revision {} is unknown to this Curator", .0.join(", "))]
    UnknownRevisions(Vec<String>),
    #[error("the database is locked by another program (close the reader or Curator and retry)")]
    Locked(#[source] rusqlite::Error),
    #[error("the disk is full")]
    DiskFull(#[source] rusqlite::Error),
    #[error("the file or its folder is read-only")]
    ReadOnly(#[source] rusqlite::Error),
    #[error("it is not a SQLite database or it is corrupt")]
    NotADatabase(#[source] rusqlite::Error),
    #[error("the database is corrupt ({})", detail(.0))]
    Corrupt(#[source] rusqlite::Error),
    #[error("it cannot be opened ({})", detail(.0))]
    CannotOpen(#[source] rusqlite::Error),
    #[error("disk I/O error ({}); is the disk full?", detail(.0))]
    DiskIo(#[source] rusqlite::Error),
    #[error("{}", detail(.0))]
    Sqlite(#[source] rusqlite::Error),
    /// The backup could not be written for want of space (ENOSPC, EFBIG, EDQUOT).
    #[error("the disk is full (while writing the backup {})", dest.display())]
    BackupDiskFull {
        dest: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The backup could not be written (or flushed to disk).
    #[error("cannot write the backup {}: {source}", dest.display())]
    BackupWrite {
        dest: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Check(#[source] CheckFailure),
    #[error("{0}")]
    Migration(#[source] MigrationFailure),
}

impl UpgradeProblem {
    /// Classify a SQLite failure met while upgrading.
    pub fn from_sqlite(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        let rusqlite::Error::SqliteFailure(f, msg) = &e else {
            return Self::Sqlite(e);
        };
        let full = f.extended_code == 13 || msg.as_deref().is_some_and(|m| m.contains("full"));
        match f.code {
            C::DatabaseBusy | C::DatabaseLocked => Self::Locked(e),
            C::DiskFull => Self::DiskFull(e),
            C::ReadOnly => Self::ReadOnly(e),
            C::NotADatabase => Self::NotADatabase(e),
            C::DatabaseCorrupt => Self::Corrupt(e),
            C::CannotOpen | C::PermissionDenied => Self::CannotOpen(e),
            C::SystemIoFailure if full => Self::DiskFull(e),
            C::SystemIoFailure => Self::DiskIo(e),
            _ => Self::Sqlite(e),
        }
    }

    /// The backup at `dest` could not be written: the disk is full, or another
    /// I/O failure.
    pub fn backup_io(dest: &Path, source: std::io::Error) -> Self {
        // ENOSPC, EFBIG (a file size limit), EDQUOT.
        if matches!(source.raw_os_error(), Some(28 | 27 | 122)) {
            Self::BackupDiskFull {
                dest: dest.to_path_buf(),
                source,
            }
        } else {
            Self::BackupWrite {
                dest: dest.to_path_buf(),
                source,
            }
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Missing | Self::Directory | Self::Unopenable(_) | Self::CannotOpen(_) => {
                ErrorCode::DbOpen
            }
            Self::Unreadable(_) | Self::DiskIo(_) | Self::BackupWrite { .. } => ErrorCode::Io,
            Self::Empty
            | Self::NotSqlite
            | Self::NoTables
            | Self::OtherApplication
            | Self::UnknownRevisions(_) => ErrorCode::DbForeign,
            Self::Truncated
            | Self::BadHeader
            | Self::NotADatabase(_)
            | Self::Corrupt(_)
            | Self::Check(_) => ErrorCode::DbCorrupt,
            Self::FileReadOnly | Self::ReadOnly(_) => ErrorCode::DbReadOnly,
            Self::Locked(_) => ErrorCode::DbLocked,
            Self::DiskFull(_) | Self::BackupDiskFull { .. } => ErrorCode::DiskFull,
            Self::Sqlite(_) | Self::Migration(_) => ErrorCode::Db,
        }
    }
}

/// The legacy backfill's Ollama host setting has a port that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Ollama host setting {host:?} has an invalid port")]
pub struct InvalidOllamaHost {
    pub host: String,
}

/// What failed inside the secret store.
#[derive(Debug, thiserror::Error)]
pub enum SecretStoreFailure {
    #[error("{0}")]
    Keychain(#[source] keyring::Error),
    #[error("{0}")]
    File(#[source] std::io::Error),
    #[error("not a key file")]
    NotAKeyFile(#[source] serde_json::Error),
}
