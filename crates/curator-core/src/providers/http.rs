//! The one HTTP client, the one retry policy and the mapping from HTTP failures to
//! Curator's error codes, shared by every provider.

use super::{Auth, ProviderId};
use crate::error::{CoreError, ErrorCode, Result};
use backon::{ExponentialBuilder, Retryable};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

/// Retry policy for transient provider failures (429 with `Retry-After`, 408, 5xx, 529).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_retries: usize,
    pub min_delay: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the error is returned.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            min_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

/// The shared client (cheap to clone: an `Arc` inside).
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    retry: RetryPolicy,
}

impl Http {
    pub fn new(retry: RetryPolicy) -> Result<Self> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("Curator/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(5))
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| CoreError::coded(ErrorCode::Internal, format!("HTTP client: {e}")))?;
        Ok(Self { client, retry })
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }
}

/// Everything needed to call one provider.
#[derive(Clone)]
pub struct Conn {
    pub http: Http,
    pub provider: ProviderId,
    /// Base URL without a trailing slash.
    pub base_url: String,
    pub api_key: Option<String>,
    pub timeout: Duration,
}

/// A failure plus what the retry loop needs to know about it.
struct Fail {
    err: CoreError,
    retryable: bool,
    retry_after: Option<Duration>,
}

impl Conn {
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            return path.to_string();
        }
        format!("{}/{}", self.base_url, path.trim_start_matches('/'))
    }

    fn name(&self) -> &'static str {
        self.provider.info().display_name
    }

    fn request(&self, method: Method, url: &str) -> RequestBuilder {
        let info = self.provider.info();
        let mut rb = self.http.client.request(method, url).timeout(self.timeout);
        for (k, v) in info.extra_headers {
            rb = rb.header(*k, *v);
        }
        if let Some(key) = self.api_key.as_deref() {
            rb = match info.auth {
                Auth::None => rb,
                Auth::Bearer => rb.bearer_auth(key),
                Auth::Header(h) => rb.header(h, key),
            };
        }
        rb
    }

    /// Send with the shared retry policy; returns a successful (2xx) response.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Response> {
        let url = self.url(path);
        let policy = self.http.retry;
        let attempt = || async {
            let mut rb = self.request(method.clone(), &url).query(query);
            if let Some(b) = body {
                rb = rb.json(b);
            }
            let resp = rb.send().await.map_err(|e| self.transport_fail(&e))?;
            if resp.status().is_success() {
                Ok(resp)
            } else {
                Err(self.status_fail(resp).await)
            }
        };
        attempt
            .retry(
                ExponentialBuilder::default()
                    .with_min_delay(policy.min_delay)
                    .with_max_delay(policy.max_delay)
                    .with_max_times(policy.max_retries)
                    .with_jitter(),
            )
            .when(|f: &Fail| f.retryable)
            // `d` is None once the retries are used up: never extend past that.
            .adjust(move |f: &Fail, d| match (d, f.retry_after) {
                (None, _) => None,
                (Some(_), Some(ra)) if ra > policy.max_retry_after => None,
                (Some(_), Some(ra)) => Some(ra),
                (Some(d), None) => Some(d),
            })
            .await
            .map_err(|f| f.err)
    }

    /// Start a streamed request: no retry, and the timeout bounds only the wait for
    /// the response head (the body may take as long as it takes).
    pub async fn http_stream_request(
        &self,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<Response> {
        let info = self.provider.info();
        let mut rb = self.http.client.request(method, self.url(path)).json(body);
        for (k, v) in info.extra_headers {
            rb = rb.header(*k, *v);
        }
        let resp = match tokio::time::timeout(self.timeout, rb.send()).await {
            Err(_) => {
                return Err(self.error(
                    ErrorCode::Timeout,
                    format!(
                        "{} did not answer within {} s",
                        self.name(),
                        self.timeout.as_secs()
                    ),
                    json!({}),
                ))
            }
            Ok(r) => r.map_err(|e| self.transport_fail(&e).err)?,
        };
        if resp.status().is_success() {
            Ok(resp)
        } else {
            Err(self.status_fail(resp).await.err)
        }
    }

    /// GET a JSON body (with the shared retry policy and error mapping).
    pub async fn get_json(&self, path: &str, query: &[(&str, String)]) -> Result<Value> {
        let resp = self.send(Method::GET, path, query, None).await?;
        self.json_body(resp).await
    }

    pub async fn json_body(&self, resp: Response) -> Result<Value> {
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| self.transport_fail(&e).err)?;
        serde_json::from_slice(&bytes).map_err(|e| {
            self.error(
                ErrorCode::BadResponse,
                format!(
                    "{} sent a body that is not JSON ({e}); is base_url right?",
                    self.name()
                ),
                json!({}),
            )
        })
    }

    /// An error about this provider, with the key scrubbed from the message.
    pub fn error(&self, code: ErrorCode, message: String, mut details: Value) -> CoreError {
        if let Some(obj) = details.as_object_mut() {
            obj.insert("provider".into(), json!(self.provider.as_str()));
        }
        CoreError::Coded {
            code,
            message: self.scrub(&message),
            details: Some(details),
        }
    }

    /// A body that does not have the shape the provider documents.
    pub fn bad_shape(&self, what: &str) -> CoreError {
        self.error(
            ErrorCode::BadResponse,
            format!("{} answered with an unexpected body: {what}", self.name()),
            json!({}),
        )
    }

    fn scrub(&self, s: &str) -> String {
        match self.api_key.as_deref() {
            Some(k) if k.len() >= 4 => s.replace(k, "****"),
            _ => s.to_string(),
        }
    }

    fn transport_fail(&self, e: &reqwest::Error) -> Fail {
        let (code, what) = if e.is_timeout() {
            (
                ErrorCode::Timeout,
                format!("did not answer within {} s", self.timeout.as_secs()),
            )
        } else if e.is_connect() {
            (
                ErrorCode::Unreachable,
                format!("cannot be reached at {}", self.base_url),
            )
        } else if e.is_decode() || e.is_body() {
            (
                ErrorCode::BadResponse,
                "sent a body that could not be read".to_string(),
            )
        } else {
            (
                ErrorCode::Unreachable,
                format!("cannot be reached at {}", self.base_url),
            )
        };
        Fail {
            err: self.error(code, format!("{} {what}", self.name()), json!({})),
            retryable: false,
            retry_after: None,
        }
    }

    async fn status_fail(&self, resp: Response) -> Fail {
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = resp.text().await.unwrap_or_default();
        let parsed: Option<Value> = serde_json::from_str(&body).ok();
        let provider_msg = parsed.as_ref().and_then(error_message);
        let s = status.as_u16();
        let mut code = code_for_status(status);
        // Gemini answers an invalid key with 400 API_KEY_INVALID.
        if s == 400 && body.contains("API_KEY_INVALID") {
            code = ErrorCode::AuthFailed;
        }
        let quota = body.contains("insufficient_quota");
        // A rejection that names the structured-output field is about the request, not
        // a passing fault: never retried as is (automatic mode detection moves on).
        let lower = body.to_lowercase();
        let names_schema = matches!(s, 400 | 422 | 500)
            && (["response_format", "json_schema", "schema", "json_object"]
                .iter()
                .any(|w| lower.contains(w))
                || (self.provider == ProviderId::Ollama && lower.contains("format")));
        let retryable = match s {
            429 => retry_after.is_some() && !quota,
            500 if names_schema => false,
            408 | 500 | 502 | 503 | 504 | 529 => true,
            _ => false,
        };
        let what = match code {
            ErrorCode::AuthFailed => "rejected the API key".to_string(),
            ErrorCode::NotFound => format!(
                "answered 404 Not Found at {}; is base_url right?",
                self.base_url
            ),
            ErrorCode::RateLimited => "is rate limiting requests".to_string(),
            ErrorCode::Overloaded => "is overloaded".to_string(),
            ErrorCode::ServerError => "had a server error".to_string(),
            ErrorCode::Timeout => "timed out (408)".to_string(),
            _ => format!("refused the request ({s})"),
        };
        let mut message = format!("{} {what}", self.name());
        if let Some(m) = provider_msg {
            message.push_str(": ");
            message.push_str(&m);
        }
        let mut details = json!({ "status": s });
        if names_schema {
            details["names_schema"] = json!(true);
        }
        if let Some(ra) = retry_after {
            details["retry_after_s"] = json!(ra.as_secs());
        }
        Fail {
            err: self.error(code, message, details),
            retryable,
            retry_after,
        }
    }
}

/// The code an HTTP status stands for.
pub fn code_for_status(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        401 | 403 => ErrorCode::AuthFailed,
        404 => ErrorCode::NotFound,
        408 => ErrorCode::Timeout,
        429 => ErrorCode::RateLimited,
        503 | 529 => ErrorCode::Overloaded,
        500..=599 => ErrorCode::ServerError,
        _ => ErrorCode::BadResponse,
    }
}

/// The provider's own error text, from any of the documented error shapes.
pub fn error_message(v: &Value) -> Option<String> {
    let m = v
        .pointer("/error/message")
        .or_else(|| v.get("error").filter(|e| e.is_string()))
        .or_else(|| v.get("detail").filter(|e| e.is_string()))
        .and_then(Value::as_str)?;
    let mut m: String = m.chars().filter(|c| !c.is_control()).take(300).collect();
    if m.is_empty() {
        m.push('?');
    }
    Some(m)
}
