//! Ollama: the client (`/api/version`, `/api/tags`, `/api/ps`, `/api/delete`, the
//! streamed `/api/pull` in `pull`) and the management operations built on it (`ops`).

mod ops;
mod pull;

pub use ops::{OllamaDeleted, OllamaHealth, OllamaModel};
pub use pull::{PullOutcome, PullProgress};

use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::{CoreError, Failure, Result};
use async_trait::async_trait;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;
use specta::Type;

pub struct Ollama {
    pub conn: Conn,
}

/// A model Ollama holds in memory (`/api/ps`).
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct RunningModel {
    pub name: String,
    #[specta(type = Option<specta_typescript::Number>)]
    pub size: Option<u64>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub size_vram: Option<u64>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub context_length: Option<u64>,
    /// When Ollama unloads it (RFC 3339, as Ollama wrote it).
    pub expires_at: Option<String>,
}

/// `GET /api/version`.
#[derive(Deserialize)]
struct Version {
    version: String,
}

/// `GET /api/tags` and `GET /api/ps`: `{"models": [...]}`.
#[derive(Deserialize)]
struct ModelList<M> {
    models: Vec<M>,
}

/// An entry of `/api/tags`; Ollama names it in `model`, older builds in `name`.
#[derive(Deserialize)]
struct Tag {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    details: Option<TagDetails>,
}

#[derive(Deserialize)]
struct TagDetails {
    #[serde(default)]
    parameter_size: Option<String>,
    #[serde(default)]
    quantization_level: Option<String>,
}

/// An entry of `/api/ps`.
#[derive(Deserialize)]
struct Running {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    size_vram: Option<u64>,
    #[serde(default)]
    context_length: Option<u64>,
    #[serde(default)]
    expires_at: Option<String>,
}

impl Ollama {
    pub fn new(conn: Conn) -> Self {
        Self { conn }
    }

    pub async fn version(&self) -> Result<String> {
        let v: Version = self.conn.get("api/version", &[]).await?;
        Ok(v.version)
    }

    /// An entry's name (`model`, else `name`).
    fn name_of(&self, i: usize, model: Option<String>, name: Option<String>) -> Result<String> {
        model.or(name).ok_or_else(|| {
            self.conn
                .bad_shape(&format!("models[{i}]: a model without a name"))
        })
    }

    pub async fn tags(&self) -> Result<Vec<RemoteModel>> {
        let list: ModelList<Tag> = self.conn.get("api/tags", &[]).await?;
        list.models
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                let name = self.name_of(i, m.model, m.name)?;
                let details = m.details;
                Ok(RemoteModel {
                    display_name: Some(name.clone()),
                    name,
                    size: m.size,
                    parameter_size: details.as_ref().and_then(|d| d.parameter_size.clone()),
                    quantization_level: details.and_then(|d| d.quantization_level),
                    is_loaded: Some(false),
                    ..Default::default()
                })
            })
            .collect()
    }

    pub async fn ps(&self) -> Result<Vec<RunningModel>> {
        let list: ModelList<Running> = self.conn.get("api/ps", &[]).await?;
        list.models
            .into_iter()
            .enumerate()
            .map(|(i, m)| {
                Ok(RunningModel {
                    name: self.name_of(i, m.model, m.name)?,
                    size: m.size,
                    size_vram: m.size_vram,
                    context_length: m.context_length,
                    expires_at: m.expires_at,
                })
            })
            .collect()
    }

    /// Delete an installed model; a 404 is `model_not_found`.
    pub async fn delete(&self, model: &str) -> Result<()> {
        let body = json!({ "model": model });
        match self
            .conn
            .send(Method::DELETE, "api/delete", &[], Some(&body))
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => Err(self.model_not_found(model, e)),
        }
    }

    /// A 404 about `model` is `model_not_found`; anything else stays what it is.
    fn model_not_found(&self, model: &str, e: CoreError) -> CoreError {
        match e {
            CoreError::Provider(cause) if matches!(cause.failure, Failure::NotFound(_)) => self
                .conn
                .fail(Failure::NoModel {
                    model: model.to_string(),
                    cause,
                })
                .into(),
            other => other,
        }
    }
}

#[async_trait]
impl Provider for Ollama {
    fn id(&self) -> ProviderId {
        ProviderId::Ollama
    }

    async fn health(&self) -> Result<Health> {
        Ok(Health {
            version: Some(self.version().await?),
        })
    }

    async fn list_models(&self) -> Result<Vec<RemoteModel>> {
        let (tags, ps) = futures::join!(self.tags(), self.ps());
        let mut tags = tags?;
        // A failing /api/ps only loses the loaded flags.
        let running = ps.unwrap_or_default();
        for m in &mut tags {
            let r = running.iter().find(|r| r.name == m.name);
            m.is_loaded = Some(r.is_some());
            m.context_length = r.and_then(|r| r.context_length);
        }
        Ok(tags)
    }
}
