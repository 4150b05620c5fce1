//! The tasks: queue counts, "Save and rescore" with progress and Cancel, a route test.
//! The queue itself is processed in the background by the runner `AppState` owns.

use crate::AppState;
use curator_core::routes::Task;
use curator_core::tasks::queue::{LastFailure, QueueStatus};
use curator_core::tasks::runner::{RescoreProgress, RescoreResult, RouteTest};
use curator_core::ApiError;
use tauri::ipc::Channel;
use tauri::State;

/// Counts per task (queued, running, done, failed) and the pauses in force.
#[tauri::command]
#[specta::specta]
pub async fn queue_status(state: State<'_, AppState>) -> Result<QueueStatus, ApiError> {
    Ok(state.core()?.queue_status().await?)
}

/// The newest failure of each task, with its reason.
#[tauri::command]
#[specta::specta]
pub async fn queue_last_failures(state: State<'_, AppState>) -> Result<Vec<LastFailure>, ApiError> {
    Ok(state.core()?.last_failures().await?)
}

/// Re-queue the recent unread articles (at most `limit`, default 100) and follow them
/// until every one is finished; progress arrives on `on_progress`. `cancel_rescore`
/// takes the articles not yet started off the queue.
#[tauri::command]
#[specta::specta]
pub async fn rescore(
    state: State<'_, AppState>,
    limit: Option<u32>,
    on_progress: Channel<RescoreProgress>,
) -> Result<RescoreResult, ApiError> {
    let core = state.core()?;
    let cancel = state.begin_rescore();
    let result = core
        .rescore_followed(limit, cancel, move |p| {
            let _ = on_progress.send(p);
        })
        .await;
    state.end_rescore();
    Ok(result?)
}

/// Cancel the rescore in progress; false when there is none.
#[tauri::command]
#[specta::specta]
pub async fn cancel_rescore(state: State<'_, AppState>) -> Result<bool, ApiError> {
    Ok(state.cancel_rescore())
}

/// Run one task on one article (the newest, or a built-in sample) through its route,
/// exactly as the queue would; nothing is stored.
#[tauri::command]
#[specta::specta]
pub async fn test_route(
    state: State<'_, AppState>,
    task: Task,
    article_id: Option<u32>,
) -> Result<RouteTest, ApiError> {
    Ok(state
        .core()?
        .test_route(task, article_id.map(i64::from))
        .await?)
}
