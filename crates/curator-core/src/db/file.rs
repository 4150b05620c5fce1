//! The file itself: checks made before SQLite touches it, opening a connection with
//! Curator's pragmas, and telling a fresh, a Curator and an unmanaged file apart.

use super::migrate::HISTORY_TABLE;
use super::table_exists;
use crate::error::{CoreError, OpenProblem, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// The first 16 bytes of every SQLite database file.
pub(crate) const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

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
pub(super) fn precheck(path: &Path) -> Result<bool> {
    let fail = |problem: OpenProblem| CoreError::DbOpen {
        path: path.to_path_buf(),
        problem,
    };
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(fail(OpenProblem::Directory)),
        Ok(m) => {
            if m.len() > 0 {
                use std::io::Read;
                let mut head = [0u8; 16];
                let mut f = std::fs::File::open(path).map_err(|e| fail(OpenProblem::Io(e)))?;
                let n = f.read(&mut head).map_err(|e| fail(OpenProblem::Io(e)))?;
                if n < 16 || &head != SQLITE_MAGIC {
                    return Err(fail(OpenProblem::NotSqlite));
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
                return Err(fail(OpenProblem::NoDirectory(parent.to_path_buf())));
            }
            Ok(false)
        }
        Err(e) => Err(fail(OpenProblem::Io(e))),
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
pub(super) fn open_plain(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(|e| CoreError::DbOpen {
        path: path.to_path_buf(),
        problem: OpenProblem::Sqlite(e),
    })?;
    conn.busy_timeout(Duration::from_secs(5))?;
    // Reading the schema first turns "not a database" into an error here, before
    // the WAL pragma could create side files.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
        .map_err(|e| CoreError::DbOpen {
            path: path.to_path_buf(),
            problem: OpenProblem::Sqlite(e),
        })?;
    Ok(conn)
}

/// Curator's connection pragmas: WAL, synchronous=NORMAL, foreign keys on.
pub(super) fn apply_pragmas(conn: &Connection, path: &Path) -> Result<()> {
    let apply = |conn: &Connection| -> rusqlite::Result<()> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    };
    apply(conn).map_err(|e| CoreError::DbOpen {
        path: path.to_path_buf(),
        problem: OpenProblem::Sqlite(e),
    })
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
