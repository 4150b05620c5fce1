//! IPC round trip of `list_providers` through Tauri's mock runtime: a real invoke
//! (JSON in, command, core, SQLite, JSON out) without a window. Prints p50/p99.
//!
//!   cargo bench -p curator-app --bench ipc

use curator_app_lib::{specta_builder, AppState};
use curator_core::secrets::KeyStoreKind;
use curator_core::CoreOptions;
use std::time::{Duration, Instant};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    let builder = specta_builder::<MockRuntime>();
    let app = mock_builder()
        .manage(AppState::open(
            Ok(db),
            CoreOptions {
                secret_store: Some(KeyStoreKind::File),
                ..Default::default()
            },
        ))
        .invoke_handler(builder.invoke_handler())
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let call = |cmd: &str, body: serde_json::Value| {
        get_ipc_response(
            &webview,
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
    };
    // Two configured providers, so the answer has real rows.
    call(
        "update_provider_config",
        serde_json::json!({"provider": "ollama", "config": {"base_url": "http://127.0.0.1", "port": 9}}),
    )
    .unwrap();
    call(
        "update_provider_config",
        serde_json::json!({"provider": "openai", "config": {}, "apiKey": "sk-bench-0000"}),
    )
    .unwrap();

    for _ in 0..200 {
        call("list_providers", serde_json::json!({})).unwrap();
    }
    let n = 5_000;
    let mut samples: Vec<Duration> = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let r = call("list_providers", serde_json::json!({})).unwrap();
        samples.push(t.elapsed());
        std::hint::black_box(r);
    }
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    println!(
        "list_providers IPC round trip over {n} calls: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        samples[n - 1].as_secs_f64() * 1e3
    );
}
