//! Backfill cases: altered nullable columns, odd preference rows, the Ollama host
//! setting, and provider rows that are already there.

use crate::common::{compare, env_for};
use crate::{build, config, no_env, second_run_is_a_no_op, upgrade};
use rusqlite::Connection;

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
