//! Facts about each provider, kept in one place: id, display name, default base URL,
//! how it takes its key, default batch size. The id's wire name comes from serde and
//! strum (lowercase variant names); nothing spells it again.

use serde::{Deserialize, Serialize};
use specta::Type;

/// The providers this build implements, in registry order.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    Type,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum ProviderId {
    Ollama,
    Openai,
    Anthropic,
    Google,
    Openrouter,
}

/// An id that names no provider of this build.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider '{given}': expected one of {}", ProviderId::names())]
pub struct UnknownProvider {
    /// What was given, made safe to echo.
    pub given: String,
}

impl ProviderId {
    /// Every provider, in registry order.
    pub const ALL: &'static [ProviderId] = <ProviderId as strum::VariantArray>::VARIANTS;

    pub fn info(self) -> &'static ProviderInfo {
        match self {
            Self::Ollama => &OLLAMA,
            Self::Openai => &OPENAI,
            Self::Anthropic => &ANTHROPIC,
            Self::Google => &GOOGLE,
            Self::Openrouter => &OPENROUTER,
        }
    }

    /// The id as written in the database and on the wire.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Look an id up; anything else is `unknown_provider`.
    pub fn parse(s: &str) -> Result<Self, UnknownProvider> {
        s.parse().map_err(|_| UnknownProvider {
            given: printable(s),
        })
    }

    /// Registry position, for ordering lists.
    pub fn rank(self) -> usize {
        self as usize
    }

    fn names() -> String {
        Self::ALL
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ")
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

/// Facts about a provider.
#[derive(Debug, Clone, Copy)]
pub struct ProviderInfo {
    pub id: ProviderId,
    pub display_name: &'static str,
    pub default_base_url: &'static str,
    pub auth: Auth,
    /// Extra headers every request carries.
    pub extra_headers: &'static [(&'static str, &'static str)],
    pub needs_key: bool,
    pub default_batch_size: u32,
}

pub const DEFAULT_TIMEOUT_S: u32 = 15;

const OLLAMA: ProviderInfo = ProviderInfo {
    id: ProviderId::Ollama,
    display_name: "Ollama",
    default_base_url: "http://localhost:11434",
    auth: Auth::None,
    extra_headers: &[],
    needs_key: false,
    default_batch_size: 1,
};

const OPENAI: ProviderInfo = ProviderInfo {
    id: ProviderId::Openai,
    display_name: "OpenAI",
    default_base_url: "https://api.openai.com/v1",
    auth: Auth::Bearer,
    extra_headers: &[],
    needs_key: true,
    default_batch_size: 5,
};

const ANTHROPIC: ProviderInfo = ProviderInfo {
    id: ProviderId::Anthropic,
    display_name: "Anthropic",
    default_base_url: "https://api.anthropic.com",
    auth: Auth::Header("x-api-key"),
    extra_headers: &[("anthropic-version", "2023-06-01")],
    needs_key: true,
    default_batch_size: 5,
};

const GOOGLE: ProviderInfo = ProviderInfo {
    id: ProviderId::Google,
    display_name: "Google Gemini",
    default_base_url: "https://generativelanguage.googleapis.com/v1beta",
    auth: Auth::Header("x-goog-api-key"),
    extra_headers: &[],
    needs_key: true,
    default_batch_size: 5,
};

const OPENROUTER: ProviderInfo = ProviderInfo {
    id: ProviderId::Openrouter,
    display_name: "OpenRouter",
    default_base_url: "https://openrouter.ai/api/v1",
    auth: Auth::Bearer,
    extra_headers: &[("X-OpenRouter-Title", "Curator")],
    needs_key: true,
    default_batch_size: 5,
};

/// The facts table as the UI sees it (for the Add Provider dialog).
#[derive(Debug, Clone, Serialize, Type, PartialEq, Eq)]
pub struct ProviderKind {
    pub provider: ProviderId,
    pub display_name: String,
    pub default_base_url: String,
    pub needs_key: bool,
}

pub fn provider_kinds() -> Vec<ProviderKind> {
    ProviderId::ALL
        .iter()
        .map(|id| {
            let p = id.info();
            ProviderKind {
                provider: p.id,
                display_name: p.display_name.into(),
                default_base_url: p.default_base_url.into(),
                needs_key: p.needs_key,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_fact_row_per_id_and_one_wire_name() {
        for (i, id) in ProviderId::ALL.iter().enumerate() {
            assert_eq!(id.info().id, *id);
            assert_eq!(id.rank(), i);
            assert_eq!(ProviderId::parse(id.as_str()).unwrap(), *id);
            assert_eq!(serde_json::to_value(id).unwrap(), id.as_str());
        }
        assert_eq!(ProviderId::ALL.len(), 5);
    }

    #[test]
    fn unknown_id_names_the_known_ones_and_is_printable() {
        let e = ProviderId::parse("gpt\u{7}x").unwrap_err();
        assert_eq!(e.given, "gptx");
        assert_eq!(
            e.to_string(),
            "unknown provider 'gptx': expected one of ollama, openai, anthropic, google, openrouter"
        );
    }
}
