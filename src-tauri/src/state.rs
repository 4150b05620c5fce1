//! What the app keeps between commands: the database path in use and the open core,
//! or why it could not be opened, so the window can say so (and offer the upgrade).

use curator_core::tasks::runner::RunOptions;
use curator_core::{ApiError, Core, CoreError, ErrorCode};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

struct Slot {
    /// The database file in use; `None` only when no default location exists.
    path: Option<PathBuf>,
    core: Result<Core, ApiError>,
}

pub struct AppState {
    slot: RwLock<Slot>,
    /// The background queue runner: its stop token and task.
    runner: Mutex<Option<(CancellationToken, tauri::async_runtime::JoinHandle<()>)>>,
    /// The rescore being followed, so `cancel_rescore` can stop it.
    rescore: Mutex<Option<CancellationToken>>,
}

fn open_slot(path: Option<PathBuf>) -> Slot {
    let path = path.map_or_else(curator_core::db::default_db_path, Ok);
    match path {
        Ok(p) => {
            let p = curator_core::db::absolute(&p);
            let core = Core::open(&p).map_err(log_error);
            Slot {
                path: Some(p),
                core,
            }
        }
        Err(e) => Slot {
            path: None,
            core: Err(log_error(e)),
        },
    }
}

fn log_error(e: CoreError) -> ApiError {
    tracing::warn!(error = %e, "database not opened");
    ApiError::from(e)
}

impl AppState {
    /// Open the database at `path` (or the platform default). Never fails: an error is
    /// kept and reported by every command that needs the database.
    pub fn open(path: Option<PathBuf>) -> Self {
        Self {
            slot: RwLock::new(open_slot(path)),
            runner: Mutex::new(None),
            rescore: Mutex::new(None),
        }
    }

    /// Process the open database's queue in the background (replacing a runner of a
    /// previous database). Waits while another process (a CLI `run-queue`) holds it.
    pub fn start_runner(&self) {
        let old = self.runner.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some((cancel, _)) = old {
            cancel.cancel();
        }
        let Ok(core) = self.core() else { return };
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        let handle = tauri::async_runtime::spawn(async move {
            while !stop.is_cancelled() {
                let opts = RunOptions {
                    once: false,
                    cancel: stop.clone(),
                };
                match core.run_queue(opts, |_| {}).await {
                    Ok(_) => break,
                    Err(e) => {
                        if e.code() != ErrorCode::DbLocked {
                            tracing::warn!(error = %e, "queue runner stopped; retrying");
                        }
                        tokio::select! {
                            _ = stop.cancelled() => break,
                            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                        }
                    }
                }
            }
        });
        *self.runner.lock().unwrap_or_else(|p| p.into_inner()) = Some((cancel, handle));
    }

    /// Stop the background runner after its current batch, waiting at most `wait`.
    pub fn stop_runner(&self, wait: Duration) {
        let taken = self.runner.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some((cancel, handle)) = taken {
            cancel.cancel();
            let _ =
                tauri::async_runtime::block_on(async { tokio::time::timeout(wait, handle).await });
        }
    }

    /// A new rescore begins (cancelling one still followed).
    pub fn begin_rescore(&self) -> CancellationToken {
        let token = CancellationToken::new();
        let old = self
            .rescore
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace(token.clone());
        if let Some(t) = old {
            t.cancel();
        }
        token
    }

    pub fn end_rescore(&self) {
        self.rescore
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
    }

    /// Cancel the followed rescore; false when there is none.
    pub fn cancel_rescore(&self) -> bool {
        match self
            .rescore
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    /// The open core (a cheap clone), or why there is none.
    pub fn core(&self) -> Result<Core, ApiError> {
        self.read(|s| s.core.clone())
    }

    /// The database file in use.
    pub fn path(&self) -> Result<PathBuf, ApiError> {
        self.read(|s| s.path.clone())
            .ok_or_else(|| self.core().err().unwrap_or_else(no_path))
    }

    /// Switch to another database file; the result says whether it opened.
    pub fn switch_to(&self, path: &Path) -> Result<Core, ApiError> {
        let slot = open_slot(Some(path.to_path_buf()));
        let core = slot.core.clone();
        *self.slot.write().unwrap_or_else(|p| p.into_inner()) = slot;
        self.restart_runner_if_running();
        core
    }

    /// Install a core opened elsewhere (after an upgrade) for `path`.
    pub fn install(&self, path: PathBuf, core: Core) {
        *self.slot.write().unwrap_or_else(|p| p.into_inner()) = Slot {
            path: Some(path),
            core: Ok(core),
        };
        self.restart_runner_if_running();
    }

    /// After a database switch, the runner follows the new database.
    fn restart_runner_if_running(&self) {
        let running = self
            .runner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some();
        if running {
            self.start_runner();
        }
    }

    fn read<T>(&self, f: impl FnOnce(&Slot) -> T) -> T {
        f(&self.slot.read().unwrap_or_else(|p| p.into_inner()))
    }
}

fn no_path() -> ApiError {
    ApiError {
        code: curator_core::ErrorCode::DbOpen,
        message: "no database location: pass --db PATH".into(),
        details: None,
    }
}
