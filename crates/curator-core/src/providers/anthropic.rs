//! Anthropic: `GET /v1/models`, cursor paging with `has_more` / `after_id`.

use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::Result;
use async_trait::async_trait;

use super::structured::{unusable, RawAnswer, StructuredMode, StructuredRequest};
use crate::tasks::schema::{for_dialect, Dialect};
use serde_json::{json, Value};

pub struct Anthropic {
    pub conn: Conn,
}

/// Upper bound on pages followed, so a server that always says `has_more` ends.
const MAX_PAGES: usize = 100;

fn parse_model(conn: &Conn, m: &Value) -> Result<RemoteModel> {
    let id = m
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| conn.bad_shape("a model without `id`"))?;
    Ok(RemoteModel {
        name: id.to_string(),
        display_name: m
            .get("display_name")
            .and_then(Value::as_str)
            .map(str::to_string),
        context_length: m.get("max_input_tokens").and_then(Value::as_u64),
        structured_output: m
            .pointer("/capabilities/structured_outputs/supported")
            .and_then(Value::as_bool),
        ..Default::default()
    })
}

#[async_trait]
impl Provider for Anthropic {
    fn id(&self) -> ProviderId {
        ProviderId::Anthropic
    }

    async fn health(&self) -> Result<Health> {
        let v = self
            .conn
            .get_json("v1/models", &[("limit", "1".into())])
            .await?;
        if v.get("data").and_then(Value::as_array).is_none() {
            return Err(self.conn.bad_shape("no `data` list"));
        }
        Ok(Health { version: None })
    }

    async fn list_models(&self) -> Result<Vec<RemoteModel>> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut q = vec![("limit", "1000".to_string())];
            if let Some(a) = &after {
                q.push(("after_id", a.clone()));
            }
            let v = self.conn.get_json("v1/models", &q).await?;
            let data = v
                .get("data")
                .and_then(Value::as_array)
                .ok_or_else(|| self.conn.bad_shape("no `data` list"))?;
            for m in data {
                out.push(parse_model(&self.conn, m)?);
            }
            let more = v.get("has_more").and_then(Value::as_bool).unwrap_or(false);
            let last = v.get("last_id").and_then(Value::as_str).map(str::to_string);
            match (more, last) {
                (true, Some(l)) if after.as_deref() != Some(l.as_str()) => after = Some(l),
                (true, _) => return Err(self.conn.bad_shape("`has_more` without a new `last_id`")),
                (false, _) => return Ok(out),
            }
        }
        Err(self.conn.bad_shape("too many pages"))
    }
}

/// The structured-completion request (path and body) for a mode (`structured.rs`).
pub(super) fn structured_request(
    mode: StructuredMode,
    r: &StructuredRequest<'_>,
) -> (String, Value) {
    let mut body = json!({
        "model": r.model,
        "max_tokens": 4096,
        "temperature": 0,
        "system": r.system,
        "messages": [{"role": "user", "content": r.user}],
    });
    if mode == StructuredMode::JsonSchema {
        body["tools"] = json!([{
            "name": r.name,
            "description": "Record the answer for every article of the input.",
            "input_schema": for_dialect(r.schema, Dialect::Tool),
        }]);
        body["tool_choice"] = json!({ "type": "tool", "name": r.name });
    }
    ("v1/messages".into(), body)
}

/// The answer of a structured-completion reply (`structured.rs`).
pub(super) fn structured_answer(conn: &Conn, v: &Value) -> Result<RawAnswer> {
    match v.get("stop_reason").and_then(Value::as_str) {
        Some("max_tokens") => {
            return Err(unusable(conn, "the answer was cut off (max_tokens)", true))
        }
        Some("refusal") => return Err(unusable(conn, "the model refused", false)),
        _ => {}
    }
    let blocks = v
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| conn.bad_shape("no `content` list"))?;
    if let Some(input) = blocks
        .iter()
        .find(|b| b.get("type").and_then(Value::as_str) == Some("tool_use"))
        .and_then(|b| b.get("input"))
    {
        return Ok(RawAnswer::Object(input.clone()));
    }
    let text: String = blocks
        .iter()
        .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
        .filter_map(|b| b.get("text").and_then(Value::as_str))
        .collect();
    Ok(RawAnswer::Text(text))
}
