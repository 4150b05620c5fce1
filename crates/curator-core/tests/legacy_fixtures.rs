//! Every fixture of ../shared/legacy-db (copied into tests/fixtures/legacy-db) must
//! upgrade to its expected contents by the README's comparison rule; a second run
//! changes nothing; integrity_check passes; the backup holds the original.

#[path = "legacy_common/mod.rs"]
mod common;

use common::{compare, env_for, fixtures, snapshot};
use curator_core::upgrade;
use rusqlite::Connection;
use std::path::PathBuf;

#[test]
fn every_fixture_upgrades_to_its_expected_contents() {
    let mut failures = Vec::new();
    for (name, sqlite, expected) in fixtures() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join(format!("{name}.db"));
        std::fs::copy(&sqlite, &db).unwrap();
        let original = snapshot(&sqlite);
        let env = env_for(&expected, tmp.path());
        let report =
            upgrade::upgrade(&db, false, &env, |_| {}).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(report.changed, "{name}");
        assert_eq!(
            report.schema_version,
            curator_core::db::latest_known_version(),
            "{name}"
        );
        let shape_id = name.split('-').next().unwrap().to_uppercase();
        assert_eq!(report.detected, shape_id, "{name}");
        if let Err(e) = compare(&db, &expected) {
            failures.push(format!("{name}: {e}"));
            continue;
        }
        // The backup is the untouched original.
        let backup = PathBuf::from(report.backup.as_deref().expect("backup"));
        assert!(backup
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(&format!("{name}.db.bak-")));
        assert_eq!(
            snapshot(&backup),
            original,
            "{name}: backup differs from the original"
        );
        // Second run: nothing changes, no backup.
        let before = snapshot(&db);
        let again = upgrade::upgrade(&db, false, &env, |_| {}).unwrap();
        assert!(
            !again.changed && again.backup.is_none(),
            "{name}: {again:?}"
        );
        assert_eq!(again.detected, "curator");
        assert_eq!(snapshot(&db), before, "{name}: second run changed the file");
        let conn = Connection::open(&db).unwrap();
        let ok: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok", "{name}");
        // And Curator opens it as its own.
        drop(conn);
        curator_core::Core::open(&db).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn dry_run_reports_the_same_and_writes_nothing() {
    for (name, sqlite, expected) in fixtures() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("x.db");
        std::fs::copy(&sqlite, &db).unwrap();
        let bytes = std::fs::read(&db).unwrap();
        let env = env_for(&expected, tmp.path());
        let dry = upgrade::upgrade(&db, true, &env, |_| {}).unwrap();
        assert_eq!(std::fs::read(&db).unwrap(), bytes, "{name}");
        assert!(dry.backup.is_none());
        let real = upgrade::upgrade(&db, false, &env, |_| {}).unwrap();
        assert_eq!(
            (dry.detected, dry.changed, dry.schema_version, dry.tables),
            (
                real.detected,
                real.changed,
                real.schema_version,
                real.tables
            ),
            "{name}"
        );
    }
}

#[test]
fn needs_upgrade_names_the_shape_and_leaves_the_file_alone() {
    for (name, sqlite, _) in fixtures() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("x.db");
        std::fs::copy(&sqlite, &db).unwrap();
        let bytes = std::fs::read(&db).unwrap();
        let err = curator_core::Core::open(&db).err().expect("must refuse");
        match err {
            curator_core::CoreError::NeedsUpgrade { shape, .. } => {
                assert_eq!(
                    shape.as_str(),
                    name.split('-').next().unwrap().to_uppercase()
                )
            }
            other => panic!("{name}: {other}"),
        }
        assert_eq!(std::fs::read(&db).unwrap(), bytes, "{name}");
    }
}

#[test]
fn progress_is_reported_through_to_done() {
    use curator_core::upgrade::{UpgradeProgress, UpgradeStage};
    let (name, sqlite, expected) = fixtures()
        .into_iter()
        .find(|f| f.0.starts_with("v7-schema-v2-separate"))
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join(format!("{name}.db"));
    std::fs::copy(&sqlite, &db).unwrap();
    let seen = std::sync::Mutex::new(Vec::<UpgradeProgress>::new());
    let env = env_for(&expected, tmp.path());
    let report = upgrade::upgrade(&db, false, &env, |p| seen.lock().unwrap().push(p)).unwrap();
    assert!(report.changed);
    curator_core::Core::open(&db).unwrap();
    let seen = seen.into_inner().unwrap();
    let stages: Vec<UpgradeStage> = seen.iter().map(|p| p.stage).collect();
    for s in [
        UpgradeStage::Inspecting,
        UpgradeStage::Backup,
        UpgradeStage::Migrating,
        UpgradeStage::Checking,
        UpgradeStage::Committing,
    ] {
        assert!(stages.contains(&s), "{s:?} missing from {stages:?}");
    }
    assert_eq!(stages.last(), Some(&UpgradeStage::Done));
    let backup = seen
        .iter()
        .rfind(|p| p.stage == UpgradeStage::Backup)
        .unwrap();
    assert_eq!(backup.done, backup.total);
    // The report and progress types serialize for the app's IPC.
    let v = serde_json::to_value(seen[0]).unwrap();
    assert_eq!(v["stage"], "inspecting");
}
