//! Ollama management: health/version, installed and running models, pull with
//! streamed progress and immediate cancel, delete (reporting routes that use it).
//! These work from the `ollama` row, or the defaults when there is none.

use super::{Ollama, PullOutcome, PullProgress, RunningModel};
use crate::error::{CoreError, Result};
use crate::providers::admin::RouteRef;
use crate::providers::config::{check_model_name, normalize_ollama_model, ProviderConfig, Source};
use crate::providers::{with_deadline, Conn, Provider, ProviderId};
use crate::{db, Core};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct OllamaHealth {
    pub connected: bool,
    pub version: Option<String>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub latency_ms: Option<u64>,
}

/// An installed model.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct OllamaModel {
    pub name: String,
    #[specta(type = Option<specta_typescript::Number>)]
    pub size: Option<u64>,
    pub parameter_size: Option<String>,
    pub quantization_level: Option<String>,
    pub is_loaded: bool,
}

/// What `ollama_delete_model` did.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq, Eq)]
pub struct OllamaDeleted {
    pub deleted: String,
    /// Routes that still name the model (readiness now reports `model_missing`).
    pub routes_using: Vec<RouteRef>,
}

fn model_arg(model: &str) -> Result<String> {
    check_model_name("model", model)
        .map(|m| normalize_ollama_model(&m))
        .map_err(|_| {
            CoreError::invalid_config(
                "model",
                "must be a model name of 1 to 256 printable characters",
            )
        })
}

impl Core {
    async fn ollama(&self) -> Result<Ollama> {
        let row = self.db().call(|c| db::providers::get(c, "ollama")).await?;
        let config = ProviderConfig::parse(
            ProviderId::Ollama,
            row.as_ref().map_or(&Value::Null, |r| &r.config),
            Source::Stored,
        )
        .or_else(|e| {
            tracing::warn!("the stored Ollama config cannot be read ({e}); using the defaults");
            ProviderConfig::parse(ProviderId::Ollama, &Value::Null, Source::Stored)
        })?;
        Ok(Ollama::new(Conn::new(
            self.rt.http.clone(),
            ProviderId::Ollama,
            config.endpoint(ProviderId::Ollama),
            None,
            config.timeout(),
        )))
    }

    /// Reachability, version and latency; never an error for a down server.
    pub async fn ollama_health(&self) -> Result<OllamaHealth> {
        let o = self.ollama().await?;
        let started = Instant::now();
        let res = with_deadline(&o.conn, o.version()).await;
        Ok(match res {
            Ok(v) => OllamaHealth {
                connected: true,
                version: Some(v),
                latency_ms: Some(started.elapsed().as_millis() as u64),
            },
            Err(e) => {
                tracing::info!("Ollama health at {}: {e}", o.conn.base_url);
                self.forget_models(ProviderId::Ollama);
                OllamaHealth {
                    connected: false,
                    version: None,
                    latency_ms: None,
                }
            }
        })
    }

    /// Installed models with the loaded flag.
    pub async fn ollama_list_models(&self) -> Result<Vec<OllamaModel>> {
        let o = self.ollama().await?;
        let list = with_deadline(&o.conn, o.list_models()).await?;
        Ok(list
            .into_iter()
            .map(|m| OllamaModel {
                name: m.name,
                size: m.size,
                parameter_size: m.parameter_size,
                quantization_level: m.quantization_level,
                is_loaded: m.is_loaded.unwrap_or(false),
            })
            .collect())
    }

    /// Models loaded in memory (`/api/ps`).
    pub async fn ollama_ps(&self) -> Result<Vec<RunningModel>> {
        let o = self.ollama().await?;
        with_deadline(&o.conn, o.ps()).await
    }

    /// Pull a model. Each Ollama progress line goes to `on_progress`; `cancel` stops
    /// the download at once (the HTTP stream is dropped).
    pub async fn ollama_pull_model(
        &self,
        model: &str,
        on_progress: impl Fn(PullProgress) + Send + Sync,
        cancel: CancellationToken,
    ) -> Result<PullOutcome> {
        let model = model_arg(model)?;
        let o = self.ollama().await?;
        // A second pull of the same model replaces (and stops) the first.
        if let Some(old) = self.pulls().insert(model.clone(), cancel.clone()) {
            old.cancel();
        }
        let out = o.pull(&model, &on_progress, &cancel).await;
        {
            let mut pulls = self.pulls();
            if pulls
                .get(&model)
                .is_some_and(|t| t.is_cancelled() || !cancel.is_cancelled())
            {
                pulls.remove(&model);
            }
        }
        self.forget_models(ProviderId::Ollama);
        out
    }

    fn pulls(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, CancellationToken>> {
        self.rt.pulls.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stop a running pull of `model` at once; false when none is running.
    pub fn ollama_cancel_pull(&self, model: &str) -> bool {
        let model = model_arg(model).unwrap_or_default();
        match self.pulls().remove(&model) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    /// Models being pulled right now.
    pub fn ollama_pulls(&self) -> Vec<String> {
        let mut v: Vec<String> = self.pulls().keys().cloned().collect();
        v.sort();
        v
    }

    /// Delete an installed model and report the routes that name it.
    pub async fn ollama_delete_model(&self, model: &str) -> Result<OllamaDeleted> {
        let model = model_arg(model)?;
        let o = self.ollama().await?;
        with_deadline(&o.conn, o.delete(&model)).await?;
        self.forget_models(ProviderId::Ollama);
        let m = model.clone();
        let routes = self
            .db()
            .call(move |c| db::routes::list(c))
            .await?
            .into_iter()
            .filter(|r| r.provider == "ollama" && r.model.as_deref() == Some(m.as_str()))
            .map(RouteRef::from)
            .collect();
        Ok(OllamaDeleted {
            deleted: model,
            routes_using: routes,
        })
    }
}
