//! Acceptance 6: Ollama pull with streamed progress and immediate cancel, delete
//! reporting routes that use the model, installed and running models.

mod common;
use common::stream::{ollama_stream_fake, pull_lines, PullScript};
use common::*;
use curator_core::providers::ollama::PullOutcome;
use curator_core::routes::parse_routes_input;
use curator_core::ErrorCode;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_streams_progress_then_completes() {
    let f = ollama_stream_fake(PullScript {
        lines: pull_lines("ollama/pull.stream.ndjson"),
        delay: Duration::from_millis(20),
        stall_after: None,
    })
    .await;
    let (_d, _db, core) = temp_core();
    configure(&core, "ollama", &f.base, 5).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let out = core
        .ollama_pull_model(
            "llama3.2",
            move |p| s2.lock().unwrap().push(p),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(out, PullOutcome::Complete);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 7, "every line but Ollama's final success");
    assert_eq!(seen[0].status, "pulling manifest");
    assert_eq!(seen[3].completed, Some(2019377376));
    assert_eq!(seen[3].total, Some(2019377376));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_error_line_is_model_not_found() {
    let f = ollama_stream_fake(PullScript {
        lines: pull_lines("ollama/pull.stream.error.ndjson"),
        delay: Duration::from_millis(5),
        stall_after: None,
    })
    .await;
    let (_d, _db, core) = temp_core();
    configure(&core, "ollama", &f.base, 5).await;
    let e = core
        .ollama_pull_model("nope:1b", |_| {}, CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ModelNotFound, "{e}");
}

/// The stream is read with a bounded line codec: a line far longer than any of
/// Ollama's is a bad answer, not a buffer that grows without end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_pull_line_is_bad_response() {
    let f = ollama_stream_fake(PullScript {
        lines: vec![
            r#"{"status": "pulling manifest"}"#.to_string(),
            format!(r#"{{"status": "{}"}}"#, "x".repeat(200_000)),
            r#"{"status": "success"}"#.to_string(),
        ],
        delay: Duration::from_millis(1),
        stall_after: None,
    })
    .await;
    let (_d, _db, core) = temp_core();
    configure(&core, "ollama", &f.base, 5).await;
    let seen = Arc::new(Mutex::new(0usize));
    let s2 = seen.clone();
    let e = core
        .ollama_pull_model(
            "llama3.2",
            move |_| *s2.lock().unwrap() += 1,
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::BadResponse, "{e}");
    assert!(e.to_string().contains("longer than"), "{e}");
    assert_eq!(*seen.lock().unwrap(), 1, "the line before it was passed on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_a_stalled_pull_at_once() {
    let f = ollama_stream_fake(PullScript {
        lines: pull_lines("ollama/pull.stream.ndjson"),
        delay: Duration::from_millis(5),
        stall_after: Some(2),
    })
    .await;
    let (_d, _db, core) = temp_core();
    configure(&core, "ollama", &f.base, 5).await;
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    let count = Arc::new(Mutex::new(0usize));
    let k2 = count.clone();
    let task = tokio::spawn({
        let core = core.clone();
        async move {
            core.ollama_pull_model(
                "llama3.2",
                move |_| {
                    let mut n = k2.lock().unwrap();
                    *n += 1;
                    if *n == 2 {
                        c2.cancel();
                    }
                },
                cancel,
            )
            .await
        }
    });
    let out = tokio::time::timeout(Duration::from_secs(3), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(out, PullOutcome::Cancelled);
    // The HTTP stream was dropped: the server sees the client leave.
    for _ in 0..50 {
        if f.client_left.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(f.client_left.load(Ordering::SeqCst));
    assert_eq!(f.pull_requests.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_reports_routes_and_unknown_model_is_model_not_found() {
    let f = ollama_stream_fake(PullScript {
        lines: vec![],
        delay: Duration::ZERO,
        stall_after: None,
    })
    .await;
    let (_d, _db, core) = temp_core();
    configure(&core, "ollama", &f.base, 5).await;
    core.update_task_routes(
        parse_routes_input(r#"{"categorization": {"provider": "ollama", "model": "qwen3:8b"}, "use_separate_models": false}"#).unwrap(),
    )
    .await
    .unwrap();
    let d = core.ollama_delete_model("qwen3:8b").await.unwrap();
    assert_eq!(d.deleted, "qwen3:8b");
    assert_eq!(d.routes_using.len(), 2);
    let e = core.ollama_delete_model("ghost").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ModelNotFound);
    // Installed and running models.
    let m = core.ollama_list_models().await.unwrap();
    assert_eq!(m.len(), 2);
    assert!(m.iter().any(|x| x.name == "llama3.2:latest" && x.is_loaded));
    let ps = core.ollama_ps().await.unwrap();
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].context_length, Some(4096));
    let h = core.ollama_health().await.unwrap();
    assert!(h.connected && h.version.as_deref() == Some("0.33.0"));
}

#[tokio::test]
async fn ollama_down_is_an_answer_or_a_code_never_a_crash() {
    let (_d, _db, core) = temp_core();
    configure(&core, "ollama", &refused_base(), 1).await;
    let h = core.ollama_health().await.unwrap();
    assert!(!h.connected && h.version.is_none() && h.latency_ms.is_none());
    assert_eq!(
        core.ollama_list_models().await.unwrap_err().code(),
        ErrorCode::Unreachable
    );
    assert_eq!(
        core.ollama_ps().await.unwrap_err().code(),
        ErrorCode::Unreachable
    );
    let e = core
        .ollama_pull_model("x", |_| {}, CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Unreachable);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_by_model_from_another_handle() {
    let f = ollama_stream_fake(PullScript {
        lines: pull_lines("ollama/pull.stream.ndjson"),
        delay: Duration::from_millis(5),
        stall_after: Some(1),
    })
    .await;
    let (_d, _db, core) = temp_core();
    configure(&core, "ollama", &f.base, 5).await;
    let other = core.clone();
    let task = tokio::spawn(async move {
        other
            .ollama_pull_model("llama3.2", |_| {}, CancellationToken::new())
            .await
    });
    for _ in 0..100 {
        if !core.ollama_pulls().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(core.ollama_pulls(), ["llama3.2:latest"]);
    assert!(core.ollama_cancel_pull("llama3.2"));
    let out = tokio::time::timeout(Duration::from_secs(2), task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(out, PullOutcome::Cancelled);
    assert!(core.ollama_pulls().is_empty());
    assert!(!core.ollama_cancel_pull("llama3.2"));
}
