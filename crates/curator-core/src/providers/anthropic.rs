//! Anthropic: `GET /v1/models`, cursor paging with `has_more` / `after_id`.

use super::structured::{unusable, RawAnswer, StructuredMode, StructuredRequest};
use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::Result;
use crate::tasks::schema::{for_dialect, Dialect};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Value};

pub struct Anthropic {
    pub conn: Conn,
}

/// Upper bound on pages followed, so a server that always says `has_more` ends.
const MAX_PAGES: usize = 100;

/// One page of `GET /v1/models`.
#[derive(Deserialize)]
struct Page {
    data: Vec<Model>,
    #[serde(default)]
    has_more: bool,
    #[serde(default)]
    last_id: Option<String>,
}

#[derive(Deserialize)]
struct Model {
    id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    max_input_tokens: Option<u64>,
    #[serde(default)]
    capabilities: Option<Capabilities>,
}

#[derive(Deserialize)]
struct Capabilities {
    #[serde(default)]
    structured_outputs: Option<Supported>,
}

#[derive(Deserialize)]
struct Supported {
    #[serde(default)]
    supported: Option<bool>,
}

impl From<Model> for RemoteModel {
    fn from(m: Model) -> Self {
        RemoteModel {
            name: m.id,
            display_name: m.display_name,
            context_length: m.max_input_tokens,
            structured_output: m
                .capabilities
                .and_then(|c| c.structured_outputs)
                .and_then(|s| s.supported),
            ..Default::default()
        }
    }
}

#[async_trait]
impl Provider for Anthropic {
    fn id(&self) -> ProviderId {
        ProviderId::Anthropic
    }

    async fn health(&self) -> Result<Health> {
        self.conn
            .get::<Page>("v1/models", &[("limit", "1".into())])
            .await?;
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
            let page: Page = self.conn.get("v1/models", &q).await?;
            out.extend(page.data.into_iter().map(RemoteModel::from));
            match (page.has_more, page.last_id) {
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
