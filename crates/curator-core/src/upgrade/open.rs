//! Opening a file for the upgrade, and refusing bad input with a specific error.

use super::detect::{self, detect, Detected};
use crate::db::{self, FileKind};
use crate::error::{CoreError, Result, UpgradeProblem};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// The upgrade of `path` cannot go on; nothing was changed.
pub(super) fn refuse(path: &Path, problem: UpgradeProblem) -> CoreError {
    CoreError::UpgradeRefused {
        path: path.to_path_buf(),
        problem,
    }
}

/// Turn a SQLite failure into an error that says what is wrong with the file.
pub(super) fn explain(e: rusqlite::Error, path: &Path) -> CoreError {
    refuse(path, UpgradeProblem::from_sqlite(e))
}

/// Attach `path` to the failures the upgrade's own steps report.
pub(super) fn map_db(path: &Path) -> impl Fn(CoreError) -> CoreError + '_ {
    move |e| match e {
        CoreError::Db(inner) => explain(inner, path),
        CoreError::Check(c) => refuse(path, UpgradeProblem::Check(c)),
        CoreError::Migration(m) => refuse(path, UpgradeProblem::Migration(m)),
        other => other,
    }
}

/// Checks made on the bytes of the file before SQLite reads it.
pub(super) fn precheck(path: &Path, write: bool) -> Result<()> {
    let fail = |problem| refuse(path, problem);
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => fail(UpgradeProblem::Missing),
        _ => fail(UpgradeProblem::Unopenable(e)),
    })?;
    if meta.is_dir() {
        return Err(fail(UpgradeProblem::Directory));
    }
    if meta.len() == 0 {
        return Err(fail(UpgradeProblem::Empty));
    }
    let mut head = [0u8; 100];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|e| fail(UpgradeProblem::Unopenable(e)))?;
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) => return Err(fail(UpgradeProblem::Unreadable(e))),
            }
        }
        n
    };
    if n < 16 || &head[..16] != crate::db::SQLITE_MAGIC {
        return Err(fail(UpgradeProblem::NotSqlite));
    }
    if n < 100 {
        return Err(fail(UpgradeProblem::Truncated));
    }
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65536u64,
        p => u64::from(p),
    };
    let pages = u64::from(u32::from_be_bytes([head[28], head[29], head[30], head[31]]));
    let change = &head[24..28];
    let valid_for = &head[92..96];
    if page_size < 512 || !page_size.is_power_of_two() {
        return Err(fail(UpgradeProblem::BadHeader));
    }
    if meta.len() % page_size != 0 || (change == valid_for && meta.len() < pages * page_size) {
        return Err(fail(UpgradeProblem::Truncated));
    }
    if write && meta.permissions().readonly() {
        return Err(fail(UpgradeProblem::FileReadOnly));
    }
    Ok(())
}

pub(super) fn open(path: &Path, write: bool) -> Result<Connection> {
    let flags = if write {
        OpenFlags::SQLITE_OPEN_READ_WRITE
    } else {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| explain(e, path))?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(|e| explain(e, path))?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
        .map_err(|e| explain(e, path))?;
    // Room for the tables the upgrade rewrites and checks, and for the sorter of a
    // new index, without going back to the file: at most 64 MiB, whatever its size.
    conn.execute_batch("PRAGMA cache_size = -65536")
        .map_err(|e| explain(e, path))?;
    Ok(conn)
}

/// What kind of database `conn` holds, refusing what cannot be upgraded.
pub(super) fn classify(conn: &Connection, path: &Path) -> Result<Option<Detected>> {
    match db::file_kind(conn)? {
        FileKind::Curator => {
            let found = db::schema_version(conn)?;
            let known = db::latest_known_version();
            if found > known {
                return Err(CoreError::DbTooNew {
                    path: path.to_path_buf(),
                    found,
                    known,
                });
            }
            Ok(None)
        }
        FileKind::Fresh => Err(refuse(path, UpgradeProblem::NoTables)),
        FileKind::Unmanaged => match detect(conn)? {
            Some(d) => Ok(Some(d)),
            None => {
                let unknown = detect::unknown_revisions(conn)?;
                let problem = if unknown.is_empty() {
                    UpgradeProblem::OtherApplication
                } else {
                    UpgradeProblem::UnknownRevisions(unknown)
                };
                Err(refuse(path, problem))
            }
        },
    }
}
