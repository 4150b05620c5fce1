//! The SQLite file: where it lives, how it is opened, and its migrations.
//!
//! One connection behind a mutex serves the app; every call runs on tokio's blocking
//! pool (`Db::call`) so SQLite never stalls an async worker thread.

use crate::error::{CoreError, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod embedded {
    refinery::embed_migrations!("../../migrations");
}

/// Name of refinery's bookkeeping table.
pub const HISTORY_TABLE: &str = "refinery_schema_history";
/// The first 16 bytes of every SQLite database file.
pub(crate) const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The migrations compiled into this build.
pub fn migrations() -> Vec<refinery::Migration> {
    embedded::migrations::runner().get_migrations().to_vec()
}

/// The newest schema version this build knows.
pub fn latest_known_version() -> i64 {
    migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// `curator.db` in the platform data directory (created on demand).
pub fn default_db_path() -> Result<PathBuf> {
    let dirs =
        directories::ProjectDirs::from("", "", "curator").ok_or_else(|| CoreError::DbOpen {
            path: PathBuf::from("curator.db"),
            reason: "no home directory to hold the default database; pass --db PATH".into(),
        })?;
    let dir = dirs.data_dir();
    std::fs::create_dir_all(dir).map_err(|e| CoreError::DbOpen {
        path: dir.join("curator.db"),
        reason: e.to_string(),
    })?;
    Ok(dir.join("curator.db"))
}

/// Make `path` absolute without touching the file system beyond the current dir.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// What kind of file sits at a path, judged without writing to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// No file, or an empty one: a fresh Curator database will be made.
    Fresh,
    /// A database with refinery's history: Curator's own.
    Curator,
    /// Tables but no refinery history: the earlier reader's, or another app's.
    Unmanaged,
}

/// Checks that can be made before SQLite gets a chance to create anything.
fn precheck(path: &Path) -> Result<bool> {
    let fail = |reason: String| CoreError::DbOpen {
        path: path.to_path_buf(),
        reason,
    };
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(fail("it is a directory".into())),
        Ok(m) => {
            if m.len() > 0 {
                use std::io::Read;
                let mut head = [0u8; 16];
                let mut f = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
                let n = f.read(&mut head).map_err(|e| fail(e.to_string()))?;
                if n < 16 || &head != SQLITE_MAGIC {
                    return Err(fail("not a SQLite database".into()));
                }
            }
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if !parent.is_dir() {
                return Err(fail(format!(
                    "directory {} does not exist",
                    parent.display()
                )));
            }
            Ok(false)
        }
        Err(e) => Err(fail(e.to_string())),
    }
}

/// Open a connection with Curator's pragmas. Never creates a file that is not there
/// unless `create` is set.
pub fn connect(path: &Path, create: bool) -> Result<Connection> {
    let conn = open_plain(path, create)?;
    apply_pragmas(&conn, path)?;
    Ok(conn)
}

/// Open a connection and read the schema, changing nothing in the file.
fn open_plain(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(|e| CoreError::DbOpen {
        path: path.to_path_buf(),
        reason: sqlite_reason(&e),
    })?;
    conn.busy_timeout(Duration::from_secs(5))?;
    // Reading the schema first turns "not a database" into an error here, before
    // the WAL pragma could create side files.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
        .map_err(|e| CoreError::DbOpen {
            path: path.to_path_buf(),
            reason: sqlite_reason(&e),
        })?;
    Ok(conn)
}

/// Curator's connection pragmas: WAL, synchronous=NORMAL, foreign keys on.
fn apply_pragmas(conn: &Connection, path: &Path) -> Result<()> {
    let apply = |conn: &Connection| -> rusqlite::Result<()> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    };
    apply(conn).map_err(|e| CoreError::DbOpen {
        path: path.to_path_buf(),
        reason: sqlite_reason(&e),
    })
}

fn sqlite_reason(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(f, Some(msg)) => format!("{msg} ({:?})", f.code),
        rusqlite::Error::SqliteFailure(f, None) => format!("{:?}", f.code),
        other => other.to_string(),
    }
}

pub(crate) fn table_exists(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// Classify an open connection.
pub fn file_kind(conn: &Connection) -> rusqlite::Result<FileKind> {
    if table_exists(conn, HISTORY_TABLE)? {
        return Ok(FileKind::Curator);
    }
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        [],
        |r| r.get(0),
    )?;
    Ok(if tables == 0 {
        FileKind::Fresh
    } else {
        FileKind::Unmanaged
    })
}

/// The highest migration version recorded in refinery's history (0 if none).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    if !table_exists(conn, HISTORY_TABLE)? {
        return Ok(0);
    }
    conn.query_row(
        &format!("SELECT COALESCE(MAX(version), 0) FROM {HISTORY_TABLE}"),
        [],
        |r| r.get(0),
    )
}

/// Versions of the embedded migrations not yet recorded in the history table.
pub fn pending_versions(conn: &Connection) -> rusqlite::Result<Vec<i64>> {
    let applied: Vec<i64> = if table_exists(conn, HISTORY_TABLE)? {
        let mut stmt = conn.prepare(&format!("SELECT version FROM {HISTORY_TABLE}"))?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    } else {
        Vec::new()
    };
    let mut pending: Vec<i64> = migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .filter(|v| !applied.contains(v))
        .collect();
    pending.sort_unstable();
    Ok(pending)
}

/// Apply the pending embedded migrations on a connection that is already inside a
/// transaction (the legacy upgrade's), writing refinery's history exactly as
/// refinery does. Migrations for which `satisfied(version)` holds are only recorded:
/// the adopter has already given the database what they create.
pub fn apply_pending(conn: &Connection, satisfied: impl Fn(i64) -> bool) -> Result<()> {
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {HISTORY_TABLE}(
             version int4 PRIMARY KEY,
             name VARCHAR(255),
             applied_on VARCHAR(255),
             checksum VARCHAR(255));"
    ))?;
    let pending = pending_versions(conn)?;
    let mut all = migrations();
    all.sort_by_key(|m| m.version());
    for m in all
        .iter()
        .filter(|m| pending.contains(&i64::from(m.version())))
    {
        let version = i64::from(m.version());
        if !satisfied(version) {
            conn.execute_batch(m.sql().unwrap_or_default())
                .map_err(|e| CoreError::Migration(format!("V{version}__{}: {e}", m.name())))?;
        }
        let applied_on = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        conn.execute(
            &format!(
                "INSERT INTO {HISTORY_TABLE} (version, name, applied_on, checksum) VALUES (?1, ?2, ?3, ?4)"
            ),
            rusqlite::params![version, m.name(), applied_on, m.checksum().to_string()],
        )?;
    }
    Ok(())
}

/// Apply every pending embedded migration, all in one transaction.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let found = schema_version(conn)?;
    let known = latest_known_version();
    if found > known {
        return Err(CoreError::DbTooNew {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    embedded::migrations::runner()
        .set_grouped(true)
        .set_abort_missing(true)
        .run(conn)
        .map_err(|e| CoreError::Migration(e.to_string()))?;
    Ok(())
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
    pub fn open(path: &Path) -> Result<Self> {
        let path = absolute(path);
        let existed = precheck(&path)?;
        let mut conn = open_plain(&path, true)?;
        let result = (|| match file_kind(&conn)? {
            FileKind::Fresh | FileKind::Curator => {
                apply_pragmas(&conn, &path)?;
                migrate(&mut conn, &path)
            }
            FileKind::Unmanaged => Err(crate::legacy_gate(&conn, &path)),
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
        .map_err(|e| CoreError::Join(e.to_string()))?
    }

    /// Blocking access for callers that are not async (CLI one-shots, tests).
    pub fn call_blocking<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
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
