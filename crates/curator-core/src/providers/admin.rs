//! Configured providers: list, save config (never touching routes), enable/disable,
//! disconnect (one transaction, returning the removed routes) and connection tests.

use super::config::{ProviderConfig, Source};
use super::resolve::{not_found, Resolved};
use super::{client, with_deadline, ProviderId};
use crate::error::{ApiError, CoreError, Result};
use crate::secrets::{last4, KeyStoreKind};
use crate::{db, Core};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;
use std::time::Instant;

/// A configured provider as the UI and `providers list` see it. Never holds a key.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct ProviderItem {
    pub provider: ProviderId,
    pub display_name: String,
    pub enabled: bool,
    pub config: ProviderConfig,
    pub has_key: bool,
    pub key_last4: Option<String>,
    /// Where the key lives (null for providers that take no key).
    pub key_store: Option<KeyStoreKind>,
}

/// A task route, as reported by disconnect and delete.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq, Eq)]
pub struct RouteRef {
    pub task: String,
    pub provider: String,
    pub model: Option<String>,
}

impl From<db::routes::RouteRow> for RouteRef {
    fn from(r: db::routes::RouteRow) -> Self {
        Self {
            task: r.task,
            provider: r.provider,
            model: r.model,
        }
    }
}

/// What `delete_provider` removed.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq, Eq)]
pub struct ProviderRemoved {
    pub removed: String,
    pub routes_removed: Vec<RouteRef>,
}

/// Result of a connection test.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct ConnectionTest {
    pub ok: bool,
    #[specta(type = Option<specta_typescript::Number>)]
    pub latency_ms: Option<u64>,
    pub version: Option<String>,
    pub error: Option<ApiError>,
}

/// An API key as the user gave it: trimmed, bounded, printable, no spaces.
fn check_key(id: ProviderId, key: Option<String>) -> Result<Option<String>> {
    match key.map(|k| k.trim().to_string()) {
        None => Ok(None),
        Some(_) if !id.info().needs_key => Err(CoreError::KeyNotTaken { id }),
        Some(k)
            if k.is_empty() || k.len() > 4096 || k.chars().any(|c| c.is_control() || c == ' ') =>
        {
            Err(CoreError::invalid_config(
                "api_key",
                "must be 1 to 4096 printable characters without spaces",
            ))
        }
        Some(k) => Ok(Some(k)),
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

    async fn item(&self, id: ProviderId, row: db::providers::ProviderRow) -> Result<ProviderItem> {
        // A stored config this build cannot read shows as the defaults; readiness
        // reports the provider as not set up, with the reason.
        let config = ProviderConfig::parse(id, &row.config, Source::Stored).or_else(|e| {
            tracing::warn!("the stored {} config cannot be read: {e}", id.as_str());
            ProviderConfig::parse(id, &Value::Null, Source::Stored)
        })?;
        let (has_key, key_last4, key_store) = self.key_facts(id).await?;
        Ok(ProviderItem {
            provider: id,
            display_name: id.info().display_name.to_string(),
            enabled: row.enabled,
            config,
            has_key,
            key_last4,
            key_store,
        })
    }

    /// Configured providers in registry order. Rows of a provider this build does not
    /// implement are left out (readiness reports a route to one as `provider_unknown`).
    /// Reads never write.
    pub async fn list_providers(&self) -> Result<Vec<ProviderItem>> {
        let rows = self.db().call(|c| db::providers::list(c)).await?;
        let mut known: Vec<(ProviderId, db::providers::ProviderRow)> = rows
            .into_iter()
            .filter_map(|r| match ProviderId::parse(&r.provider) {
                Ok(id) => Some((id, r)),
                Err(e) => {
                    tracing::info!("not listed: {e}");
                    None
                }
            })
            .collect();
        known.sort_by_key(|(id, _)| id.rank());
        let mut out = Vec::with_capacity(known.len());
        for (id, r) in known {
            out.push(self.item(id, r).await?);
        }
        Ok(out)
    }

    /// One configured provider.
    pub async fn get_provider_config(&self, provider: &str) -> Result<ProviderItem> {
        // An id Curator does not know is `unknown_provider`; a known one without a
        // row is `provider_not_found`.
        let id = ProviderId::parse(provider)?;
        let p = id.as_str();
        let row = self
            .db()
            .call(move |c| db::providers::get(c, p))
            .await?
            .ok_or_else(|| not_found(provider))?;
        self.item(id, row).await
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
        if let Some(k) = check_key(id, api_key)? {
            let rt = self.rt.clone();
            self.blocking(move || rt.secrets.set(id.as_str(), &k))
                .await?;
        }
        self.db()
            .call(move |c| {
                let tx = c.transaction()?;
                db::providers::upsert_config(&tx, id.as_str(), &parsed)?;
                db::model_cache::clear(&tx, id.as_str())?;
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
            .call(move |c| db::providers::set_enabled(c, &p, enabled))
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
            .call(move |c| db::providers::get(c, p))
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
                if db::providers::get(&tx, &p)?.is_none() {
                    return Ok(None);
                }
                let removed = db::providers::delete(&tx, &p)?;
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
            routes_removed: routes.into_iter().map(RouteRef::from).collect(),
        })
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
        let client = client(r.id, conn.clone());
        let started = Instant::now();
        match with_deadline(&conn, client.health()).await {
            Ok(h) => ConnectionTest {
                ok: true,
                latency_ms: Some(started.elapsed().as_millis() as u64),
                version: h.version,
                error: None,
            },
            Err(e) => failed(&e),
        }
    }
}
