//! Issue 12's CLI contract (`queue`, `rescore`, `run-queue`, `test-route`) and the
//! durability of `run-queue` under kill -9.

#[path = "../../curator-core/tests/common/mod.rs"]
mod common;

use common::llm::{completion_path, Behavior, FakeLlm};
use common::open_core;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

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

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("curator")
}

async fn cli(db: &Path, args: &[&str]) -> Output {
    let db = db.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        Command::new(bin())
            .env_remove("CURATOR_DB")
            .env("CURATOR_SECRET_STORE", "file")
            .arg("--db")
            .arg(&db)
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

/// A database with `n` recent unread articles routed to a fake Ollama.
async fn setup(dir: &Path, n: i64, batch: i64, fake: FakeLlm) -> (std::path::PathBuf, MockServer) {
    let s = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(completion_path("ollama")))
        .respond_with(fake)
        .mount(&s)
        .await;
    let db = dir.join("t.db");
    let core = open_core(&db);
    let port: u16 = s.uri().rsplit(':').next().unwrap().parse().unwrap();
    core.update_provider_config(
        "ollama",
        json!({"base_url": "http://127.0.0.1", "port": port}),
        None,
    )
    .await
    .unwrap();
    let routes = curator_core::routes::parse_routes_input(&format!(
        r#"{{"categorization": {{"provider": "ollama", "model": "m", "batch_size": {batch}}},
             "scoring": {{"provider": "ollama", "model": "m", "batch_size": {batch}}}}}"#
    ))
    .unwrap();
    core.update_task_routes(routes).await.unwrap();
    core.db()
        .call(move |c| {
            c.execute("INSERT INTO feeds (id, url, title, display_order) VALUES (1, 'http://f', 'F', 0)", [])?;
            for i in 1..=n {
                c.execute(
                    "INSERT INTO articles (id, feed_id, title, url, published_at, content, is_read, scoring_state, scoring_priority)
                     VALUES (?1, 1, ?2, ?3, strftime('%Y-%m-%d %H:%M:%f000', 'now', 'localtime', '-' || ?1 || ' minutes'),
                             'Body', 0, 'unscored', 0)",
                    rusqlite::params![i, format!("Article {i}"), format!("http://a/{i}")],
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    (db, s)
}

fn json_out(o: &Output) -> Value {
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_rescore_run_queue_and_test_route_contract() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _s) = setup(
        dir.path(),
        3,
        2,
        FakeLlm::new("ollama", vec![Behavior::Valid]),
    )
    .await;

    let q = json_out(&cli(&db, &["queue", "--json"]).await);
    assert_eq!(keys(&q), sorted(&["categorization", "scoring", "paused"]));
    for t in ["categorization", "scoring"] {
        assert_eq!(
            keys(&q[t]),
            sorted(&["queued", "running", "done", "failed"])
        );
        assert!(q[t]["queued"].is_u64());
    }
    assert_eq!(q["paused"], json!([]));

    let r = json_out(&cli(&db, &["rescore", "--limit", "2", "--json"]).await);
    assert_eq!(r, json!({"queued": 2, "skipped_running": 0}));
    let r = json_out(&cli(&db, &["rescore", "--json"]).await);
    assert_eq!(r, json!({"queued": 3, "skipped_running": 0}));

    let out = cli(&db, &["run-queue", "--once", "--json"]).await;
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (summary, results) = lines.split_last().unwrap();
    assert_eq!(results.len(), 6);
    for r in results {
        assert_eq!(
            keys(r),
            sorted(&[
                "event",
                "task",
                "article_id",
                "status",
                "provider",
                "model",
                "latency_ms",
                "error"
            ])
        );
        assert_eq!(
            (r["event"].as_str(), r["status"].as_str()),
            (Some("result"), Some("done"))
        );
        assert_eq!(r["provider"], "ollama");
        assert_eq!(r["model"], "m:latest");
        assert!(r["latency_ms"].is_u64());
        assert_eq!(r["error"], Value::Null);
    }
    assert_eq!(
        summary,
        &json!({"event": "summary", "categorized": 3, "scored": 3, "failed": 0})
    );
    let q = json_out(&cli(&db, &["queue", "--json"]).await);
    assert_eq!(
        q["scoring"],
        json!({"queued": 0, "running": 0, "done": 3, "failed": 0})
    );

    let t = json_out(&cli(&db, &["test-route", "scoring", "--json"]).await);
    assert_eq!(
        keys(&t),
        sorted(&[
            "task",
            "provider",
            "model",
            "article_id",
            "latency_ms",
            "valid",
            "result",
            "error",
            "mode"
        ])
    );
    assert_eq!(
        (
            t["task"].as_str(),
            t["valid"].as_bool(),
            t["article_id"].as_i64()
        ),
        (Some("scoring"), Some(true), Some(1))
    );
    assert_eq!(t["result"]["results"][0]["article_id"], 1);
    assert_eq!(t["mode"], "json_schema");
    let t = json_out(
        &cli(
            &db,
            &["test-route", "categorization", "--article", "2", "--json"],
        )
        .await,
    );
    assert_eq!(t["article_id"], 2);

    // Errors keep the CLI's shape: {code, message, details?} and exit 1.
    let out = cli(
        &db,
        &["test-route", "scoring", "--article", "999", "--json"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(e["code"], "not_found");
    let out = cli(&db, &["test-route", "sorting", "--json"]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_route_reports_an_invalid_answer_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _s) = setup(
        dir.path(),
        1,
        1,
        FakeLlm::new("ollama", vec![Behavior::ScoreOutOfRange]),
    )
    .await;
    let t = json_out(&cli(&db, &["test-route", "scoring", "--json"]).await);
    assert_eq!(t["valid"], false);
    assert_eq!(t["error"]["code"], "invalid_answer");
    let n: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM articles WHERE interest_score IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0, "test-route stores nothing");
}

/// kill -9 of `run-queue` mid-batch, many times: nothing is lost and no result is
/// written twice (triggers count every write of a result).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_batch_loses_nothing_and_writes_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let n = 24;
    let fake = FakeLlm::new("ollama", vec![Behavior::Slow(Duration::from_millis(150))]);
    let calls = fake.calls.clone();
    let (db, _s) = setup(dir.path(), n, 3, fake).await;
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch(
            "CREATE TABLE test_writes (article_id INTEGER, task TEXT);
             CREATE TRIGGER test_scored AFTER UPDATE OF interest_score ON articles
               WHEN NEW.interest_score IS NOT NULL
               BEGIN INSERT INTO test_writes VALUES (NEW.id, 'scoring'); END;
             CREATE TRIGGER test_categorized AFTER UPDATE OF state ON curator_task_queue
               WHEN NEW.state = 'done' AND NEW.task = 'categorization'
               BEGIN INSERT INTO test_writes VALUES (NEW.article_id, 'categorization'); END;",
        )
        .unwrap();
    }
    json_out(&cli(&db, &["rescore", "--json"]).await);
    let db2 = db.clone();
    tokio::task::spawn_blocking(move || {
        for i in 0..12u64 {
            let mut child = Command::new(bin())
                .env("CURATOR_SECRET_STORE", "file")
                .arg("--db")
                .arg(&db2)
                .args(["run-queue", "--once", "--json"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(120 + (i * 53) % 250));
            unsafe {
                libc::kill(child.id() as i32, libc::SIGKILL);
            }
            let _ = child.wait();
        }
    })
    .await
    .unwrap();
    let out = cli(&db, &["run-queue", "--once", "--json"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = rusqlite::Connection::open(&db).unwrap();
    for task in ["categorization", "scoring"] {
        let (articles, writes, max): (i64, i64, i64) = c
            .query_row(
                "SELECT count(DISTINCT article_id), count(*), coalesce(max(k), 0) FROM
                 (SELECT article_id, count(*) AS k FROM test_writes WHERE task = ?1 GROUP BY article_id)
                 JOIN test_writes USING (article_id) WHERE task = ?1",
                [task],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(articles, n, "{task}: every article got its result");
        assert_eq!(
            max, 1,
            "{task}: no article was written twice ({writes} writes)"
        );
    }
    let scored: i64 = c
        .query_row("SELECT count(*) FROM articles WHERE scoring_state = 'scored' AND composite_score IS NOT NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(scored, n);
    let left: i64 = c
        .query_row(
            "SELECT count(*) FROM curator_task_queue WHERE state <> 'done'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
    // 8 batches per task at least; more requests means batches were cut off mid-call.
    let requests = calls.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        requests > 16,
        "the kills landed mid-batch ({requests} requests)"
    );
}

/// Ctrl-C: `run-queue` stops after the current batch, exits 0 with its summary, and
/// leaves nothing running; what was not reached stays queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_after_the_current_batch() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeLlm::new("ollama", vec![Behavior::Slow(Duration::from_millis(300))]);
    let (db, _s) = setup(dir.path(), 12, 2, fake).await;
    json_out(&cli(&db, &["rescore", "--json"]).await);
    let db2 = db.clone();
    let out = tokio::task::spawn_blocking(move || {
        let child = Command::new(bin())
            .env("CURATOR_SECRET_STORE", "file")
            .arg("--db")
            .arg(&db2)
            .args(["run-queue", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(700));
        unsafe {
            libc::kill(child.id() as i32, libc::SIGINT);
        }
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "summary");
    let q = json_out(&cli(&db, &["queue", "--json"]).await);
    assert_eq!(
        (
            q["categorization"]["running"].as_u64(),
            q["scoring"]["running"].as_u64()
        ),
        (Some(0), Some(0))
    );
    let total = q["categorization"]["queued"].as_u64().unwrap()
        + q["categorization"]["done"].as_u64().unwrap();
    assert_eq!(total, 12, "nothing lost: {q}");
    assert!(
        q["categorization"]["queued"].as_u64().unwrap() > 0,
        "stopped before the end: {q}"
    );
}
