//! The backup copy written before the first change.
//!
//! The caller holds the write lock (`BEGIN IMMEDIATE`, and a first read has
//! rolled back any hot journal) and checkpointed the write-ahead log before taking
//! it. When the log is then empty, the main file alone is the whole database and
//! nothing can change it until the upgrade commits, so the backup is a plain copy
//! of the file: `copy_file_range` in the kernel (a reflink where the filesystem
//! has them), in chunks for progress, never through this process's memory. When
//! the log still holds frames (a reader kept the checkpoint from finishing), the
//! copy goes page by page through SQLite's backup API instead. Either way the copy
//! is flushed to disk (file and directory) in a thread joined before the commit.

use super::*;
use std::fs::File;
use std::io::{Read as _, Write as _};

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

/// Bytes copied between two progress reports.
const CHUNK: u64 = 32 << 20;

/// The backup of `src` could not be written to `dest`: nothing was changed.
fn io_error(src: &Path, dest: &Path, e: std::io::Error) -> CoreError {
    // ENOSPC, EFBIG (a file size limit), EDQUOT.
    if matches!(e.raw_os_error(), Some(28 | 27 | 122)) {
        refuse(
            ErrorCode::DiskFull,
            src,
            format!(
                "the disk is full (while writing the backup {})",
                dest.display()
            ),
        )
    } else {
        refuse(
            ErrorCode::Io,
            src,
            format!("cannot write the backup {}: {e}", dest.display()),
        )
    }
}

fn wal_path(src: &Path) -> PathBuf {
    let mut p = src.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

/// True when the write-ahead log next to `src` holds no frame.
fn wal_is_empty(src: &Path) -> bool {
    match std::fs::metadata(wal_path(src)) {
        Ok(m) => m.len() == 0,
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// Copy the file `src` to the new file `dest` in the kernel.
fn copy_file(src: &Path, dest: &Path, progress: &dyn Fn(UpgradeProgress)) -> Result<()> {
    let mut from = File::open(src).map_err(|e| io_error(src, dest, e))?;
    let total = from.metadata().map_err(|e| io_error(src, dest, e))?.len();
    let mut to = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(dest)
        .map_err(|e| io_error(src, dest, e))?;
    if let Ok(meta) = from.metadata() {
        let _ = to.set_permissions(meta.permissions());
    }
    let mut done = 0u64;
    progress(UpgradeProgress {
        stage: UpgradeStage::Backup,
        done,
        total,
    });
    while done < total {
        // `io::copy` between two files is `copy_file_range` on Linux.
        let n = std::io::copy(&mut (&mut from).take(CHUNK.min(total - done)), &mut to)
            .map_err(|e| io_error(src, dest, e))?;
        if n == 0 {
            return Err(io_error(
                src,
                dest,
                std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the database file ended early",
                ),
            ));
        }
        start_writeback(&to, done, n);
        done += n;
        progress(UpgradeProgress {
            stage: UpgradeStage::Backup,
            done,
            total,
        });
    }
    to.flush().map_err(|e| io_error(src, dest, e))?;
    Ok(())
}

/// Ask the kernel to start writing `len` bytes at `offset` of `file` to disk now,
/// so that the final fsync finds most of the copy already written.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: a plain syscall on an open descriptor; failure only loses the hint.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_: &File, _: u64, _: u64) {}

/// Copy page by page with SQLite's online backup API (the log is not empty).
fn copy_pages(src: &Path, dest: &Path, progress: &dyn Fn(UpgradeProgress)) -> Result<()> {
    let conn = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let mut out = Connection::open(dest)?;
    out.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;",
    )?;
    {
        let backup = rusqlite::backup::Backup::new(&conn, &mut out)?;
        loop {
            let more = backup.step(8192)?;
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
    Ok(())
}

/// Write the backup of the database at `src` to `dest` (see the module comment).
/// Returns the thread that flushes it to disk; join it before committing.
/// The file the copy is written to before it is complete and on disk: an upgrade
/// killed half-way leaves no `.bak-…` that looks whole.
pub(super) fn partial_path(dest: &Path) -> PathBuf {
    let mut p = dest.as_os_str().to_owned();
    p.push(".partial");
    PathBuf::from(p)
}

pub(super) fn write_backup(
    src: &Path,
    dest: &Path,
    progress: &dyn Fn(UpgradeProgress),
) -> Result<std::thread::JoinHandle<Result<()>>> {
    let partial = partial_path(dest);
    if wal_is_empty(src) {
        copy_file(src, &partial, progress)?;
    } else {
        copy_pages(src, &partial, progress)?;
    }
    let file = dest.to_path_buf();
    let db = src.to_path_buf();
    Ok(std::thread::spawn(move || {
        File::open(&partial)
            .and_then(|f| f.sync_all())
            .and_then(|()| std::fs::rename(&partial, &file))
            .and_then(|()| match file.parent() {
                // The directory entry of the new name, too.
                Some(dir) => File::open(dir).and_then(|d| d.sync_all()),
                None => Ok(()),
            })
            .map_err(|e| io_error(&db, &file, e))
    }))
}
