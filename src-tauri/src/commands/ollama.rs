//! Ollama's own operations: health, installed and running models, pull, delete.

use crate::AppState;
use curator_core::providers::ollama::{OllamaDeleted, OllamaHealth, OllamaModel};
use curator_core::providers::ollama::{PullOutcome, PullProgress, RunningModel};
use curator_core::ApiError;
use tauri::ipc::Channel;
use tauri::State;
use tokio_util::sync::CancellationToken;

#[tauri::command]
#[specta::specta]
pub async fn ollama_health(state: State<'_, AppState>) -> Result<OllamaHealth, ApiError> {
    Ok(state.core()?.ollama_health().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn ollama_list_models(state: State<'_, AppState>) -> Result<Vec<OllamaModel>, ApiError> {
    Ok(state.core()?.ollama_list_models().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn ollama_ps(state: State<'_, AppState>) -> Result<Vec<RunningModel>, ApiError> {
    Ok(state.core()?.ollama_ps().await?)
}

/// Pull a model; progress arrives on `on_progress`. `ollama_cancel_pull` stops it.
#[tauri::command]
#[specta::specta]
pub async fn ollama_pull_model(
    state: State<'_, AppState>,
    model: String,
    on_progress: Channel<PullProgress>,
) -> Result<PullOutcome, ApiError> {
    let send = move |p: PullProgress| {
        let _ = on_progress.send(p);
    };
    Ok(state
        .core()?
        .ollama_pull_model(&model, send, CancellationToken::new())
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn ollama_cancel_pull(
    state: State<'_, AppState>,
    model: String,
) -> Result<bool, ApiError> {
    Ok(state.core()?.ollama_cancel_pull(&model))
}

#[tauri::command]
#[specta::specta]
pub async fn ollama_pulls(state: State<'_, AppState>) -> Result<Vec<String>, ApiError> {
    Ok(state.core()?.ollama_pulls())
}

/// Delete an installed model; reports the task routes that used it.
#[tauri::command]
#[specta::specta]
pub async fn ollama_delete_model(
    state: State<'_, AppState>,
    model: String,
) -> Result<OllamaDeleted, ApiError> {
    Ok(state.core()?.ollama_delete_model(&model).await?)
}
