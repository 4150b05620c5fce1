//! OpenAI and OpenAI-compatible servers (LM Studio, vLLM, llama.cpp): `GET /models`,
//! one list, no paging and no metadata beyond the id.

use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::{ErrorCode, Result};
use async_trait::async_trait;

use super::structured::{unusable, RawAnswer, StructuredMode, StructuredRequest};
use crate::tasks::schema::{for_dialect, Dialect};
use serde_json::{json, Value};

pub struct OpenAi {
    pub conn: Conn,
}

/// Parse an OpenAI-style `{"data": [{"id": ...}]}` list.
pub(super) fn parse_list(conn: &Conn, v: &Value) -> Result<Vec<RemoteModel>> {
    let data = v
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| conn.bad_shape("no `data` list"))?;
    data.iter()
        .map(|m| {
            let id = m
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| conn.bad_shape("a model without `id`"))?;
            Ok(RemoteModel {
                name: id.to_string(),
                display_name: Some(id.to_string()),
                ..Default::default()
            })
        })
        .collect()
}

#[async_trait]
impl Provider for OpenAi {
    fn id(&self) -> ProviderId {
        ProviderId::Openai
    }

    async fn health(&self) -> Result<Health> {
        let v = self.conn.get_json("models", &[]).await?;
        parse_list(&self.conn, &v)?;
        Ok(Health { version: None })
    }

    async fn list_models(&self) -> Result<Vec<RemoteModel>> {
        let v = self.conn.get_json("models", &[]).await?;
        let mut list = parse_list(&self.conn, &v)?;
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
    if let Some(e) = v.get("error").filter(|e| !e.is_null()) {
        let msg = super::http::error_message(v).unwrap_or_default();
        let inner = e.get("code").and_then(Value::as_u64);
        let code = match inner {
            Some(429) => ErrorCode::RateLimited,
            Some(502..=504) | Some(529) => ErrorCode::Overloaded,
            _ => ErrorCode::BadResponse,
        };
        return Err(conn.error(
            code,
            format!(
                "{} answered 200 with an error: {msg}",
                conn.provider.info().display_name
            ),
            json!({ "status": 200, "inner_code": inner }),
        ));
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
