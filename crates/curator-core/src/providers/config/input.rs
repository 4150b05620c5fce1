//! What the user may send as a provider config: every field optional, unknown keys
//! refused by name, values checked and defaulted by `validate()`.

use super::{
    check_model_name, normalize_keyed_base_url, normalize_ollama_base_url, normalize_ollama_model,
    KeyedConfig, OllamaConfig, Source,
};
use crate::error::{CoreError, Result};
use crate::providers::{printable, ProviderId, DEFAULT_TIMEOUT_S};
use serde::de::{self, DeserializeOwned, Visitor};
use serde_json::{Map, Value};
use specta::Type;

const MAX_SELECTED: usize = 500;

/// What the user may send for Ollama; absent fields take their defaults.
#[derive(Debug, Clone, Default, serde::Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct OllamaConfigInput {
    #[serde(default)]
    #[specta(optional)]
    pub base_url: Option<String>,
    #[serde(default)]
    #[specta(optional, type = Option<specta_typescript::Number>)]
    pub port: Option<i64>,
    #[serde(default)]
    #[specta(optional)]
    pub categorization_model: Option<String>,
    #[serde(default)]
    #[specta(optional)]
    pub scoring_model: Option<String>,
    #[serde(default)]
    #[specta(optional)]
    pub use_separate_models: Option<bool>,
    #[serde(default)]
    #[specta(optional)]
    pub thinking: Option<bool>,
    #[serde(default)]
    #[specta(optional, type = Option<specta_typescript::Number>)]
    pub batch_size: Option<i64>,
    #[serde(default)]
    #[specta(optional, type = Option<specta_typescript::Number>)]
    pub timeout_s: Option<i64>,
}

/// What the user may send for a key-based provider; absent fields take defaults.
#[derive(Debug, Clone, Default, serde::Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct KeyedConfigInput {
    #[serde(default)]
    #[specta(optional)]
    pub base_url: Option<String>,
    #[serde(default)]
    #[specta(optional)]
    pub selected_models: Option<Vec<String>>,
    #[serde(default)]
    #[specta(optional, type = Option<specta_typescript::Number>)]
    pub batch_size: Option<i64>,
    #[serde(default)]
    #[specta(optional, type = Option<specta_typescript::Number>)]
    pub timeout_s: Option<i64>,
}

/// The config a command accepts (the TypeScript type of the `config` argument).
#[derive(Debug, Clone, serde::Deserialize, Type)]
#[serde(untagged)]
pub enum ProviderConfigInput {
    Ollama(OllamaConfigInput),
    Keyed(KeyedConfigInput),
}

/// The field names a derived `Deserialize` struct knows, as serde itself lists them.
pub(super) fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Probe<'a>(&'a mut &'static [&'static str]);
    impl<'de> de::Deserializer<'de> for Probe<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(
            self,
            _: V,
        ) -> std::result::Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> std::result::Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("fields read"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

/// Read `obj` into the input type `T`. From the user, an unknown key is refused by
/// name; from the database, keys of older versions are ignored. A value of the wrong
/// type names its field.
pub(super) fn read<T: DeserializeOwned>(
    id: ProviderId,
    mut obj: Map<String, Value>,
    source: Source,
) -> Result<T> {
    let fields = field_names::<T>();
    match source {
        Source::Input => {
            if let Some(k) = obj.keys().find(|k| !fields.contains(&k.as_str())) {
                let reason = if k.contains("key") {
                    "an API key is never part of the config; pass it with --api-key-stdin"
                        .to_string()
                } else {
                    format!("unknown key; {} takes {}", id.as_str(), fields.join(", "))
                };
                return Err(CoreError::invalid_config(printable(k), reason));
            }
        }
        Source::Stored => obj.retain(|k, _| fields.contains(&k.as_str())),
    }
    serde_path_to_error::deserialize(Value::Object(obj)).map_err(|e| {
        let field = match e.path().iter().next() {
            Some(serde_path_to_error::Segment::Map { key }) => key.clone(),
            _ => "config".to_string(),
        };
        CoreError::ConfigValue {
            field,
            source: e.into_inner(),
        }
    })
}

fn int_in(field: &str, v: Option<i64>, lo: i64, hi: i64, default: i64) -> Result<i64> {
    match v {
        None => Ok(default),
        Some(n) if (lo..=hi).contains(&n) => Ok(n),
        Some(_) => Err(CoreError::invalid_config(
            field,
            format!("must be an integer from {lo} to {hi}"),
        )),
    }
}

/// An optional model name: blank means none.
fn opt_model(field: &str, v: Option<String>) -> Result<Option<String>> {
    match v {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => check_model_name(field, &s).map(Some),
    }
}

impl OllamaConfigInput {
    /// Defaults, ranges and normalisation; errors name the field.
    pub fn validate(self) -> Result<OllamaConfig> {
        let id = ProviderId::Ollama;
        let base_url = match self.base_url {
            None => "http://localhost".to_string(),
            Some(s) if s.trim().is_empty() => {
                return Err(CoreError::invalid_config("base_url", "must not be empty"))
            }
            Some(s) => normalize_ollama_base_url(&s)?,
        };
        let model = |f: &str, v| opt_model(f, v).map(|m| m.map(|m| normalize_ollama_model(&m)));
        Ok(OllamaConfig {
            base_url,
            port: int_in("port", self.port, 1, 65535, 11434)? as u16,
            categorization_model: model("categorization_model", self.categorization_model)?,
            scoring_model: model("scoring_model", self.scoring_model)?,
            use_separate_models: self.use_separate_models.unwrap_or(false),
            thinking: false,
            batch_size: batch_size(id, self.batch_size)?,
            timeout_s: timeout_s(self.timeout_s)?,
        })
    }
}

impl KeyedConfigInput {
    /// Defaults, ranges and normalisation; errors name the field.
    pub fn validate(self, id: ProviderId) -> Result<KeyedConfig> {
        let base_url = match self.base_url {
            None => None,
            Some(s) if s.trim().is_empty() => None,
            Some(s) => Some(normalize_keyed_base_url(&s)?),
        };
        let mut selected_models: Vec<String> = Vec::new();
        for m in self.selected_models.unwrap_or_default() {
            let m = check_model_name("selected_models", &m)?;
            if !selected_models.contains(&m) {
                selected_models.push(m);
            }
        }
        if selected_models.len() > MAX_SELECTED {
            return Err(CoreError::invalid_config(
                "selected_models",
                format!("at most {MAX_SELECTED} models"),
            ));
        }
        Ok(KeyedConfig {
            base_url,
            selected_models,
            batch_size: batch_size(id, self.batch_size)?,
            timeout_s: timeout_s(self.timeout_s)?,
        })
    }
}

fn batch_size(id: ProviderId, v: Option<i64>) -> Result<u32> {
    Ok(int_in(
        "batch_size",
        v,
        1,
        10,
        i64::from(id.info().default_batch_size),
    )? as u32)
}

fn timeout_s(v: Option<i64>) -> Result<u32> {
    Ok(int_in("timeout_s", v, 1, 300, i64::from(DEFAULT_TIMEOUT_S))? as u32)
}
