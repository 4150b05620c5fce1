//! Google Gemini: `GET /models`, `pageSize` + `pageToken`, `nextPageToken` until the
//! last page. Only models that support `generateContent` are offered.

use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::Result;
use async_trait::async_trait;

use super::structured::{unusable, RawAnswer, StructuredMode, StructuredRequest};
use crate::tasks::schema::{for_dialect, Dialect};
use serde_json::{json, Value};

pub struct Gemini {
    pub conn: Conn,
}

const MAX_PAGES: usize = 100;

fn parse_model(conn: &Conn, m: &Value) -> Result<Option<RemoteModel>> {
    let name = m
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| conn.bad_shape("a model without `name`"))?;
    let generates = m
        .get("supportedGenerationMethods")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|x| x == "generateContent"));
    if !generates {
        return Ok(None);
    }
    Ok(Some(RemoteModel {
        name: name.to_string(),
        display_name: m
            .get("displayName")
            .and_then(Value::as_str)
            .map(str::to_string),
        context_length: m.get("inputTokenLimit").and_then(Value::as_u64),
        // Every generateContent model takes responseMimeType + schema.
        structured_output: Some(true),
        ..Default::default()
    }))
}

#[async_trait]
impl Provider for Gemini {
    fn id(&self) -> ProviderId {
        ProviderId::Google
    }

    async fn health(&self) -> Result<Health> {
        let v = self
            .conn
            .get_json("models", &[("pageSize", "1".into())])
            .await?;
        if v.get("models").is_some_and(|m| !m.is_array()) {
            return Err(self.conn.bad_shape("`models` is not a list"));
        }
        Ok(Health { version: None })
    }

    async fn list_models(&self) -> Result<Vec<RemoteModel>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut q = vec![("pageSize", "1000".to_string())];
            if let Some(t) = &token {
                q.push(("pageToken", t.clone()));
            }
            let v = self.conn.get_json("models", &q).await?;
            // An empty page may omit `models`.
            let models = match v.get("models") {
                None => Vec::new(),
                Some(Value::Array(a)) => a.clone(),
                Some(_) => return Err(self.conn.bad_shape("`models` is not a list")),
            };
            for m in &models {
                if let Some(rm) = parse_model(&self.conn, m)? {
                    out.push(rm);
                }
            }
            match v.get("nextPageToken").and_then(Value::as_str) {
                Some(t) if !t.is_empty() && token.as_deref() != Some(t) => {
                    token = Some(t.to_string())
                }
                Some(t) if !t.is_empty() => {
                    return Err(self.conn.bad_shape("repeated nextPageToken"))
                }
                _ => return Ok(out),
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
    let model = r.model.trim_start_matches("models/");
    let mut config = json!({ "temperature": 0 });
    match mode {
        StructuredMode::JsonSchema | StructuredMode::Auto => {
            config["responseMimeType"] = json!("application/json");
            config["responseJsonSchema"] = for_dialect(r.schema, Dialect::Gemini);
        }
        StructuredMode::JsonObject => config["responseMimeType"] = json!("application/json"),
        StructuredMode::Prompt => {}
    }
    let body = json!({
        "systemInstruction": { "parts": [{ "text": r.system }] },
        "contents": [{ "role": "user", "parts": [{ "text": r.user }] }],
        "generationConfig": config,
    });
    (format!("models/{model}:generateContent"), body)
}

/// The answer of a structured-completion reply (`structured.rs`).
pub(super) fn structured_answer(conn: &Conn, v: &Value) -> Result<RawAnswer> {
    let Some(cand) = v.pointer("/candidates/0") else {
        if let Some(reason) = v
            .pointer("/promptFeedback/blockReason")
            .and_then(Value::as_str)
        {
            return Err(unusable(
                conn,
                &format!("the prompt was blocked ({reason})"),
                false,
            ));
        }
        // A 200 with no candidate is an empty answer.
        return Ok(RawAnswer::Text(String::new()));
    };
    match cand.get("finishReason").and_then(Value::as_str) {
        None | Some("STOP") => {}
        Some("MAX_TOKENS") => {
            return Err(unusable(conn, "the answer was cut off (MAX_TOKENS)", true))
        }
        Some(other) => return Err(unusable(conn, &format!("finishReason {other}"), false)),
    }
    let text: String = cand
        .pointer("/content/parts")
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .filter(|p| p.get("thought").and_then(Value::as_bool) != Some(true))
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    Ok(RawAnswer::Text(text))
}
