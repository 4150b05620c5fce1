//! Commands through Tauri's mock runtime (no window), and the bindings export.

use super::*;
use specta_typescript::Typescript;
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;

mod database;
mod parity;
mod providers;

/// Core options for tests: keys in the file store beside the database (no keychain,
/// no environment variable shared between parallel tests).
pub(crate) fn test_options() -> curator_core::CoreOptions {
    curator_core::CoreOptions {
        secret_store: Some(curator_core::secrets::KeyStoreKind::File),
        ..Default::default()
    }
}

/// The app state on the database at `db`, with `test_options`.
pub(crate) fn state_at(db: std::path::PathBuf) -> AppState {
    AppState::open(Ok(db), test_options())
}

/// A mock-runtime app with its one webview, which every `invoke` goes through.
pub(crate) struct Harness {
    _app: tauri::App<tauri::test::MockRuntime>,
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
}

pub(crate) fn app_with(state: AppState) -> Harness {
    let builder = specta_builder::<tauri::test::MockRuntime>();
    let app = mock_builder()
        .manage(state)
        .invoke_handler(builder.invoke_handler())
        .build(mock_context(noop_assets()))
        .expect("mock app builds");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Harness { _app: app, webview }
}

pub(crate) fn invoke(
    h: &Harness,
    cmd: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    get_ipc_response(
        &h.webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<serde_json::Value>().unwrap())
}

#[test]
fn app_status_returns_the_database_facts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("curator.db");
    let app = app_with(state_at(db.clone()));
    let v = invoke(&app, "app_status", serde_json::json!({})).expect("command succeeds");
    assert_eq!(v["db_path"], db.display().to_string());
    assert_eq!(
        v["schema_version"],
        curator_core::db::latest_known_version()
    );
    assert_eq!(v["app_version"], curator_core::APP_VERSION);
}

#[test]
fn cancel_rescore_without_a_rescore_is_false_and_queue_status_counts() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(AppState::open(Ok(dir.path().join("c.db")), test_options()));
    let v = invoke(&app, "cancel_rescore", serde_json::json!({})).unwrap();
    assert_eq!(v, serde_json::json!(false));
    let q = invoke(&app, "queue_status", serde_json::json!({})).unwrap();
    assert_eq!(q["categorization"]["queued"], 0);
    assert_eq!(q["paused"], serde_json::json!([]));
    let f = invoke(&app, "queue_last_failures", serde_json::json!({})).unwrap();
    assert_eq!(f, serde_json::json!([]));
    // Nothing recent to rescore: the command answers at once, progress on the Channel.
    let r = invoke(
        &app,
        "rescore",
        serde_json::json!({"limit": 10, "onProgress": "__CHANNEL__:9"}),
    )
    .unwrap();
    assert_eq!(
        r,
        serde_json::json!({"queued": 0, "skipped_running": 0, "done": 0, "failed": 0, "cancelled": false})
    );
    // No route yet: test_route says so as a coded error.
    let e = invoke(
        &app,
        "test_route",
        serde_json::json!({"task": "scoring", "articleId": null}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "invalid_route");
}

#[test]
fn app_status_error_crosses_ipc_as_code_and_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("no-such-dir").join("curator.db");
    let app = app_with(state_at(db.clone()));
    let err = invoke(&app, "app_status", serde_json::json!({})).expect_err("command fails");
    assert_eq!(err["code"], "db_open");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains(&db.display().to_string()),
        "{err}"
    );
}

/// Writes `ui/src/bindings.ts`. CI runs this and fails when the committed file differs.
#[test]
fn export_bindings() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    specta_builder::<tauri::Wry>()
        .export(
            Typescript::default()
                .header("// Generated from the Rust types by `cargo test -p curator-app export_bindings`. Do not edit.\n"),
            &path,
        )
        .expect("bindings export");
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("appStatus"));
}
