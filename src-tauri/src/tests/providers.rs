//! Provider, route and readiness commands through the mock runtime: argument names,
//! result shapes and `ApiError` JSON.

use super::{app_with, invoke, state_at};
use serde_json::json;

fn fresh() -> (tempfile::TempDir, super::Harness) {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(state_at(dir.path().join("c.db")));
    (dir, app)
}

#[test]
fn provider_kinds_lists_the_five_in_registry_order() {
    let (_d, app) = fresh();
    let v = invoke(&app, "provider_kinds", json!({})).unwrap();
    let ids: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["provider"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        ["ollama", "openai", "anthropic", "google", "openrouter"]
    );
}

#[test]
fn save_list_and_disconnect_a_provider() {
    let (_d, app) = fresh();
    assert_eq!(
        invoke(&app, "list_providers", json!({})).unwrap(),
        json!([])
    );

    let saved = invoke(
        &app,
        "update_provider_config",
        json!({"provider": "openai", "config": {"base_url": "http://127.0.0.1:9/v1"}, "apiKey": "sk-test-abcd1234"}),
    )
    .unwrap();
    assert_eq!(saved["provider"], "openai");
    assert_eq!(saved["has_key"], true);
    assert_eq!(saved["key_last4"], "1234");
    assert!(
        !saved.to_string().contains("sk-test-abcd1234"),
        "a key crossed IPC: {saved}"
    );

    let routes = invoke(
        &app,
        "update_task_routes",
        json!({"input": {"categorization": {"provider": "openai", "model": "gpt-4o-mini"}, "use_separate_models": false}}),
    )
    .unwrap();
    assert_eq!(routes["routes"][0]["provider"], "openai");

    let removed = invoke(&app, "delete_provider", json!({"provider": "openai"})).unwrap();
    assert_eq!(removed["removed"], "openai");
    assert_eq!(
        removed["routes_removed"].as_array().unwrap().len(),
        2,
        "{removed}"
    );
    assert_eq!(
        invoke(&app, "get_task_routes", json!({})).unwrap()["routes"],
        json!([])
    );
}

#[test]
fn invalid_input_crosses_ipc_as_a_coded_error_and_changes_nothing() {
    let (_d, app) = fresh();
    let err = invoke(
        &app,
        "update_provider_config",
        json!({"provider": "ollama", "config": {"port": 70000}}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_config");
    assert!(err["message"].as_str().unwrap().contains("port"), "{err}");
    assert_eq!(
        invoke(&app, "list_providers", json!({})).unwrap(),
        json!([])
    );

    let err = invoke(&app, "get_provider_config", json!({"provider": "mistral"})).unwrap_err();
    assert_eq!(err["code"], "unknown_provider");

    let err = invoke(
        &app,
        "update_task_routes",
        json!({"input": {"categorization": {"provider": "anthropic", "model": "x"}, "use_separate_models": false}}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_route", "{err}");
}

#[test]
fn readiness_says_why_a_task_cannot_run() {
    let (_d, app) = fresh();
    let v = invoke(&app, "task_readiness", json!({})).unwrap();
    for task in ["categorization", "scoring"] {
        assert_eq!(v[task]["ready"], false);
        assert_eq!(v[task]["reason"], "no_provider", "{v}");
        assert!(v[task]["fix"].is_string(), "{v}");
    }
}
