//! A configured provider resolved for calling it: its stored config and key, and the
//! connection built from them.

use super::config::{ProviderConfig, Source};
use super::{printable, Conn, ProviderId};
use crate::error::{CoreError, Result};
use crate::{db, Core};

/// A provider's stored state, resolved for calling it.
pub(crate) struct Resolved {
    pub id: ProviderId,
    pub config: ProviderConfig,
    pub key: Option<String>,
}

pub(crate) fn not_found(provider: &str) -> CoreError {
    CoreError::ProviderNotFound {
        provider: printable(provider),
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
        Ok(Conn::new(
            self.rt.http.clone(),
            r.id,
            r.config.endpoint(r.id),
            r.key.clone(),
            r.config.timeout(),
        ))
    }

    /// Why a key-based provider has no key: unreadable legacy key, or none set.
    pub(crate) fn key_problem(&self, id: ProviderId) -> CoreError {
        if self.rt.unreadable_keys.contains(&id) {
            CoreError::KeyUnreadable { id }
        } else {
            CoreError::MissingKey { id }
        }
    }
}
