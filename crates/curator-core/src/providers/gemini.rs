//! Google Gemini: `GET /models`, `pageSize` + `pageToken`, `nextPageToken` until the
//! last page. Only models that support `generateContent` are offered.

use super::structured::{unusable, RawAnswer, StructuredMode, StructuredRequest};
use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::Result;
use crate::tasks::schema::{for_dialect, Dialect};
use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{json, Value};

pub struct Gemini {
    pub conn: Conn,
}

const MAX_PAGES: usize = 100;

/// One page of `GET /models`; an empty page may omit `models`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    #[serde(default)]
    models: Vec<Model>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Model {
    name: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    input_token_limit: Option<u64>,
    #[serde(default)]
    supported_generation_methods: Vec<String>,
}

impl Model {
    /// The model, when it supports `generateContent`.
    fn usable(self) -> Option<RemoteModel> {
        let generates = self
            .supported_generation_methods
            .iter()
            .any(|m| m == "generateContent");
        generates.then(|| RemoteModel {
            name: self.name,
            display_name: self.display_name,
            context_length: self.input_token_limit,
            // Every generateContent model takes responseMimeType + schema.
            structured_output: Some(true),
            ..Default::default()
        })
    }
}

#[async_trait]
impl Provider for Gemini {
    fn id(&self) -> ProviderId {
        ProviderId::Google
    }

    async fn health(&self) -> Result<Health> {
        self.conn
            .get::<Page>("models", &[("pageSize", "1".into())])
            .await?;
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
            let page: Page = self.conn.get("models", &q).await?;
            out.extend(page.models.into_iter().filter_map(Model::usable));
            match page.next_page_token.filter(|t| !t.is_empty()) {
                Some(t) if token.as_deref() == Some(t.as_str()) => {
                    return Err(self.conn.bad_shape("repeated nextPageToken"))
                }
                Some(t) => token = Some(t),
                None => return Ok(out),
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
