//! A provider's catalog: fetched under its deadline, kept 120 s in memory and as the
//! last good list in SQLite, and listed in full with the exposed models marked.

use super::resolve::Resolved;
use super::{client, with_deadline, ProviderId, RemoteModel};
use crate::error::Result;
use crate::{db, Core};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// One entry of a provider's full catalog.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct CatalogModel {
    pub id: String,
    pub provider: ProviderId,
    pub name: String,
    pub display_name: Option<String>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub context_length: Option<u64>,
    pub structured_output: Option<bool>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub size: Option<u64>,
    pub parameter_size: Option<String>,
    pub quantization_level: Option<String>,
    pub is_loaded: Option<bool>,
    /// USD per million input tokens, where the provider reports a price.
    pub input_price_per_mtok: Option<f64>,
    /// USD per million output tokens, where the provider reports a price.
    pub output_price_per_mtok: Option<f64>,
    /// Among the exposed models (`selected_models`; all when none are chosen).
    pub selected: bool,
}

/// How long a fetched list is served without asking the provider again.
pub const CACHE_TTL: Duration = Duration::from_secs(120);

pub(crate) fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
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
    /// The provider's full catalog (every page), with the exposed ones marked.
    pub async fn list_provider_catalog(&self, provider: &str) -> Result<Vec<CatalogModel>> {
        let r = self.resolve(provider).await?;
        let models = self.fetch_models(&r).await?;
        let selected = r.config.selected_models();
        Ok(models
            .into_iter()
            .map(|m: RemoteModel| CatalogModel {
                id: format!("{}:{}", r.id.as_str(), m.name),
                provider: r.id,
                selected: selected.is_empty() || selected.contains(&m.name),
                name: m.name,
                display_name: m.display_name,
                context_length: m.context_length,
                structured_output: m.structured_output,
                input_price_per_mtok: m.input_price_per_mtok,
                output_price_per_mtok: m.output_price_per_mtok,
                size: m.size,
                parameter_size: m.parameter_size,
                quantization_level: m.quantization_level,
                is_loaded: m.is_loaded,
            })
            .collect())
    }

    /// Fetch a provider's catalog now (under its deadline) and remember it as the last
    /// good list.
    pub(crate) async fn fetch_models(&self, r: &Resolved) -> Result<Vec<RemoteModel>> {
        let conn = self.conn_for(r)?;
        let client = client(r.id, conn.clone());
        let models = with_deadline(&conn, client.list_models()).await?;
        self.remember_models(r.id, &models).await;
        Ok(models)
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

    /// A catalog fetched less than 120 s ago, with its age.
    fn cached_models(&self, id: ProviderId) -> Option<(Vec<RemoteModel>, Duration)> {
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
    async fn remember_models(&self, id: ProviderId, models: &[RemoteModel]) {
        self.rt
            .models
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, (Instant::now(), models.to_vec()));
        let owned = models.to_vec();
        let saved = self
            .db()
            .call(move |c| db::model_cache::put(c, id.as_str(), &owned, now_unix()))
            .await;
        if let Err(e) = saved {
            tracing::warn!("could not keep the {} model list: {e}", id.as_str());
        }
    }

    /// The last good list kept in SQLite and when it was fetched (unix seconds).
    pub(crate) async fn last_good_models(
        &self,
        id: ProviderId,
    ) -> Result<Option<(Vec<RemoteModel>, i64)>> {
        self.db()
            .call(move |c| db::model_cache::get(c, id.as_str()))
            .await
    }
}
