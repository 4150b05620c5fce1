//! Curator's core: everything the app and the CLI share. No Tauri in here.

pub mod db;
pub mod error;
pub mod legacy;
pub mod status;

pub use error::{ApiError, CoreError, ErrorCode, Result};

use std::path::Path;

/// The version of this build (the workspace version).
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Decide what an unmanaged database (tables, but no Curator history) is: the earlier
/// reader's, which must go through `upgrade`, or some other application's.
fn legacy_gate(conn: &rusqlite::Connection, path: &Path) -> CoreError {
    match legacy::detect(conn) {
        Ok(Some(d)) => CoreError::NeedsUpgrade {
            path: path.to_path_buf(),
            shape: d.shape,
        },
        Ok(None) => CoreError::DbForeign {
            path: path.to_path_buf(),
            reason: "it has no feeds or articles tables of the earlier reader".into(),
        },
        Err(e) => CoreError::Db(e),
    }
}

/// The long-lived handle the app and the CLI hold. Cheap to clone.
#[derive(Clone)]
pub struct Core {
    db: db::Db,
}

impl Core {
    /// Open (or create) the database at `path` and migrate it.
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self {
            db: db::Db::open(path)?,
        })
    }

    pub fn db(&self) -> &db::Db {
        &self.db
    }
}

impl Core {
    /// Detect the database at `path` and report what an upgrade would do, without
    /// writing anything.
    pub fn inspect_upgrade(path: &Path) -> Result<legacy::UpgradeReport> {
        legacy::inspect(path, &legacy::UpgradeEnv::from_process())
    }

    /// Upgrade the database at `path` in place (backup first, one transaction),
    /// reporting progress; then open it.
    pub fn upgrade_and_open(
        path: &Path,
        progress: impl Fn(legacy::UpgradeProgress),
    ) -> Result<(legacy::UpgradeReport, Self)> {
        let report = legacy::upgrade(path, false, &legacy::UpgradeEnv::from_process(), progress)?;
        Ok((report, Self::open(path)?))
    }
}
