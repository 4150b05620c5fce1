use crate::AppState;
use curator_core::status::StatusInfo;
use curator_core::ApiError;
use tauri::State;

/// Database path, schema version and app version, for the first screen.
#[tauri::command]
#[specta::specta]
pub async fn app_status(state: State<'_, AppState>) -> Result<StatusInfo, ApiError> {
    Ok(state.core()?.status().await?)
}
