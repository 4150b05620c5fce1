//! The aggregated model list: every enabled provider asked concurrently under its own
//! `timeout_s`; a failing provider falls back to its last good list (`stale`, with its
//! age) and never blocks or empties the others. Results are cached for 120 s.

use crate::error::Result;
use crate::provider_admin::{ErrorBrief, Resolved};
use crate::providers::{ProviderId, RemoteModel};
use crate::{store, Core};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a fetched list is served without asking the provider again.
pub const CACHE_TTL: Duration = Duration::from_secs(120);

/// One model in the aggregated list (unknown metadata is null).
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct ModelItem {
    /// `<provider>:<name>`.
    pub id: String,
    pub provider: ProviderId,
    pub name: String,
    pub display_name: Option<String>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub context_length: Option<u64>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub size: Option<u64>,
    pub parameter_size: Option<String>,
    pub quantization_level: Option<String>,
    pub is_loaded: Option<bool>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ListStatus {
    Ok,
    Error,
    Stale,
}

/// How one provider's part of the list came about.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct ProviderModelsStatus {
    pub provider: ProviderId,
    pub status: ListStatus,
    pub count: u32,
    /// Age of the list in seconds (0 when fetched now; null when there is none).
    #[specta(type = Option<specta_typescript::Number>)]
    pub age_s: Option<u64>,
    pub error: Option<ErrorBrief>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct ModelsResponse {
    pub models: Vec<ModelItem>,
    pub providers: Vec<ProviderModelsStatus>,
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn item(id: ProviderId, m: RemoteModel) -> ModelItem {
    ModelItem {
        id: format!("{}:{}", id.as_str(), m.name),
        provider: id,
        name: m.name,
        display_name: m.display_name,
        context_length: m.context_length,
        size: m.size,
        parameter_size: m.parameter_size,
        quantization_level: m.quantization_level,
        is_loaded: m.is_loaded,
    }
}

/// Keep only the exposed models (empty selection means all).
pub(crate) fn exposed(selected: &[String], models: Vec<RemoteModel>) -> Vec<RemoteModel> {
    if selected.is_empty() {
        return models;
    }
    models
        .into_iter()
        .filter(|m| selected.contains(&m.name))
        .collect()
}

impl Core {
    /// A catalog fetched less than 120 s ago, with its age.
    pub(crate) fn cached_models(&self, id: ProviderId) -> Option<(Vec<RemoteModel>, Duration)> {
        let map = self.rt.models.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&id)
            .filter(|(t, _)| t.elapsed() < CACHE_TTL)
            .map(|(t, m)| (m.clone(), t.elapsed()))
    }

    /// Drop a provider's cached catalog (config change, pull, delete).
    pub(crate) fn forget_models(&self, id: ProviderId) {
        self.rt
            .models
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&id);
    }

    /// Remember a fresh catalog in memory and as the last good list in SQLite.
    pub(crate) async fn remember_models(&self, id: ProviderId, models: &[RemoteModel]) {
        self.rt
            .models
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, (Instant::now(), models.to_vec()));
        let owned = models.to_vec();
        let saved = self
            .db()
            .call(move |c| store::put_model_cache(c, id.as_str(), &owned, now_unix()))
            .await;
        if let Err(e) = saved {
            tracing::warn!("could not keep the {} model list: {e}", id.as_str());
        }
    }

    /// A provider's catalog: from the 120 s cache unless `refresh`, else fetched.
    pub(crate) async fn catalog(
        &self,
        r: &Resolved,
        refresh: bool,
    ) -> Result<(Vec<RemoteModel>, Duration)> {
        if !refresh {
            if let Some(hit) = self.cached_models(r.id) {
                return Ok(hit);
            }
        }
        Ok((self.fetch_models(r).await?, Duration::ZERO))
    }

    async fn one_provider(
        &self,
        id: ProviderId,
        refresh: bool,
    ) -> (Vec<ModelItem>, ProviderModelsStatus) {
        let fetched = async {
            let r = self.resolve(id.as_str()).await?;
            let (models, age) = self.catalog(&r, refresh).await?;
            Ok::<_, crate::CoreError>((exposed(r.config.selected_models(), models), age, r))
        }
        .await;
        match fetched {
            Ok((models, age, _)) => {
                let status = ProviderModelsStatus {
                    provider: id,
                    status: ListStatus::Ok,
                    count: models.len() as u32,
                    age_s: Some(age.as_secs()),
                    error: None,
                };
                (models.into_iter().map(|m| item(id, m)).collect(), status)
            }
            Err(e) => {
                let brief = ErrorBrief::from(&e);
                let last = self
                    .db()
                    .call(move |c| store::get_model_cache(c, id.as_str()))
                    .await
                    .ok()
                    .flatten();
                let selected = self
                    .resolve(id.as_str())
                    .await
                    .map(|r| r.config.selected_models().to_vec())
                    .unwrap_or_default();
                match last {
                    Some((models, at)) => {
                        let models = exposed(&selected, models);
                        let status = ProviderModelsStatus {
                            provider: id,
                            status: ListStatus::Stale,
                            count: models.len() as u32,
                            age_s: Some((now_unix() - at).max(0) as u64),
                            error: Some(brief),
                        };
                        (models.into_iter().map(|m| item(id, m)).collect(), status)
                    }
                    None => (
                        Vec::new(),
                        ProviderModelsStatus {
                            provider: id,
                            status: ListStatus::Error,
                            count: 0,
                            age_s: None,
                            error: Some(brief),
                        },
                    ),
                }
            }
        }
    }

    /// Models of every enabled provider, asked concurrently (registry order).
    pub async fn list_models(&self, refresh: bool) -> Result<ModelsResponse> {
        self.migrate_legacy_google_key().await?;
        let rows = self.db().call(|c| store::list_providers(c)).await?;
        let mut ids: Vec<ProviderId> = rows
            .iter()
            .filter(|r| r.enabled)
            .filter_map(|r| ProviderId::parse(&r.provider).ok())
            .collect();
        ids.sort();
        let parts =
            futures::future::join_all(ids.into_iter().map(|id| self.one_provider(id, refresh)))
                .await;
        let mut out = ModelsResponse {
            models: Vec::new(),
            providers: Vec::new(),
        };
        for (models, status) in parts {
            out.models.extend(models);
            out.providers.push(status);
        }
        Ok(out)
    }
}
