//! Config validation and normalisation.

use super::*;

fn err_field(id: ProviderId, v: Value) -> String {
    let e = ProviderConfig::parse(id, &v, Source::Input).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidConfig);
    e.details().unwrap()["field"].as_str().unwrap().to_string()
}

#[test]
fn ollama_base_url_rules_and_normalisation() {
    let ok = |s: &str| normalize_ollama_base_url(s).unwrap();
    assert_eq!(ok("http://LocalHost/"), "http://localhost");
    assert_eq!(ok("https://[::1]"), "https://[::1]");
    for bad in [
        "ftp://x",
        "http://x/api",
        "http://x?q=1",
        "http://x#f",
        "http://x:11434",
        "http://u:p@x",
        "nonsense",
    ] {
        let e = normalize_ollama_base_url(bad).unwrap_err();
        assert_eq!(e.details().unwrap()["field"], "base_url", "{bad}");
    }
}

#[test]
fn field_named_errors() {
    assert_eq!(err_field(ProviderId::Ollama, json!({"port": 0})), "port");
    assert_eq!(
        err_field(ProviderId::Ollama, json!({"base_url": ""})),
        "base_url"
    );
    assert_eq!(
        err_field(ProviderId::Openai, json!({"batch_size": 11})),
        "batch_size"
    );
    assert_eq!(
        err_field(ProviderId::Openai, json!({"timeout_s": 0})),
        "timeout_s"
    );
    assert_eq!(
        err_field(ProviderId::Google, json!({"api_key": "x"})),
        "api_key"
    );
    assert_eq!(
        err_field(ProviderId::Anthropic, json!({"selected_models": [1]})),
        "selected_models"
    );
    assert_eq!(err_field(ProviderId::Openrouter, json!([])), "config");
}

#[test]
fn defaults_and_endpoint() {
    let c = ProviderConfig::parse(ProviderId::Ollama, &json!({}), Source::Input).unwrap();
    assert_eq!(c.endpoint(), "http://localhost:11434");
    assert_eq!(c.timeout(), Duration::from_secs(15));
    let c = ProviderConfig::parse(
        ProviderId::Openai,
        &json!({"base_url": "http://127.0.0.1:1234/v1/"}),
        Source::Input,
    )
    .unwrap();
    assert_eq!(c.endpoint(), "http://127.0.0.1:1234/v1");
    let c = ProviderConfig::parse(ProviderId::Anthropic, &json!({}), Source::Input).unwrap();
    assert_eq!(c.endpoint(), "https://api.anthropic.com");
    assert_eq!(c.to_json()["batch_size"], 5);
}

#[test]
fn ollama_tags_get_latest() {
    assert_eq!(normalize_ollama_model("llama3.2"), "llama3.2:latest");
    assert_eq!(normalize_ollama_model("qwen3:8b"), "qwen3:8b");
    assert_eq!(normalize_ollama_model("ns/m"), "ns/m:latest");
}
