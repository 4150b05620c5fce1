//! Where requests to a provider go. One rule turns what the user typed as a base URL
//! into the base every request is built on, so the preview the window shows and the
//! requests the client sends can never disagree.
//!
//! - OpenAI-compatible servers (OpenAI, OpenRouter): `https://host`, `https://host/v1`
//!   and `https://host/v1/` are the same server; a bare host means its `/v1`.
//! - Anthropic: requests name `v1/…` themselves, so a base ending in `/v1` drops it.
//! - Google Gemini: a bare host means its `/v1beta`.
//! - Ollama: `scheme://host:port`; requests name `api/…` themselves.

use super::config::{ProviderConfig, Source};
use super::ProviderId;
use crate::error::Result;
use serde::Serialize;
use specta::Type;

/// The base a provider's requests are built on, and the exact URL that listing its
/// models requests.
#[derive(Debug, Clone, Serialize, Type, PartialEq, Eq)]
pub struct ProviderEndpoint {
    pub base_url: String,
    pub models_url: String,
}

/// The request base for an already validated base URL (no trailing slash).
pub fn request_base(id: ProviderId, base_url: &str) -> String {
    let trimmed = base_url.trim().trim_end_matches('/');
    let Ok(u) = url::Url::parse(trimmed) else {
        return trimmed.to_string();
    };
    let bare = matches!(u.path(), "" | "/");
    match id {
        ProviderId::Openai | ProviderId::Openrouter if bare => format!("{trimmed}/v1"),
        ProviderId::Google if bare => format!("{trimmed}/v1beta"),
        ProviderId::Anthropic => trimmed.strip_suffix("/v1").unwrap_or(trimmed).to_string(),
        _ => trimmed.to_string(),
    }
}

/// The path (relative to the request base) that lists a provider's models.
pub fn models_path(id: ProviderId) -> &'static str {
    match id {
        ProviderId::Ollama => "api/tags",
        ProviderId::Anthropic => "v1/models",
        ProviderId::Openai | ProviderId::Google | ProviderId::Openrouter => "models",
    }
}

/// Validate `base_url` as the provider's config would (`None` or blank: the default)
/// and say where requests would go. For Ollama, `base_url` is `scheme://host[:port]`.
pub fn preview(id: ProviderId, base_url: Option<&str>) -> Result<ProviderEndpoint> {
    let base_url = base_url.map(str::trim).filter(|s| !s.is_empty());
    let config = match (id, base_url) {
        (ProviderId::Ollama, Some(raw)) => {
            let port = url::Url::parse(raw).ok().and_then(|u| u.port());
            let host = match port {
                Some(p) => raw.trim_end_matches('/').trim_end_matches(&format!(":{p}")),
                None => raw,
            };
            let mut v = serde_json::json!({ "base_url": host });
            if let Some(p) = port {
                v["port"] = p.into();
            }
            ProviderConfig::parse(id, &v, Source::Input)?
        }
        (_, raw) => {
            ProviderConfig::parse(id, &serde_json::json!({ "base_url": raw }), Source::Input)?
        }
    };
    let base = config.endpoint(id);
    Ok(ProviderEndpoint {
        models_url: format!("{base}/{}", models_path(id)),
        base_url: base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openai_compatible_bases_agree() {
        let want = "https://host.example/v1/models";
        for raw in [
            "https://host.example",
            "https://host.example/",
            "https://host.example/v1",
            "https://host.example/v1/",
        ] {
            for id in [ProviderId::Openai, ProviderId::Openrouter] {
                assert_eq!(preview(id, Some(raw)).unwrap().models_url, want, "{raw}");
            }
        }
        // A path of its own is kept.
        assert_eq!(
            preview(ProviderId::Openai, Some("http://127.0.0.1:8080/api/v1/"))
                .unwrap()
                .models_url,
            "http://127.0.0.1:8080/api/v1/models"
        );
    }

    #[test]
    fn defaults_and_other_providers() {
        assert_eq!(
            preview(ProviderId::Openai, None).unwrap().models_url,
            "https://api.openai.com/v1/models"
        );
        assert_eq!(
            preview(ProviderId::Anthropic, Some("https://api.anthropic.com/v1/"))
                .unwrap()
                .models_url,
            "https://api.anthropic.com/v1/models"
        );
        assert_eq!(
            preview(ProviderId::Google, Some("https://g.example"))
                .unwrap()
                .models_url,
            "https://g.example/v1beta/models"
        );
        assert_eq!(
            preview(ProviderId::Ollama, Some("http://LocalHost:11500"))
                .unwrap()
                .models_url,
            "http://localhost:11500/api/tags"
        );
        assert_eq!(
            preview(ProviderId::Ollama, None).unwrap().models_url,
            "http://localhost:11434/api/tags"
        );
    }

    #[test]
    fn bad_url_names_the_field() {
        let e = preview(ProviderId::Openai, Some("ftp://x")).unwrap_err();
        assert_eq!(
            crate::ApiError::from(e).code,
            crate::ErrorCode::InvalidConfig
        );
    }
}
