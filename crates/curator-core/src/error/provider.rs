//! A provider that failed or answered something Curator cannot use: which provider,
//! what happened, the HTTP status and `Retry-After` when there were any, and the
//! provider's own words (scrubbed of the key).

use super::ErrorCode;
use crate::providers::facts::ProviderId;
use serde_json::{json, Value};
use std::time::Duration;

/// What happened when talking to a provider.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("did not answer within {} s", .0.as_secs())]
    Timeout(Duration),
    #[error("timed out (408)")]
    RequestTimeout,
    #[error("cannot be reached at {base_url}")]
    Unreachable {
        base_url: String,
        #[source]
        source: Option<reqwest::Error>,
    },
    #[error("sent a body that could not be read")]
    UnreadableBody(#[source] reqwest::Error),
    #[error("rejected the API key")]
    AuthFailed,
    #[error("answered 404 Not Found at {0}; is base_url right?")]
    NotFound(String),
    #[error("is rate limiting requests")]
    RateLimited,
    #[error("is overloaded")]
    Overloaded,
    #[error("had a server error")]
    ServerError,
    #[error("refused the request ({0})")]
    Refused(u16),
    #[error("sent a body that is not JSON ({0}); is base_url right?")]
    NotJson(#[source] serde_json::Error),
    /// The body is JSON but not of the documented shape; `what` names the failed
    /// field (scrubbed of the key) and `source` is serde's own error, when it was one.
    #[error("answered with an unexpected body: {what}")]
    BadShape {
        what: String,
        #[source]
        source: Option<serde_json::Error>,
    },
    /// OpenRouter's error object inside a 200 answer.
    #[error("answered 200 with an error")]
    ErrorInOk { inner_code: Option<u64> },
    #[error("has no model {model}")]
    NoModel {
        model: String,
        #[source]
        cause: Box<ProviderError>,
    },
    #[error("could not pull {model}")]
    PullFailed { model: String, missing: bool },
    #[error("ended the pull without reporting success")]
    PullUnfinished { model: String },
    #[error("stopped answering during the pull: {0}")]
    PullBroken(#[source] std::io::Error),
}

/// A provider failure, as every client reports it.
#[derive(Debug, thiserror::Error)]
#[error("{} {failure}{}", id.info().display_name, text.as_deref().map(|t| format!(": {t}")).unwrap_or_default())]
pub struct ProviderError {
    pub id: ProviderId,
    #[source]
    pub failure: Failure,
    /// The HTTP status of the answer, when there was one.
    pub status: Option<u16>,
    /// What the provider asked for in `Retry-After`.
    pub retry_after: Option<Duration>,
    /// The provider's own error text, without the key.
    pub text: Option<String>,
}

impl ProviderError {
    pub fn new(id: ProviderId, failure: Failure) -> Self {
        Self {
            id,
            failure,
            status: None,
            retry_after: None,
            text: None,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match &self.failure {
            Failure::Timeout(_) | Failure::RequestTimeout => ErrorCode::Timeout,
            Failure::Unreachable { .. } | Failure::PullBroken(_) => ErrorCode::Unreachable,
            Failure::UnreadableBody(_)
            | Failure::Refused(_)
            | Failure::NotJson(_)
            | Failure::BadShape { .. }
            | Failure::ErrorInOk { .. }
            | Failure::PullUnfinished { .. } => ErrorCode::BadResponse,
            Failure::AuthFailed => ErrorCode::AuthFailed,
            Failure::NotFound(_) => ErrorCode::NotFound,
            Failure::RateLimited => ErrorCode::RateLimited,
            Failure::Overloaded => ErrorCode::Overloaded,
            Failure::ServerError => ErrorCode::ServerError,
            Failure::NoModel { .. } | Failure::PullFailed { missing: true, .. } => {
                ErrorCode::ModelNotFound
            }
            Failure::PullFailed { missing: false, .. } => ErrorCode::ServerError,
        }
    }

    /// `{provider, status?, retry_after_s?, model?, cause?, inner_code?}`.
    pub fn details(&self) -> Value {
        let mut d = json!({ "provider": self.id });
        if let Some(s) = self.status {
            d["status"] = json!(s);
        }
        if let Some(ra) = self.retry_after {
            d["retry_after_s"] = json!(ra.as_secs());
        }
        match &self.failure {
            Failure::NoModel { model, cause } => {
                d["model"] = json!(model);
                d["cause"] = json!(cause.to_string());
            }
            Failure::PullFailed { model, .. } | Failure::PullUnfinished { model } => {
                d["model"] = json!(model);
            }
            Failure::ErrorInOk { inner_code } => d["inner_code"] = json!(inner_code),
            _ => {}
        }
        d
    }
}
