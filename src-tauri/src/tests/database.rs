//! The window's database flow through the mock runtime: open an existing database of
//! the earlier reader, see what the upgrade would do, upgrade with progress, use it.

use super::{app_with, invoke, state_at};
use serde_json::json;
use std::path::PathBuf;

fn legacy_copy(dir: &std::path::Path) -> PathBuf {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "../crates/curator-core/tests/fixtures/legacy-db/v7-schema-v2-defaults-61f2be6.sqlite",
    );
    let dst = dir.join("rss-reader.db");
    std::fs::copy(src, &dst).unwrap();
    dst
}

#[test]
fn open_existing_legacy_database_then_upgrade_it() {
    let dir = tempfile::tempdir().unwrap();
    let h = app_with(state_at(dir.path().join("curator.db")));
    let legacy = legacy_copy(dir.path());
    let before = std::fs::read(&legacy).unwrap();

    let err = invoke(&h, "open_database", json!({"path": legacy})).unwrap_err();
    assert_eq!(err["code"], "needs_upgrade", "{err}");
    assert_eq!(
        invoke(&h, "app_status", json!({})).unwrap_err()["code"],
        "needs_upgrade"
    );

    let report = invoke(&h, "inspect_upgrade", json!({})).unwrap();
    assert_eq!(report["detected"], "V7");
    assert_eq!(report["changed"], true);
    assert_eq!(report["backup"], serde_json::Value::Null);
    assert_eq!(
        std::fs::read(&legacy).unwrap(),
        before,
        "inspecting wrote to the file"
    );

    let done = invoke(
        &h,
        "upgrade_database",
        json!({"onProgress": "__CHANNEL__:7"}),
    )
    .unwrap();
    assert_eq!(done["changed"], true);
    let backup = done["backup"].as_str().unwrap();
    assert_eq!(
        std::fs::read(backup).unwrap().len(),
        before.len(),
        "backup is a copy of the original"
    );

    let status = invoke(&h, "app_status", json!({})).unwrap();
    assert_eq!(status["db_path"], legacy.display().to_string());
    assert_eq!(
        status["schema_version"],
        curator_core::db::latest_known_version()
    );
    let routes = invoke(&h, "get_task_routes", json!({})).unwrap();
    assert_eq!(routes["routes"].as_array().unwrap().len(), 2, "{routes}");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let h = app_with(state_at(dir.path().join("curator.db")));
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "plain text, certainly not SQLite").unwrap();
    let err = invoke(&h, "open_database", json!({"path": notes})).unwrap_err();
    assert_eq!(err["code"], "db_open", "{err}");
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "plain text, certainly not SQLite"
    );
    let err = invoke(
        &h,
        "upgrade_database",
        json!({"onProgress": "__CHANNEL__:8"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "db_foreign", "{err}");
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "plain text, certainly not SQLite"
    );
}
