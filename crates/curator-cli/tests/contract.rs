//! Acceptance 7: the CLI contract of issue 6, run as a binary on temp databases
//! against fake servers; the CLI prints exactly what the core command returns.

#[path = "../../curator-core/tests/common/mod.rs"]
mod common;

use common::stream::{ollama_stream_fake, pull_lines, PullScript};
use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    k.sort();
    k
}

/// Run the binary off the async runtime (the fakes live on it).
async fn cli(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let (db, args, stdin): (PathBuf, Vec<String>, Option<String>) = (
        db.to_path_buf(),
        args.iter().map(|s| s.to_string()).collect(),
        stdin.map(str::to_string),
    );
    tokio::task::spawn_blocking(move || {
        let mut c = assert_cmd::Command::cargo_bin("curator").unwrap();
        c.env_remove("CURATOR_DB")
            .env("CURATOR_SECRET_STORE", "file")
            .arg("--db")
            .arg(&db)
            .args(&args);
        if let Some(s) = stdin {
            c.write_stdin(s);
        }
        c.timeout(Duration::from_secs(30)).output().unwrap()
    })
    .await
    .unwrap()
}

async fn ok_json(db: &Path, args: &[&str]) -> Value {
    let out = cli(db, args, None).await;
    assert!(
        out.status.success(),
        "{args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

async fn err_json(db: &Path, args: &[&str], code: &str) -> Value {
    let out = cli(db, args, None).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["code"], code, "{args:?}: {v}");
    assert!(v["message"].is_string());
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_contract_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let o = fake("ollama").await;
    let a = fake("anthropic").await;
    assert_eq!(
        ok_json(&db, &["providers", "list", "--json"]).await,
        json!([])
    );

    // set (anthropic first: the list is in registry order anyway).
    let cfg = config_for("anthropic", &a.uri(), 5).to_string();
    let out = cli(
        &db,
        &[
            "providers",
            "set",
            "anthropic",
            "--config",
            &cfg,
            "--api-key-stdin",
            "--json",
        ],
        Some(&format!("{}\n", key_of("anthropic"))),
    )
    .await;
    assert!(out.status.success());
    let item: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        keys(&item),
        sorted(&[
            "provider",
            "display_name",
            "enabled",
            "config",
            "has_key",
            "key_last4",
            "key_store"
        ])
    );
    assert_eq!(
        (
            item["has_key"].clone(),
            item["key_last4"].clone(),
            item["key_store"].clone()
        ),
        (json!(true), json!("0002"), json!("file"))
    );
    let cfg = config_for("ollama", &o.uri(), 5).to_string();
    ok_json(
        &db,
        &["providers", "set", "ollama", "--config", &cfg, "--json"],
    )
    .await;
    let list = ok_json(&db, &["providers", "list", "--json"]).await;
    assert_eq!(
        list.as_array()
            .unwrap()
            .iter()
            .map(|i| i["provider"].clone())
            .collect::<Vec<_>>(),
        [json!("ollama"), json!("anthropic")]
    );
    assert_eq!(list[0]["key_store"], Value::Null);

    // test / catalog.
    let t = ok_json(&db, &["providers", "test", "ollama", "--json"]).await;
    assert_eq!(keys(&t), sorted(&["ok", "latency_ms", "version", "error"]));
    assert_eq!(
        (t["ok"].clone(), t["version"].clone(), t["error"].clone()),
        (json!(true), json!("0.33.0"), Value::Null)
    );
    let cat = ok_json(&db, &["providers", "catalog", "anthropic", "--json"]).await;
    assert_eq!(cat.as_array().unwrap().len(), 5);

    // routes.
    let set = json!({"categorization": {"provider": "ollama", "model": "qwen3:8b", "batch_size": 2},
                     "scoring": {"provider": "anthropic", "model": "claude-test-1"}, "use_separate_models": true}).to_string();
    let saved = ok_json(&db, &["routes", "set", &set, "--json"]).await;
    assert_eq!(keys(&saved), sorted(&["routes", "use_separate_models"]));
    assert_eq!(
        keys(&saved["routes"][0]),
        sorted(&["task", "provider", "model", "batch_size", "fallback"])
    );
    assert_eq!(ok_json(&db, &["routes", "get", "--json"]).await, saved);

    // readiness.
    let r = ok_json(&db, &["readiness", "--json"]).await;
    assert_eq!(keys(&r), sorted(&["categorization", "scoring"]));
    assert_eq!(
        keys(&r["scoring"]),
        sorted(&["ready", "provider", "model", "reason", "message", "fix", "fallback"])
    );
    assert_eq!(r["categorization"]["ready"], true);
    assert_eq!(r["scoring"]["ready"], true);

    // models.
    let m = ok_json(&db, &["models", "--refresh", "--json"]).await;
    assert_eq!(keys(&m), sorted(&["models", "providers"]));
    assert_eq!(
        keys(&m["models"][0]),
        sorted(&[
            "id",
            "provider",
            "name",
            "display_name",
            "context_length",
            "size",
            "parameter_size",
            "quantization_level",
            "is_loaded"
        ])
    );
    assert_eq!(
        keys(&m["providers"][0]),
        sorted(&["provider", "status", "count", "age_s", "error"])
    );
    assert_eq!(m["models"].as_array().unwrap().len(), 7);

    // disable: skipped by models, its routes report provider_disabled; config and key kept.
    let d = ok_json(&db, &["providers", "disable", "anthropic", "--json"]).await;
    assert_eq!(
        (d["enabled"].clone(), d["has_key"].clone()),
        (json!(false), json!(true))
    );
    let m = ok_json(&db, &["models", "--json"]).await;
    assert_eq!(m["providers"].as_array().unwrap().len(), 1);
    assert_eq!(
        ok_json(&db, &["readiness", "--json"]).await["scoring"]["reason"],
        "provider_disabled"
    );
    assert_eq!(
        ok_json(&db, &["providers", "enable", "anthropic", "--json"]).await["enabled"],
        true
    );

    // remove returns the removed routes.
    let rm = ok_json(&db, &["providers", "remove", "anthropic", "--json"]).await;
    assert_eq!(
        rm,
        json!({"removed": "anthropic", "routes_removed": [{"task": "scoring", "provider": "anthropic", "model": "claude-test-1"}]})
    );
    err_json(
        &db,
        &["providers", "remove", "anthropic", "--json"],
        "provider_not_found",
    )
    .await;

    // ollama subcommands.
    let h = ok_json(&db, &["ollama", "health", "--json"]).await;
    assert_eq!(keys(&h), sorted(&["connected", "version", "latency_ms"]));
    assert_eq!(
        ok_json(&db, &["ollama", "models", "--json"])
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        ok_json(&db, &["ollama", "ps", "--json"]).await[0]["name"],
        "llama3.2:latest"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_prints_exactly_what_the_core_returns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("same.db");
    let o = fake("ollama").await;
    let g = fake("google").await;
    {
        let core = open_core(&db);
        configure(&core, "ollama", &o.uri(), 5).await;
        configure(&core, "google", &g.uri(), 5).await;
        core.update_task_routes(curator_core::routes::parse_routes_input(r#"{"categorization": {"provider": "google", "model": "models/gemini-test-2"}, "scoring": {"provider": "ollama", "model": "ghost"}, "use_separate_models": true}"#).unwrap()).await.unwrap();
    }
    let core = open_core(&db);
    let same = |a: Value, b: Value, what: &str| assert_eq!(a, b, "{what}");
    same(
        ok_json(&db, &["providers", "list", "--json"]).await,
        serde_json::to_value(core.list_providers().await.unwrap()).unwrap(),
        "list_providers",
    );
    same(
        ok_json(&db, &["routes", "get", "--json"]).await,
        serde_json::to_value(core.get_task_routes().await.unwrap()).unwrap(),
        "get_task_routes",
    );
    same(
        ok_json(&db, &["readiness", "--json"]).await,
        serde_json::to_value(core.task_readiness().await.unwrap()).unwrap(),
        "task_readiness",
    );
    same(
        ok_json(&db, &["providers", "catalog", "google", "--json"]).await,
        serde_json::to_value(core.list_provider_catalog("google").await.unwrap()).unwrap(),
        "list_provider_catalog",
    );
    same(
        ok_json(&db, &["models", "--refresh", "--json"]).await,
        serde_json::to_value(core.list_models(true).await.unwrap()).unwrap(),
        "list_models",
    );
    same(
        ok_json(&db, &["ollama", "models", "--json"]).await,
        serde_json::to_value(core.ollama_list_models().await.unwrap()).unwrap(),
        "ollama_list_models",
    );
    let mut t = ok_json(&db, &["providers", "test", "google", "--json"]).await;
    let mut u = serde_json::to_value(core.test_provider("google").await.unwrap()).unwrap();
    t["latency_ms"] = Value::Null;
    u["latency_ms"] = Value::Null;
    same(t, u, "test_provider");
    let e = err_json(
        &db,
        &[
            "providers",
            "set",
            "openai",
            "--config",
            "{\"batch_size\": 0}",
            "--json",
        ],
        "invalid_config",
    )
    .await;
    let ce = curator_core::ApiError::from(
        core.update_provider_config("openai", json!({"batch_size": 0}), None)
            .await
            .unwrap_err(),
    );
    same(e, serde_json::to_value(ce).unwrap(), "error shape");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_exit_1_with_the_error_object_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let v = err_json(
        &db,
        &[
            "providers",
            "set",
            "ollama",
            "--config",
            "{\"port\": 70000}",
            "--json",
        ],
        "invalid_config",
    )
    .await;
    assert_eq!(keys(&v), sorted(&["code", "message", "details"]));
    assert_eq!(v["details"]["field"], "port");
    err_json(
        &db,
        &[
            "providers",
            "set",
            "ollama",
            "--config",
            "not json",
            "--json",
        ],
        "invalid_config",
    )
    .await;
    err_json(
        &db,
        &["providers", "set", "mistral", "--config", "{}", "--json"],
        "unknown_provider",
    )
    .await;
    err_json(
        &db,
        &["providers", "test", "openai", "--json"],
        "provider_not_found",
    )
    .await;
    err_json(
        &db,
        &["providers", "enable", "openai", "--json"],
        "provider_not_found",
    )
    .await;
    err_json(
        &db,
        &[
            "routes",
            "set",
            "{\"categorization\": {\"provider\": \"openai\", \"model\": \"m\"}}",
            "--json",
        ],
        "invalid_route",
    )
    .await;
    err_json(&db, &["routes", "set", "[]", "--json"], "invalid_route").await;
    let cfg = config_for("ollama", &refused_base(), 1).to_string();
    ok_json(
        &db,
        &["providers", "set", "ollama", "--config", &cfg, "--json"],
    )
    .await;
    err_json(&db, &["ollama", "models", "--json"], "unreachable").await;
    err_json(&db, &["ollama", "delete", "x", "--json"], "unreachable").await;
    // Without --json: nothing on stdout, one line on stderr, exit 1.
    let out = cli(&db, &["providers", "test", "openai"], None).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    for args in [
        vec!["providers"],
        vec!["providers", "frob"],
        vec!["providers", "set", "ollama"],
        vec!["routes", "set"],
        vec!["models", "--bogus"],
        vec!["ollama", "pull"],
    ] {
        assert_eq!(
            cli(&db, &args, None).await.status.code(),
            Some(2),
            "{args:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ollama_pull_prints_json_lines_ending_with_complete_or_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let f = ollama_stream_fake(PullScript {
        lines: pull_lines("ollama/pull.stream.ndjson"),
        delay: Duration::from_millis(5),
        stall_after: None,
    })
    .await;
    let cfg = config_for("ollama", &f.base, 5).to_string();
    ok_json(
        &db,
        &["providers", "set", "ollama", "--config", &cfg, "--json"],
    )
    .await;
    let out = cli(&db, &["ollama", "pull", "llama3.2", "--json"], None).await;
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[0], json!({"status": "pulling manifest"}));
    assert_eq!(lines.last().unwrap(), &json!({"status": "complete"}));
    let d = ok_json(&db, &["ollama", "delete", "qwen3:8b", "--json"]).await;
    assert_eq!(d["deleted"], "qwen3:8b");
    err_json(
        &db,
        &["ollama", "delete", "ghost", "--json"],
        "model_not_found",
    )
    .await;

    let f = ollama_stream_fake(PullScript {
        lines: pull_lines("ollama/pull.stream.error.ndjson"),
        delay: Duration::from_millis(5),
        stall_after: None,
    })
    .await;
    let cfg = config_for("ollama", &f.base, 5).to_string();
    ok_json(
        &db,
        &["providers", "set", "ollama", "--config", &cfg, "--json"],
    )
    .await;
    let out = cli(&db, &["ollama", "pull", "nope", "--json"], None).await;
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["code"], "model_not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_in_any_cli_output_or_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("k.db");
    let s = fake("openrouter").await;
    let cfg = config_for("openrouter", &s.uri(), 5).to_string();
    let mut all = Vec::new();
    let out = cli(
        &db,
        &[
            "providers",
            "set",
            "openrouter",
            "--config",
            &cfg,
            "--api-key-stdin",
            "--json",
        ],
        Some(key_of("openrouter")),
    )
    .await;
    assert!(out.status.success());
    all.push(out);
    for args in [
        vec!["providers", "list", "--json"],
        vec!["providers", "list"],
        vec!["providers", "test", "openrouter", "--json"],
        vec!["providers", "test", "openrouter"],
        vec!["providers", "catalog", "openrouter"],
        vec!["models", "--json"],
        vec!["models"],
        vec!["readiness"],
        vec!["providers", "remove", "openrouter", "--json"],
    ] {
        all.push(cli(&db, &args, None).await);
    }
    for o in &all {
        for bytes in [&o.stdout, &o.stderr] {
            assert!(!String::from_utf8_lossy(bytes).contains(key_of("openrouter")));
        }
    }
    assert!(
        String::from_utf8_lossy(&all[1].stdout).contains("0004"),
        "last4 is shown"
    );
    for suffix in ["", "-wal"] {
        if let Ok(b) = std::fs::read(format!("{}{suffix}", db.display())) {
            assert!(!String::from_utf8_lossy(&b).contains(key_of("openrouter")));
        }
    }
}
