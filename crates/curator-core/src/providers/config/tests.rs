//! Config validation and normalisation.

use super::input::field_names;
use super::*;
use crate::error::ErrorCode;
use serde_json::json;

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
    assert_eq!(c.endpoint(ProviderId::Ollama), "http://localhost:11434");
    assert_eq!(c.timeout(), Duration::from_secs(15));
    let c = ProviderConfig::parse(
        ProviderId::Openai,
        &json!({"base_url": "http://127.0.0.1:1234/v1/"}),
        Source::Input,
    )
    .unwrap();
    assert_eq!(c.endpoint(ProviderId::Openai), "http://127.0.0.1:1234/v1");
    let c = ProviderConfig::parse(ProviderId::Anthropic, &json!({}), Source::Input).unwrap();
    assert_eq!(
        c.endpoint(ProviderId::Anthropic),
        "https://api.anthropic.com"
    );
    assert_eq!(c.to_json()["batch_size"], 5);
}

#[test]
fn ollama_tags_get_latest() {
    assert_eq!(normalize_ollama_model("llama3.2"), "llama3.2:latest");
    assert_eq!(normalize_ollama_model("qwen3:8b"), "qwen3:8b");
    assert_eq!(normalize_ollama_model("ns/m"), "ns/m:latest");
}

#[test]
fn input_structs_list_the_keys_serde_knows() {
    assert_eq!(
        field_names::<KeyedConfigInput>(),
        ["base_url", "selected_models", "batch_size", "timeout_s"]
    );
    assert_eq!(field_names::<OllamaConfigInput>().len(), 8);
    let e = ProviderConfig::parse(ProviderId::Openai, &json!({"model": "x"}), Source::Input)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "model: unknown key; openai takes base_url, selected_models, batch_size, timeout_s"
    );
}

#[test]
fn stored_configs_ignore_older_keys_and_take_defaults() {
    let stored = json!({"api_key_encrypted": "gAAAA", "selected_models": ["m"], "batch_size": 3});
    let c = ProviderConfig::parse(ProviderId::Google, &stored, Source::Stored).unwrap();
    assert_eq!(
        c.to_json(),
        json!({"base_url": null, "selected_models": ["m"], "batch_size": 3, "timeout_s": 15})
    );
    let c = ProviderConfig::parse(ProviderId::Ollama, &Value::Null, Source::Stored).unwrap();
    assert_eq!(
        c.to_json(),
        json!({"base_url": "http://localhost", "port": 11434, "categorization_model": null,
               "scoring_model": null, "use_separate_models": false, "thinking": false,
               "batch_size": 1, "timeout_s": 15})
    );
}

#[test]
fn wrong_types_name_their_field() {
    let e = ProviderConfig::parse(ProviderId::Ollama, &json!({"port": "x"}), Source::Input)
        .unwrap_err();
    assert_eq!(e.details().unwrap()["field"], "port");
    assert!(e.to_string().starts_with("port: invalid type"), "{e}");
}
