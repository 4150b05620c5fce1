//! Fake provider servers on 127.0.0.1 speaking the documented wire formats
//! (tests/fixtures, copied from shared/specs), plus a hanging and a refusing server.
#![allow(dead_code)]

use curator_core::providers::http::RetryPolicy;
use curator_core::secrets::KeyStoreKind;
use curator_core::{Core, CoreOptions};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub mod llm;
pub mod stream;

pub const KEYS: [(&str, &str); 4] = [
    ("openai", "sk-openai-SECRET-0001"),
    ("anthropic", "sk-ant-SECRET-0002"),
    ("google", "AIza-google-SECRET-0003"),
    ("openrouter", "sk-or-SECRET-0004"),
];

pub fn key_of(p: &str) -> &'static str {
    KEYS.iter().find(|(k, _)| *k == p).map(|(_, v)| *v).unwrap()
}

pub fn fixture(rel: &str) -> String {
    // Works from both crates: the fixtures live in curator-core/tests/fixtures.
    let p = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../curator-core/tests/fixtures"
    ))
    .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub fn fixture_json(rel: &str) -> Value {
    serde_json::from_str(&fixture(rel)).unwrap()
}

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 1,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(2),
    }
}

pub fn open_core(db: &Path) -> Core {
    Core::open_with(
        db,
        CoreOptions {
            secret_store: Some(KeyStoreKind::File),
            retry: fast_retry(),
        },
    )
    .unwrap()
}

pub fn temp_core() -> (tempfile::TempDir, PathBuf, Core) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("curator.db");
    let core = open_core(&db);
    (dir, db, core)
}

/// Anthropic `GET /v1/models`: pages of at most 2 over `n` models (limit/after_id).
struct AnthropicPages(usize);
impl Respond for AnthropicPages {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let tmpl = fixture_json("anthropic/models.list.response.json")["data"][0].clone();
        let all: Vec<Value> = (0..self.0)
            .map(|i| {
                let mut m = tmpl.clone();
                m["id"] = json!(format!("claude-test-{i}"));
                m["display_name"] = json!(format!("Claude Test {i}"));
                m
            })
            .collect();
        let q: std::collections::HashMap<String, String> =
            req.url.query_pairs().into_owned().collect();
        let limit: usize = q
            .get("limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(20)
            .min(2);
        let start = q
            .get("after_id")
            .and_then(|a| all.iter().position(|m| m["id"] == json!(a)).map(|p| p + 1))
            .unwrap_or(0);
        let page: Vec<Value> = all.iter().skip(start).take(limit).cloned().collect();
        ResponseTemplate::new(200).set_body_json(json!({
            "data": page,
            "has_more": start + limit < all.len(),
            "first_id": page.first().map(|m| m["id"].clone()),
            "last_id": page.last().map(|m| m["id"].clone()),
        }))
    }
}

/// Gemini `GET /models`: pages of 2 with `nextPageToken`; odd models are embeddings.
struct GeminiPages(usize);
impl Respond for GeminiPages {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let list = fixture_json("gemini/models.list.response.json");
        let all: Vec<Value> = (0..self.0)
            .map(|i| {
                let mut m = list["models"][i % 2].clone();
                m["name"] = json!(format!("models/gemini-test-{i}"));
                m
            })
            .collect();
        let q: std::collections::HashMap<String, String> =
            req.url.query_pairs().into_owned().collect();
        let start: usize = q
            .get("pageToken")
            .and_then(|t| t.strip_prefix("tok").and_then(|n| n.parse().ok()))
            .unwrap_or(0);
        let size = q
            .get("pageSize")
            .and_then(|s| s.parse::<usize>().ok())
            .unwrap_or(50)
            .min(2);
        let page: Vec<Value> = all.iter().skip(start).take(size).cloned().collect();
        let mut body = json!({ "models": page });
        if start + size < all.len() {
            body["nextPageToken"] = json!(format!("tok{}", start + size));
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

/// OpenRouter `GET /models`: pages of 2 with `links.next`.
struct OpenRouterPages(usize);
impl Respond for OpenRouterPages {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let tmpl = fixture_json("openrouter/models.list.response.json")["data"][0].clone();
        let all: Vec<Value> = (0..self.0)
            .map(|i| {
                let mut m = tmpl.clone();
                m["id"] = json!(format!("vendor/model-{i}"));
                m
            })
            .collect();
        let q: std::collections::HashMap<String, String> =
            req.url.query_pairs().into_owned().collect();
        let offset: usize = q.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
        let page: Vec<Value> = all.iter().skip(offset).take(2).cloned().collect();
        let next = (offset + 2 < all.len())
            .then(|| format!("/api/v1/models?offset={}&limit=2", offset + 2));
        ResponseTemplate::new(200).set_body_json(json!({
            "data": page, "total_count": all.len(), "links": { "next": next }
        }))
    }
}

/// Number of models each healthy fake exposes (after filtering).
pub fn expected_count(p: &str) -> usize {
    match p {
        "ollama" => 2,
        "openai" => 3,
        "anthropic" => 5,
        "google" => 3, // 5 models, 3 of them support generateContent
        "openrouter" => 5,
        _ => 0,
    }
}

/// A healthy fake for one provider. Requests without the right key get 401.
pub async fn fake(provider: &str) -> MockServer {
    let s = MockServer::start().await;
    let unauthorized = |body: &str| ResponseTemplate::new(401).set_body_string(fixture(body));
    match provider {
        "ollama" => {
            for (p, f) in [
                ("/api/version", "ollama/version.response.json"),
                ("/api/tags", "ollama/tags.response.json"),
                ("/api/ps", "ollama/ps.response.json"),
            ] {
                Mock::given(method("GET"))
                    .and(path(p))
                    .respond_with(ResponseTemplate::new(200).set_body_string(fixture(f)))
                    .mount(&s)
                    .await;
            }
        }
        "openai" => {
            Mock::given(method("GET"))
                .and(path("/v1/models"))
                .and(header(
                    "authorization",
                    format!("Bearer {}", key_of("openai")).as_str(),
                ))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_string(fixture("openai/models.list.response.json")),
                )
                .with_priority(2)
                .mount(&s)
                .await;
            Mock::given(any())
                .respond_with(unauthorized("openai/error.401.json"))
                .with_priority(10)
                .mount(&s)
                .await;
        }
        "anthropic" => {
            Mock::given(method("GET"))
                .and(path("/v1/models"))
                .and(header("x-api-key", key_of("anthropic")))
                .and(header("anthropic-version", "2023-06-01"))
                .respond_with(AnthropicPages(5))
                .with_priority(2)
                .mount(&s)
                .await;
            Mock::given(any())
                .respond_with(unauthorized("anthropic/error.401.json"))
                .with_priority(10)
                .mount(&s)
                .await;
        }
        "google" => {
            Mock::given(method("GET"))
                .and(path("/v1beta/models"))
                .and(header("x-goog-api-key", key_of("google")))
                .respond_with(GeminiPages(5))
                .with_priority(2)
                .mount(&s)
                .await;
            Mock::given(any())
                .respond_with(
                    ResponseTemplate::new(400)
                        .set_body_string(fixture("gemini/error.400.invalid_key.json")),
                )
                .with_priority(10)
                .mount(&s)
                .await;
        }
        "openrouter" => {
            Mock::given(method("GET"))
                .and(path("/api/v1/models"))
                .respond_with(OpenRouterPages(5))
                .with_priority(2)
                .mount(&s)
                .await;
            Mock::given(method("GET"))
                .and(path("/api/v1/key"))
                .and(header(
                    "authorization",
                    format!("Bearer {}", key_of("openrouter")).as_str(),
                ))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_string(fixture("openrouter/key.response.json")),
                )
                .with_priority(2)
                .mount(&s)
                .await;
            Mock::given(any())
                .respond_with(unauthorized("openrouter/error.401.json"))
                .with_priority(10)
                .mount(&s)
                .await;
        }
        _ => unreachable!(),
    }
    s
}

/// The config pointing a provider at a base (scheme://host:port).
pub fn config_for(provider: &str, base: &str, timeout_s: u64) -> Value {
    match provider {
        "ollama" => {
            let (host, port) = base.rsplit_once(':').unwrap();
            json!({ "base_url": host, "port": port.parse::<u16>().unwrap(), "timeout_s": timeout_s })
        }
        "openai" => json!({ "base_url": format!("{base}/v1"), "timeout_s": timeout_s }),
        "anthropic" => json!({ "base_url": base, "timeout_s": timeout_s }),
        "google" => json!({ "base_url": format!("{base}/v1beta"), "timeout_s": timeout_s }),
        "openrouter" => json!({ "base_url": format!("{base}/api/v1"), "timeout_s": timeout_s }),
        _ => unreachable!(),
    }
}

pub async fn configure(core: &Core, provider: &str, base: &str, timeout_s: u64) {
    let key = (provider != "ollama").then(|| key_of(provider).to_string());
    core.update_provider_config(provider, config_for(provider, base, timeout_s), key)
        .await
        .unwrap();
}

pub const ALL: [&str; 5] = ["ollama", "openai", "anthropic", "google", "openrouter"];

/// A port on which nothing listens.
pub fn refused_base() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

/// A server that accepts connections and never answers.
pub async fn hanging_base() -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    format!("http://127.0.0.1:{port}")
}
