//! What the app keeps between commands: the database path in use and the open core,
//! or why it could not be opened, so the window can say so (and offer the upgrade).

use curator_core::{ApiError, Core, CoreError, CoreOptions};
use std::path::{Path, PathBuf};
use std::sync::RwLock;

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
        core
    }

    /// Install a core opened elsewhere (after an upgrade) for `path`.
    pub fn install(&self, path: PathBuf, core: Core) {
        *self.slot.write().unwrap_or_else(|p| p.into_inner()) = Slot::File {
            path,
            core: Ok(core),
        };
    }

    /// The options every core of this app is opened with.
    pub fn options(&self) -> &CoreOptions {
        &self.options
    }

    fn read<T>(&self, f: impl FnOnce(&Slot) -> T) -> T {
        f(&self.slot.read().unwrap_or_else(|p| p.into_inner()))
    }
}
