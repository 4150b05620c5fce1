//! Random legacy data (unicode, NULLs, very long text, many rows, odd preference
//! values) in a V7 database survives the upgrade unchanged.

use curator_core::upgrade::{self, UpgradeEnv};
use proptest::prelude::*;
use rusqlite::types::Value;
use rusqlite::{params, Connection};

const V7: &str = include_str!("../../../migrations/V1__original_v7_baseline.sql");

#[derive(Debug, Clone)]
struct Article {
    title: String,
    author: Option<String>,
    summary: Option<String>,
    content: Option<String>,
    is_read: bool,
    interest: Option<i64>,
    composite: Option<f64>,
    state: String,
    priority: i64,
    rescore: Option<String>,
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        "[a-zA-Z0-9 äöüß日本語🚀\u{0301}]{0,20}".prop_map(|s| s.repeat(500)),
        Just(String::new()),
    ]
}

fn article() -> impl Strategy<Value = Article> {
    (
        text(),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        any::<bool>(),
        proptest::option::of(any::<i64>()),
        proptest::option::of(-1e12f64..1e12),
        prop_oneof![
            Just("unscored".to_string()),
            Just("scored".to_string()),
            Just("failed".to_string()),
            "\\PC{0,10}"
        ],
        any::<i64>(),
        proptest::option::of(text()),
    )
        .prop_map(
            |(
                title,
                author,
                summary,
                content,
                is_read,
                interest,
                composite,
                state,
                priority,
                rescore,
            )| Article {
                title,
                author,
                summary,
                content,
                is_read,
                interest,
                composite,
                state,
                priority,
                rescore,
            },
        )
}

#[derive(Debug, Clone)]
struct Prefs {
    interests: String,
    cat: Option<String>,
    score: Option<String>,
    separate: i64,
    thinking: i64,
    interval: i64,
}

fn prefs() -> impl Strategy<Value = Prefs> {
    (
        text(),
        proptest::option::of(text()),
        proptest::option::of(text()),
        -3i64..3,
        -3i64..3,
        any::<i64>(),
    )
        .prop_map(
            |(interests, cat, score, separate, thinking, interval)| Prefs {
                interests,
                cat,
                score,
                separate,
                thinking,
                interval,
            },
        )
}

fn rows(c: &Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut s = c.prepare(sql).unwrap();
    let n = s.column_count();
    s.query_map([], |r| (0..n).map(|i| r.get(i)).collect())
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

const ARTICLE_COLS: &str = "id, feed_id, title, url, author, published_at, summary, content, is_read, interest_score,
    quality_score, composite_score, score_reasoning, scoring_state, scored_at, scoring_priority, rescore_mode";

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_legacy_data_survives(feeds in proptest::collection::vec(text(), 1..4),
                                   articles in proptest::collection::vec(article(), 0..40),
                                   prefs in proptest::option::of(prefs())) {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("v7.db");
        let c = Connection::open(&db).unwrap();
        c.execute_batch(V7).unwrap();
        for (i, title) in feeds.iter().enumerate() {
            c.execute("INSERT INTO feeds (id, url, title, display_order, last_fetched_at) VALUES (?1, ?2, ?3, ?4, NULL)",
                params![i as i64 + 1, format!("https://f{i}/{title}"), title, i as i64]).unwrap();
        }
        for (i, a) in articles.iter().enumerate() {
            c.execute(&format!("INSERT INTO articles ({ARTICLE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, '2026-02-01 00:00:00.000000', ?6, ?7, ?8, ?9, NULL, ?10, NULL, ?11, NULL, ?12, ?13)"),
                params![i as i64 + 1, 1 + (i % feeds.len()) as i64, a.title, format!("https://a/{i}"), a.author, a.summary, a.content,
                        a.is_read, a.interest, a.composite, a.state, a.priority, a.rescore]).unwrap();
        }
        if let Some(p) = &prefs {
            c.execute("INSERT INTO user_preferences (id, interests, anti_interests, updated_at, ollama_categorization_model,
                        ollama_scoring_model, ollama_use_separate_models, ollama_thinking, feed_refresh_interval)
                       VALUES (1, ?1, ?1, '2026-02-01 00:00:00.000000', ?2, ?3, ?4, ?5, ?6)",
                params![p.interests, p.cat, p.score, p.separate, p.thinking, p.interval]).unwrap();
        }
        let feeds_before = rows(&c, "SELECT * FROM feeds ORDER BY id");
        let articles_before = rows(&c, &format!("SELECT {ARTICLE_COLS} FROM articles ORDER BY id"));
        drop(c);
        let env = UpgradeEnv { vars: Vec::new(), cwd: tmp.path().to_path_buf() };
        let report = upgrade::upgrade(&db, false, &env, |_| {}).unwrap();
        prop_assert_eq!(report.detected.as_str(), "V7");
        let c = Connection::open(&db).unwrap();
        prop_assert_eq!(rows(&c, "SELECT * FROM feeds ORDER BY id"), feeds_before);
        prop_assert_eq!(rows(&c, &format!("SELECT {ARTICLE_COLS} FROM articles ORDER BY id")), articles_before);
        if let Some(p) = &prefs {
            let got: (String, i64, i64) = c.query_row(
                "SELECT interests, use_separate_models, feed_refresh_interval FROM user_preferences WHERE id = 1", [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
            prop_assert_eq!(got, (p.interests.clone(), p.separate, p.interval));
            let cfg: String = c.query_row("SELECT config_json FROM llm_provider_configs", [], |r| r.get(0)).unwrap();
            let cfg: serde_json::Value = serde_json::from_str(&cfg).unwrap();
            prop_assert_eq!(cfg["categorization_model"].as_str(), p.cat.as_deref());
            prop_assert_eq!(cfg["use_separate_models"].as_bool(), Some(p.separate != 0));
            prop_assert_eq!(cfg["thinking"].as_bool(), Some(p.thinking != 0));
        }
        let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        prop_assert_eq!(ok, "ok");
    }
}
