//! Configured providers: list, save config (never touching routes), enable/disable,
//! disconnect (one transaction, returning the removed routes), connection test and
//! full catalog.

use crate::error::{CoreError, ErrorCode, Result};
pub use crate::provider_types::{
    CatalogModel, ConnectionTest, ErrorBrief, ProviderItem, ProviderRemoved, RouteRef,
};
use crate::providers::config::{ProviderConfig, Source};
use crate::providers::{self, Conn, ProviderId, RemoteModel};
use crate::secrets::{last4, KeyStoreKind};
use crate::{store, Core};
use serde_json::{json, Value};
use std::time::Instant;

/// A provider's stored state, resolved for calling it.
pub(crate) struct Resolved {
    pub id: ProviderId,
    pub config: ProviderConfig,
    pub key: Option<String>,
}

fn not_found(provider: &str) -> CoreError {
    CoreError::Coded {
        code: ErrorCode::ProviderNotFound,
        message: format!(
            "provider {} is not configured",
            providers::printable(provider)
        ),
        details: Some(json!({ "provider": providers::printable(provider) })),
    }
}

fn missing_key(id: ProviderId) -> CoreError {
    CoreError::Coded {
        code: ErrorCode::InvalidConfig,
        message: format!("api_key: no API key is set for {}", id.info().display_name),
        details: Some(json!({ "field": "api_key", "provider": id.as_str() })),
    }
}

impl Core {
    /// Facts about one key, never the key.
    async fn key_facts(
        &self,
        id: ProviderId,
    ) -> Result<(bool, Option<String>, Option<KeyStoreKind>)> {
        if !id.info().needs_key {
            return Ok((false, None, None));
        }
        let rt = self.rt.clone();
        let (key, kind) = self
            .blocking(move || {
                let key = rt.secrets.get(id.as_str())?;
                Ok((key, rt.secrets.kind()))
            })
            .await?;
        Ok((key.is_some(), key.as_deref().and_then(last4), Some(kind)))
    }

    async fn item(&self, row: store::ProviderRow) -> Result<ProviderItem> {
        let id = ProviderId::parse(&row.provider).ok();
        let config = match id {
            Some(id) => ProviderConfig::parse(id, &row.config, Source::Stored)
                .map(|c| c.to_json())
                .unwrap_or(row.config.clone()),
            None => row.config.clone(),
        };
        let (has_key, key_last4, key_store) = match id {
            Some(id) => self.key_facts(id).await?,
            None => (false, None, None),
        };
        Ok(ProviderItem {
            display_name: id.map_or(row.provider.clone(), |i| i.info().display_name.to_string()),
            provider: row.provider,
            enabled: row.enabled,
            config,
            has_key,
            key_last4,
            key_store,
        })
    }

    /// Configured providers in registry order (unknown ids last). Reads never write.
    pub async fn list_providers(&self) -> Result<Vec<ProviderItem>> {
        self.migrate_legacy_google_key().await?;
        let mut rows = self.db().call(|c| store::list_providers(c)).await?;
        rows.sort_by_key(|r| ProviderId::parse(&r.provider).map_or(usize::MAX, |i| i.rank()));
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(self.item(r).await?);
        }
        Ok(out)
    }

    /// One configured provider.
    pub async fn get_provider_config(&self, provider: &str) -> Result<ProviderItem> {
        self.migrate_legacy_google_key().await?;
        let p = provider.to_string();
        let row = self
            .db()
            .call(move |c| store::get_provider(c, &p))
            .await?
            // An id Curator does not know is `unknown_provider`; a known one without a
            // row is `provider_not_found`.
            .ok_or_else(|| {
                ProviderId::parse(provider)
                    .err()
                    .unwrap_or_else(|| not_found(provider))
            })?;
        self.item(row).await
    }

    /// Validate and save a provider's config as a whole (creating the row enabled),
    /// and its key when one is given. Task routes are never touched.
    pub async fn update_provider_config(
        &self,
        provider: &str,
        config: Value,
        api_key: Option<String>,
    ) -> Result<ProviderItem> {
        let id = ProviderId::parse(provider)?;
        let parsed = ProviderConfig::parse(id, &config, Source::Input)?;
        let key = match api_key.map(|k| k.trim().to_string()) {
            None => None,
            Some(_) if !id.info().needs_key => {
                return Err(CoreError::Coded {
                    code: ErrorCode::InvalidConfig,
                    message: format!("api_key: {} takes no API key", id.info().display_name),
                    details: Some(json!({ "field": "api_key" })),
                })
            }
            Some(k)
                if k.is_empty()
                    || k.len() > 4096
                    || k.chars().any(|c| c.is_control() || c == ' ') =>
            {
                return Err(CoreError::Coded {
                    code: ErrorCode::InvalidConfig,
                    message: "api_key: must be 1 to 4096 printable characters without spaces"
                        .into(),
                    details: Some(json!({ "field": "api_key" })),
                })
            }
            Some(k) => Some(k),
        };
        if let Some(k) = key {
            let rt = self.rt.clone();
            self.blocking(move || rt.secrets.set(id.as_str(), &k))
                .await?;
        }
        let json = parsed.to_json();
        self.db()
            .call(move |c| {
                let tx = c.transaction()?;
                store::upsert_provider_config(&tx, id.as_str(), &json)?;
                store::clear_model_cache(&tx, id.as_str())?;
                tx.commit()?;
                Ok(())
            })
            .await?;
        self.forget_models(id);
        self.get_provider_config(id.as_str()).await
    }

    /// Enable or disable a configured provider; config and key are kept.
    pub async fn set_provider_enabled(
        &self,
        provider: &str,
        enabled: bool,
    ) -> Result<ProviderItem> {
        let p = provider.to_string();
        let found = self
            .db()
            .call(move |c| store::set_enabled(c, &p, enabled))
            .await?;
        if !found {
            return Err(not_found(provider));
        }
        if let Ok(id) = ProviderId::parse(provider) {
            self.forget_models(id);
        }
        self.get_provider_config(provider).await
    }

    /// Remove a configured provider's API key (config and routes are kept; the provider
    /// then reports the key as missing until a new one is saved).
    pub async fn delete_provider_key(&self, provider: &str) -> Result<ProviderItem> {
        let id = ProviderId::parse(provider)?;
        let p = id.as_str();
        if self
            .db()
            .call(move |c| store::get_provider(c, p))
            .await?
            .is_none()
        {
            return Err(not_found(provider));
        }
        if id.info().needs_key {
            let rt = self.rt.clone();
            self.blocking(move || rt.secrets.delete(id.as_str()))
                .await?;
        }
        self.forget_models(id);
        self.get_provider_config(provider).await
    }

    /// Disconnect: delete the provider's routes, config and key in one transaction.
    pub async fn delete_provider(&self, provider: &str) -> Result<ProviderRemoved> {
        let p = provider.to_string();
        let routes = self
            .db()
            .call(move |c| {
                let tx = c.transaction()?;
                if store::get_provider(&tx, &p)?.is_none() {
                    return Ok(None);
                }
                let removed = store::delete_provider(&tx, &p)?;
                tx.commit()?;
                Ok(Some(removed))
            })
            .await?
            .ok_or_else(|| not_found(provider))?;
        if let Ok(id) = ProviderId::parse(provider) {
            self.forget_models(id);
            if id.info().needs_key {
                let rt = self.rt.clone();
                self.blocking(move || rt.secrets.delete(id.as_str()))
                    .await?;
            }
        }
        Ok(ProviderRemoved {
            removed: provider.to_string(),
            routes_removed: routes
                .into_iter()
                .map(|r| RouteRef {
                    task: r.task,
                    provider: r.provider,
                    model: r.model,
                })
                .collect(),
        })
    }

    /// Stored config + key of a configured, known provider.
    pub(crate) async fn resolve(&self, provider: &str) -> Result<Resolved> {
        let id = ProviderId::parse(provider)?;
        self.migrate_legacy_google_key().await?;
        let row = self
            .db()
            .call(move |c| store::get_provider(c, id.as_str()))
            .await?
            .ok_or_else(|| not_found(provider))?;
        let config = ProviderConfig::parse(id, &row.config, Source::Stored)?;
        let key = if id.info().needs_key {
            let rt = self.rt.clone();
            self.blocking(move || rt.secrets.get(id.as_str())).await?
        } else {
            None
        };
        Ok(Resolved { id, config, key })
    }

    pub(crate) fn conn_for(&self, r: &Resolved) -> Result<Conn> {
        if r.id.info().needs_key && r.key.is_none() {
            return Err(self.key_problem(r.id));
        }
        Ok(Conn {
            http: self.rt.http.clone(),
            provider: r.id,
            base_url: r.config.endpoint(),
            api_key: r.key.clone(),
            timeout: r.config.timeout(),
        })
    }

    /// Why a key-based provider has no key: unreadable legacy key, or none set.
    pub(crate) fn key_problem(&self, id: ProviderId) -> CoreError {
        if self
            .rt
            .unreadable_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&id)
        {
            CoreError::Coded {
                code: ErrorCode::KeyUnreadable,
                message: format!(
                    "the {} API key stored by the earlier reader could not be read; enter it again",
                    id.info().display_name
                ),
                details: Some(json!({ "provider": id.as_str(), "field": "api_key" })),
            }
        } else {
            missing_key(id)
        }
    }

    /// Test the stored connection: tells a bad key from an unreachable server, a wrong
    /// URL and a server error. Failure is an answer (`ok: false`), not an error.
    pub async fn test_provider(&self, provider: &str) -> Result<ConnectionTest> {
        let r = self.resolve(provider).await?;
        let test = self.health_of(&r).await;
        if !test.ok {
            // Readiness follows health: a provider that stopped answering must not
            // look ready from a model list fetched while it still did.
            self.forget_models(r.id);
        }
        Ok(test)
    }

    /// Test a config and key before saving them (nothing is stored).
    pub async fn test_provider_key(
        &self,
        provider: &str,
        config: Value,
        api_key: Option<String>,
    ) -> Result<ConnectionTest> {
        let id = ProviderId::parse(provider)?;
        let config = ProviderConfig::parse(id, &config, Source::Input)?;
        let key = match api_key.filter(|k| !k.trim().is_empty()) {
            Some(k) => Some(k.trim().to_string()),
            None => self.resolve(provider).await.ok().and_then(|r| r.key),
        };
        let r = Resolved { id, config, key };
        Ok(self.health_of(&r).await)
    }

    async fn health_of(&self, r: &Resolved) -> ConnectionTest {
        let failed = |e: &CoreError| ConnectionTest {
            ok: false,
            latency_ms: None,
            version: None,
            error: Some(e.into()),
        };
        let conn = match self.conn_for(r) {
            Ok(c) => c,
            Err(e) => return failed(&e),
        };
        let timeout = conn.timeout;
        let client = providers::client(r.id, conn);
        let started = Instant::now();
        match providers::with_deadline(r.id, timeout, client.health()).await {
            Ok(h) => ConnectionTest {
                ok: true,
                latency_ms: Some(started.elapsed().as_millis() as u64),
                version: h.version,
                error: None,
            },
            Err(e) => failed(&e),
        }
    }

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
        let timeout = conn.timeout;
        let client = providers::client(r.id, conn);
        let models = providers::with_deadline(r.id, timeout, client.list_models()).await?;
        self.remember_models(r.id, &models).await;
        Ok(models)
    }
}
