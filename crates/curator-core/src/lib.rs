//! Curator's core: everything the app and the CLI share. No Tauri in here.

pub mod db;
pub mod error;
pub mod status;

pub use error::{ApiError, CoreError, ErrorCode, Result};

use std::path::Path;

/// The version of this build (the workspace version).
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Decide what an unmanaged database (tables, but no Curator history) is: the earlier
/// reader's, which must go through `upgrade`, or some other application's.
fn legacy_gate(conn: &rusqlite::Connection, path: &Path) -> CoreError {
    let has = |t: &str| {
        conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [t],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
        .unwrap_or(false)
    };
    if has("feeds") && has("articles") {
        CoreError::NeedsUpgrade {
            path: path.to_path_buf(),
            shape: "rss-reader".into(),
        }
    } else {
        CoreError::DbForeign {
            path: path.to_path_buf(),
            reason: "it has no feeds or articles tables".into(),
        }
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
