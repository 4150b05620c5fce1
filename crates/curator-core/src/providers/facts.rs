//! Facts about each provider, kept in one table: id, display name, default base URL,
//! how it takes its key, default batch size.

use crate::error::{CoreError, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use specta::Type;

/// The providers this build implements, in registry order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Type,
)]
#[serde(rename_all = "lowercase")]
pub enum ProviderId {
    Ollama,
    Openai,
    Anthropic,
    Google,
    Openrouter,
}

impl ProviderId {
    pub const ALL: [ProviderId; 5] = [
        ProviderId::Ollama,
        ProviderId::Openai,
        ProviderId::Anthropic,
        ProviderId::Google,
        ProviderId::Openrouter,
    ];

    pub fn info(self) -> &'static ProviderInfo {
        PROVIDERS
            .iter()
            .find(|p| p.id == self)
            .unwrap_or(&PROVIDERS[0])
    }

    pub fn as_str(self) -> &'static str {
        self.info().key
    }

    /// Look an id up; anything else is `unknown_provider`.
    pub fn parse(s: &str) -> Result<Self> {
        PROVIDERS
            .iter()
            .find(|p| p.key == s)
            .map(|p| p.id)
            .ok_or_else(|| {
                CoreError::Coded {
                    code: ErrorCode::UnknownProvider,
                    message: format!(
                        "unknown provider '{}': expected one of ollama, openai, anthropic, google, openrouter",
                        printable(s)
                    ),
                    details: Some(serde_json::json!({ "provider": printable(s) })),
                }
            })
    }

    /// Registry position, for ordering lists.
    pub fn rank(self) -> usize {
        PROVIDERS.iter().position(|p| p.id == self).unwrap_or(0)
    }
}

/// A user-supplied string made safe to echo in a message (bounded, no control chars).
pub(crate) fn printable(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(64).collect();
    if s.chars().count() > 64 {
        out.push('…');
    }
    out
}

/// How a provider wants its API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    None,
    Bearer,
    Header(&'static str),
}

/// Facts about a provider, kept in one table.
#[derive(Debug, Clone, Copy)]
pub struct ProviderInfo {
    pub id: ProviderId,
    /// The id as written in the database and on the wire.
    pub key: &'static str,
    pub display_name: &'static str,
    pub default_base_url: &'static str,
    pub auth: Auth,
    /// Extra headers every request carries.
    pub extra_headers: &'static [(&'static str, &'static str)],
    pub needs_key: bool,
    pub default_batch_size: i64,
}

pub const DEFAULT_TIMEOUT_S: u64 = 15;

pub const PROVIDERS: [ProviderInfo; 5] = [
    ProviderInfo {
        id: ProviderId::Ollama,
        key: "ollama",
        display_name: "Ollama",
        default_base_url: "http://localhost:11434",
        auth: Auth::None,
        extra_headers: &[],
        needs_key: false,
        default_batch_size: 1,
    },
    ProviderInfo {
        id: ProviderId::Openai,
        key: "openai",
        display_name: "OpenAI",
        default_base_url: "https://api.openai.com/v1",
        auth: Auth::Bearer,
        extra_headers: &[],
        needs_key: true,
        default_batch_size: 5,
    },
    ProviderInfo {
        id: ProviderId::Anthropic,
        key: "anthropic",
        display_name: "Anthropic",
        default_base_url: "https://api.anthropic.com",
        auth: Auth::Header("x-api-key"),
        extra_headers: &[("anthropic-version", "2023-06-01")],
        needs_key: true,
        default_batch_size: 5,
    },
    ProviderInfo {
        id: ProviderId::Google,
        key: "google",
        display_name: "Google Gemini",
        default_base_url: "https://generativelanguage.googleapis.com/v1beta",
        auth: Auth::Header("x-goog-api-key"),
        extra_headers: &[],
        needs_key: true,
        default_batch_size: 5,
    },
    ProviderInfo {
        id: ProviderId::Openrouter,
        key: "openrouter",
        display_name: "OpenRouter",
        default_base_url: "https://openrouter.ai/api/v1",
        auth: Auth::Bearer,
        extra_headers: &[("X-OpenRouter-Title", "Curator")],
        needs_key: true,
        default_batch_size: 5,
    },
];

/// The facts table as the UI sees it (for the Add Provider dialog).
#[derive(Debug, Clone, Serialize, Type, PartialEq, Eq)]
pub struct ProviderKind {
    pub provider: ProviderId,
    pub display_name: String,
    pub default_base_url: String,
    pub needs_key: bool,
}

pub fn provider_kinds() -> Vec<ProviderKind> {
    PROVIDERS
        .iter()
        .map(|p| ProviderKind {
            provider: p.id,
            display_name: p.display_name.into(),
            default_base_url: p.default_base_url.into(),
            needs_key: p.needs_key,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_id_in_registry_order() {
        for (i, id) in ProviderId::ALL.iter().enumerate() {
            assert_eq!(PROVIDERS.iter().filter(|p| p.id == *id).count(), 1);
            assert_eq!(PROVIDERS[i].id, *id);
            assert_eq!(ProviderId::parse(id.as_str()).unwrap(), *id);
            assert_eq!(serde_json::to_value(id).unwrap(), id.as_str());
        }
    }

    #[test]
    fn unknown_id_is_coded() {
        let e = ProviderId::parse("gpt\u{7}x").unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnknownProvider);
        assert!(!e.to_string().contains('\u{7}'));
    }
}
