//! The backup copies beside a database (`<file>.bak-<UTC timestamp>[-n]`), which the
//! legacy upgrade writes before it changes anything. Listed for the Database section.

use crate::error::{CoreError, Result};
use serde::Serialize;
use specta::Type;
use std::path::Path;

/// What follows the database's file name in a backup's name: `<file>.bak-<UTC stamp>`.
pub(crate) const BACKUP_INFIX: &str = ".bak-";
/// A backup still being written (renamed to its final name once on disk).
pub(crate) const PARTIAL_SUFFIX: &str = ".partial";

/// One backup file beside the database.
#[derive(Debug, Clone, Serialize, Type, PartialEq, Eq)]
pub struct BackupFile {
    /// File name (no folder).
    pub name: String,
    /// Absolute path.
    pub path: String,
    /// Size in bytes.
    #[specta(type = specta_typescript::Number)]
    pub size: u64,
    /// Last modification time, RFC 3339 (UTC).
    pub modified: String,
}

/// Backups of the database at `db_path`, newest first. A missing folder lists nothing.
pub fn list(db_path: &Path) -> Result<Vec<BackupFile>> {
    let (Some(dir), Some(stem)) = (db_path.parent(), db_path.file_name()) else {
        return Ok(Vec::new());
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{}{BACKUP_INFIX}", stem.to_string_lossy());
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_error(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // A `.partial` copy is an upgrade's backup that never finished: not a backup.
        if !name.starts_with(&prefix) || name.ends_with(PARTIAL_SUFFIX) {
            continue;
        }
        let meta = match entry.metadata() {
            Ok(m) if m.is_file() => m,
            _ => continue,
        };
        let modified = meta
            .modified()
            .map(chrono::DateTime::<chrono::Utc>::from)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        out.push(BackupFile {
            path: entry.path().to_string_lossy().into_owned(),
            name,
            size: meta.len(),
            modified,
        });
    }
    out.sort_by(|a, b| {
        b.modified
            .cmp(&a.modified)
            .then_with(|| b.name.cmp(&a.name))
    });
    Ok(out)
}

fn io_error(dir: &Path, e: std::io::Error) -> CoreError {
    CoreError::ListBackups {
        dir: dir.to_path_buf(),
        source: e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_only_this_databases_backups_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("reader.db");
        std::fs::write(&db, b"db").unwrap();
        std::fs::write(dir.path().join("reader.db.bak-20260101T000000Z"), b"12345").unwrap();
        std::fs::write(dir.path().join("other.db.bak-20260101T000000Z"), b"x").unwrap();
        std::fs::write(dir.path().join("reader.db-wal"), b"x").unwrap();
        std::fs::write(
            dir.path().join("reader.db.bak-20260102T000000Z.partial"),
            b"half",
        )
        .unwrap();
        let list = list(&db).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].name, "reader.db.bak-20260101T000000Z");
        assert_eq!(list[0].size, 5);
        assert!(list[0].modified.ends_with('Z'), "{}", list[0].modified);
    }

    #[test]
    fn missing_folder_lists_nothing() {
        assert!(list(Path::new("/nonexistent-curator/x.db"))
            .unwrap()
            .is_empty());
    }
}
