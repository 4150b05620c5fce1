//! The backup copy written before the first change.

use super::{UpgradeProgress, UpgradeStage};
use crate::error::{CoreError, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(super) fn backup_path(path: &Path) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let base = format!("{}.bak-{stamp}", path.display());
    let mut candidate = PathBuf::from(&base);
    let mut n = 1;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{base}-{n}"));
        n += 1;
    }
    candidate
}

/// Copy the database at `src` into a new file with SQLite's online backup API. The
/// caller holds the write lock, so the copy is exactly what the upgrade starts from.
pub(super) fn write_backup(
    src: &Path,
    dest: &Path,
    progress: &dyn Fn(UpgradeProgress),
) -> Result<std::thread::JoinHandle<Result<()>>> {
    let conn = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    // Read the source through memory mapping: no read() call per page.
    conn.execute_batch("PRAGMA mmap_size = 17179869184")?;
    let conn = &conn;
    let mut out = Connection::open(dest)?;
    out.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;",
    )?;
    {
        let backup = rusqlite::backup::Backup::new(conn, &mut out)?;
        loop {
            let more = backup.step(65536)?;
            let p = backup.progress();
            let total = u64::try_from(p.pagecount).unwrap_or(0);
            let done = total.saturating_sub(u64::try_from(p.remaining).unwrap_or(0));
            progress(UpgradeProgress {
                stage: UpgradeStage::Backup,
                done,
                total,
            });
            match more {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::More => {}
                _ => {
                    return Err(CoreError::Db(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                        None,
                    )))
                }
            }
        }
    }
    out.close().map_err(|(_, e)| e)?;
    // Flush the copy to disk while the upgrade runs; joined before the commit.
    let file = dest.to_path_buf();
    Ok(std::thread::spawn(move || {
        std::fs::File::open(&file)
            .and_then(|f| f.sync_all())
            .map_err(|source| CoreError::BackupFlush { path: file, source })
    }))
}
