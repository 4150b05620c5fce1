//! The aggregated list: 120 s cache, refresh bypass, last good list served as stale
//! with its age, disabled providers skipped.

mod common;
use common::*;
use curator_core::model_list::ListStatus;
use curator_core::ErrorCode;
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn cache_refresh_stale_and_disabled() {
    let (_d, db, core) = temp_core();
    let o = fake("ollama").await;
    let a = fake("anthropic").await;
    configure(&core, "ollama", &o.uri(), 2).await;
    configure(&core, "anthropic", &a.uri(), 2).await;
    let first = core.list_models(false).await.unwrap();
    assert!(first
        .providers
        .iter()
        .all(|p| p.status == ListStatus::Ok && p.age_s == Some(0)));
    let n = a.received_requests().await.unwrap().len();
    // Cached: no new requests.
    let again = core.list_models(false).await.unwrap();
    assert_eq!(again.models, first.models);
    assert_eq!(a.received_requests().await.unwrap().len(), n);
    // --refresh asks again.
    core.list_models(true).await.unwrap();
    assert!(a.received_requests().await.unwrap().len() > n);

    // Anthropic starts failing: its last good list is served as stale, with its age.
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .with_priority(1)
        .mount(&a)
        .await;
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute("UPDATE curator_model_cache SET fetched_at_unix = fetched_at_unix - 300 WHERE provider = 'anthropic'", [])
        .unwrap();
    let r = core.list_models(true).await.unwrap();
    let st = r
        .providers
        .iter()
        .find(|p| p.provider.as_str() == "anthropic")
        .unwrap();
    assert_eq!(st.status, ListStatus::Stale);
    assert!(st.age_s.unwrap() >= 300);
    assert_eq!(st.count, 5);
    assert_eq!(st.error.as_ref().unwrap().code, ErrorCode::ServerError);
    assert_eq!(
        r.models
            .iter()
            .filter(|m| m.provider.as_str() == "anthropic")
            .count(),
        5
    );
    let ok = r
        .providers
        .iter()
        .find(|p| p.provider.as_str() == "ollama")
        .unwrap();
    assert_eq!(ok.status, ListStatus::Ok);

    // A new process (new Core) still has the last good list from SQLite.
    drop(core);
    let core = open_core(&db);
    let r = core.list_models(false).await.unwrap();
    assert_eq!(
        r.providers
            .iter()
            .find(|p| p.provider.as_str() == "anthropic")
            .unwrap()
            .status,
        ListStatus::Stale
    );

    // Disabled providers are skipped.
    core.set_provider_enabled("anthropic", false).await.unwrap();
    let r = core.list_models(false).await.unwrap();
    assert_eq!(r.providers.len(), 1);
    assert!(r.models.iter().all(|m| m.provider.as_str() == "ollama"));
    // Contract keys of a model item.
    let v = serde_json::to_value(&r.models[0]).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "context_length",
            "display_name",
            "id",
            "is_loaded",
            "name",
            "parameter_size",
            "provider",
            "quantization_level",
            "size"
        ]
    );
}
