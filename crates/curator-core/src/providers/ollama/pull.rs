//! The streamed `/api/pull`: NDJSON progress lines read with a bounded line codec,
//! each passed on as it arrives; cancel stops at once by dropping the stream.

use super::Ollama;
use crate::error::{Failure, Result};
use crate::providers::http::ErrorBody;
use futures::StreamExt;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;
use specta::Type;
use tokio_util::codec::{FramedRead, LinesCodec, LinesCodecError};
use tokio_util::io::StreamReader;
use tokio_util::sync::CancellationToken;

/// No progress line of Ollama's comes near this; a longer one is not Ollama's.
const MAX_LINE: usize = 64 * 1024;

/// One line of pull progress, as Ollama reports it.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct PullProgress {
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[specta(type = Option<specta_typescript::Number>)]
    pub total: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[specta(type = Option<specta_typescript::Number>)]
    pub completed: Option<u64>,
}

/// How a pull ended when it did not fail.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Type, strum::IntoStaticStr, strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PullOutcome {
    Complete,
    Cancelled,
}

impl PullOutcome {
    /// The wire name (what serde writes).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl Ollama {
    /// Pull a model, reporting each progress line; stops at once when `cancel` fires.
    /// The per-request timeout does not apply to the stream (only to its start).
    pub async fn pull(
        &self,
        model: &str,
        on_progress: &(dyn Fn(PullProgress) + Send + Sync),
        cancel: &CancellationToken,
    ) -> Result<PullOutcome> {
        let body = json!({ "model": model, "stream": true });
        let start = self.conn.stream(Method::POST, "api/pull", &body);
        let resp = tokio::select! {
            _ = cancel.cancelled() => return Ok(PullOutcome::Cancelled),
            r = start => r,
        };
        let resp = resp.map_err(|e| self.model_not_found(model, e))?;
        let bytes = resp
            .bytes_stream()
            .map(|r| r.map_err(std::io::Error::other));
        let mut lines = FramedRead::new(
            StreamReader::new(bytes),
            LinesCodec::new_with_max_length(MAX_LINE),
        );
        loop {
            let next = tokio::select! {
                _ = cancel.cancelled() => return Ok(PullOutcome::Cancelled),
                l = lines.next() => l,
            };
            match next {
                None => break,
                Some(Ok(line)) => {
                    if self.handle_line(model, &line, on_progress)? {
                        return Ok(PullOutcome::Complete);
                    }
                }
                Some(Err(LinesCodecError::MaxLineLengthExceeded)) => {
                    return Err(self.conn.bad_shape(&format!(
                        "a pull progress line longer than {MAX_LINE} bytes"
                    )))
                }
                Some(Err(LinesCodecError::Io(e)))
                    if e.kind() == std::io::ErrorKind::InvalidData =>
                {
                    return Err(self
                        .conn
                        .bad_shape("a pull progress line that is not UTF-8"))
                }
                Some(Err(LinesCodecError::Io(e))) => {
                    return Err(self.conn.fail(Failure::PullBroken(e)).into())
                }
            }
        }
        Err(self
            .conn
            .fail(Failure::PullUnfinished {
                model: model.to_string(),
            })
            .into())
    }

    /// Returns true on Ollama's final `success` line.
    fn handle_line(
        &self,
        model: &str,
        line: &str,
        on_progress: &(dyn Fn(PullProgress) + Send + Sync),
    ) -> Result<bool> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(false);
        }
        if let Some(text) = serde_json::from_str::<ErrorBody>(line)
            .ok()
            .and_then(|b| b.message())
        {
            let missing = text.contains("file does not exist") || text.contains("not found");
            let mut e = self.conn.fail(Failure::PullFailed {
                model: model.to_string(),
                missing,
            });
            e.text = Some(text);
            return Err(e.into());
        }
        let p: PullProgress = self.conn.parse(line.as_bytes())?;
        if p.status == "success" {
            return Ok(true);
        }
        on_progress(p);
        Ok(false)
    }
}
