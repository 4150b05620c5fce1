//! Acceptance 1 and 2: all five providers connect, test and list (pagination
//! included) against their fakes; the fault matrix gives each case its code, nothing
//! panics and the other providers are unaffected.

mod common;
use common::*;
use curator_core::model_list::ListStatus;
use curator_core::ErrorCode;
use serde_json::json;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn all_five_connect_test_and_list_with_pagination() {
    let (_d, _db, core) = temp_core();
    let mut servers = Vec::new();
    for p in ALL {
        let s = fake(p).await;
        configure(&core, p, &s.uri(), 5).await;
        servers.push(s);
    }
    for p in ALL {
        let t = core.test_provider(p).await.unwrap();
        assert!(t.ok, "{p}: {t:?}");
        assert!(t.latency_ms.is_some() && t.error.is_none());
        let cat = core.list_provider_catalog(p).await.unwrap();
        assert_eq!(cat.len(), expected_count(p), "{p}: {cat:?}");
    }
    assert_eq!(
        core.test_provider("ollama")
            .await
            .unwrap()
            .version
            .as_deref(),
        Some("0.33.0")
    );
    // Pagination really happened: Anthropic 3 pages, Gemini 3 pages, OpenRouter 3 pages.
    for (i, p) in [
        (2, "/v1/models"),
        (3, "/v1beta/models"),
        (4, "/api/v1/models"),
    ] {
        let reqs = servers[i].received_requests().await.unwrap();
        assert!(
            reqs.iter().filter(|r| r.url.path() == p).count() >= 3,
            "{p}"
        );
    }
    // Metadata.
    let anth = core.list_provider_catalog("anthropic").await.unwrap();
    assert_eq!(anth[0].context_length, Some(200000));
    assert_eq!(anth[0].structured_output, Some(true));
    assert_eq!(anth[4].name, "claude-test-4");
    let g = core.list_provider_catalog("google").await.unwrap();
    assert!(g
        .iter()
        .all(|m| m.name.starts_with("models/gemini-test-") && m.context_length == Some(1048576)));
    let or = core.list_provider_catalog("openrouter").await.unwrap();
    assert_eq!(or[0].context_length, Some(128000));
    assert_eq!(or[0].structured_output, Some(true));
    // The catalog carries OpenRouter's prices, per million tokens.
    assert!(or
        .iter()
        .any(|m| m.input_price_per_mtok.is_some() && m.output_price_per_mtok.is_some()));
    assert!(anth.iter().all(|m| m.input_price_per_mtok.is_none()));
    let ol = core.list_provider_catalog("ollama").await.unwrap();
    let llama = ol.iter().find(|m| m.name == "llama3.2:latest").unwrap();
    assert_eq!(
        (llama.is_loaded, llama.size),
        (Some(true), Some(2019393189))
    );
    assert_eq!(llama.parameter_size.as_deref(), Some("3.2B"));
    // The aggregated list has everyone.
    let all = core.list_models(true).await.unwrap();
    assert_eq!(all.providers.len(), 5);
    for st in &all.providers {
        assert_eq!(st.status, ListStatus::Ok, "{st:?}");
        assert_eq!(st.count as usize, expected_count(st.provider.as_str()));
    }
    assert!(all.models.iter().any(|m| m.id == "ollama:qwen3:8b"));
}

#[tokio::test]
async fn openai_compatible_custom_base_url_and_selected_models() {
    // An LM Studio-like server: OpenAI's list at a custom path, any bearer accepted.
    let s = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/lmstudio/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object": "list",
            "data": [{"id": "qwen2.5-7b-instruct", "object": "model", "created": 0, "owned_by": "me"},
                     {"id": "llama-3.1-8b", "object": "model", "created": 0, "owned_by": "me"}]
        })))
        .mount(&s)
        .await;
    let (_d, _db, core) = temp_core();
    core.update_provider_config(
        "openai",
        json!({"base_url": format!("{}/lmstudio/v1/", s.uri()), "selected_models": ["llama-3.1-8b"]}),
        Some("lm-studio".into()),
    )
    .await
    .unwrap();
    assert!(core.test_provider("openai").await.unwrap().ok);
    let m = core.list_models(false).await.unwrap();
    assert_eq!(
        m.models.len(),
        1,
        "selected_models filters the aggregated list"
    );
    assert_eq!(m.models[0].id, "openai:llama-3.1-8b");
    let cat = core.list_provider_catalog("openai").await.unwrap();
    assert_eq!(cat.len(), 2, "the catalog is the full list");
    assert_eq!(cat.iter().filter(|c| c.selected).count(), 1);
}

#[derive(Clone, Copy, Debug)]
enum Fault {
    Status(u16),
    RateLimited,
    Malformed,
    ErrorIn200,
    Refused,
    Hang,
}

async fn apply(core: &curator_core::Core, victim: &str, server: &MockServer, fault: Fault) {
    match fault {
        Fault::Refused => configure(core, victim, &refused_base(), 1).await,
        Fault::Hang => configure(core, victim, &hanging_base().await, 1).await,
        _ => {
            let resp = match fault {
                Fault::Status(s) => ResponseTemplate::new(s).set_body_json(json!({"error": {"message": "boom", "type": "x"}})),
                Fault::RateLimited => ResponseTemplate::new(429).insert_header("retry-after", "1").set_body_json(json!({"error": {"message": "slow down"}})),
                Fault::Malformed => ResponseTemplate::new(200).set_body_string("{\"data\": [ not json"),
                Fault::ErrorIn200 => ResponseTemplate::new(200).set_body_string(fixture("openrouter/chat.completions.response.error_in_200.json").replace("\"choices\"", "\"error\": {\"code\": 502, \"message\": \"Provider disconnected\"}, \"choices\"")),
                _ => unreachable!(),
            };
            Mock::given(any())
                .respond_with(resp)
                .with_priority(1)
                .mount(server)
                .await;
        }
    }
}

fn expected(f: Fault) -> ErrorCode {
    match f {
        Fault::Status(401 | 403) => ErrorCode::AuthFailed,
        Fault::Status(404) => ErrorCode::NotFound,
        Fault::Status(408) => ErrorCode::Timeout,
        Fault::Status(500) => ErrorCode::ServerError,
        Fault::Status(503 | 529) => ErrorCode::Overloaded,
        Fault::Status(_) => unreachable!(),
        Fault::RateLimited => ErrorCode::RateLimited,
        Fault::Malformed | Fault::ErrorIn200 => ErrorCode::BadResponse,
        Fault::Refused => ErrorCode::Unreachable,
        Fault::Hang => ErrorCode::Timeout,
    }
}

async fn run_fault_case(victim: &'static str, fault: Fault) {
    let (_d, _db, core) = temp_core();
    let mut servers = Vec::new();
    for p in ALL {
        let s = fake(p).await;
        configure(&core, p, &s.uri(), 5).await;
        servers.push((p, s));
    }
    let server = &servers.iter().find(|(p, _)| *p == victim).unwrap().1;
    apply(&core, victim, server, fault).await;
    let want = expected(fault);
    let t = core.test_provider(victim).await.unwrap();
    assert!(!t.ok, "{victim} {fault:?}");
    assert_eq!(
        t.error.as_ref().unwrap().code,
        want,
        "{victim} {fault:?}: {t:?}"
    );
    let e = core.list_provider_catalog(victim).await.unwrap_err();
    assert_eq!(e.code(), want, "{victim} {fault:?}: {e}");
    let all = core.list_models(true).await.unwrap();
    for st in &all.providers {
        if st.provider.as_str() == victim {
            assert_eq!(st.status, ListStatus::Error, "{victim} {fault:?}");
            assert_eq!(st.error.as_ref().unwrap().code, want);
        } else {
            assert_eq!(
                st.status,
                ListStatus::Ok,
                "{} affected by {victim} {fault:?}",
                st.provider.as_str()
            );
            assert_eq!(st.count as usize, expected_count(st.provider.as_str()));
        }
    }
}

const MATRIX: [Fault; 11] = [
    Fault::Status(401),
    Fault::Status(403),
    Fault::Status(404),
    Fault::Status(408),
    Fault::RateLimited,
    Fault::Status(500),
    Fault::Status(503),
    Fault::Status(529),
    Fault::Refused,
    Fault::Hang,
    Fault::Malformed,
];

macro_rules! matrix_for {
    ($name:ident, $p:literal) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let cases = MATRIX.iter().map(|f| run_fault_case($p, *f));
            futures::future::join_all(cases).await;
        }
    };
}
matrix_for!(fault_matrix_ollama, "ollama");
matrix_for!(fault_matrix_openai, "openai");
matrix_for!(fault_matrix_anthropic, "anthropic");
matrix_for!(fault_matrix_google, "google");
matrix_for!(fault_matrix_openrouter, "openrouter");

#[tokio::test]
async fn openrouter_error_inside_a_200_is_bad_response() {
    run_fault_case("openrouter", Fault::ErrorIn200).await;
}

#[tokio::test]
async fn wrong_keys_are_auth_failed_including_gemini_400() {
    let (_d, _db, core) = temp_core();
    for p in ["openai", "anthropic", "google", "openrouter"] {
        let s = fake(p).await;
        core.update_provider_config(
            p,
            config_for(p, &s.uri(), 5),
            Some("wrong-key-xyz-9999".into()),
        )
        .await
        .unwrap();
        let t = core.test_provider(p).await.unwrap();
        assert_eq!(t.error.unwrap().code, ErrorCode::AuthFailed, "{p}");
        drop(s);
    }
}

#[tokio::test]
async fn retry_after_is_honoured_then_success() {
    let s = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&s)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(fixture("openai/models.list.response.json")),
        )
        .mount(&s)
        .await;
    let (_d, _db, core) = temp_core();
    configure(&core, "openai", &s.uri(), 10).await;
    let cat = core.list_provider_catalog("openai").await.unwrap();
    assert_eq!(cat.len(), 3);
    assert_eq!(s.received_requests().await.unwrap().len(), 2);
}

/// A 429 whose `Retry-After` does not fit in the time the provider has left is
/// `rate_limited` at once (not `timeout` after a wait that cannot finish), with the
/// retry-after in the details.
#[tokio::test]
async fn retry_after_beyond_the_deadline_is_rate_limited_at_once() {
    let s = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "2"))
        .mount(&s)
        .await;
    let (_d, _db, core) = temp_core();
    // timeout_s 1: a 2 s Retry-After cannot be waited for (the policy would allow 2 s).
    configure(&core, "openai", &s.uri(), 1).await;
    let e = core.list_provider_catalog("openai").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RateLimited, "{e}");
    let details = e.details().unwrap();
    assert_eq!(details["retry_after_s"], 2);
    assert_eq!(details["status"], 429);
    assert_eq!(details["provider"], "openai");
    assert_eq!(s.received_requests().await.unwrap().len(), 1, "no retry");
    let t = core.test_provider("openai").await.unwrap();
    assert_eq!(t.error.unwrap().code, ErrorCode::RateLimited);
}

/// A reply of the wrong shape is `bad_response`, and the message names the field.
#[tokio::test]
async fn malformed_reply_names_the_failed_field() {
    let s = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"data": [{"id": "claude-ok"}, {"display_name": "no id"}], "has_more": false}),
        ))
        .mount(&s)
        .await;
    let (_d, _db, core) = temp_core();
    configure(&core, "anthropic", &s.uri(), 5).await;
    let e = core.list_provider_catalog("anthropic").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::BadResponse);
    assert!(e.to_string().contains("data[1]"), "{e}");
    assert!(e.to_string().contains("missing field `id`"), "{e}");
}

#[tokio::test]
async fn missing_key_and_unconfigured_provider() {
    let (_d, _db, core) = temp_core();
    let s = fake("anthropic").await;
    core.update_provider_config("anthropic", config_for("anthropic", &s.uri(), 5), None)
        .await
        .unwrap();
    let t = core.test_provider("anthropic").await.unwrap();
    assert_eq!(t.error.unwrap().code, ErrorCode::InvalidConfig);
    assert!(s.received_requests().await.unwrap().is_empty());
    assert_eq!(
        core.test_provider("openai").await.unwrap_err().code(),
        ErrorCode::ProviderNotFound
    );
    assert_eq!(
        core.test_provider("mistral").await.unwrap_err().code(),
        ErrorCode::UnknownProvider
    );
}

#[tokio::test]
async fn test_provider_key_checks_without_storing() {
    let (_d, db, core) = temp_core();
    let s = fake("openrouter").await;
    let cfg = config_for("openrouter", &s.uri(), 5);
    let good = core
        .test_provider_key("openrouter", cfg.clone(), Some(key_of("openrouter").into()))
        .await
        .unwrap();
    assert!(good.ok, "{good:?}");
    let bad = core
        .test_provider_key("openrouter", cfg.clone(), Some("sk-or-wrong-000000".into()))
        .await
        .unwrap();
    assert_eq!(bad.error.unwrap().code, ErrorCode::AuthFailed);
    let e = core
        .test_provider_key("openrouter", json!({"batch_size": 99}), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    assert!(
        core.list_providers().await.unwrap().is_empty(),
        "nothing stored"
    );
    assert!(!std::path::Path::new(&format!("{}.keys", db.display())).exists());
}
