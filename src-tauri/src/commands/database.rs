//! The database: open another file, and the legacy upgrade (inspect, then upgrade
//! with progress over a Channel).

use crate::AppState;
use curator_core::backups::{self, BackupFile};
use curator_core::status::StatusInfo;
use curator_core::upgrade::{UpgradeProgress, UpgradeReport};
use curator_core::{ApiError, Core, CoreError};
use std::path::PathBuf;
use tauri::ipc::Channel;
use tauri::State;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CoreError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::from(CoreError::Join(e)))?
        .map_err(ApiError::from)
}

/// Use another database file ("Open existing database…"). A database of the earlier
/// reader answers `needs_upgrade`; the window then offers the upgrade.
#[tauri::command]
#[specta::specta]
pub async fn open_database(
    state: State<'_, AppState>,
    path: String,
) -> Result<StatusInfo, ApiError> {
    let core = state.switch_to(&PathBuf::from(path))?;
    Ok(core.status().await?)
}

/// What the upgrade of the current database would do (nothing is written).
#[tauri::command]
#[specta::specta]
pub async fn inspect_upgrade(state: State<'_, AppState>) -> Result<UpgradeReport, ApiError> {
    let path = state.path()?;
    blocking(move || Core::inspect_upgrade(&path)).await
}

/// Upgrade the current database in place: backup first, one transaction, progress on
/// `on_progress`. On failure nothing has changed.
#[tauri::command]
#[specta::specta]
pub async fn upgrade_database(
    state: State<'_, AppState>,
    on_progress: Channel<UpgradeProgress>,
) -> Result<UpgradeReport, ApiError> {
    let path = state.path()?;
    let target = path.clone();
    let options = state.options().clone();
    let (report, core) = blocking(move || {
        Core::upgrade_and_open(&target, options, |p| {
            let _ = on_progress.send(p);
        })
    })
    .await?;
    state.install(path, core);
    Ok(report)
}

/// The backup copies beside the current database (name, size, time), newest first.
#[tauri::command]
#[specta::specta]
pub async fn list_backups(state: State<'_, AppState>) -> Result<Vec<BackupFile>, ApiError> {
    let path = state.path()?;
    blocking(move || backups::list(&path)).await
}
