//! A configured provider resolved for calling it: its stored config and key, and the
//! connection built from them.

use super::config::{ProviderConfig, Source};
use super::{printable, Conn, ProviderId};
use crate::error::{CoreError, ErrorCode, Result};
use crate::{db, Core};
use serde_json::json;

/// A provider's stored state, resolved for calling it.
pub(crate) struct Resolved {
    pub id: ProviderId,
    pub config: ProviderConfig,
    pub key: Option<String>,
}

pub(crate) fn not_found(provider: &str) -> CoreError {
    CoreError::Coded {
        code: ErrorCode::ProviderNotFound,
        message: format!("provider {} is not configured", printable(provider)),
        details: Some(json!({ "provider": printable(provider) })),
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
    /// Stored config + key of a configured, known provider.
    pub(crate) async fn resolve(&self, provider: &str) -> Result<Resolved> {
        let id = ProviderId::parse(provider)?;
        let row = self
            .db()
            .call(move |c| db::providers::get(c, id.as_str()))
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
        if self.rt.unreadable_keys.contains(&id) {
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
}
