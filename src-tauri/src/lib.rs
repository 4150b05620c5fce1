//! The Curator app: a thin Tauri shell over `curator-core`.

mod commands;
mod state;

pub use state::AppState;

use std::path::PathBuf;
use tauri::{Manager, Runtime};

/// Every command and type the webview can use. Shared by `run()` and the bindings
/// export test, so the TypeScript bindings can never list a command the app lacks.
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    // One TypeScript type per payload: the wire shape, not a `_Serialize`/`_Deserialize`
    // pair the UI would have to choose between.
    tauri_specta::Builder::<R>::new()
        .disable_serde_phases()
        .commands(tauri_specta::collect_commands![
            commands::app::app_status,
            commands::database::open_database,
            commands::database::inspect_upgrade,
            commands::database::upgrade_database,
            commands::database::list_backups,
            commands::providers::provider_kinds,
            commands::providers::list_providers,
            commands::providers::get_provider_config,
            commands::providers::update_provider_config,
            commands::providers::set_provider_enabled,
            commands::providers::delete_provider,
            commands::providers::delete_provider_key,
            commands::providers::test_provider,
            commands::providers::test_provider_key,
            commands::providers::list_provider_catalog,
            commands::providers::key_store,
            commands::providers::provider_endpoint,
            commands::routes::get_task_routes,
            commands::routes::update_task_routes,
            commands::routes::task_readiness,
            commands::routes::task_readiness_of,
            commands::routes::list_models,
            commands::ollama::ollama_health,
            commands::ollama::ollama_list_models,
            commands::ollama::ollama_ps,
            commands::ollama::ollama_pull_model,
            commands::ollama::ollama_cancel_pull,
            commands::ollama::ollama_pulls,
            commands::ollama::ollama_delete_model,
            commands::tasks::queue_status,
            commands::tasks::queue_last_failures,
            commands::tasks::rescore,
            commands::tasks::cancel_rescore,
            commands::tasks::test_route,
        ])
}

/// The app's own arguments; anything else on the command line is left to Tauri.
#[derive(clap::Parser)]
#[command(
    ignore_errors = true,
    disable_help_flag = true,
    disable_version_flag = true
)]
struct Args {
    /// Database file (else CURATOR_DB, else curator.db in the platform data directory).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
}

pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CURATOR_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    let builder = specta_builder::<tauri::Wry>();
    let args = <Args as clap::Parser>::parse();
    let state = AppState::open(
        curator_core::db::resolve_db_path(args.db),
        curator_core::CoreOptions::default(),
    );

    let result = tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .manage(state)
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            // The queue is processed in the background while the app runs.
            app.state::<AppState>().start_runner();
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.set_title(&format!("Curator {}", curator_core::APP_VERSION));
            }
            Ok(())
        })
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(|app, event| {
            if let tauri::RunEvent::Exit = event {
                // Stop the runner after its current batch (bounded); anything still
                // running is put back on the queue at the next start.
                app.state::<AppState>()
                    .stop_runner(std::time::Duration::from_secs(10));
            }
        }),
        Err(e) => {
            eprintln!("curator: the window could not start: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests;
