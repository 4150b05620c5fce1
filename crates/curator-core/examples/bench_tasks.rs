//! `cargo run --release -p curator-core --example bench_tasks`
//!
//! Prints, with no timed asserts:
//! 1. rescore throughput: 1,000 articles categorized and scored through a fake Ollama
//!    answering every request after a fixed 50 ms, at batch sizes 1, 5 and 10, and the
//!    ratio to the ideal (2 tasks × ceil(1000 / batch) sequential calls × 50 ms);
//! 2. peak memory (VmHWM) while batches are taken from a queue of 1,000, 10,000 and
//!    100,000 articles (a fresh process per size);
//! 3. the database write time per result (one transaction per batch of 10).

#[path = "../tests/common/mod.rs"]
#[allow(unused_imports)]
mod common;

use common::llm::{completion_path, Behavior, FakeLlm};
use curator_core::routes::parse_routes_input;
use curator_core::tasks::answer::ScoringItem;
use curator_core::tasks::queue::{self, ResultMeta};
use curator_core::tasks::runner::RunOptions;
use curator_core::Core;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

fn vm(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn add_articles(core: &Core, n: i64) {
    core.db()
        .call_blocking(move |c| {
            let tx = c.transaction()?;
            tx.execute("INSERT OR IGNORE INTO feeds (id, url, title, display_order) VALUES (1, 'http://f', 'F', 0)", [])?;
            {
                let mut st = tx.prepare(
                    "INSERT INTO articles (feed_id, title, url, published_at, content, is_read, scoring_state, scoring_priority)
                     VALUES (1, ?1, ?2, strftime('%Y-%m-%d %H:%M:%f000', 'now', 'localtime', '-' || (?3 % 5000) || ' seconds'),
                             ?4, 0, 'unscored', 0)",
                )?;
                let body = "<p>Rust and AI news, with a paragraph of body text that is long enough to look like an article summary.</p>".repeat(8);
                for i in 0..n {
                    st.execute(rusqlite::params![format!("Article {i}"), format!("http://a/{i}"), i, body])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
        .unwrap();
}

async fn setup(dir: &Path, name: &str, batch: i64, latency: Duration) -> (Core, MockServer) {
    let s = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(completion_path("ollama")))
        .respond_with(FakeLlm::new("ollama", vec![Behavior::Slow(latency)]))
        .mount(&s)
        .await;
    let core = common::open_core(&dir.join(name));
    let port: u16 = s.uri().rsplit(':').next().unwrap().parse().unwrap();
    core.update_provider_config(
        "ollama",
        json!({"base_url": "http://127.0.0.1", "port": port, "timeout_s": 60}),
        None,
    )
    .await
    .unwrap();
    let r = format!(
        r#"{{"categorization": {{"provider": "ollama", "model": "m", "batch_size": {batch}}},
             "scoring": {{"provider": "ollama", "model": "m", "batch_size": {batch}}}}}"#
    );
    core.update_task_routes(parse_routes_input(&r).unwrap())
        .await
        .unwrap();
    (core, s)
}

/// Queue every article for categorization (a full pass), whatever its date.
fn queue_all(core: &Core) -> u32 {
    core.db()
        .call_blocking(|c| {
            let tx = c.transaction()?;
            let cols = queue::legacy_columns(&tx)?;
            let ids: Vec<i64> = {
                let mut st = tx.prepare("SELECT id FROM articles ORDER BY id")?;
                let r = st.query_map([], |r| r.get(0))?;
                r.collect::<rusqlite::Result<_>>()?
            };
            queue::enqueue(
                &tx,
                cols,
                curator_core::routes::Task::Categorization,
                &ids,
                0,
                queue::now_ms(),
            )?;
            tx.commit()?;
            Ok(ids.len() as u32)
        })
        .unwrap()
}

async fn throughput(dir: &Path) {
    let n = 1000;
    let latency = Duration::from_millis(50);
    println!(
        "rescore of {n} articles, fake provider answering after {} ms:",
        latency.as_millis()
    );
    println!("  batch  elapsed_s  articles/s  ideal_s  ratio_to_ideal");
    for batch in [1i64, 5, 10] {
        let (core, _s) = setup(dir, &format!("tp-{batch}.db"), batch, latency).await;
        add_articles(&core, n);
        let queued = core.rescore(Some(n as u32)).await.unwrap().queued;
        assert_eq!(queued as i64, n);
        let t = Instant::now();
        let s = core
            .run_queue(
                RunOptions {
                    once: true,
                    ..Default::default()
                },
                |_| {},
            )
            .await
            .unwrap();
        let el = t.elapsed().as_secs_f64();
        assert_eq!((s.categorized, s.scored), (n as u32, n as u32));
        let calls = 2 * (n + batch - 1) / batch;
        let ideal = calls as f64 * latency.as_secs_f64();
        println!(
            "  {batch:>5}  {el:>9.2}  {:>10.1}  {ideal:>7.2}  {:>14.3}",
            n as f64 / el,
            ideal / el
        );
    }
}

async fn memory_child(dir: &Path, size: i64) {
    let (core, _s) = setup(dir, &format!("mem-{size}.db"), 10, Duration::from_millis(0)).await;
    add_articles(&core, size);
    queue_all(&core);
    let before = vm("VmHWM:");
    // Take 50 batches of 10 from the head of the queue (categorization), then stop.
    let cancel = tokio_util::sync::CancellationToken::new();
    let stop = cancel.clone();
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c2 = counter.clone();
    let t = Instant::now();
    core.run_queue(RunOptions { once: true, cancel }, move |_| {
        if c2.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 >= 500 {
            stop.cancel();
        }
    })
    .await
    .unwrap();
    let el = t.elapsed().as_secs_f64();
    println!(
        "  {size:>7}  {:>9}  {:>9}  {:>9}  {:>10.2}",
        before,
        vm("VmHWM:"),
        vm("VmRSS:"),
        el * 1000.0 / (counter.load(std::sync::atomic::Ordering::SeqCst) as f64 / 10.0)
    );
}

fn write_time(dir: &Path) {
    let core = common::open_core(&dir.join("writes.db"));
    add_articles(&core, 1000);
    let per = core
        .db()
        .call_blocking(|c| {
            let cols = queue::legacy_columns(c)?;
            let ids: Vec<i64> = (1..=1000).collect();
            {
                let tx = c.transaction()?;
                queue::enqueue(&tx, cols, curator_core::routes::Task::Scoring, &ids, 0, 0)?;
                queue::claim_batch(
                    &tx,
                    cols,
                    curator_core::routes::Task::Scoring,
                    1000,
                    "bench",
                    0,
                )?;
                tx.commit()?;
            }
            let meta = ResultMeta {
                provider: "ollama".into(),
                model: "m".into(),
                latency_ms: 50,
                ..Default::default()
            };
            let t = Instant::now();
            for chunk in ids.chunks(10) {
                let tx = c.transaction()?;
                for &id in chunk {
                    if queue::holds(&tx, curator_core::routes::Task::Scoring, id, "bench")? {
                        let item = ScoringItem {
                            article_id: id,
                            interest_score: 7,
                            quality_score: 8,
                            reasoning: "Good.".into(),
                        };
                        curator_core::tasks::store::finish_scoring(&tx, id, &item, &meta, 1)?;
                    }
                }
                tx.commit()?;
            }
            Ok(t.elapsed().as_secs_f64() / 1000.0)
        })
        .unwrap();
    println!("database write per result (scores + composite + queue row, one transaction per 10): {:.1} µs", per * 1e6);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    if let Some(size) = args
        .iter()
        .position(|a| a == "--memory-child")
        .and_then(|i| args.get(i + 1))
    {
        rt.block_on(memory_child(dir.path(), size.parse().unwrap()));
        return;
    }
    rt.block_on(throughput(dir.path()));
    println!("peak memory while the runner takes 50 batches of 10 from a queue of N (kB; fresh process each):");
    println!(
        "  {:>7}  {:>9}  {:>9}  {:>9}  {:>10}",
        "N", "HWM_start", "HWM_end", "RSS_end", "ms/batch"
    );
    for size in ["1000", "10000", "100000"] {
        let out = std::process::Command::new(&args[0])
            .args(["--memory-child", size])
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            eprint!("{}", String::from_utf8_lossy(&out.stderr));
        }
    }
    write_time(dir.path());
}
