//! Each CLI subcommand's `--json` and the matching Tauri command print the same JSON.

use super::{app_with, invoke, state_at};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `curator` binary of this workspace, built on demand.
fn curator_bin() -> PathBuf {
    let target = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let bin = target.join("curator");
    let status = Command::new(env!("CARGO"))
        .args(["build", "-q", "-p", "curator-cli"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .unwrap();
    assert!(status.success());
    bin
}

fn cli(bin: &Path, db: &Path, args: &[&str]) -> Value {
    let out = Command::new(bin)
        .env("CURATOR_SECRET_STORE", "file")
        .arg("--db")
        .arg(db)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    // Errors print `{code, message, details?}` on stdout too, with exit status 1.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "curator {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("curator {args:?}: {e}"))
}

#[test]
fn cli_and_commands_return_the_same_json() {
    let bin = curator_bin();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    // Port 9 (discard) on loopback refuses: the provider is configured but unreachable.
    cli(
        &bin,
        &db,
        &[
            "providers",
            "set",
            "ollama",
            "--config",
            r#"{"base_url": "http://127.0.0.1", "port": 9}"#,
        ],
    );
    cli(
        &bin,
        &db,
        &[
            "routes",
            "set",
            r#"{"categorization": {"provider": "ollama", "model": "qwen3:8b", "batch_size": 3}, "use_separate_models": false}"#,
        ],
    );

    let app = app_with(state_at(db.clone()));
    let pairs: [(&[&str], &str, Value); 10] = [
        (&["queue"], "queue_status", json!({})),
        (
            &["test-route", "scoring"],
            "test_route",
            json!({"task": "scoring"}),
        ),
        (
            &["test-route", "categorization", "--article", "7"],
            "test_route",
            json!({"task": "categorization", "articleId": 7}),
        ),
        (&["providers", "list"], "list_providers", json!({})),
        (&["routes", "get"], "get_task_routes", json!({})),
        (&["readiness"], "task_readiness", json!({})),
        (
            &["readiness", "--task", "scoring"],
            "task_readiness_of",
            json!({"task": "scoring"}),
        ),
        (&["status"], "app_status", json!({})),
        (
            &["providers", "catalog", "ollama"],
            "list_provider_catalog",
            json!({"provider": "ollama"}),
        ),
        (
            &["providers", "remove", "mistral"],
            "delete_provider",
            json!({"provider": "mistral"}),
        ),
    ];
    for (args, cmd, body) in pairs {
        let from_cli = cli(&bin, &db, args);
        let from_ipc = match invoke(&app, cmd, body) {
            Ok(v) => v,
            Err(e) => e,
        };
        assert_eq!(from_cli, from_ipc, "curator {args:?} vs {cmd}");
    }
}
