//! Benchmark (prints figures, asserts nothing): the aggregated model list over five
//! fake providers on 127.0.0.1, one answering in 2 s, and in a second scenario one
//! that never answers (timeout_s 3). Run:
//!   cargo bench -p curator-core --bench models_aggregate

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const RUNS: usize = 5;

fn stats(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    (v[0], v[v.len() / 2], v[v.len() - 1])
}

async fn slow_openai() -> MockServer {
    let s = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(fixture("openai/models.list.response.json"))
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&s)
        .await;
    s
}

async fn scenario(with_hang: bool) {
    let (_d, _db, core) = temp_core();
    let mut keep = Vec::new();
    for p in ["ollama", "google", "openrouter"] {
        let s = fake(p).await;
        configure(&core, p, &s.uri(), 5).await;
        keep.push(s);
    }
    let slow = slow_openai().await;
    configure(&core, "openai", &slow.uri(), 5).await;
    if with_hang {
        configure(&core, "anthropic", &hanging_base().await, 3).await;
    } else {
        let s = fake("anthropic").await;
        configure(&core, "anthropic", &s.uri(), 5).await;
        keep.push(s);
    }
    // The slowest healthy provider alone.
    let mut alone = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        core.list_provider_catalog("openai").await.unwrap();
        alone.push(t.elapsed());
    }
    let mut all = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = core.list_models(true).await.unwrap();
        all.push(t.elapsed());
        assert_eq!(r.providers.len(), 5);
    }
    let t = Instant::now();
    core.list_models(false).await.unwrap();
    let cached = t.elapsed();
    let (amin, amed, amax) = stats(alone);
    let (min, med, max) = stats(all);
    let bound = if with_hang {
        Duration::from_secs(3)
    } else {
        amed
    };
    println!(
        "{}\n  slowest healthy alone (openai, 2 s delay): min {:?} median {:?} max {:?}\n  models --refresh over 5 fakes:             min {:?} median {:?} max {:?}\n  median overhead over {}: {:?}\n  cached (within 120 s):                     {:?}",
        if with_hang { "scenario B: one 2 s provider + one never answering (timeout_s 3)" } else { "scenario A: one provider answering in 2 s, four fast" },
        amin, amed, amax, min, med, max,
        if with_hang { "the hanging provider's 3 s timeout" } else { "the slowest healthy provider" },
        med.saturating_sub(bound),
        cached,
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        scenario(false).await;
        scenario(true).await;
    });
}
