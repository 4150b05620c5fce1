//! What the app keeps between commands: the resolved database path and the open core
//! (or why it could not be opened, so the window can say so).

use curator_core::{ApiError, Core, CoreError};
use std::path::PathBuf;

pub struct AppState {
    core: Result<Core, ApiError>,
}

impl AppState {
    /// Open the database at `path` (or the platform default). Never fails: an error is
    /// kept and reported by every command that needs the database.
    pub fn open(path: Option<PathBuf>) -> Self {
        let core = path
            .map_or_else(curator_core::db::default_db_path, Ok)
            .and_then(|p| Core::open(&p))
            .map_err(|e: CoreError| {
                tracing::warn!(error = %e, "database not opened");
                ApiError::from(e)
            });
        Self { core }
    }

    pub fn core(&self) -> Result<&Core, ApiError> {
        self.core.as_ref().map_err(Clone::clone)
    }
}
