//! `curator queue`, `rescore`, `run-queue`, `test-route`.

use crate::out::emit;
use curator_core::routes::Task;
use curator_core::tasks::runner::{RunEvent, RunOptions};
use curator_core::{Core, CoreError};
use tokio_util::sync::CancellationToken;

pub async fn run_queue_status(core: Core, json: bool) -> Result<(), CoreError> {
    let s = core.queue_status().await?;
    emit(json, &s, |s| {
        let mut out = String::new();
        for (name, c) in [
            ("categorization", &s.categorization),
            ("scoring", &s.scoring),
        ] {
            out.push_str(&format!(
                "{name:<15} queued {}  running {}  done {}  failed {}\n",
                c.queued, c.running, c.done, c.failed
            ));
        }
        for p in &s.paused {
            out.push_str(&format!(
                "{} paused until {}: {}\n",
                p.task.as_str(),
                p.until,
                p.reason
            ));
        }
        out
    });
    Ok(())
}

pub async fn run_rescore(core: Core, limit: Option<u32>, json: bool) -> Result<(), CoreError> {
    let r = core.rescore(limit).await?;
    emit(json, &r, |r| {
        format!(
            "queued {} articles ({} being processed were skipped)",
            r.queued, r.skipped_running
        )
    });
    Ok(())
}

pub async fn run_run_queue(core: Core, once: bool, json: bool) -> Result<(), CoreError> {
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    // Ctrl-C: finish the current batch, then stop; nothing queued is lost.
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("curator: stopping after the current batch");
            stop.cancel();
        }
    });
    core.run_queue(RunOptions { once, cancel }, |e| {
        if json {
            println!("{}", serde_json::to_string(&e).unwrap_or_default());
            return;
        }
        match e {
            RunEvent::Result(r) => println!(
                "{} {} {:?} via {}:{} in {} ms{}",
                r.task.as_str(),
                r.article_id,
                r.status,
                r.provider,
                r.model,
                r.latency_ms,
                r.error
                    .map_or(String::new(), |e| format!(" ({})", e.message))
            ),
            RunEvent::Summary(s) => println!(
                "categorized {}, scored {}, failed {}",
                s.categorized, s.scored, s.failed
            ),
        }
    })
    .await?;
    Ok(())
}

pub async fn run_test_route(
    core: Core,
    task: Task,
    article: Option<i64>,
    json: bool,
) -> Result<(), CoreError> {
    let t = core.test_route(task, article).await?;
    emit(json, &t, |t| {
        format!(
            "{} via {}:{} ({}) in {} ms: {}{}",
            t.task.as_str(),
            t.provider,
            t.model,
            t.mode.as_str(),
            t.latency_ms,
            if t.valid { "valid" } else { "INVALID" },
            t.error
                .as_ref()
                .map_or(String::new(), |e| format!(" — {}", e.message))
        )
    });
    Ok(())
}
