//! Provider `config_json`: parsing, validation with field-named errors, defaults and
//! normalisation. Ollama keeps the original's keys; the key-based providers use
//! `{base_url?, selected_models, batch_size, timeout_s}`. A key is never part of it.

use super::structured::StructuredMode;
use super::{printable, ProviderId, DEFAULT_TIMEOUT_S};
use crate::error::{CoreError, ErrorCode, Result};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// Whether a config comes from the user (strict) or from the database (lenient:
/// legacy keys are ignored, missing keys take defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Input,
    Stored,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OllamaConfig {
    pub base_url: String,
    pub port: u16,
    pub categorization_model: Option<String>,
    pub scoring_model: Option<String>,
    pub use_separate_models: bool,
    pub batch_size: i64,
    pub timeout_s: u64,
    pub structured: StructuredSetting,
}

/// `structured_output` (the user's choice) and `structured_output_detected` (what
/// automatic detection found; Curator's, reset by every save).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StructuredSetting {
    pub mode: StructuredMode,
    pub detected: Option<StructuredMode>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyedConfig {
    /// `None` means the provider's default base URL.
    pub base_url: Option<String>,
    pub selected_models: Vec<String>,
    pub batch_size: i64,
    pub timeout_s: u64,
    pub structured: StructuredSetting,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProviderConfig {
    Ollama(OllamaConfig),
    Keyed(ProviderId, KeyedConfig),
}

pub fn field_error(field: &str, msg: impl std::fmt::Display) -> CoreError {
    CoreError::Coded {
        code: ErrorCode::InvalidConfig,
        message: format!("{field}: {msg}"),
        details: Some(json!({ "field": field })),
    }
}

const OLLAMA_KEYS: &[&str] = &[
    "base_url",
    "port",
    "categorization_model",
    "scoring_model",
    "use_separate_models",
    "thinking",
    "batch_size",
    "timeout_s",
    "structured_output",
    "structured_output_detected",
];
const KEYED_KEYS: &[&str] = &[
    "base_url",
    "selected_models",
    "batch_size",
    "timeout_s",
    "structured_output",
    "structured_output_detected",
];
const MAX_MODEL_LEN: usize = 256;

fn int_in(obj: &Map<String, Value>, key: &str, lo: i64, hi: i64, default: i64) -> Result<i64> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => match v.as_i64() {
            Some(n) if (lo..=hi).contains(&n) => Ok(n),
            _ => Err(field_error(
                key,
                format!("must be an integer from {lo} to {hi}"),
            )),
        },
    }
}

fn opt_model(obj: &Map<String, Value>, key: &str) -> Result<Option<String>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => check_model_name(key, s).map(Some),
        Some(_) => Err(field_error(key, "must be a string or null")),
    }
}

/// A model name as the user typed it: trimmed, bounded, printable.
pub fn check_model_name(field: &str, s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() || t.len() > MAX_MODEL_LEN || t.chars().any(char::is_control) {
        return Err(field_error(
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
        .map_err(|_| field_error(f, "must be a URL such as http://localhost"))?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return Err(field_error(f, "must use http or https"));
    }
    let host = match u.host_str() {
        Some(h) if !h.is_empty() => h.to_string(),
        _ => return Err(field_error(f, "must include a valid host")),
    };
    if !(u.path().is_empty() || u.path() == "/") {
        return Err(field_error(f, "must not include a path"));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(field_error(f, "must not include query or fragment"));
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
        return Err(field_error(
            f,
            "must not include a port (use the port field)",
        ));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(field_error(f, "must not include credentials"));
    }
    Ok(format!("{}://{}", u.scheme(), host.to_lowercase()))
}

/// A key-based provider's base URL override: http(s), a host, no query or credentials.
fn normalize_keyed_base_url(raw: &str) -> Result<String> {
    let f = "base_url";
    let u = url::Url::parse(raw.trim())
        .map_err(|_| field_error(f, "must be a URL such as https://api.example.com/v1"))?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return Err(field_error(f, "must use http or https"));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(field_error(f, "must include a valid host"));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(field_error(f, "must not include query or fragment"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(field_error(f, "must not include credentials"));
    }
    Ok(u.as_str().trim_end_matches('/').to_string())
}

impl ProviderConfig {
    /// Parse and validate a config for `id`.
    pub fn parse(id: ProviderId, value: &Value, source: Source) -> Result<Self> {
        let empty = Map::new();
        let obj = match value {
            Value::Object(o) => o,
            Value::Null if source == Source::Stored => &empty,
            _ => return Err(field_error("config", "must be a JSON object")),
        };
        let allowed = if id == ProviderId::Ollama {
            OLLAMA_KEYS
        } else {
            KEYED_KEYS
        };
        if source == Source::Input {
            if let Some(k) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
                if k.contains("key") {
                    return Err(field_error(
                        &printable(k),
                        "an API key is never part of the config; pass it with --api-key-stdin",
                    ));
                }
                return Err(field_error(
                    &printable(k),
                    format!("unknown key; {} takes {}", id.as_str(), allowed.join(", ")),
                ));
            }
        }
        let batch_size = int_in(obj, "batch_size", 1, 10, id.info().default_batch_size)?;
        let timeout_s = int_in(obj, "timeout_s", 1, 300, DEFAULT_TIMEOUT_S as i64)? as u64;
        let mode = match obj.get("structured_output") {
            None | Some(Value::Null) => StructuredMode::Auto,
            Some(Value::String(s)) if StructuredMode::parse(s).is_some() => {
                StructuredMode::parse(s).unwrap_or_default()
            }
            Some(_) => {
                return Err(field_error(
                    "structured_output",
                    "must be auto, json_schema, json_object or prompt",
                ))
            }
        };
        // What detection found is Curator's own: a save (new server?) starts afresh.
        let detected = match source {
            Source::Input => None,
            Source::Stored => obj
                .get("structured_output_detected")
                .and_then(Value::as_str)
                .and_then(StructuredMode::parse)
                .filter(|m| *m != StructuredMode::Auto),
        };
        let structured = StructuredSetting { mode, detected };
        if id == ProviderId::Ollama {
            let base_url = match obj.get("base_url") {
                None | Some(Value::Null) => "http://localhost".to_string(),
                Some(Value::String(s)) if s.trim().is_empty() => {
                    return Err(field_error("base_url", "must not be empty"))
                }
                Some(Value::String(s)) => normalize_ollama_base_url(s)?,
                Some(_) => return Err(field_error("base_url", "must be a string")),
            };
            let port = int_in(obj, "port", 1, 65535, 11434)? as u16;
            let use_separate_models = match obj.get("use_separate_models") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(field_error("use_separate_models", "must be true or false")),
            };
            if source == Source::Input && obj.get("thinking").is_some_and(|t| !t.is_boolean()) {
                return Err(field_error("thinking", "must be true or false"));
            }
            let model = |k| opt_model(obj, k).map(|m| m.map(|m| normalize_ollama_model(&m)));
            return Ok(Self::Ollama(OllamaConfig {
                base_url,
                port,
                categorization_model: model("categorization_model")?,
                scoring_model: model("scoring_model")?,
                use_separate_models,
                batch_size,
                timeout_s,
                structured,
            }));
        }
        let base_url = match obj.get("base_url") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(normalize_keyed_base_url(s)?),
            Some(_) => return Err(field_error("base_url", "must be a string or null")),
        };
        let selected_models = match obj.get("selected_models") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => {
                let mut out: Vec<String> = Vec::new();
                for m in a {
                    let s = m.as_str().ok_or_else(|| {
                        field_error("selected_models", "must be a list of model names")
                    })?;
                    let s = check_model_name("selected_models", s)?;
                    if !out.contains(&s) {
                        out.push(s);
                    }
                }
                if out.len() > 500 {
                    return Err(field_error("selected_models", "at most 500 models"));
                }
                out
            }
            Some(_) => {
                return Err(field_error(
                    "selected_models",
                    "must be a list of model names",
                ))
            }
        };
        Ok(Self::Keyed(
            id,
            KeyedConfig {
                base_url,
                selected_models,
                batch_size,
                timeout_s,
                structured,
            },
        ))
    }

    /// The JSON stored in `config_json` and shown to the UI (never a key).
    pub fn to_json(&self) -> Value {
        let mut v = self.to_json_base();
        let st = self.structured();
        v["structured_output"] = json!(st.mode.as_str());
        if let Some(d) = st.detected {
            v["structured_output_detected"] = json!(d.as_str());
        }
        v
    }

    /// The connection's structured-output setting.
    pub fn structured(&self) -> StructuredSetting {
        match self {
            Self::Ollama(c) => c.structured,
            Self::Keyed(_, c) => c.structured,
        }
    }

    /// The provider's batch size.
    pub fn batch_size(&self) -> i64 {
        match self {
            Self::Ollama(c) => c.batch_size,
            Self::Keyed(_, c) => c.batch_size,
        }
    }

    fn to_json_base(&self) -> Value {
        match self {
            Self::Ollama(c) => json!({
                "base_url": c.base_url,
                "port": c.port,
                "categorization_model": c.categorization_model,
                "scoring_model": c.scoring_model,
                "use_separate_models": c.use_separate_models,
                "thinking": false,
                "batch_size": c.batch_size,
                "timeout_s": c.timeout_s,
            }),
            Self::Keyed(_, c) => json!({
                "base_url": c.base_url,
                "selected_models": c.selected_models,
                "batch_size": c.batch_size,
                "timeout_s": c.timeout_s,
            }),
        }
    }

    /// Where requests go, without a trailing slash.
    pub fn endpoint(&self) -> String {
        match self {
            Self::Ollama(c) => format!("{}:{}", c.base_url, c.port),
            Self::Keyed(id, c) => super::endpoint::request_base(
                *id,
                c.base_url.as_deref().unwrap_or(id.info().default_base_url),
            ),
        }
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(match self {
            Self::Ollama(c) => c.timeout_s,
            Self::Keyed(_, c) => c.timeout_s,
        })
    }

    /// The exposed models of a key-based provider (empty means all).
    pub fn selected_models(&self) -> &[String] {
        match self {
            Self::Ollama(_) => &[],
            Self::Keyed(_, c) => &c.selected_models,
        }
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
