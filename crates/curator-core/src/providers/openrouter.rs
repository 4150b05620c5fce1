//! OpenRouter: `GET /models` (follows `links.next` when the server pages), `GET /key`
//! to check the key (the model list itself needs no key). Errors may arrive inside a
//! 200 body.

use super::{Conn, Health, Provider, ProviderId, RemoteModel};
use crate::error::{ErrorCode, Result};
use async_trait::async_trait;

use super::structured::{StructuredMode, StructuredRequest};
use serde_json::{json, Value};

pub struct OpenRouter {
    pub conn: Conn,
}

const MAX_PAGES: usize = 100;

/// OpenRouter can answer 200 with `{"error": {...}}`: that is a failure.
fn check_error_in_200(conn: &Conn, v: &Value) -> Result<()> {
    if let Some(err) = v.get("error").filter(|e| !e.is_null()) {
        let msg = super::http::error_message(v).unwrap_or_else(|| "error".into());
        let status = err.get("code").and_then(Value::as_u64);
        return Err(conn.error(
            ErrorCode::BadResponse,
            format!("OpenRouter answered 200 with an error: {msg}"),
            json!({ "status": 200, "inner_code": status }),
        ));
    }
    Ok(())
}

fn parse_model(conn: &Conn, m: &Value) -> Result<RemoteModel> {
    let id = m
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| conn.bad_shape("a model without `id`"))?;
    let params = m.get("supported_parameters").and_then(Value::as_array);
    Ok(RemoteModel {
        name: id.to_string(),
        display_name: m.get("name").and_then(Value::as_str).map(str::to_string),
        context_length: m.get("context_length").and_then(Value::as_u64).or_else(|| {
            m.pointer("/top_provider/context_length")
                .and_then(Value::as_u64)
        }),
        structured_output: params.map(|p| {
            p.iter()
                .any(|x| x == "structured_outputs" || x == "response_format")
        }),
        ..Default::default()
    })
}

#[async_trait]
impl Provider for OpenRouter {
    fn id(&self) -> ProviderId {
        ProviderId::Openrouter
    }

    async fn health(&self) -> Result<Health> {
        let v = self.conn.get_json("key", &[]).await?;
        check_error_in_200(&self.conn, &v)?;
        if v.get("data").is_none() {
            return Err(self.conn.bad_shape("no `data` object"));
        }
        Ok(Health { version: None })
    }

    async fn list_models(&self) -> Result<Vec<RemoteModel>> {
        let mut out = Vec::new();
        let mut next = "models".to_string();
        for _ in 0..MAX_PAGES {
            let v = self.conn.get_json(&next, &[]).await?;
            check_error_in_200(&self.conn, &v)?;
            let data = v
                .get("data")
                .and_then(Value::as_array)
                .ok_or_else(|| self.conn.bad_shape("no `data` list"))?;
            for m in data {
                out.push(parse_model(&self.conn, m)?);
            }
            match v.pointer("/links/next").and_then(Value::as_str) {
                Some(n) if !n.is_empty() => {
                    let base = url::Url::parse(&self.conn.url("models"))
                        .map_err(|_| self.conn.bad_shape("base URL"))?;
                    let joined = base
                        .join(n)
                        .map_err(|_| self.conn.bad_shape("`links.next` is not a URL"))?;
                    if joined.origin() != base.origin() || joined.as_str() == next {
                        return Err(self
                            .conn
                            .bad_shape("`links.next` leaves the server or repeats"));
                    }
                    next = joined.to_string();
                }
                _ => return Ok(out),
            }
        }
        Err(self.conn.bad_shape("too many pages"))
    }
}

/// The OpenAI request plus `provider.require_parameters`, so OpenRouter routes only to
/// endpoints that honour `response_format` (`structured.rs`).
pub(super) fn structured_request(
    mode: StructuredMode,
    r: &StructuredRequest<'_>,
) -> (String, Value) {
    let (path, mut body) = super::openai::structured_request(mode, r);
    if body.get("response_format").is_some() {
        body["provider"] = json!({ "require_parameters": true });
    }
    (path, body)
}
