//! What the app keeps between commands: the database path in use and the open core,
//! or why it could not be opened, so the window can say so (and offer the upgrade).

use curator_core::{ApiError, Core, CoreError};
use std::path::{Path, PathBuf};
use std::sync::RwLock;

struct Slot {
    /// The database file in use; `None` only when no default location exists.
    path: Option<PathBuf>,
    core: Result<Core, ApiError>,
}

pub struct AppState {
    slot: RwLock<Slot>,
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
        core
    }

    /// Install a core opened elsewhere (after an upgrade) for `path`.
    pub fn install(&self, path: PathBuf, core: Core) {
        *self.slot.write().unwrap_or_else(|p| p.into_inner()) = Slot {
            path: Some(path),
            core: Ok(core),
        };
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
