//! The Google key the earlier reader stored (providers.md §2.2): a Fernet token in
//! `config_json.api_key_encrypted`, decryptable with the `.keyfile` beside the
//! database. It moves into Curator's secret store once, when the database is opened;
//! without a usable keyfile the provider reports `key_unreadable`.

use crate::db::{self, Db};
use crate::error::Result;
use crate::providers::config::{ProviderConfig, Source};
use crate::providers::ProviderId;
use crate::secrets::Secrets;
use serde::Deserialize;
use std::collections::HashSet;

/// The one key of the earlier reader's Google config that matters here.
#[derive(Deserialize)]
struct LegacyGoogleConfig {
    #[serde(default)]
    api_key_encrypted: Option<String>,
}

/// Decrypt a legacy token with the keyfile's Fernet key.
fn decrypt(keyfile: &str, token: &str) -> Option<String> {
    let f = fernet::Fernet::new(keyfile.trim())?;
    let plain = f.decrypt(token.trim()).ok()?;
    String::from_utf8(plain).ok().filter(|k| !k.is_empty())
}

/// Move the earlier reader's Google key into `secrets` and drop its ciphertext from
/// the database. Returns the providers whose legacy key could not be read.
/// Blocking (database, key file, keychain).
pub fn import(db: &Db, secrets: &Secrets) -> Result<HashSet<ProviderId>> {
    let id = ProviderId::Google;
    let mut unreadable = HashSet::new();
    let Some(row) = db.call_blocking(|c| db::providers::get(c, id.as_str()))? else {
        return Ok(unreadable);
    };
    let token = match serde_json::from_value::<LegacyGoogleConfig>(row.config.clone()) {
        Ok(LegacyGoogleConfig {
            api_key_encrypted: Some(t),
        }) if !t.is_empty() => t,
        _ => return Ok(unreadable),
    };
    let keyfile = db.path().with_file_name(".keyfile");
    let key = std::fs::read_to_string(&keyfile)
        .ok()
        .and_then(|k| decrypt(&k, &token));
    let Some(key) = key else {
        tracing::warn!("the earlier reader's Google key cannot be decrypted (no usable .keyfile)");
        unreadable.insert(id);
        return Ok(unreadable);
    };
    if secrets.get(id.as_str())?.is_none() {
        secrets.set(id.as_str(), &key)?;
    }
    // The ciphertext leaves the database once the key is safely stored.
    let clean = ProviderConfig::parse(id, &row.config, Source::Stored)?;
    // secure_delete + checkpoint: the old bytes do not linger in free pages or the WAL.
    db.call_blocking(move |c| {
        c.pragma_update(None, "secure_delete", "ON")?;
        let r = db::providers::upsert_config(c, id.as_str(), &clean);
        c.pragma_update(None, "secure_delete", "OFF")?;
        r?;
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    })?;
    Ok(unreadable)
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
