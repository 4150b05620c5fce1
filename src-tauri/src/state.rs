//! What the app keeps between commands: the database path in use and the open core,
//! or why it could not be opened, so the window can say so (and offer the upgrade).

use curator_core::tasks::runner::RunOptions;
use curator_core::{ApiError, Core, CoreError, CoreOptions, ErrorCode};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

enum Slot {
    /// The database file in use, and the core opened on it or why it did not open.
    File {
        path: PathBuf,
        core: Result<Core, ApiError>,
    },
    /// There is no file to use (no home directory for the default location).
    NoLocation(ApiError),
}

pub struct AppState {
    options: CoreOptions,
    slot: RwLock<Slot>,
    /// The background queue runner: its stop token and task.
    runner: Mutex<Option<(CancellationToken, tauri::async_runtime::JoinHandle<()>)>>,
    /// The rescore being followed, so `cancel_rescore` can stop it.
    rescore: Mutex<Option<CancellationToken>>,
}

fn log_error(e: CoreError) -> ApiError {
    tracing::warn!(error = %e, "database not opened");
    ApiError::from(e)
}

impl AppState {
    /// Open the database at `path` (an already resolved location, or why there is
    /// none) with `options`. Never fails: an error is kept and reported by every
    /// command that needs the database.
    pub fn open(path: Result<PathBuf, CoreError>, options: CoreOptions) -> Self {
        let slot = match path {
            Ok(p) => Self::open_file(&p, &options),
            Err(e) => Slot::NoLocation(log_error(e)),
        };
        Self {
            options,
            slot: RwLock::new(slot),
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

    fn open_file(path: &Path, options: &CoreOptions) -> Slot {
        let path = curator_core::db::absolute(path);
        let core = Core::open_with(&path, options.clone()).map_err(log_error);
        Slot::File { path, core }
    }

    /// The open core (a cheap clone), or why there is none.
    pub fn core(&self) -> Result<Core, ApiError> {
        self.read(|s| match s {
            Slot::File { core, .. } => core.clone(),
            Slot::NoLocation(e) => Err(e.clone()),
        })
    }

    /// The database file in use.
    pub fn path(&self) -> Result<PathBuf, ApiError> {
        self.read(|s| match s {
            Slot::File { path, .. } => Ok(path.clone()),
            Slot::NoLocation(e) => Err(e.clone()),
        })
    }

    /// Switch to another database file; the result says whether it opened.
    pub fn switch_to(&self, path: &Path) -> Result<Core, ApiError> {
        let slot = Self::open_file(path, &self.options);
        let core = match &slot {
            Slot::File { core, .. } => core.clone(),
            Slot::NoLocation(e) => Err(e.clone()),
        };
        *self.slot.write().unwrap_or_else(|p| p.into_inner()) = slot;
        self.restart_runner_if_running();
        core
    }

    /// Install a core opened elsewhere (after an upgrade) for `path`.
    pub fn install(&self, path: PathBuf, core: Core) {
        *self.slot.write().unwrap_or_else(|p| p.into_inner()) = Slot::File {
            path,
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

    /// The options every core of this app is opened with.
    pub fn options(&self) -> &CoreOptions {
        &self.options
    }

    fn read<T>(&self, f: impl FnOnce(&Slot) -> T) -> T {
        f(&self.slot.read().unwrap_or_else(|p| p.into_inner()))
    }
}
