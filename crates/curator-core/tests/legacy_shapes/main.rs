//! Shapes and backfill cases of schema-history.md that the public fixtures do not
//! show, built in test code from a fixture plus the changes the spec describes.

mod backfill;
#[path = "../legacy_common/mod.rs"]
mod common;

use common::{compare, env_for, fixture, snapshot};
use curator_core::upgrade::{self, UpgradeEnv, UpgradeReport};
use rusqlite::Connection;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// Copy fixture `stem` into a temp dir and apply `sql` to it.
pub(crate) fn build(stem: &str, sql: &str) -> (tempfile::TempDir, PathBuf, Json) {
    let (src, expected) = fixture(stem);
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("legacy.db");
    std::fs::copy(src, &db).unwrap();
    let c = Connection::open(&db).unwrap();
    c.execute_batch(sql).unwrap();
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    (tmp, db, expected)
}

pub(crate) fn upgrade(db: &Path, env: &UpgradeEnv) -> UpgradeReport {
    upgrade::upgrade(db, false, env, |_| {}).unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn no_env(dir: &Path) -> UpgradeEnv {
    UpgradeEnv {
        vars: Vec::new(),
        cwd: dir.to_path_buf(),
    }
}

pub(crate) fn config(db: &Path) -> Json {
    let c = Connection::open(db).unwrap();
    let s: String = c
        .query_row(
            "SELECT config_json FROM llm_provider_configs WHERE provider = 'ollama'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    serde_json::from_str(&s).unwrap()
}

pub(crate) fn routes(db: &Path) -> Vec<(i64, String, Option<String>)> {
    let c = Connection::open(db).unwrap();
    let mut s = c
        .prepare("SELECT id, task, model FROM llm_task_routes ORDER BY id")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

pub(crate) fn second_run_is_a_no_op(db: &Path, env: &UpgradeEnv) {
    let before = snapshot(db);
    let r = upgrade(db, env);
    assert!(!r.changed);
    assert_eq!(snapshot(db), before);
}

#[test]
fn v1_display_order_is_kept() {
    let (tmp, db, expected) = build(
        "v0-feeds-articles-0c4da03",
        "ALTER TABLE feeds ADD COLUMN display_order INTEGER NOT NULL DEFAULT 0; UPDATE feeds SET display_order = 0;",
    );
    let env = env_for(&expected, tmp.path());
    assert_eq!(upgrade(&db, &env).detected, "V1");
    compare(&db, &expected).unwrap();
    second_run_is_a_no_op(&db, &env);
}

#[test]
fn v0_left_behind_by_a_crashed_78dd677_start_upgrades_like_v0() {
    // Known defect 1: create_all added empty tables and an empty schema_version.
    let (tmp, db, expected) = build(
        "v0-feeds-articles-0c4da03",
        "CREATE TABLE categories (id INTEGER NOT NULL, display_name VARCHAR NOT NULL, slug VARCHAR NOT NULL,
            parent_id INTEGER, weight VARCHAR, is_hidden BOOLEAN NOT NULL, is_seen BOOLEAN NOT NULL,
            is_manually_created BOOLEAN NOT NULL, created_at DATETIME NOT NULL, PRIMARY KEY (id),
            FOREIGN KEY(parent_id) REFERENCES categories (id));
         CREATE TABLE user_preferences (id INTEGER NOT NULL, interests VARCHAR NOT NULL, anti_interests VARCHAR NOT NULL,
            use_separate_models BOOLEAN NOT NULL, updated_at DATETIME NOT NULL, feed_refresh_interval INTEGER NOT NULL,
            PRIMARY KEY (id));
         CREATE TABLE llm_provider_configs (id INTEGER NOT NULL, provider VARCHAR NOT NULL, enabled BOOLEAN NOT NULL,
            config_json VARCHAR NOT NULL, updated_at DATETIME NOT NULL, PRIMARY KEY (id), CHECK (json_valid(config_json)));
         CREATE TABLE schema_version (version INTEGER NOT NULL);",
    );
    let env = env_for(&expected, tmp.path());
    assert_eq!(upgrade(&db, &env).detected, "V0");
    compare(&db, &expected).unwrap();
}

#[test]
fn v3_ollama_columns_without_groups() {
    let (tmp, db, _) = build(
        "v2-json-topic-weights-c08d8e0",
        "ALTER TABLE user_preferences ADD COLUMN ollama_categorization_model TEXT;
         ALTER TABLE user_preferences ADD COLUMN ollama_scoring_model TEXT;
         ALTER TABLE user_preferences ADD COLUMN ollama_use_separate_models BOOLEAN DEFAULT 0;
         ALTER TABLE articles ADD COLUMN scoring_priority INTEGER DEFAULT 0;
         ALTER TABLE articles ADD COLUMN rescore_mode TEXT;
         UPDATE user_preferences SET ollama_categorization_model = 'qwen3:4b', ollama_scoring_model = '',
             ollama_use_separate_models = 1;",
    );
    let env = no_env(tmp.path());
    assert_eq!(upgrade(&db, &env).detected, "V3");
    // Separate models on but an empty scoring model: the scoring route takes the
    // categorisation model.
    let r = routes(&db);
    assert_eq!(r[0], (1, "categorization".into(), Some("qwen3:4b".into())));
    assert_eq!(r[1], (2, "scoring".into(), Some("qwen3:4b".into())));
    let c = config(&db);
    assert_eq!(c["use_separate_models"], true);
    assert_eq!(c["scoring_model"], "");
    assert_eq!(
        c["thinking"], false,
        "a V3 file has no ollama_thinking column"
    );
    // The V2 fixture's JSON data was converted as for V2.
    let (_, v2) = fixture("v2-json-topic-weights-c08d8e0");
    let conn = Connection::open(&db).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM categories", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        n as usize,
        v2["tables"]["categories"]["rows"].as_array().unwrap().len()
    );
    second_run_is_a_no_op(&db, &env);
}

#[test]
fn v6_schema_version_1_upgrades_like_v5() {
    let (tmp, db, expected) = build(
        "v5-relational-unversioned-e180fcd",
        "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);",
    );
    let env = env_for(&expected, tmp.path());
    assert_eq!(upgrade(&db, &env).detected, "V6");
    compare(&db, &expected).unwrap();
}

#[test]
fn d_release_image_and_m_leftovers_upgrade_like_v7() {
    for extra in [
        // D: create_all of b4650cb (empty provider tables, feed_folders).
        "CREATE TABLE llm_provider_configs (id INTEGER NOT NULL, provider VARCHAR NOT NULL, enabled BOOLEAN NOT NULL,
            config_json VARCHAR NOT NULL, updated_at DATETIME NOT NULL, PRIMARY KEY (id), CHECK (json_valid(config_json)));
         CREATE UNIQUE INDEX ix_llm_provider_configs_provider ON llm_provider_configs (provider);
         CREATE TABLE llm_task_routes (id INTEGER NOT NULL, task VARCHAR NOT NULL, provider VARCHAR NOT NULL,
            model VARCHAR, updated_at DATETIME NOT NULL, PRIMARY KEY (id),
            FOREIGN KEY(provider) REFERENCES llm_provider_configs (provider));
         CREATE TABLE feed_folders (id INTEGER NOT NULL, name VARCHAR NOT NULL, display_order INTEGER NOT NULL,
            created_at DATETIME NOT NULL, PRIMARY KEY (id));",
        // M on a V7 file: only an empty feed_folders table.
        "CREATE TABLE feed_folders (id INTEGER NOT NULL, name VARCHAR NOT NULL, display_order INTEGER NOT NULL,
            created_at DATETIME NOT NULL, PRIMARY KEY (id));",
    ] {
        let (tmp, db, expected) = build("v7-schema-v2-defaults-61f2be6", extra);
        let env = env_for(&expected, tmp.path());
        assert_eq!(upgrade(&db, &env).detected, "D");
        compare(&db, &expected).unwrap();
        second_run_is_a_no_op(&db, &env);
    }
}

#[test]
fn a2_runs_only_the_rename() {
    let (tmp, db, _) = build(
        "a1-dff7a4c52b3c-555006c",
        "UPDATE alembic_version SET version_num = '8c6f3c9b8f70';",
    );
    let before: Vec<(i64, String)> = {
        let c = Connection::open(&db).unwrap();
        let mut s = c
            .prepare("SELECT id, slug FROM categories ORDER BY id")
            .unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let env = no_env(tmp.path());
    assert_eq!(upgrade(&db, &env).detected, "A2");
    let c = Connection::open(&db).unwrap();
    let mut s = c
        .prepare("SELECT id, slug FROM categories ORDER BY id")
        .unwrap();
    let after: Vec<(i64, String)> = s
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(before, after, "8c6f3c9b8f70 already ran");
    let v: String = c
        .query_row("SELECT version_num FROM alembic_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, "1c3cc7f7d174");
    let cols: Vec<String> = c
        .prepare("SELECT name FROM pragma_table_info('user_preferences')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(cols.contains(&"use_separate_models".to_string()));
    assert!(
        !cols
            .iter()
            .any(|c| c.starts_with("ollama_") || c == "active_llm_provider"),
        "{cols:?}"
    );
}

/// F, N1 and unknown newer revisions: the original's tables are left exactly as
/// they are; only Curator's own tables and column are added.
#[test]
fn f_n1_and_newer_heads_are_left_alone() {
    for (sql, shape) in [
        (
            "CREATE TABLE feed_folders (id INTEGER NOT NULL, name VARCHAR NOT NULL, display_order INTEGER NOT NULL,
                created_at DATETIME NOT NULL, PRIMARY KEY (id));
             INSERT INTO feed_folders VALUES (1, 'News', 0, '2026-03-01 10:00:00.000000');
             UPDATE alembic_version SET version_num = 'f0eb5e5b8e8c';",
            "F",
        ),
        (
            "ALTER TABLE articles ADD COLUMN content_markdown TEXT; UPDATE articles SET content_markdown = '# ' || title;
             UPDATE alembic_version SET version_num = '154075cd3c1a';",
            "N1",
        ),
        ("UPDATE alembic_version SET version_num = 'ffffffffffff';", "newer"),
    ] {
        let (tmp, db, _) = build("t-target-1c3cc7f7d174-78dd677", sql);
        let (schema0, data0) = snapshot(&db);
        let env = no_env(tmp.path());
        assert_eq!(upgrade(&db, &env).detected, shape);
        let (schema1, data1) = snapshot(&db);
        for (t, rows) in &data0 {
            if t != "llm_task_routes" {
                assert_eq!(data1.get(t), Some(rows), "{shape}: {t}");
            }
        }
        for s in &schema0 {
            if !s.contains("llm_task_routes") {
                assert!(schema1.contains(s), "{shape}: {s}");
            }
        }
    }
}

#[test]
fn unknown_revision_on_an_old_shape_is_refused_untouched() {
    let (tmp, db, _) = build(
        "v7-schema-v2-defaults-61f2be6",
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY); INSERT INTO alembic_version VALUES ('0123456789ab');",
    );
    let bytes = std::fs::read(&db).unwrap();
    let err = upgrade::upgrade(&db, false, &no_env(tmp.path()), |_| {}).unwrap_err();
    assert!(err.to_string().contains("0123456789ab"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}
