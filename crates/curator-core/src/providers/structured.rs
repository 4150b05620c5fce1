//! Structured completion: one chat request whose answer must be JSON of a given schema,
//! in each provider's own wire format, for each structured-output mode (issue 15).
//! The request and answer shapes per provider are the small functions below; the
//! HTTP, retry and error mapping are `http.rs`'s.

use super::{Conn, ProviderId};
use crate::error::{CoreError, Failure, Result};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

/// How a connection asks for JSON (`config.structured_output`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Type,
    Default,
    strum::IntoStaticStr,
    strum::EnumIter,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum StructuredMode {
    /// Try `json_schema`, then `json_object`, then the prompt; keep what worked.
    #[default]
    Auto,
    /// The provider's native schema mechanism (OpenAI `json_schema` strict, Anthropic
    /// forced tool, Gemini `responseJsonSchema`, Ollama `format` with the schema).
    JsonSchema,
    /// JSON mode with the schema beside it: `{"type": "json_object", "schema": …}` on
    /// OpenAI-compatible servers, `format: "json"` on Ollama, JSON MIME type on Gemini.
    JsonObject,
    /// No structured-output field: the schema is stated in the prompt and the JSON is
    /// taken from the answer, fenced or not.
    Prompt,
}

impl StructuredMode {
    /// The wire name (what serde writes).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }

    /// The mode automatic detection tries after this one.
    pub fn next(self) -> Option<Self> {
        match self {
            Self::Auto => Some(Self::JsonSchema),
            Self::JsonSchema => Some(Self::JsonObject),
            Self::JsonObject => Some(Self::Prompt),
            Self::Prompt => None,
        }
    }

    /// Whether the prompt itself must carry the full schema.
    pub fn schema_in_prompt(self) -> bool {
        matches!(self, Self::JsonObject | Self::Prompt)
    }
}

/// One structured request.
#[derive(Debug, Clone)]
pub struct StructuredRequest<'a> {
    pub model: &'a str,
    pub system: &'a str,
    pub user: &'a str,
    /// The plain schema (`tasks::schema::task_schema`).
    pub schema: &'a Value,
    /// OpenAI's `json_schema.name` / Anthropic's tool name.
    pub name: &'a str,
}

/// What came back.
#[derive(Debug, Clone, PartialEq)]
pub enum RawAnswer {
    /// Text that should hold the JSON document.
    Text(String),
    /// An already parsed object (Anthropic's forced tool `input`).
    Object(Value),
}

/// The path and body of a structured request, from the provider's own client file.
pub fn request(
    provider: ProviderId,
    mode: StructuredMode,
    r: &StructuredRequest<'_>,
) -> (String, Value) {
    let mode = if mode == StructuredMode::Auto {
        StructuredMode::JsonSchema
    } else {
        mode
    };
    match provider {
        ProviderId::Openai => super::openai::structured_request(mode, r),
        ProviderId::Openrouter => super::openrouter::structured_request(mode, r),
        ProviderId::Anthropic => super::anthropic::structured_request(mode, r),
        ProviderId::Google => super::gemini::structured_request(mode, r),
        ProviderId::Ollama => super::ollama::structured_request(mode, r),
    }
}

/// An answer that must not be parsed: cut off, refused or blocked.
pub(super) fn unusable(conn: &Conn, why: &str, retryable: bool) -> CoreError {
    conn.fail(Failure::Unusable {
        why: why.to_string(),
        retryable,
    })
    .into()
}

/// Take the answer out of a provider's reply body (the provider's own client file).
pub fn answer(conn: &Conn, v: &Value) -> Result<RawAnswer> {
    match conn.provider {
        ProviderId::Openai | ProviderId::Openrouter => super::openai::structured_answer(conn, v),
        ProviderId::Anthropic => super::anthropic::structured_answer(conn, v),
        ProviderId::Google => super::gemini::structured_answer(conn, v),
        ProviderId::Ollama => super::ollama::structured_answer(conn, v),
    }
}

/// Whether an error says the server does not take this structured-output request
/// (400, 422 or 500 naming `response_format`, `json_schema`, the schema or Ollama's
/// `format`): automatic detection then tries the next mode.
pub fn rejects_mode(e: &CoreError) -> bool {
    matches!(e, CoreError::Provider(p) if matches!(p.failure, Failure::ModeRejected(_)))
}

/// Whether a provider's answer was unusable in a way worth asking again (cut off).
pub fn unusable_retryable(e: &CoreError) -> bool {
    matches!(e, CoreError::Provider(p) if matches!(p.failure, Failure::Unusable { retryable: true, .. }))
}

/// Send one structured request (the shared retry policy covers transient failures)
/// and take out the answer.
pub async fn complete(
    conn: &Conn,
    mode: StructuredMode,
    r: &StructuredRequest<'_>,
) -> Result<RawAnswer> {
    let (path, body) = request(conn.provider, mode, r);
    let resp = conn.send(Method::POST, &path, &[], Some(&body)).await?;
    let bytes = conn.body(resp).await?;
    let v: Value = conn.parse(&bytes)?;
    answer(conn, &v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::Task;
    use crate::tasks::schema::task_schema;
    use serde_json::json;

    fn req(schema: &Value) -> StructuredRequest<'_> {
        StructuredRequest {
            model: "m",
            system: "sys",
            user: "usr",
            schema,
            name: "article_scores",
        }
    }

    #[test]
    fn each_provider_sends_its_native_field() {
        let s = task_schema(Task::Scoring, &[1, 2]);
        let r = req(&s);
        let (p, b) = request(ProviderId::Openai, StructuredMode::JsonSchema, &r);
        assert_eq!(p, "chat/completions");
        assert_eq!(b["response_format"]["type"], "json_schema");
        assert_eq!(b["response_format"]["json_schema"]["strict"], true);
        assert_eq!(
            b["response_format"]["json_schema"]["schema"]["additionalProperties"],
            false
        );
        let (_, b) = request(ProviderId::Openrouter, StructuredMode::Auto, &r);
        assert_eq!(b["provider"]["require_parameters"], true);
        let (p, b) = request(ProviderId::Anthropic, StructuredMode::JsonSchema, &r);
        assert_eq!(p, "v1/messages");
        assert_eq!(
            b["tool_choice"],
            json!({"type": "tool", "name": "article_scores"})
        );
        assert!(!b["tools"][0]["input_schema"]
            .to_string()
            .contains("maximum"));
        let g = StructuredRequest {
            model: "models/gemini-2.5-flash",
            ..r.clone()
        };
        let (p, b) = request(ProviderId::Google, StructuredMode::JsonSchema, &g);
        assert_eq!(p, "models/gemini-2.5-flash:generateContent");
        assert_eq!(
            b["generationConfig"]["responseMimeType"],
            "application/json"
        );
        assert!(b["generationConfig"]["responseJsonSchema"].is_object());
        let (p, b) = request(ProviderId::Ollama, StructuredMode::JsonSchema, &r);
        assert_eq!(p, "api/chat");
        assert_eq!(b["format"]["type"], "object");
        assert_eq!(b["stream"], false);
    }

    #[test]
    fn other_modes() {
        let s = task_schema(Task::Categorization, &[1]);
        let r = req(&s);
        let (_, b) = request(ProviderId::Openai, StructuredMode::JsonObject, &r);
        assert_eq!(b["response_format"]["type"], "json_object");
        assert_eq!(b["response_format"]["schema"]["type"], "object");
        let (_, b) = request(ProviderId::Openai, StructuredMode::Prompt, &r);
        assert!(b.get("response_format").is_none());
        let (_, b) = request(ProviderId::Openrouter, StructuredMode::Prompt, &r);
        assert!(b.get("provider").is_none());
        let (_, b) = request(ProviderId::Ollama, StructuredMode::JsonObject, &r);
        assert_eq!(b["format"], "json");
        let (_, b) = request(ProviderId::Ollama, StructuredMode::Prompt, &r);
        assert!(b.get("format").is_none());
        let (_, b) = request(ProviderId::Anthropic, StructuredMode::Prompt, &r);
        assert!(b.get("tools").is_none());
        assert_eq!(
            StructuredMode::JsonSchema.next(),
            Some(StructuredMode::JsonObject)
        );
        assert_eq!(StructuredMode::Prompt.next(), None);
    }
}
