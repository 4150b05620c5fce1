//! The Google key the earlier reader stored (providers.md §2.2): a Fernet token in
//! `config_json.api_key_encrypted`, decryptable with the `.keyfile` beside the
//! database. It moves into Curator's secret store once; without a usable keyfile the
//! provider reports `key_unreadable`.

use crate::error::Result;
use crate::providers::config::{ProviderConfig, Source};
use crate::providers::ProviderId;
use crate::{store, Core};
use serde_json::Value;

/// Decrypt a legacy token with the keyfile's Fernet key.
fn decrypt(keyfile: &str, token: &str) -> Option<String> {
    let f = fernet::Fernet::new(keyfile.trim())?;
    let plain = f.decrypt(token.trim()).ok()?;
    String::from_utf8(plain).ok().filter(|k| !k.is_empty())
}

impl Core {
    /// Runs once per process; cheap afterwards.
    pub(crate) async fn migrate_legacy_google_key(&self) -> Result<()> {
        let this = self.clone();
        self.rt
            .legacy_checked
            .get_or_try_init(|| async move { this.migrate_google_once().await })
            .await?;
        Ok(())
    }

    async fn migrate_google_once(&self) -> Result<()> {
        let id = ProviderId::Google;
        let Some(row) = self
            .db()
            .call(move |c| store::get_provider(c, id.as_str()))
            .await?
        else {
            return Ok(());
        };
        let token = match row.config.get("api_key_encrypted").and_then(Value::as_str) {
            Some(t) if !t.is_empty() => t.to_string(),
            _ => return Ok(()),
        };
        let keyfile = self.db().path().with_file_name(".keyfile");
        let key = std::fs::read_to_string(&keyfile)
            .ok()
            .and_then(|k| decrypt(&k, &token));
        let Some(key) = key else {
            tracing::warn!(
                "the earlier reader's Google key cannot be decrypted (no usable .keyfile)"
            );
            self.rt
                .unreadable_keys
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(id);
            return Ok(());
        };
        let rt = self.rt.clone();
        self.blocking(move || {
            if rt.secrets.get(id.as_str())?.is_none() {
                rt.secrets.set(id.as_str(), &key)?;
            }
            Ok(())
        })
        .await?;
        // The ciphertext leaves the database once the key is safely stored.
        let clean = ProviderConfig::parse(id, &row.config, Source::Stored)?.to_json();
        // secure_delete + checkpoint: the old bytes do not linger in free pages or the WAL.
        self.db()
            .call(move |c| {
                c.pragma_update(None, "secure_delete", "ON")?;
                let r = store::upsert_provider_config(c, id.as_str(), &clean);
                c.pragma_update(None, "secure_delete", "OFF")?;
                r?;
                c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
                Ok(())
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn decrypts_a_fernet_token_and_refuses_a_wrong_key() {
        let k = fernet::Fernet::generate_key();
        let token = fernet::Fernet::new(&k)
            .unwrap()
            .encrypt(b"AIza-secret-1234");
        assert_eq!(
            super::decrypt(&k, &token).as_deref(),
            Some("AIza-secret-1234")
        );
        let other = fernet::Fernet::generate_key();
        assert_eq!(super::decrypt(&other, &token), None);
    }
}
