//! Shapes and backfill cases of schema-history.md that the public fixtures do not
//! show, built in test code from a fixture plus the changes the spec describes.

#[path = "legacy_common/mod.rs"]
mod common;

use common::{compare, env_for, fixture, snapshot};
use curator_core::upgrade::{self, UpgradeEnv, UpgradeReport};
use rusqlite::Connection;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// Copy fixture `stem` into a temp dir and apply `sql` to it.
fn build(stem: &str, sql: &str) -> (tempfile::TempDir, PathBuf, Json) {
    let (src, expected) = fixture(stem);
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("legacy.db");
    std::fs::copy(src, &db).unwrap();
    let c = Connection::open(&db).unwrap();
    c.execute_batch(sql).unwrap();
    c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    (tmp, db, expected)
}

fn upgrade(db: &Path, env: &UpgradeEnv) -> UpgradeReport {
    upgrade::upgrade(db, false, env, |_| {}).unwrap_or_else(|e| panic!("{e}"))
}

fn no_env(dir: &Path) -> UpgradeEnv {
    UpgradeEnv {
        vars: Vec::new(),
        cwd: dir.to_path_buf(),
    }
}

fn config(db: &Path) -> Json {
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

fn routes(db: &Path) -> Vec<(i64, String, Option<String>)> {
    let c = Connection::open(db).unwrap();
    let mut s = c
        .prepare("SELECT id, task, model FROM llm_task_routes ORDER BY id")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn second_run_is_a_no_op(db: &Path, env: &UpgradeEnv) {
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

/// A V7 file carried forward from v1.0: scoring_priority and the flag were added by
/// ALTER TABLE and are nullable. NULLs become 0 and the columns NOT NULL, without
/// a table rebuild (Known defect 13).
#[test]
fn nullable_columns_of_altered_files_become_not_null() {
    let (tmp, db, expected) = build(
        "v7-schema-v2-defaults-61f2be6",
        "PRAGMA writable_schema = ON;
         UPDATE sqlite_master SET sql = replace(sql, 'scoring_priority INTEGER NOT NULL', 'scoring_priority INTEGER')
            WHERE name = 'articles';
         UPDATE sqlite_master SET sql = replace(sql, 'ollama_use_separate_models BOOLEAN NOT NULL', 'ollama_use_separate_models BOOLEAN')
            WHERE name = 'user_preferences';
         PRAGMA writable_schema = OFF;",
    );
    {
        let c = Connection::open(&db).unwrap();
        c.execute_batch(
            "UPDATE articles SET scoring_priority = NULL WHERE scoring_priority = 0 AND id % 2 = 0;
             UPDATE user_preferences SET ollama_use_separate_models = NULL;",
        )
        .unwrap();
    }
    let env = env_for(&expected, tmp.path());
    upgrade(&db, &env);
    compare(&db, &expected).unwrap();
    let c = Connection::open(&db).unwrap();
    let nn: Vec<(String, i64)> = c
        .prepare(
            "SELECT name, \"notnull\" FROM pragma_table_info('articles') WHERE name = 'scoring_priority'
             UNION ALL SELECT name, \"notnull\" FROM pragma_table_info('user_preferences') WHERE name = 'use_separate_models'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        nn,
        [
            ("scoring_priority".into(), 1),
            ("use_separate_models".into(), 1)
        ]
    );
    assert!(c
        .execute(
            "UPDATE articles SET scoring_priority = NULL WHERE id = 1",
            []
        )
        .is_err());
    second_run_is_a_no_op(&db, &env);
}

/// Known defect 10: a preferences row whose category_groups is JSON `null`.
#[test]
fn json_null_category_groups_does_not_crash() {
    let (tmp, db, _) = build(
        "v4-json-groups-b53be12",
        "UPDATE user_preferences SET category_groups = 'null';",
    );
    upgrade(&db, &no_env(tmp.path()));
    let c = Connection::open(&db).unwrap();
    let n: i64 = c
        .query_row(
            "SELECT count(*) FROM categories WHERE slug = 'technology'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn host_backfill_rules() {
    /// (environment, .env text, YAML text, expected base_url, expected port)
    type Case<'a> = (
        &'a [(&'a str, &'a str)],
        Option<&'a str>,
        Option<&'a str>,
        &'a str,
        u16,
    );
    let cases: &[Case] = &[
        (
            &[("OLLAMA__HOST", "http://[FD00::1]:8080")],
            None,
            None,
            "http://[fd00::1]",
            8080,
        ),
        (
            &[("ollama__host", "HTTPS://LLM.Internal")],
            None,
            None,
            "https://llm.internal",
            11434,
        ),
        (
            &[("OLLAMA", r#"{"host": "http://json-box:1234"}"#)],
            None,
            None,
            "http://json-box",
            1234,
        ),
        (
            &[("OLLAMA_HOST", "http://ignored:1")],
            None,
            None,
            "http://localhost",
            11434,
        ),
        (
            &[],
            Some("OLLAMA__HOST=http://dotenv:4444\n"),
            None,
            "http://dotenv",
            4444,
        ),
        (
            &[],
            None,
            Some("ollama:\n  host: http://fromyaml:5555\n"),
            "http://fromyaml",
            5555,
        ),
        (
            &[("OLLAMA__HOST", "http://envwins:7777")],
            None,
            Some("ollama:\n  host: http://fromyaml:5555\n"),
            "http://envwins",
            7777,
        ),
        (
            &[("OLLAMA__HOST", "ollama:11434")],
            None,
            None,
            "http://localhost",
            11434,
        ),
    ];
    for (vars, dotenv, yaml, base, port) in cases {
        let (tmp, db, _) = build("v7-schema-v2-defaults-61f2be6", "");
        let mut env = no_env(tmp.path());
        env.vars = vars
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        if let Some(d) = dotenv {
            std::fs::write(tmp.path().join(".env"), d).unwrap();
        }
        if let Some(y) = yaml {
            let p = tmp.path().join("app.yaml");
            std::fs::write(&p, y).unwrap();
            env.vars.push(("CONFIG_FILE".into(), p.into_os_string()));
        }
        upgrade(&db, &env);
        let c = config(&db);
        assert_eq!(
            (c["base_url"].as_str().unwrap(), c["port"].as_u64().unwrap()),
            (*base, u64::from(*port)),
            "{vars:?}"
        );
    }
}

#[test]
fn invalid_port_is_an_error_and_changes_nothing() {
    let (tmp, db, _) = build("v7-schema-v2-defaults-61f2be6", "");
    let bytes = std::fs::read(&db).unwrap();
    let mut env = no_env(tmp.path());
    env.vars = vec![("OLLAMA__HOST".into(), "http://ollama:99999".into())];
    let err = upgrade::upgrade(&db, false, &env, |_| {}).unwrap_err();
    assert!(
        err.to_string().contains("invalid port") && err.to_string().contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
    let backups = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|f| f.file_name().to_string_lossy().contains(".bak-"))
        .count();
    assert_eq!(backups, 0, "a failed upgrade leaves no backup behind");
}

/// Only the lowest-id preferences row feeds the backfill; every row keeps its flag.
#[test]
fn several_preference_rows() {
    let (tmp, db, _) = build(
        "v7-schema-v2-separate-thinking-host-9824235",
        "INSERT INTO user_preferences (id, interests, anti_interests, updated_at, ollama_categorization_model,
            ollama_scoring_model, ollama_use_separate_models, ollama_thinking, feed_refresh_interval)
         VALUES (7, 'b', 'c', '2026-02-01 00:00:00.000000', 'other:1b', 'other:2b', 0, 0, 60);",
    );
    let first: (Option<String>, Option<String>, i64) = Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT ollama_categorization_model, ollama_scoring_model, ollama_use_separate_models FROM user_preferences ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    upgrade(&db, &no_env(tmp.path()));
    let c = config(&db);
    assert_eq!(
        c["categorization_model"].as_str().map(str::to_string),
        first.0
    );
    let c = Connection::open(&db).unwrap();
    let flags: Vec<(i64, i64)> = c
        .prepare("SELECT id, use_separate_models FROM user_preferences ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(flags.last(), Some(&(7, 0)));
    assert_eq!(flags[0].1, first.2);
}

/// Existing provider rows and routes are kept verbatim (Known defect 11).
#[test]
fn existing_provider_rows_are_kept_verbatim() {
    let (tmp, db, _) = build(
        "v7-schema-v2-defaults-61f2be6",
        "CREATE TABLE llm_provider_configs (id INTEGER NOT NULL, provider VARCHAR NOT NULL, enabled BOOLEAN NOT NULL,
            config_json VARCHAR NOT NULL, updated_at DATETIME NOT NULL, PRIMARY KEY (id), CHECK (json_valid(config_json)));
         INSERT INTO llm_provider_configs VALUES (5, 'ollama', 1, '{\"base_url\":\"http://fd00::1\",\"port\":1}', '2026-03-01 00:00:00.000000');",
    );
    let mut env = no_env(tmp.path());
    env.vars = vec![("OLLAMA__HOST".into(), "http://ollama:99999".into())];
    upgrade(&db, &env);
    let c = Connection::open(&db).unwrap();
    let row: (i64, String) = c
        .query_row(
            "SELECT id, config_json FROM llm_provider_configs",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        row,
        (
            5,
            "{\"base_url\":\"http://fd00::1\",\"port\":1}".to_string()
        )
    );
}
