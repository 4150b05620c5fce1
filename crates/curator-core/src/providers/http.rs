//! The one HTTP client, the one retry policy and the mapping from HTTP failures to
//! Curator's errors, shared by every provider. Replies are read into serde types; a
//! reply of the wrong shape names the field that failed.

use super::{Auth, ProviderId};
use crate::error::{CoreError, Failure, ProviderError, Result};
use backon::{ExponentialBuilder, Retryable};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

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
            .map_err(CoreError::HttpClient)?;
        Ok(Self { client, retry })
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }
}

/// Everything needed for one operation against one provider. The operation's deadline
/// is counted from when the connection is made (`Conn::new`).
#[derive(Clone)]
pub struct Conn {
    pub http: Http,
    pub provider: ProviderId,
    /// Base URL without a trailing slash.
    pub base_url: String,
    pub api_key: Option<String>,
    pub timeout: Duration,
    deadline: Instant,
}

/// A failure plus what the retry loop needs to know about it.
struct Fail {
    err: ProviderError,
    retryable: bool,
}

/// The error text a provider puts in its error bodies, in any documented shape:
/// `{"error": {"message": …}}`, `{"error": "…"}` or `{"detail": "…"}`.
#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    error: Option<ErrorField>,
    #[serde(default)]
    detail: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum ErrorField {
    Text(String),
    Object {
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        code: Option<serde_json::Value>,
    },
    Other(serde_json::Value),
}

impl ErrorBody {
    /// The provider's text, bounded and printable.
    pub(crate) fn message(&self) -> Option<String> {
        let m = match (&self.error, &self.detail) {
            (
                Some(ErrorField::Object {
                    message: Some(m), ..
                }),
                _,
            ) => m.as_str(),
            (Some(ErrorField::Text(t)), _) => t.as_str(),
            (_, Some(serde_json::Value::String(d))) => d.as_str(),
            _ => return None,
        };
        let mut m: String = m.chars().filter(|c| !c.is_control()).take(300).collect();
        if m.is_empty() {
            m.push('?');
        }
        Some(m)
    }

    /// Whether the body holds an error object at all (`"error": null` does not).
    pub(crate) fn has_error(&self) -> bool {
        !matches!(
            self.error,
            None | Some(ErrorField::Other(serde_json::Value::Null))
        )
    }

    /// The numeric `error.code`, when there is one.
    pub(crate) fn inner_code(&self) -> Option<u64> {
        match &self.error {
            Some(ErrorField::Object {
                code: Some(serde_json::Value::Number(n)),
                ..
            }) => n.as_u64(),
            _ => None,
        }
    }
}

impl Conn {
    pub fn new(
        http: Http,
        provider: ProviderId,
        base_url: String,
        api_key: Option<String>,
        timeout: Duration,
    ) -> Self {
        Self {
            http,
            provider,
            base_url,
            api_key,
            timeout,
            deadline: Instant::now() + timeout,
        }
    }

    /// When the operation this connection serves must be over.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            return path.to_string();
        }
        format!("{}/{}", self.base_url, path.trim_start_matches('/'))
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

    /// Send with the shared retry policy; returns a successful (2xx) response. A
    /// `Retry-After` that does not fit before the deadline is not waited for: the
    /// failure (`rate_limited`, with the retry-after in its details) comes back at once.
    pub async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<Response> {
        let url = self.url(path);
        let policy = self.http.retry;
        let deadline = self.deadline;
        let attempt = || async {
            let mut rb = self.request(method.clone(), &url).query(query);
            if let Some(b) = body {
                rb = rb.json(b);
            }
            let resp = rb.send().await.map_err(|e| Fail {
                err: self.transport_error(e),
                retryable: false,
            })?;
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
            .adjust(move |f: &Fail, d| match (d, f.err.retry_after) {
                (None, _) => None,
                (Some(_), Some(ra)) if ra > policy.max_retry_after => None,
                (Some(_), Some(ra)) if Instant::now() + ra >= deadline => None,
                (Some(_), Some(ra)) => Some(ra),
                (Some(d), None) => Some(d),
            })
            .await
            .map_err(|f| f.err.into())
    }

    /// Start a streamed request: no retry, and the timeout bounds only the wait for
    /// the response head (the body may take as long as it takes).
    pub async fn stream<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<Response> {
        let info = self.provider.info();
        let mut rb = self.http.client.request(method, self.url(path)).json(body);
        for (k, v) in info.extra_headers {
            rb = rb.header(*k, *v);
        }
        let resp = match tokio::time::timeout(self.timeout, rb.send()).await {
            Err(_) => return Err(self.fail(Failure::Timeout(self.timeout)).into()),
            Ok(r) => r.map_err(|e| self.transport_error(e))?,
        };
        if resp.status().is_success() {
            Ok(resp)
        } else {
            Err(self.status_fail(resp).await.err.into())
        }
    }

    /// GET a JSON body of type `T` (with the shared retry policy and error mapping).
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let resp = self.send::<()>(Method::GET, path, query, None).await?;
        let bytes = self.body(resp).await?;
        self.parse(&bytes)
    }

    /// The whole body of a response.
    pub async fn body(&self, resp: Response) -> Result<Vec<u8>> {
        match resp.bytes().await {
            Ok(b) => Ok(b.to_vec()),
            Err(e) => Err(self.fail(Failure::UnreadableBody(e)).into()),
        }
    }

    /// Read a body into `T`; a body of the wrong shape names the field that failed.
    pub fn parse<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T> {
        let de = &mut serde_json::Deserializer::from_slice(bytes);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let failure = if inner.is_data() {
                Failure::BadShape {
                    what: self.scrub(&format!("{path}: {inner}")),
                    source: Some(inner),
                }
            } else {
                Failure::NotJson(inner)
            };
            self.fail(failure).into()
        })
    }

    /// A failure of this provider.
    pub fn fail(&self, failure: Failure) -> ProviderError {
        ProviderError::new(self.provider, failure)
    }

    /// A body that parsed but breaks a rule the provider documents.
    pub fn bad_shape(&self, what: &str) -> CoreError {
        self.fail(Failure::BadShape {
            what: what.to_string(),
            source: None,
        })
        .into()
    }

    fn scrub(&self, s: &str) -> String {
        match self.api_key.as_deref() {
            Some(k) if k.len() >= 4 => s.replace(k, "****"),
            _ => s.to_string(),
        }
    }

    fn transport_error(&self, e: reqwest::Error) -> ProviderError {
        let failure = if e.is_timeout() {
            Failure::Timeout(self.timeout)
        } else if e.is_decode() || e.is_body() {
            Failure::UnreadableBody(e)
        } else {
            Failure::Unreachable {
                base_url: self.base_url.clone(),
                source: Some(e),
            }
        };
        self.fail(failure)
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
        let text = serde_json::from_str::<ErrorBody>(&body)
            .ok()
            .and_then(|b| b.message());
        let s = status.as_u16();
        let mut failure = self.failure_for_status(status);
        // Gemini answers an invalid key with 400 API_KEY_INVALID.
        if s == 400 && body.contains("API_KEY_INVALID") {
            failure = Failure::AuthFailed;
        }
        let quota = body.contains("insufficient_quota");
        let retryable = match s {
            429 => retry_after.is_some() && !quota,
            408 | 500 | 502 | 503 | 504 | 529 => true,
            _ => false,
        };
        let mut err = self.fail(failure);
        err.status = Some(s);
        err.retry_after = retry_after;
        err.text = text.map(|t| self.scrub(&t));
        Fail { err, retryable }
    }

    /// What an HTTP status stands for.
    fn failure_for_status(&self, status: StatusCode) -> Failure {
        match status.as_u16() {
            401 | 403 => Failure::AuthFailed,
            404 => Failure::NotFound(self.base_url.clone()),
            408 => Failure::RequestTimeout,
            429 => Failure::RateLimited,
            503 | 529 => Failure::Overloaded,
            500..=599 => Failure::ServerError,
            s => Failure::Refused(s),
        }
    }
}
