//! The SQLite file: where it lives, how it is opened, its migrations, and one module
//! of SQL per table (plain functions over a connection, so callers can group them in
//! one transaction).
//!
//! One connection behind a mutex serves the app; every call runs on tokio's blocking
//! pool (`Db::call`) so SQLite never stalls an async worker thread.

mod file;
pub mod meta;
mod migrate;
pub mod model_cache;
pub mod preferences;
pub mod providers;
pub mod routes;

pub(crate) use file::SQLITE_MAGIC;
pub use file::{connect, file_kind, FileKind};
pub use migrate::{
    apply_pending, latest_known_version, migrate, migrations, pending_versions, schema_version,
    HISTORY_TABLE,
};

use crate::error::{CoreError, OpenProblem, Result};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Naive local time, `YYYY-MM-DD HH:MM:SS.ffffff`, as the original writes it.
const NOW: &str = "strftime('%Y-%m-%d %H:%M:%f000', 'now', 'localtime')";

/// What an unmanaged file (tables, but no Curator history) is, as the caller judges
/// it: the earlier reader's database or some other application's.
pub type UnmanagedGate = fn(&Connection, &Path) -> CoreError;

/// `curator.db` in the platform data directory (created on demand).
pub fn default_db_path() -> Result<PathBuf> {
    let dirs =
        directories::ProjectDirs::from("", "", "curator").ok_or_else(|| CoreError::DbOpen {
            path: PathBuf::from("curator.db"),
            problem: OpenProblem::NoHome,
        })?;
    let dir = dirs.data_dir();
    std::fs::create_dir_all(dir).map_err(|e| CoreError::DbOpen {
        path: dir.join("curator.db"),
        problem: OpenProblem::Io(e),
    })?;
    Ok(dir.join("curator.db"))
}

/// The environment variable naming the database file.
pub const DB_ENV: &str = "CURATOR_DB";

/// Where the database is, for the CLI and the app alike: `flag` (their `--db`), else
/// `CURATOR_DB`, else `curator.db` in the platform data directory. Absolute.
pub fn resolve_db_path(flag: Option<PathBuf>) -> Result<PathBuf> {
    let given = flag.filter(|p| !p.as_os_str().is_empty()).or_else(|| {
        std::env::var_os(DB_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    match given {
        Some(p) => Ok(absolute(&p)),
        None => default_db_path(),
    }
}

/// Make `path` absolute without touching the file system beyond the current dir.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A handle on the open database. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Open or create the database at `path` and bring Curator's schema up to date.
    /// A database of the earlier reader is not touched: it answers `NeedsUpgrade`.
    /// `unmanaged` says what a file with tables but no Curator history is.
    pub fn open(path: &Path, unmanaged: UnmanagedGate) -> Result<Self> {
        let path = absolute(path);
        let existed = file::precheck(&path)?;
        let mut conn = file::open_plain(&path, true)?;
        let result = (|| match file_kind(&conn)? {
            FileKind::Fresh | FileKind::Curator => {
                file::apply_pragmas(&conn, &path)?;
                migrate(&mut conn, &path)
            }
            FileKind::Unmanaged => Err(unmanaged(&conn, &path)),
        })();
        if let Err(e) = result {
            drop(conn);
            if !existed {
                remove_db_files(&path);
            }
            return Err(e);
        }
        Ok(Self {
            path,
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run blocking SQLite work on tokio's blocking pool.
    pub async fn call<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(CoreError::Join)?
    }

    /// Blocking access for callers that are not async (CLI one-shots, tests).
    pub fn call_blocking<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

/// Whether `name` is a table of the open database.
pub(crate) fn table_exists(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// Remove a database file this process created, with its WAL side files.
fn remove_db_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

#[cfg(test)]
mod tests;
