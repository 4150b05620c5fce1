//! A fake LLM in each provider's wire format. It checks the request body's
//! structured-output field for the mode it expects, reads the `<article id:N>` ids
//! from the prompt, and answers as its `Behavior` says.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::{Request, Respond, ResponseTemplate};

/// What the fake answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Behavior {
    Valid,
    InvalidJson,
    Empty,
    TooManyCategories,
    ScoreOutOfRange,
    UnknownIds,
    /// Valid, after this delay.
    Slow(Duration),
    /// 429 with `Retry-After` seconds.
    RateLimited(u64),
    Unavailable,
    Unauthorized,
    /// Valid JSON inside a ```json fence with prose around it.
    Fenced,
}

/// Which structured-output dialect the fake server speaks (OpenAI-compatible ones).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dialect {
    /// The provider's documented native field.
    Native,
    /// llama-cpp-python: 500 on `json_schema`, takes `json_object` + schema.
    JsonObjectOnly,
    /// 422 on `json_schema`, takes `json_object` + schema.
    Rejects422,
    /// Ignores every structured field and answers fenced free text.
    FreeText,
    /// An Ollama too old for a schema in `format`: 400 on an object, takes `"json"`.
    OllamaOld,
}

pub struct FakeLlm {
    pub provider: &'static str,
    pub dialect: Dialect,
    /// Behaviors in order; the last one repeats.
    pub script: Mutex<Vec<Behavior>>,
    pub calls: Arc<AtomicUsize>,
    /// Bodies received, in order.
    pub bodies: Arc<Mutex<Vec<Value>>>,
}

impl FakeLlm {
    pub fn new(provider: &'static str, script: Vec<Behavior>) -> Self {
        Self::with_dialect(provider, Dialect::Native, script)
    }

    pub fn with_dialect(provider: &'static str, dialect: Dialect, script: Vec<Behavior>) -> Self {
        Self {
            provider,
            dialect,
            script: Mutex::new(script),
            calls: Arc::new(AtomicUsize::new(0)),
            bodies: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn next(&self) -> Behavior {
        let mut s = self.script.lock().unwrap();
        if s.len() > 1 {
            s.remove(0)
        } else {
            s[0].clone()
        }
    }
}

/// The completion path of a provider (below the fake's base URL).
pub fn completion_path(provider: &str) -> String {
    match provider {
        "openai" | "openrouter" => "/v1/chat/completions".into(),
        "anthropic" => "/v1/messages".into(),
        "google" => "/v1beta/models/gemini-test:generateContent".into(),
        _ => "/api/chat".into(),
    }
}

fn prompt_text(provider: &str, b: &Value) -> String {
    let parts: Vec<&Value> = match provider {
        "anthropic" => vec![&b["system"], &b["messages"][0]["content"]],
        "google" => vec![
            &b["systemInstruction"]["parts"][0]["text"],
            &b["contents"][0]["parts"][0]["text"],
        ],
        _ => vec![&b["messages"][0]["content"], &b["messages"][1]["content"]],
    };
    parts
        .iter()
        .filter_map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn asked_ids(text: &str) -> Vec<i64> {
    text.match_indices("<article id:")
        .filter_map(|(i, _)| {
            let rest = &text[i + 12..];
            rest[..rest.find('>')?].parse().ok()
        })
        .collect()
}

/// Whether the body carries the structured-output field this fake expects.
pub fn has_native_field(provider: &str, b: &Value) -> bool {
    match provider {
        "openai" => {
            b["response_format"]["type"] == "json_schema"
                && b["response_format"]["json_schema"]["strict"] == true
                && b["response_format"]["json_schema"]["schema"]["additionalProperties"] == false
        }
        "openrouter" => {
            b["response_format"]["type"] == "json_schema"
                && b["response_format"]["json_schema"]["strict"] == true
                && b["provider"]["require_parameters"] == true
        }
        "anthropic" => {
            b["tool_choice"]["type"] == "tool"
                && b["tools"][0]["name"] == b["tool_choice"]["name"]
                && b["tools"][0]["input_schema"]["type"] == "object"
        }
        "google" => {
            b["generationConfig"]["responseMimeType"] == "application/json"
                && b["generationConfig"]["responseJsonSchema"]["type"] == "object"
        }
        _ => b["format"]["type"] == "object",
    }
}

fn is_categorization(text: &str) -> bool {
    text.contains("categorize news articles")
}

/// The answer JSON for the asked ids.
pub fn answer_for(ids: &[i64], categorization: bool, b: &Behavior) -> Value {
    let ids: Vec<i64> = if *b == Behavior::UnknownIds {
        vec![999_999]
    } else {
        ids.to_vec()
    };
    let results: Vec<Value> = ids
        .iter()
        .map(|id| {
            if categorization {
                let cats = if *b == Behavior::TooManyCategories {
                    json!(["A", "B", "C", "D", "E"])
                } else {
                    json!(["Technology", "AI"])
                };
                json!({"article_id": id, "categories": cats, "suggested_new": [], "suggested_parent": null})
            } else {
                let interest = if *b == Behavior::ScoreOutOfRange { 11 } else { 7 };
                json!({"article_id": id, "interest_score": interest, "quality_score": 8, "reasoning": "Relevant and well written."})
            }
        })
        .collect();
    json!({ "results": results })
}

/// Wrap answer text (or a tool input) in the provider's reply body.
pub fn reply(provider: &str, text: &str, object: Option<&Value>) -> Value {
    match provider {
        "anthropic" => match object {
            Some(o) => {
                json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
                "content": [{"type": "tool_use", "id": "toolu_1", "name": "record", "input": o}],
                "stop_reason": "tool_use", "stop_sequence": null, "stop_details": null, "container": null,
                "usage": {"input_tokens": 10, "output_tokens": 10}})
            }
            None => {
                json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                "usage": {"input_tokens": 10, "output_tokens": 10}})
            }
        },
        "google" => {
            json!({"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}],
            "modelVersion": "gemini-test"})
        }
        "ollama" => json!({"model": "m", "created_at": "2026-08-21T16:38:10Z",
            "message": {"role": "assistant", "content": text}, "done": true, "done_reason": "stop"}),
        _ => json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": null,
                "message": {"role": "assistant", "content": text, "refusal": null}}]}),
    }
}

fn error_body(provider: &str, status: u16, msg: &str) -> Value {
    match provider {
        "anthropic" => json!({"type": "error", "error": {"type": "api_error", "message": msg}}),
        "google" => json!({"error": {"code": status, "message": msg, "status": "UNAVAILABLE"}}),
        "ollama" => json!({"error": msg}),
        _ => {
            json!({"error": {"message": msg, "type": "server_error", "param": null, "code": null}})
        }
    }
}

impl Respond for FakeLlm {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        self.bodies.lock().unwrap().push(body.clone());
        let p = self.provider;
        let rf_type = body["response_format"]["type"].as_str().unwrap_or("");
        match self.dialect {
            Dialect::Native => {
                if !has_native_field(p, &body) {
                    return ResponseTemplate::new(400).set_body_json(error_body(
                        p,
                        400,
                        "fake: the structured-output field is missing or wrong",
                    ));
                }
            }
            Dialect::JsonObjectOnly if rf_type == "json_schema" => {
                return ResponseTemplate::new(500).set_body_json(json!({"error": {"message":
                    "1 validation error for CreateChatCompletionRequest response_format.type Input should be 'text' or 'json_object'",
                    "type": "internal_server_error", "param": null, "code": null}}));
            }
            Dialect::Rejects422 if rf_type == "json_schema" => {
                return ResponseTemplate::new(422).set_body_json(
                    json!({"detail": [{"loc": ["body", "response_format", "type"],
                    "msg": "unsupported response_format json_schema", "type": "value_error"}]}),
                );
            }
            Dialect::JsonObjectOnly | Dialect::Rejects422 => {
                if rf_type != "json_object" || !body["response_format"]["schema"].is_object() {
                    return ResponseTemplate::new(400).set_body_json(error_body(
                        p,
                        400,
                        "fake: json_object with a schema expected",
                    ));
                }
            }
            Dialect::FreeText => {}
            Dialect::OllamaOld => {
                if body["format"].is_object() {
                    return ResponseTemplate::new(400).set_body_json(json!({"error":
                        "json: cannot unmarshal object into Go struct field ChatRequest.format of type string"}));
                }
                if body["format"] != "json" {
                    return ResponseTemplate::new(400)
                        .set_body_json(json!({"error": "fake: format \"json\" expected"}));
                }
            }
        }
        let text = prompt_text(p, &body);
        let ids = asked_ids(&text);
        let cat = is_categorization(&text);
        let mut b = self.next();
        if self.dialect == Dialect::FreeText && b == Behavior::Valid {
            b = Behavior::Fenced;
        }
        let ok = |v: Value| {
            let tool = p == "anthropic" && body.get("tools").is_some();
            ResponseTemplate::new(200).set_body_json(if tool {
                reply(p, "", Some(&v))
            } else {
                reply(p, &v.to_string(), None)
            })
        };
        match &b {
            Behavior::Valid
            | Behavior::TooManyCategories
            | Behavior::ScoreOutOfRange
            | Behavior::UnknownIds => ok(answer_for(&ids, cat, &b)),
            Behavior::Slow(d) => ok(answer_for(&ids, cat, &Behavior::Valid)).set_delay(*d),
            Behavior::InvalidJson => ResponseTemplate::new(200).set_body_json(reply(
                p,
                "{\"results\": [ {\"article_id\": ",
                None,
            )),
            Behavior::Empty => ResponseTemplate::new(200).set_body_json(reply(p, "", None)),
            Behavior::Fenced => {
                let t = format!(
                    "Here you go:\n```json\n{}\n```\nAnything else?",
                    answer_for(&ids, cat, &Behavior::Valid)
                );
                ResponseTemplate::new(200).set_body_json(reply(p, &t, None))
            }
            Behavior::RateLimited(s) => ResponseTemplate::new(429)
                .insert_header("retry-after", s.to_string().as_str())
                .set_body_json(error_body(p, 429, "Rate limit reached")),
            Behavior::Unavailable => ResponseTemplate::new(503).set_body_json(error_body(
                p,
                503,
                "The service is unavailable",
            )),
            Behavior::Unauthorized => ResponseTemplate::new(401).set_body_json(error_body(
                p,
                401,
                "Incorrect API key provided",
            )),
        }
    }
}
