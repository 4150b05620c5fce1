//! Task routes, readiness and the aggregated model list.

use crate::AppState;
use curator_core::model_list::ModelsResponse;
use curator_core::readiness::{Readiness, TaskReadiness};
use curator_core::routes::{Task, TaskRoutes, TaskRoutesInput};
use curator_core::ApiError;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn get_task_routes(state: State<'_, AppState>) -> Result<TaskRoutes, ApiError> {
    Ok(state.core()?.get_task_routes().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_task_routes(
    state: State<'_, AppState>,
    input: TaskRoutesInput,
) -> Result<TaskRoutes, ApiError> {
    Ok(state.core()?.update_task_routes(input).await?)
}

/// Why each task can or cannot run, with the action that fixes it.
#[tauri::command]
#[specta::specta]
pub async fn task_readiness(state: State<'_, AppState>) -> Result<Readiness, ApiError> {
    Ok(state.core()?.task_readiness().await?)
}

/// Why one task can or cannot run: asks only the providers its route and fallback
/// use, so a provider that does not answer holds back only its own tasks.
#[tauri::command]
#[specta::specta]
pub async fn task_readiness_of(
    state: State<'_, AppState>,
    task: Task,
) -> Result<TaskReadiness, ApiError> {
    Ok(state.core()?.task_readiness_of(task).await?)
}

/// Every enabled provider's models, asked concurrently; per-provider status.
#[tauri::command]
#[specta::specta]
pub async fn list_models(
    state: State<'_, AppState>,
    refresh: bool,
) -> Result<ModelsResponse, ApiError> {
    Ok(state.core()?.list_models(refresh).await?)
}
