//! Provider configs (`config_json`): typed structs for what is stored and shown, typed
//! input structs (unknown keys refused, every field optional), and `validate()` that
//! applies defaults, normalises and names the field at fault. Ollama keeps the
//! original's keys; the key-based providers use `{base_url?, selected_models,
//! batch_size, timeout_s}`. A key is never part of it.

mod input;

pub use input::{KeyedConfigInput, OllamaConfigInput, ProviderConfigInput};

use super::ProviderId;
use crate::error::{CoreError, Result};
use input::read;
use serde::Serialize;
use serde_json::{Map, Value};
use specta::Type;
use std::time::Duration;

/// Whether a config comes from the user (strict) or from the database (lenient:
/// legacy keys are ignored, missing keys take defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Input,
    Stored,
}

/// Ollama's config as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, Type)]
pub struct OllamaConfig {
    pub base_url: String,
    pub port: u16,
    pub categorization_model: Option<String>,
    pub scoring_model: Option<String>,
    pub use_separate_models: bool,
    /// Kept for the original's readers; Curator does not ask for thinking.
    pub thinking: bool,
    pub batch_size: u32,
    pub timeout_s: u32,
}

/// A key-based provider's config as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, Type)]
pub struct KeyedConfig {
    /// `None` means the provider's default base URL.
    pub base_url: Option<String>,
    pub selected_models: Vec<String>,
    pub batch_size: u32,
    pub timeout_s: u32,
}

/// A provider's config, as stored and shown (which one follows from the provider id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, Type)]
#[serde(untagged)]
pub enum ProviderConfig {
    Ollama(OllamaConfig),
    Keyed(KeyedConfig),
}

const MAX_MODEL_LEN: usize = 256;

/// A model name as the user typed it: trimmed, bounded, printable.
pub fn check_model_name(field: &str, s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() || t.len() > MAX_MODEL_LEN || t.chars().any(char::is_control) {
        return Err(CoreError::invalid_config(
            field,
            format!("must be a model name of 1 to {MAX_MODEL_LEN} printable characters"),
        ));
    }
    Ok(t.to_string())
}

/// Ollama's implicit `:latest`: `llama3.2` and `llama3.2:latest` are one model.
pub fn normalize_ollama_model(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    if last.contains(':') {
        name.to_string()
    } else {
        format!("{name}:latest")
    }
}

/// The original's Ollama host rule (api.md §3.3): `scheme://lowercase-host`.
pub fn normalize_ollama_base_url(raw: &str) -> Result<String> {
    let f = "base_url";
    let u = url::Url::parse(raw.trim())
        .map_err(|_| CoreError::invalid_config(f, "must be a URL such as http://localhost"))?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return Err(CoreError::invalid_config(f, "must use http or https"));
    }
    let host = match u.host_str() {
        Some(h) if !h.is_empty() => h.to_string(),
        _ => return Err(CoreError::invalid_config(f, "must include a valid host")),
    };
    if !(u.path().is_empty() || u.path() == "/") {
        return Err(CoreError::invalid_config(f, "must not include a path"));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(CoreError::invalid_config(
            f,
            "must not include query or fragment",
        ));
    }
    if u.port().is_some()
        || raw
            .trim()
            .trim_end_matches('/')
            .rsplit(']')
            .next()
            .is_some_and(|t| {
                t.rsplit_once(':')
                    .is_some_and(|(_, p)| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            })
    {
        return Err(CoreError::invalid_config(
            f,
            "must not include a port (use the port field)",
        ));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(CoreError::invalid_config(f, "must not include credentials"));
    }
    Ok(format!("{}://{}", u.scheme(), host.to_lowercase()))
}

/// A key-based provider's base URL override: http(s), a host, no query or credentials.
pub(super) fn normalize_keyed_base_url(raw: &str) -> Result<String> {
    let f = "base_url";
    let u = url::Url::parse(raw.trim()).map_err(|_| {
        CoreError::invalid_config(f, "must be a URL such as https://api.example.com/v1")
    })?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return Err(CoreError::invalid_config(f, "must use http or https"));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(CoreError::invalid_config(f, "must include a valid host"));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(CoreError::invalid_config(
            f,
            "must not include query or fragment",
        ));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(CoreError::invalid_config(f, "must not include credentials"));
    }
    Ok(u.as_str().trim_end_matches('/').to_string())
}

impl ProviderConfig {
    /// Parse and validate a config for `id` from JSON.
    pub fn parse(id: ProviderId, value: &Value, source: Source) -> Result<Self> {
        let obj = match value {
            Value::Object(o) => o.clone(),
            Value::Null if source == Source::Stored => Map::new(),
            _ => return Err(CoreError::invalid_config("config", "must be a JSON object")),
        };
        Ok(match id {
            ProviderId::Ollama => {
                Self::Ollama(read::<OllamaConfigInput>(id, obj, source)?.validate()?)
            }
            ProviderId::Openai
            | ProviderId::Anthropic
            | ProviderId::Google
            | ProviderId::Openrouter => {
                Self::Keyed(read::<KeyedConfigInput>(id, obj, source)?.validate(id)?)
            }
        })
    }

    /// The JSON stored in `config_json` (never a key).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Where requests for `id` go, without a trailing slash.
    pub fn endpoint(&self, id: ProviderId) -> String {
        match self {
            Self::Ollama(c) => format!("{}:{}", c.base_url, c.port),
            Self::Keyed(c) => super::endpoint::request_base(
                id,
                c.base_url.as_deref().unwrap_or(id.info().default_base_url),
            ),
        }
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(u64::from(match self {
            Self::Ollama(c) => c.timeout_s,
            Self::Keyed(c) => c.timeout_s,
        }))
    }

    /// The exposed models of a key-based provider (empty means all).
    pub fn selected_models(&self) -> &[String] {
        match self {
            Self::Ollama(_) => &[],
            Self::Keyed(c) => &c.selected_models,
        }
    }
}

#[cfg(test)]
mod tests;
