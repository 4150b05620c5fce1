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
//! is flushed to disk (file and directory) before the commit.
//!
//! With a write-ahead log the copy also runs beside the upgrade, in a thread: until
//! the commit, SQLite writes the transaction's pages to the log only, never to the
//! main file, so the file being copied cannot change while the steps run. Without
//! one (a rollback journal), pages can reach the file before the commit, and the
//! copy is made before the first step.

use super::open::refuse;
use super::{UpgradeProgress, UpgradeStage};
use crate::backups::{BACKUP_INFIX, PARTIAL_SUFFIX};
use crate::error::{CoreError, Result, UpgradeProblem};
use rusqlite::{Connection, OpenFlags};
use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub(super) fn backup_path(path: &Path) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let base = format!("{}{BACKUP_INFIX}{stamp}", path.display());
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
    refuse(src, UpgradeProblem::backup_io(dest, e))
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

/// How far a copy is: `done` of `total` units (bytes or pages).
type Report<'a> = &'a dyn Fn(u64, u64);

/// Copy the file `src` into the new, empty file `to` (at `dest`) in the kernel,
/// publishing in `copied` how many bytes are done.
fn copy_file(
    src: &Path,
    dest: &Path,
    mut to: &File,
    copied: &AtomicU64,
    report: Report<'_>,
) -> Result<()> {
    let mut from = File::open(src).map_err(|e| io_error(src, dest, e))?;
    let total = from.metadata().map_err(|e| io_error(src, dest, e))?.len();
    if let Ok(meta) = from.metadata() {
        let _ = to.set_permissions(meta.permissions());
    }
    let mut done = 0u64;
    report(done, total);
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
        done += n;
        copied.store(done, Ordering::Release);
        report(done, total);
    }
    to.flush().map_err(|e| io_error(src, dest, e))?;
    Ok(())
}

/// While the copy runs, a thread asks the kernel to start writing each copied part
/// to disk (`sync_file_range`, which may wait for the disk: never in the copy
/// itself), so that the final fsync finds most of it written. It stops once
/// `finished` is set and everything copied has been handed over.
#[cfg(target_os = "linux")]
fn start_writeback(
    file: File,
    copied: Arc<AtomicU64>,
    finished: Arc<std::sync::atomic::AtomicBool>,
) -> Option<std::thread::JoinHandle<()>> {
    Some(std::thread::spawn(move || {
        use std::os::fd::AsRawFd;
        let mut handed = 0u64;
        loop {
            let done = finished.load(Ordering::Acquire);
            let now = copied.load(Ordering::Acquire);
            if now > handed {
                if let (Ok(offset), Ok(len)) = (i64::try_from(handed), i64::try_from(now - handed))
                {
                    // SAFETY: a plain syscall on a descriptor this thread owns;
                    // failure only loses the hint.
                    unsafe {
                        libc::sync_file_range(
                            file.as_raw_fd(),
                            offset,
                            len,
                            libc::SYNC_FILE_RANGE_WRITE,
                        );
                    }
                }
                handed = now;
            } else if done {
                return;
            } else {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }))
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(
    _: File,
    _: Arc<AtomicU64>,
    _: Arc<std::sync::atomic::AtomicBool>,
) -> Option<std::thread::JoinHandle<()>> {
    None
}

/// Copy page by page with SQLite's online backup API (the log is not empty).
fn copy_pages(src: &Path, dest: &Path, report: Report<'_>) -> Result<()> {
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
            report(done, total);
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

/// The file the copy is written to before it is complete and on disk: an upgrade
/// killed half-way leaves no `.bak-…` that looks whole.
pub(super) fn partial_path(dest: &Path) -> PathBuf {
    let mut p = dest.as_os_str().to_owned();
    p.push(PARTIAL_SUFFIX);
    PathBuf::from(p)
}

/// The copy beside the steps has time until the commit, the steps have none: the
/// copying thread takes the lowest priority (Linux sets it per thread), so that the
/// kernel gives it the cores the steps leave idle. (Its writeback helper keeps the
/// normal one: it only hands pages to the disk, and the copy waits on it when the
/// disk falls behind.)
#[cfg(target_os = "linux")]
fn yield_to_the_steps() {
    // SAFETY: plain syscalls on this thread's own id; failure only loses the hint.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid);
        if let Ok(tid) = libc::id_t::try_from(tid) {
            libc::setpriority(libc::PRIO_PROCESS, tid, 19);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn yield_to_the_steps() {}

/// A backup being written (see the module comment).
pub(super) struct BackupJob {
    /// The copy (when it runs beside the upgrade) and the flush to disk.
    thread: std::thread::JoinHandle<Result<()>>,
    done: Arc<AtomicU64>,
    total: Arc<AtomicU64>,
}

impl BackupJob {
    fn report(&self, progress: &dyn Fn(UpgradeProgress)) {
        progress(UpgradeProgress {
            stage: UpgradeStage::Backup,
            done: self.done.load(Ordering::Acquire),
            total: self.total.load(Ordering::Acquire),
        });
    }

    /// Wait until the backup is complete and on disk, reporting its progress.
    pub(super) fn finish(self, progress: &dyn Fn(UpgradeProgress)) -> Result<()> {
        while !self.thread.is_finished() {
            self.report(progress);
            std::thread::sleep(Duration::from_millis(20));
        }
        let Self {
            thread,
            done,
            total,
        } = self;
        let result = thread
            .join()
            .map_err(|_| CoreError::BackupPanicked)
            .and_then(|r| r);
        if result.is_ok() {
            progress(UpgradeProgress {
                stage: UpgradeStage::Backup,
                done: done.load(Ordering::Acquire),
                total: total.load(Ordering::Acquire),
            });
        }
        result
    }
}

/// Write the backup of the database at `src` to `dest` (see the module comment):
/// in a thread when `beside` (the file has a write-ahead log), else here, before
/// returning. Either way the flush to disk runs on; `BackupJob::finish` waits.
pub(super) fn start_backup(
    src: &Path,
    dest: &Path,
    beside: bool,
    progress: &dyn Fn(UpgradeProgress),
) -> Result<BackupJob> {
    let done = Arc::new(AtomicU64::new(0));
    let total = Arc::new(AtomicU64::new(
        std::fs::metadata(src).map(|m| m.len()).unwrap_or(0),
    ));
    let job = |done: Arc<AtomicU64>, total: Arc<AtomicU64>| {
        move |d: u64, t: u64| {
            done.store(d, Ordering::Release);
            total.store(t, Ordering::Release);
        }
    };
    let src = src.to_path_buf();
    let dest = dest.to_path_buf();
    let thread = if beside {
        let report = job(done.clone(), total.clone());
        std::thread::spawn(move || {
            yield_to_the_steps();
            let flush = copy(&src, &dest, &report)?;
            flush()
        })
    } else {
        let publish = job(done.clone(), total.clone());
        let report = |d: u64, t: u64| {
            publish(d, t);
            progress(UpgradeProgress {
                stage: UpgradeStage::Backup,
                done: d,
                total: t,
            });
        };
        let flush = copy(&src, &dest, &report)?;
        std::thread::spawn(flush)
    };
    let job = BackupJob {
        thread,
        done,
        total,
    };
    job.report(progress);
    Ok(job)
}

/// Copy `src` to the partial name of `dest`; returns what flushes it to disk and
/// gives it its name.
fn copy(
    src: &Path,
    dest: &Path,
    report: Report<'_>,
) -> Result<impl FnOnce() -> Result<()> + Send + 'static> {
    let partial = partial_path(dest);
    let mut writeback = None;
    if wal_is_empty(src) {
        let to = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&partial)
            .map_err(|e| io_error(src, dest, e))?;
        let copied = Arc::new(AtomicU64::new(0));
        let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
        writeback = match to.try_clone() {
            Ok(f) => start_writeback(f, copied.clone(), finished.clone()),
            Err(_) => None,
        };
        let result = copy_file(src, &partial, &to, &copied, report);
        finished.store(true, Ordering::Release);
        result?;
    } else {
        copy_pages(src, &partial, report)?;
    }
    let file = dest.to_path_buf();
    let db = src.to_path_buf();
    Ok(move || {
        if let Some(w) = writeback {
            let _ = w.join();
        }
        File::open(&partial)
            .and_then(|f| f.sync_all())
            .and_then(|()| std::fs::rename(&partial, &file))
            .and_then(|()| match file.parent() {
                // The directory entry of the new name, too.
                Some(dir) => File::open(dir).and_then(|d| d.sync_all()),
                None => Ok(()),
            })
            .map_err(|e| io_error(&db, &file, e))
    })
}
