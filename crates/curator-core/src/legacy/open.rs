//! Opening a file for the upgrade, and refusing bad input with a specific error.

use super::*;

pub(super) fn refuse(code: ErrorCode, path: &Path, reason: impl std::fmt::Display) -> CoreError {
    CoreError::coded(
        code,
        format!(
            "cannot upgrade {}: {reason}; nothing was changed",
            path.display()
        ),
    )
}

/// Turn a SQLite failure into a message that says what is wrong with the file.
pub(super) fn explain(e: &rusqlite::Error, path: &Path) -> CoreError {
    use rusqlite::ErrorCode as C;
    if let rusqlite::Error::SqliteFailure(f, msg) = e {
        let detail = msg.clone().unwrap_or_else(|| f.to_string());
        return match f.code {
            C::DatabaseBusy | C::DatabaseLocked => refuse(
                ErrorCode::DbLocked,
                path,
                "the database is locked by another program (close the reader or Curator and retry)",
            ),
            C::DiskFull => refuse(ErrorCode::DiskFull, path, "the disk is full"),
            C::ReadOnly => refuse(
                ErrorCode::DbReadOnly,
                path,
                "the file or its folder is read-only",
            ),
            C::NotADatabase => refuse(
                ErrorCode::DbCorrupt,
                path,
                "it is not a SQLite database or it is corrupt",
            ),
            C::DatabaseCorrupt => refuse(
                ErrorCode::DbCorrupt,
                path,
                format!("the database is corrupt ({detail})"),
            ),
            C::CannotOpen | C::PermissionDenied => refuse(
                ErrorCode::DbOpen,
                path,
                format!("it cannot be opened ({detail})"),
            ),
            C::SystemIoFailure if f.extended_code == 13 || detail.contains("full") => {
                refuse(ErrorCode::DiskFull, path, "the disk is full")
            }
            C::SystemIoFailure => refuse(
                ErrorCode::Io,
                path,
                format!("disk I/O error ({detail}); is the disk full?"),
            ),
            _ => refuse(ErrorCode::Db, path, detail),
        };
    }
    refuse(ErrorCode::Db, path, e)
}

pub(super) fn map_db(path: &Path) -> impl Fn(CoreError) -> CoreError + '_ {
    move |e| match e {
        CoreError::Db(inner) => explain(&inner, path),
        CoreError::Coded { code, message, .. } if code == ErrorCode::DbCorrupt => {
            refuse(code, path, message)
        }
        CoreError::Migration(m) => refuse(ErrorCode::Db, path, m),
        other => other,
    }
}

/// Checks made on the bytes of the file before SQLite reads it.
pub(super) fn precheck(path: &Path, write: bool) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => refuse(ErrorCode::DbOpen, path, "the file does not exist"),
        _ => refuse(ErrorCode::DbOpen, path, e),
    })?;
    if meta.is_dir() {
        return Err(refuse(ErrorCode::DbOpen, path, "it is a directory"));
    }
    if meta.len() == 0 {
        return Err(refuse(
            ErrorCode::DbForeign,
            path,
            "the file is empty, not a database",
        ));
    }
    let mut head = [0u8; 100];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|e| refuse(ErrorCode::DbOpen, path, e))?;
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) => return Err(refuse(ErrorCode::Io, path, e)),
            }
        }
        n
    };
    if n < 16 || &head[..16] != crate::db::SQLITE_MAGIC {
        return Err(refuse(
            ErrorCode::DbForeign,
            path,
            "it is not a SQLite database",
        ));
    }
    if n < 100 {
        return Err(refuse(
            ErrorCode::DbCorrupt,
            path,
            "the SQLite file is truncated",
        ));
    }
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65536u64,
        p => u64::from(p),
    };
    let pages = u64::from(u32::from_be_bytes([head[28], head[29], head[30], head[31]]));
    let change = &head[24..28];
    let valid_for = &head[92..96];
    if page_size < 512 || !page_size.is_power_of_two() {
        return Err(refuse(
            ErrorCode::DbCorrupt,
            path,
            "the SQLite header is corrupt",
        ));
    }
    if meta.len() % page_size != 0 || (change == valid_for && meta.len() < pages * page_size) {
        return Err(refuse(
            ErrorCode::DbCorrupt,
            path,
            "the SQLite file is truncated",
        ));
    }
    if write && meta.permissions().readonly() {
        return Err(refuse(ErrorCode::DbReadOnly, path, "the file is read-only"));
    }
    Ok(())
}

pub(super) fn open(path: &Path, write: bool) -> Result<Connection> {
    let flags = if write {
        OpenFlags::SQLITE_OPEN_READ_WRITE
    } else {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| explain(&e, path))?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(|e| explain(&e, path))?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
        .map_err(|e| explain(&e, path))?;
    // Room for the tables the upgrade rewrites and checks, and for the sorter of a
    // new index, without going back to the file: at most 64 MiB, whatever its size.
    conn.execute_batch("PRAGMA cache_size = -65536")
        .map_err(|e| explain(&e, path))?;
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
        FileKind::Fresh => Err(refuse(
            ErrorCode::DbForeign,
            path,
            "the database has no tables, so it is not one of the earlier reader",
        )),
        FileKind::Unmanaged => match detect(conn)? {
            Some(d) => Ok(Some(d)),
            None => {
                let unknown = detect::unknown_revisions(conn)?;
                let reason = if unknown.is_empty() {
                    "it is a database of some other application (no rss-reader tables)".to_string()
                } else {
                    format!(
                        "its Alembic revision {} is unknown to this Curator",
                        unknown.join(", ")
                    )
                };
                Err(refuse(ErrorCode::DbForeign, path, reason))
            }
        },
    }
}
