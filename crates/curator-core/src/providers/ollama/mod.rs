//! Ollama: the client (`/api/version`, `/api/tags`, `/api/ps`, streamed `/api/pull`,
//! `/api/delete`) and the management operations built on it (`ops`).

mod ops;

pub use ops::{OllamaDeleted, OllamaHealth, OllamaModel};

use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::{CoreError, ErrorCode, Result};
use async_trait::async_trait;

use super::structured::{unusable, RawAnswer, StructuredMode, StructuredRequest};
use crate::tasks::schema::{for_dialect, Dialect};
use futures::StreamExt;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use specta::Type;
use tokio_util::sync::CancellationToken;

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

/// One line of pull progress, as Ollama reports it.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct PullProgress {
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[specta(type = Option<specta_typescript::Number>)]
    pub total: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[specta(type = Option<specta_typescript::Number>)]
    pub completed: Option<u64>,
}

/// How a pull ended when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum PullOutcome {
    Complete,
    Cancelled,
}

impl Ollama {
    pub fn new(conn: Conn) -> Self {
        Self { conn }
    }

    pub async fn version(&self) -> Result<String> {
        let v = self.conn.get_json("api/version", &[]).await?;
        v.get("version")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| self.conn.bad_shape("no `version`"))
    }

    /// GET `path` (`api/tags` or `api/ps`) and pair each entry of its `models` list
    /// with the entry's name (`model`, else `name`).
    async fn named_models(&self, path: &str) -> Result<Vec<(String, Value)>> {
        let v = self.conn.get_json(path, &[]).await?;
        let models = v
            .get("models")
            .and_then(Value::as_array)
            .ok_or_else(|| self.conn.bad_shape("no `models` list"))?;
        models
            .iter()
            .map(|m| {
                let name = m
                    .get("model")
                    .or_else(|| m.get("name"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| self.conn.bad_shape("a model without a name"))?;
                Ok((name.to_string(), m.clone()))
            })
            .collect()
    }

    pub async fn tags(&self) -> Result<Vec<RemoteModel>> {
        Ok(self
            .named_models("api/tags")
            .await?
            .into_iter()
            .map(|(name, m)| RemoteModel {
                display_name: Some(name.clone()),
                name,
                size: m.get("size").and_then(Value::as_u64),
                parameter_size: m
                    .pointer("/details/parameter_size")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                quantization_level: m
                    .pointer("/details/quantization_level")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                is_loaded: Some(false),
                ..Default::default()
            })
            .collect())
    }

    pub async fn ps(&self) -> Result<Vec<RunningModel>> {
        Ok(self
            .named_models("api/ps")
            .await?
            .into_iter()
            .map(|(name, m)| RunningModel {
                name,
                size: m.get("size").and_then(Value::as_u64),
                size_vram: m.get("size_vram").and_then(Value::as_u64),
                context_length: m.get("context_length").and_then(Value::as_u64),
                expires_at: m
                    .get("expires_at")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            })
            .collect())
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
            Err(e) if e.code() == ErrorCode::NotFound => Err(self.model_not_found(model, &e)),
            Err(e) => Err(e),
        }
    }

    fn model_not_found(&self, model: &str, cause: &CoreError) -> CoreError {
        self.conn.error(
            ErrorCode::ModelNotFound,
            format!("Ollama has no model {}", super::printable(model)),
            json!({ "model": model, "cause": cause.to_string() }),
        )
    }

    /// Pull a model, reporting each progress line; stops at once when `cancel` fires.
    /// The per-request timeout does not apply to the stream (only to its start).
    pub async fn pull(
        &self,
        model: &str,
        on_progress: &(dyn Fn(PullProgress) + Send + Sync),
        cancel: &CancellationToken,
    ) -> Result<PullOutcome> {
        let body = json!({ "model": model, "stream": true });
        let start = self
            .conn
            .http_stream_request(Method::POST, "api/pull", &body);
        let resp = tokio::select! {
            _ = cancel.cancelled() => return Ok(PullOutcome::Cancelled),
            r = start => r,
        };
        let resp = match resp {
            Ok(r) => r,
            Err(e) if e.code() == ErrorCode::NotFound => {
                return Err(self.model_not_found(model, &e))
            }
            Err(e) => return Err(e),
        };
        let mut stream = resp.bytes_stream();
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let chunk = tokio::select! {
                _ = cancel.cancelled() => return Ok(PullOutcome::Cancelled),
                c = stream.next() => c,
            };
            let Some(chunk) = chunk else { break };
            let chunk = chunk.map_err(|e| {
                self.conn.error(
                    ErrorCode::Unreachable,
                    format!("Ollama stopped answering during the pull: {e}"),
                    json!({}),
                )
            })?;
            buf.extend_from_slice(&chunk);
            while let Some(pos) = buf.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = buf.drain(..=pos).collect();
                if self.handle_line(model, &line, on_progress)? {
                    return Ok(PullOutcome::Complete);
                }
            }
        }
        if !buf.is_empty() && self.handle_line(model, &buf, on_progress)? {
            return Ok(PullOutcome::Complete);
        }
        Err(self.conn.error(
            ErrorCode::BadResponse,
            "Ollama ended the pull without reporting success".into(),
            json!({ "model": model }),
        ))
    }

    /// Returns true on Ollama's final `success` line.
    fn handle_line(
        &self,
        model: &str,
        line: &[u8],
        on_progress: &(dyn Fn(PullProgress) + Send + Sync),
    ) -> Result<bool> {
        let text = String::from_utf8_lossy(line);
        let text = text.trim();
        if text.is_empty() {
            return Ok(false);
        }
        let v: Value = serde_json::from_str(text)
            .map_err(|_| self.conn.bad_shape("a pull progress line that is not JSON"))?;
        if let Some(err) = super::http::error_message(&v) {
            let code = if err.contains("file does not exist") || err.contains("not found") {
                ErrorCode::ModelNotFound
            } else {
                ErrorCode::ServerError
            };
            return Err(self.conn.error(
                code,
                format!("Ollama could not pull {}: {err}", super::printable(model)),
                json!({ "model": model }),
            ));
        }
        let p: PullProgress = serde_json::from_value(v)
            .map_err(|_| self.conn.bad_shape("a pull progress line without `status`"))?;
        if p.status == "success" {
            return Ok(true);
        }
        on_progress(p);
        Ok(false)
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

/// The structured-completion request (path and body) for a mode (`structured.rs`).
pub(in crate::providers) fn structured_request(
    mode: StructuredMode,
    r: &StructuredRequest<'_>,
) -> (String, Value) {
    let mut body = json!({
        "model": r.model,
        "stream": false,
        "options": { "temperature": 0 },
        "messages": [
            {"role": "system", "content": r.system},
            {"role": "user", "content": r.user},
        ],
    });
    match mode {
        StructuredMode::JsonSchema | StructuredMode::Auto => {
            body["format"] = for_dialect(r.schema, Dialect::Plain)
        }
        StructuredMode::JsonObject => body["format"] = json!("json"),
        StructuredMode::Prompt => {}
    }
    ("api/chat".into(), body)
}

/// The answer of a structured-completion reply (`structured.rs`).
pub(in crate::providers) fn structured_answer(conn: &Conn, v: &Value) -> Result<RawAnswer> {
    if let Some(e) = v.get("error").and_then(Value::as_str) {
        return Err(conn.error(
            ErrorCode::BadResponse,
            format!("Ollama answered with an error: {e}"),
            json!({ "status": 200 }),
        ));
    }
    if v.get("done_reason").and_then(Value::as_str) == Some("length") {
        return Err(unusable(
            conn,
            "the answer was cut off (done_reason length)",
            true,
        ));
    }
    Ok(RawAnswer::Text(
        v.pointer("/message/content")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    ))
}
