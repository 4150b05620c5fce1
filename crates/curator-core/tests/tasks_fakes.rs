//! Issue 12: both tasks through the five providers' native structured output (the fakes
//! check the request body), validation and retries, attempts, pauses and the fallback.

mod common;

use common::llm::{completion_path, Behavior, Dialect, FakeLlm};
use common::*;
use curator_core::routes::{RouteInput, Task, TaskRoutesInput};
use curator_core::tasks::runner::{ResultStatus, RunEvent, RunOptions};
use curator_core::Core;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

const PROVIDERS: [&str; 5] = ["openai", "anthropic", "google", "openrouter", "ollama"];

fn model_of(provider: &str) -> &'static str {
    if provider == "google" {
        "models/gemini-test"
    } else {
        "test-model"
    }
}

async fn connect(core: &Core, provider: &str, uri: &str, extra: Value) {
    let mut config = if provider == "ollama" {
        let port: u16 = uri.rsplit(':').next().unwrap().parse().unwrap();
        json!({"base_url": "http://127.0.0.1", "port": port})
    } else {
        json!({"base_url": uri})
    };
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    let key = (provider != "ollama").then(|| "sk-test-0001".to_string());
    core.update_provider_config(provider, config, key)
        .await
        .unwrap();
}

async fn route(core: &Core, provider: &str, batch: Option<i64>) {
    core.update_task_routes(TaskRoutesInput {
        categorization: RouteInput {
            provider: provider.into(),
            model: Some(model_of(provider).into()),
            batch_size: Some(batch),
            fallback: None,
        },
        scoring: Some(RouteInput {
            provider: provider.into(),
            model: Some(model_of(provider).into()),
            batch_size: Some(batch),
            fallback: None,
        }),
        use_separate_models: Some(false),
    })
    .await
    .unwrap();
}

async fn add_articles(core: &Core, n: i64) {
    core.db()
        .call(move |c| {
            c.execute("INSERT OR IGNORE INTO feeds (id, url, title, display_order) VALUES (1, 'http://f', 'F', 0)", [])?;
            for i in 1..=n {
                let published = (chrono::Local::now() - chrono::Duration::hours(i))
                    .format("%Y-%m-%d %H:%M:%S%.6f")
                    .to_string();
                c.execute(
                    "INSERT INTO articles (id, feed_id, title, url, published_at, content, is_read, scoring_state, scoring_priority)
                     VALUES (?1, 1, ?2, ?3, ?4, '<p>Rust and AI news.</p>', 0, 'unscored', 0)",
                    rusqlite::params![i, format!("Article {i}"), format!("http://a/{i}"), published],
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

/// A core routed to a fake LLM of `provider`.
async fn setup(
    provider: &'static str,
    fake: FakeLlm,
    articles: i64,
    batch: Option<i64>,
) -> (tempfile::TempDir, Core, MockServer) {
    let (dir, _db, core) = temp_core();
    let s = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(completion_path(provider)))
        .respond_with(fake)
        .mount(&s)
        .await;
    connect(&core, provider, &s.uri(), json!({})).await;
    route(&core, provider, batch).await;
    add_articles(&core, articles).await;
    (dir, core, s)
}

async fn run_once(core: &Core) -> Vec<RunEvent> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let ev = events.clone();
    core.run_queue(
        RunOptions {
            once: true,
            ..Default::default()
        },
        move |e| ev.lock().unwrap().push(e),
    )
    .await
    .unwrap();
    let v = events.lock().unwrap().clone();
    v
}

fn results(events: &[RunEvent]) -> Vec<&curator_core::tasks::runner::ResultEvent> {
    events
        .iter()
        .filter_map(|e| match e {
            RunEvent::Result(r) => Some(r),
            _ => None,
        })
        .collect()
}

async fn scores(core: &Core) -> Vec<(i64, Option<i64>, Option<f64>, String)> {
    core.db()
        .call(|c| {
            let mut st = c.prepare("SELECT id, interest_score, composite_score, scoring_state FROM articles ORDER BY id")?;
            let r = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            Ok(r.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn both_tasks_through_each_providers_native_structured_output() {
    for p in PROVIDERS {
        let fake = FakeLlm::new(p, vec![Behavior::Valid]);
        let bodies = fake.bodies.clone();
        let (_d, core, _s) = setup(p, fake, 3, Some(2)).await;
        let r = core.rescore(None).await.unwrap();
        assert_eq!((r.queued, r.skipped_running), (3, 0), "{p}");
        let events = run_once(&core).await;
        let res = results(&events);
        assert_eq!(res.len(), 6, "{p}: {events:?}");
        assert!(
            res.iter()
                .all(|r| r.status == ResultStatus::Done && r.provider == p),
            "{p}: {res:?}"
        );
        match events.last().unwrap() {
            RunEvent::Summary(s) => {
                assert_eq!((s.categorized, s.scored, s.failed), (3, 3, 0), "{p}")
            }
            e => panic!("{e:?}"),
        }
        // Batches of 2: two calls per task, each asking for exactly its ids.
        assert_eq!(bodies.lock().unwrap().len(), 4, "{p}");
        for s in scores(&core).await {
            assert_eq!(s.1, Some(7), "{p}");
            assert!((s.2.unwrap() - 6.3).abs() < 1e-9, "{p}: {s:?}");
            assert_eq!(s.3, "scored");
        }
        let q = core.queue_status().await.unwrap();
        assert_eq!((q.categorization.done, q.scoring.done), (3, 3));
        // The categories came from the answer and were linked.
        let links: i64 = core
            .db()
            .call(|c| {
                Ok(
                    c.query_row("SELECT count(*) FROM article_category_link", [], |r| {
                        r.get(0)
                    })?,
                )
            })
            .await
            .unwrap();
        assert_eq!(links, 6, "{p}");
    }
}

#[tokio::test]
async fn invalid_json_and_empty_answers_are_retried_within_the_call() {
    for p in PROVIDERS {
        let fake = FakeLlm::new(
            p,
            vec![Behavior::InvalidJson, Behavior::Empty, Behavior::Valid],
        );
        let calls = fake.calls.clone();
        let (_d, core, _s) = setup(p, fake, 1, None).await;
        let t = core.test_route(Task::Scoring, None).await.unwrap();
        assert!(t.valid, "{p}: {t:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 3, "{p}");
    }
}

#[tokio::test]
async fn schema_violations_fail_with_a_reason_and_store_nothing() {
    for (b, task, why) in [
        (
            Behavior::TooManyCategories,
            Task::Categorization,
            "5 categories, at most 4",
        ),
        (
            Behavior::ScoreOutOfRange,
            Task::Scoring,
            "interest_score 11 is outside",
        ),
        (
            Behavior::UnknownIds,
            Task::Scoring,
            "named article 999999 instead",
        ),
    ] {
        let p = "openai";
        let fake = FakeLlm::new(p, vec![b.clone()]);
        let calls = fake.calls.clone();
        let (_d, core, _s) = setup(p, fake, 1, None).await;
        // test-route reports the violation and stores nothing.
        let t = core.test_route(task, Some(1)).await.unwrap();
        assert!(!t.valid);
        assert!(
            t.error.as_ref().unwrap().message.contains(why),
            "{b:?}: {t:?}"
        );
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "a violation is not retried within the call"
        );
        // The queue counts an attempt per run and fails the task at the third.
        core.db()
            .call(move |c| {
                c.execute(
                    "INSERT INTO curator_task_queue (task, article_id, state, enqueued_at_ms, updated_at_ms) VALUES (?1, 1, 'queued', 0, 0)",
                    [task.as_str()],
                )?;
                if task == Task::Scoring {
                    c.execute("INSERT INTO categories (id, display_name, slug, is_hidden, is_seen, is_manually_created, created_at) VALUES (1, 'AI', 'ai', 0, 1, 0, '')", [])?;
                    c.execute("INSERT INTO article_category_link VALUES (1, 1)", [])?;
                }
                Ok(())
            })
            .await
            .unwrap();
        let events = run_once(&core).await;
        let statuses: Vec<ResultStatus> = results(&events).iter().map(|r| r.status).collect();
        assert_eq!(
            statuses,
            vec![
                ResultStatus::Retry,
                ResultStatus::Retry,
                ResultStatus::Failed
            ],
            "{b:?}"
        );
        let last = results(&events).last().unwrap().error.clone().unwrap();
        assert_eq!(last.code, "invalid_answer");
        assert!(last.message.contains(why));
        let s = scores(&core).await;
        assert_eq!(
            (s[0].1, s[0].2, s[0].3.as_str()),
            (None, None, "failed"),
            "{b:?}"
        );
        let cats: i64 = core
            .db()
            .call(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM categories WHERE slug IN ('a', 'b', 'c', 'd', 'e')",
                    [],
                    |r| r.get(0),
                )?)
            })
            .await
            .unwrap();
        assert_eq!(cats, 0);
        let f = core.last_failures().await.unwrap();
        assert!(f.iter().any(|f| f.reason.contains(why)));
    }
}

#[tokio::test]
async fn fallback_on_503_not_on_401_and_recorded_per_result() {
    for (primary, used) in [
        (Behavior::Unavailable, true),
        (Behavior::Unauthorized, false),
    ] {
        let fake = FakeLlm::new("openai", vec![primary.clone()]);
        let (_d, core, _s) = setup("openai", fake, 1, None).await;
        let fb = MockServer::start().await;
        let fb_fake = FakeLlm::new("ollama", vec![Behavior::Valid]);
        let fb_calls = fb_fake.calls.clone();
        Mock::given(method("POST"))
            .and(path("/api/chat"))
            .respond_with(fb_fake)
            .mount(&fb)
            .await;
        connect(&core, "ollama", &fb.uri(), json!({})).await;
        let input = curator_core::routes::parse_routes_input(
            r#"{"categorization": {"provider": "openai", "model": "test-model",
                 "fallback": {"provider": "ollama", "model": "small"}}}"#,
        )
        .unwrap();
        let routes = core.update_task_routes(input).await.unwrap();
        for r in &routes.routes {
            let f = r.fallback.as_ref().expect("routes carry the fallback");
            assert_eq!(
                (f.provider.as_str(), f.model.as_str()),
                ("ollama", "small:latest")
            );
        }
        assert_eq!(core.get_task_routes().await.unwrap(), routes);
        core.rescore(None).await.unwrap();
        let cancel = tokio_util::sync::CancellationToken::new();
        let stop = cancel.clone();
        let events = Arc::new(Mutex::new(Vec::new()));
        let ev = events.clone();
        // A 401 leaves the task waiting for the user: stop after the first pass.
        let run = core.run_queue(RunOptions { once: true, cancel }, move |e| {
            ev.lock().unwrap().push(e)
        });
        tokio::time::timeout(Duration::from_secs(30), run)
            .await
            .unwrap()
            .unwrap();
        drop(stop);
        let events = events.lock().unwrap().clone();
        let res = results(&events);
        if used {
            assert!(
                res.iter()
                    .all(|r| r.status == ResultStatus::Done && r.provider == "ollama"),
                "{res:?}"
            );
            let (fb_used, model): (bool, String) = core
                .db()
                .call(|c| Ok(c.query_row("SELECT fallback_used, model FROM curator_task_queue WHERE task = 'scoring'", [], |r| Ok((r.get(0)?, r.get(1)?)))?))
                .await
                .unwrap();
            assert!(fb_used);
            assert_eq!(model, "small:latest");
            // 503 paused the primary for the task.
            assert!(!core.queue_status().await.unwrap().paused.is_empty());
        } else {
            assert_eq!(
                fb_calls.load(Ordering::SeqCst),
                0,
                "no fallback for a bad key"
            );
            assert_eq!(res[0].status, ResultStatus::Retry);
            assert_eq!(res[0].error.as_ref().unwrap().code, "auth_failed");
            let q = core.queue_status().await.unwrap();
            assert_eq!(
                q.categorization.queued, 1,
                "nothing lost, no attempt counted"
            );
        }
    }
}

#[tokio::test]
async fn rate_limit_pauses_the_task_and_work_resumes_after_retry_after() {
    // Retry-After 3 s is longer than the HTTP layer waits (2 s in tests): the task pauses.
    let fake = FakeLlm::new("anthropic", vec![Behavior::RateLimited(3), Behavior::Valid]);
    let (_d, core, _s) = setup("anthropic", fake, 1, None).await;
    core.rescore(None).await.unwrap();
    let core2 = core.clone();
    let probe = tokio::spawn(async move {
        for _ in 0..100 {
            let q = core2.queue_status().await.unwrap();
            if let Some(p) = q.paused.first() {
                return Some(p.clone());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    });
    let events = run_once(&core).await;
    let pause = probe.await.unwrap().expect("a pause was reported");
    assert_eq!(pause.reason, "rate limited by Anthropic");
    assert!(pause.until.ends_with('Z'));
    let res = results(&events);
    assert_eq!(res[0].status, ResultStatus::Retry);
    assert_eq!(res[0].error.as_ref().unwrap().code, "rate_limited");
    assert!(res[1..].iter().all(|r| r.status == ResultStatus::Done));
    let q = core.queue_status().await.unwrap();
    assert_eq!(
        (
            q.categorization.done,
            q.scoring.done,
            q.categorization.failed
        ),
        (1, 1, 0)
    );
}

#[tokio::test]
async fn slow_answer_times_out_and_counts_an_attempt() {
    let fake = FakeLlm::new(
        "ollama",
        vec![Behavior::Slow(Duration::from_secs(8)), Behavior::Valid],
    );
    let (_d, core, s) = setup("ollama", fake, 1, None).await;
    connect(&core, "ollama", &s.uri(), json!({"timeout_s": 1})).await;
    core.rescore(None).await.unwrap();
    let events = run_once(&core).await;
    let res = results(&events);
    assert_eq!(res[0].status, ResultStatus::Retry);
    assert_eq!(res[0].error.as_ref().unwrap().code, "timeout");
    assert!(res[1..].iter().all(|r| r.status == ResultStatus::Done));
}

#[tokio::test]
async fn structured_output_mode_detection_reuse_and_override() {
    for dialect in [Dialect::JsonObjectOnly, Dialect::Rejects422] {
        let fake = FakeLlm::with_dialect("openai", dialect, vec![Behavior::Valid]);
        let calls = fake.calls.clone();
        let (_d, core, _s) = setup("openai", fake, 2, Some(1)).await;
        let t = core.test_route(Task::Categorization, None).await.unwrap();
        assert!(t.valid, "{t:?}");
        assert_eq!(t.mode.as_str(), "json_object");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "one extra round trip the first time"
        );
        let cfg =
            serde_json::to_value(core.get_provider_config("openai").await.unwrap().config).unwrap();
        assert_eq!(cfg["structured_output_detected"], "json_object");
        let t = core.test_route(Task::Scoring, None).await.unwrap();
        assert!(t.valid);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            3,
            "the stored mode needs one request"
        );
        // run-queue: 2 articles × 2 tasks, batch 1 → 4 requests, no detection.
        core.rescore(None).await.unwrap();
        let events = run_once(&core).await;
        assert!(results(&events)
            .iter()
            .all(|r| r.status == ResultStatus::Done));
        assert_eq!(calls.load(Ordering::SeqCst), 7);
    }
    // Free text in a fence, and an explicit override to prompt-only.
    let fake = FakeLlm::with_dialect("openai", Dialect::FreeText, vec![Behavior::Valid]);
    let bodies = fake.bodies.clone();
    let (_d, core, s) = setup("openai", fake, 1, None).await;
    assert!(core.test_route(Task::Scoring, None).await.unwrap().valid);
    connect(
        &core,
        "openai",
        &s.uri(),
        json!({"structured_output": "prompt"}),
    )
    .await;
    let t = core.test_route(Task::Scoring, None).await.unwrap();
    assert!(t.valid);
    assert_eq!(t.mode.as_str(), "prompt");
    let last = bodies.lock().unwrap().last().unwrap().clone();
    assert!(last.get("response_format").is_none());
    assert!(last["messages"][0]["content"]
        .as_str()
        .unwrap()
        .contains("JSON Schema"));
}

#[tokio::test]
async fn fallback_is_kept_when_absent_cleared_by_null_and_validated() {
    let (_d, _db, core) = temp_core();
    connect(&core, "openai", "http://127.0.0.1:9", json!({})).await;
    connect(&core, "ollama", "http://127.0.0.1:9", json!({})).await;
    let set = |t: &str| curator_core::routes::parse_routes_input(t).unwrap();
    core.update_task_routes(set(r#"{"categorization": {"provider": "openai", "model": "m", "fallback": {"provider": "ollama", "model": "q"}}}"#))
        .await
        .unwrap();
    // Absent keeps it.
    let r = core
        .update_task_routes(set(
            r#"{"categorization": {"provider": "openai", "model": "m2"}}"#,
        ))
        .await
        .unwrap();
    assert!(r.routes.iter().all(|r| r.fallback.is_some()));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(
        v["routes"][0]["fallback"],
        json!({"provider": "ollama", "model": "q:latest"})
    );
    // Null clears it.
    let r = core
        .update_task_routes(set(
            r#"{"categorization": {"provider": "openai", "model": "m2", "fallback": null}}"#,
        ))
        .await
        .unwrap();
    assert!(r.routes.iter().all(|r| r.fallback.is_none()));
    assert_eq!(
        serde_json::to_value(&r).unwrap()["routes"][0]["fallback"],
        Value::Null
    );
    // Unknown or unconfigured providers and a fallback equal to the primary are refused.
    for bad in [
        r#"{"categorization": {"provider": "openai", "model": "m", "fallback": {"provider": "google", "model": "x"}}}"#,
        r#"{"categorization": {"provider": "openai", "model": "m", "fallback": {"provider": "openai", "model": "m"}}}"#,
        r#"{"categorization": {"provider": "openai", "model": "m", "fallback": {"provider": "nope", "model": "x"}}}"#,
    ] {
        let e = core.update_task_routes(set(bad)).await.unwrap_err();
        assert_eq!(e.code().as_str(), "invalid_route", "{bad}");
    }
    // Removing the fallback's provider removes the fallback, not the route.
    core.update_task_routes(set(r#"{"categorization": {"provider": "openai", "model": "m", "fallback": {"provider": "ollama", "model": "q"}}}"#))
        .await
        .unwrap();
    core.delete_provider("ollama").await.unwrap();
    let r = core.get_task_routes().await.unwrap();
    assert_eq!(r.routes.len(), 2);
    assert!(r.routes.iter().all(|r| r.fallback.is_none()));
}

#[tokio::test]
async fn rescore_followed_reports_progress_and_cancel_takes_the_rest_off_the_queue() {
    let fake = FakeLlm::new("openai", vec![Behavior::Slow(Duration::from_millis(200))]);
    let (_d, core, _s) = setup("openai", fake, 6, Some(1)).await;
    // A runner in the background, as the app has.
    let stop = tokio_util::sync::CancellationToken::new();
    let runner = {
        let core = core.clone();
        let cancel = stop.clone();
        tokio::spawn(async move {
            core.run_queue(
                RunOptions {
                    once: false,
                    cancel,
                },
                |_| {},
            )
            .await
        })
    };
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let cancel = tokio_util::sync::CancellationToken::new();
    let c2 = cancel.clone();
    let watcher = {
        let seen = seen.clone();
        tokio::spawn(async move {
            loop {
                if seen
                    .lock()
                    .unwrap()
                    .iter()
                    .any(|p: &curator_core::tasks::runner::RescoreProgress| p.done >= 2)
                {
                    c2.cancel();
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let r = core
        .rescore_followed(None, cancel, move |p| s2.lock().unwrap().push(p))
        .await
        .unwrap();
    watcher.await.unwrap();
    assert!(r.cancelled);
    assert_eq!((r.queued, r.skipped_running), (6, 0));
    assert!(r.done >= 2 && r.done < 6, "{r:?}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0].total, 6);
    assert!(seen.windows(2).all(|w| w[0].done <= w[1].done));
    // Let the batch in flight finish, then nothing is queued any more.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.cancel();
    runner.await.unwrap().unwrap();
    let q = core.queue_status().await.unwrap();
    assert_eq!((q.categorization.queued, q.scoring.queued), (0, 0), "{q:?}");
    assert_eq!((q.categorization.running, q.scoring.running), (0, 0));
    let states = scores(&core).await;
    assert!(
        states.iter().all(|s| s.3 == "scored" || s.3 == "unscored"),
        "{states:?}"
    );
    // A second rescore followed to the end.
    let stop = tokio_util::sync::CancellationToken::new();
    let runner = {
        let core = core.clone();
        let cancel = stop.clone();
        tokio::spawn(async move {
            core.run_queue(
                RunOptions {
                    once: false,
                    cancel,
                },
                |_| {},
            )
            .await
        })
    };
    let r = core
        .rescore_followed(Some(3), Default::default(), |_| {})
        .await
        .unwrap();
    assert_eq!((r.queued, r.done, r.failed, r.cancelled), (3, 3, 0, false));
    stop.cancel();
    runner.await.unwrap().unwrap();
}

#[tokio::test]
async fn readiness_reports_the_pause_and_the_fallback_separately() {
    let fake = FakeLlm::new("openai", vec![Behavior::Valid]);
    let (_d, core, s) = setup("openai", fake, 1, None).await;
    // The readiness check lists models: the fake serves the model list too.
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .respond_with(
            wiremock::ResponseTemplate::new(200).set_body_json(json!({"object": "list",
            "data": [{"id": "test-model", "object": "model", "created": 0, "owned_by": "me"}]})),
        )
        .mount(&s)
        .await;
    connect(&core, "ollama", "http://127.0.0.1:9", json!({})).await;
    let input = curator_core::routes::parse_routes_input(
        r#"{"categorization": {"provider": "openai", "model": "test-model",
             "fallback": {"provider": "ollama", "model": "small"}}}"#,
    )
    .unwrap();
    core.update_task_routes(input).await.unwrap();
    let r = core.task_readiness().await.unwrap();
    assert!(r.categorization.ready, "{r:?}");
    let fb = r.categorization.fallback.as_ref().expect("fallback judged");
    assert!(!fb.ready);
    assert_eq!(fb.provider.as_deref(), Some("ollama"));
    // A rate limit pauses the primary: readiness says until when and why.
    core.db()
        .call(|c| {
            let until = curator_core::tasks::queue::now_ms() + 600_000;
            curator_core::tasks::queue::set_pause(
                c,
                Task::Categorization,
                "openai",
                until,
                "rate limited by OpenAI",
            )
        })
        .await
        .unwrap();
    let r = core.task_readiness().await.unwrap();
    let c = &r.categorization;
    assert!(!c.ready);
    assert_eq!(serde_json::to_value(c.reason).unwrap(), "paused");
    let m = c.message.as_deref().unwrap();
    assert!(
        m.starts_with("Categorization is paused until ")
            && m.ends_with(" \u{2014} rate limited by OpenAI"),
        "{m}"
    );
    assert!(r.scoring.ready, "scoring has no pause");
}

#[tokio::test]
async fn old_ollama_gets_format_json_with_the_schema_in_the_prompt() {
    let fake = FakeLlm::with_dialect("ollama", Dialect::OllamaOld, vec![Behavior::Valid]);
    let calls = fake.calls.clone();
    let bodies = fake.bodies.clone();
    let (_d, core, _s) = setup("ollama", fake, 1, None).await;
    let t = core.test_route(Task::Scoring, None).await.unwrap();
    assert!(t.valid, "{t:?}");
    assert_eq!(t.mode.as_str(), "json_object");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let last = bodies.lock().unwrap().last().unwrap().clone();
    assert_eq!(last["format"], "json");
    assert!(last["messages"][0]["content"]
        .as_str()
        .unwrap()
        .contains("JSON Schema"));
    let cfg =
        serde_json::to_value(core.get_provider_config("ollama").await.unwrap().config).unwrap();
    assert_eq!(
        (
            cfg["structured_output"].as_str(),
            cfg["structured_output_detected"].as_str()
        ),
        (Some("auto"), Some("json_object"))
    );
    assert!(
        core.test_route(Task::Categorization, None)
            .await
            .unwrap()
            .valid
    );
    assert_eq!(calls.load(Ordering::SeqCst), 3, "reused: one request");
    // An explicit setting wins over detection (and a save forgets what was detected).
    connect(
        &core,
        "ollama",
        &_s.uri(),
        json!({"structured_output": "json_schema"}),
    )
    .await;
    let cfg =
        serde_json::to_value(core.get_provider_config("ollama").await.unwrap().config).unwrap();
    assert_eq!(cfg["structured_output"], "json_schema");
    assert!(cfg.get("structured_output_detected").is_none());
    let e = core.test_route(Task::Scoring, None).await.unwrap_err();
    assert_eq!(
        e.code().as_str(),
        "bad_response",
        "no detection on an explicit mode"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    // A bad value is refused with the field named.
    let e = core
        .update_provider_config("ollama", json!({"structured_output": "xml"}), None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("structured_output"));
}
