//! OpenAI and OpenAI-compatible servers (LM Studio, vLLM, llama.cpp): `GET /models`,
//! one list, no paging and no metadata beyond the id.

use super::http::ErrorBody;
use super::structured::{unusable, RawAnswer, StructuredMode, StructuredRequest};
use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::Failure;
use crate::error::Result;
use crate::tasks::schema::{for_dialect, Dialect};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Value};

pub struct OpenAi {
    pub conn: Conn,
}

/// `GET /models`: `{"data": [{"id": …}, …]}`.
#[derive(Deserialize)]
struct ModelList {
    data: Vec<Model>,
}

#[derive(Deserialize)]
struct Model {
    id: String,
}

impl From<Model> for RemoteModel {
    fn from(m: Model) -> Self {
        RemoteModel {
            display_name: Some(m.id.clone()),
            name: m.id,
            ..Default::default()
        }
    }
}

#[async_trait]
impl Provider for OpenAi {
    fn id(&self) -> ProviderId {
        ProviderId::Openai
    }

    async fn health(&self) -> Result<Health> {
        self.conn.get::<ModelList>("models", &[]).await?;
        Ok(Health { version: None })
    }

    async fn list_models(&self) -> Result<Vec<RemoteModel>> {
        let list: ModelList = self.conn.get("models", &[]).await?;
        let mut list: Vec<RemoteModel> = list.data.into_iter().map(RemoteModel::from).collect();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(list)
    }
}

/// The structured-completion request (path and body) for a mode (`structured.rs`).
pub(super) fn structured_request(
    mode: StructuredMode,
    r: &StructuredRequest<'_>,
) -> (String, Value) {
    let mut body = json!({
        "model": r.model,
        "temperature": 0,
        "stream": false,
        "messages": [
            {"role": "system", "content": r.system},
            {"role": "user", "content": r.user},
        ],
    });
    match mode {
        StructuredMode::JsonSchema | StructuredMode::Auto => {
            body["response_format"] = json!({
                "type": "json_schema",
                "json_schema": {
                    "name": r.name,
                    "strict": true,
                    "schema": for_dialect(r.schema, Dialect::Strict),
                }
            });
        }
        StructuredMode::JsonObject => {
            body["response_format"] = json!({
                "type": "json_object",
                "schema": for_dialect(r.schema, Dialect::Plain),
            });
        }
        StructuredMode::Prompt => {}
    }
    ("chat/completions".into(), body)
}

/// The answer of a structured-completion reply (`structured.rs`).
pub(super) fn structured_answer(conn: &Conn, v: &Value) -> Result<RawAnswer> {
    if let Ok(body) = serde_json::from_value::<ErrorBody>(v.clone()) {
        if body.has_error() {
            let inner = body.inner_code();
            let failure = match inner {
                Some(429) => Failure::RateLimited,
                Some(502..=504) | Some(529) => Failure::Overloaded,
                _ => Failure::ErrorInOk { inner_code: inner },
            };
            let mut e = conn.fail(failure);
            e.status = Some(200);
            e.text = body.message();
            return Err(e.into());
        }
    }
    let choice = v
        .pointer("/choices/0")
        .ok_or_else(|| conn.bad_shape("no `choices`"))?;
    if let Some(e) = choice.get("error").filter(|e| !e.is_null()) {
        return Err(unusable(conn, &format!("error in choice: {e}"), true));
    }
    match choice.get("finish_reason").and_then(Value::as_str) {
        Some("length") => {
            return Err(unusable(
                conn,
                "the answer was cut off (finish_reason length)",
                true,
            ))
        }
        Some("content_filter") => return Err(unusable(conn, "content filter", false)),
        Some("error") => return Err(unusable(conn, "finish_reason error", true)),
        _ => {}
    }
    let msg = choice
        .get("message")
        .ok_or_else(|| conn.bad_shape("no `message`"))?;
    if let Some(r) = msg.get("refusal").and_then(Value::as_str) {
        return Err(unusable(conn, &format!("the model refused: {r}"), false));
    }
    Ok(RawAnswer::Text(
        msg.get("content")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    ))
}
