//! API keys: the OS keychain through `keyring` (Secret Service on Linux), entries keyed
//! by the database's install id; a 0600 file beside the database (`<db file>.keys`)
//! where no keychain answers or with `CURATOR_SECRET_STORE=file`. A key never leaves
//! this module except to the HTTP client: callers see `has_key` and the last four.

use crate::error::{CoreError, Result, SecretStoreFailure};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const SERVICE: &str = "curator";
/// Environment variable forcing a store: `file` or `keychain`.
pub const STORE_ENV: &str = "CURATOR_SECRET_STORE";

/// Where keys live.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    Type,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum KeyStoreKind {
    Keychain,
    File,
}

impl KeyStoreKind {
    /// The wire name (what serde writes, and what `CURATOR_SECRET_STORE` takes).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

pub struct Secrets {
    file: PathBuf,
    install_id: String,
    kind: OnceLock<KeyStoreKind>,
}

fn keychain_error(what: &str, e: keyring::Error) -> CoreError {
    CoreError::SecretStore {
        what: what.to_string(),
        source: SecretStoreFailure::Keychain(e),
    }
}

/// The last four characters, for display (none for keys shorter than 8).
pub fn last4(key: &str) -> Option<String> {
    let n = key.chars().count();
    (n >= 8).then(|| key.chars().skip(n - 4).collect())
}

impl Secrets {
    /// `forced` overrides the environment and the keychain probe.
    pub fn new(db_path: &Path, install_id: String, forced: Option<KeyStoreKind>) -> Self {
        let mut f = db_path.as_os_str().to_owned();
        f.push(".keys");
        let kind = OnceLock::new();
        if let Some(k) = forced {
            let _ = kind.set(k);
        }
        Self {
            file: PathBuf::from(f),
            install_id,
            kind,
        }
    }

    pub fn file_path(&self) -> &Path {
        &self.file
    }

    fn user(&self, provider: &str) -> String {
        format!("{}/{}", self.install_id, provider)
    }

    /// The store in use: forced by the environment, else the keychain if it answers.
    /// Blocking (may talk to D-Bus).
    pub fn kind(&self) -> KeyStoreKind {
        *self
            .kind
            .get_or_init(|| match std::env::var(STORE_ENV).map(|v| v.parse()) {
                Ok(Ok(forced)) => forced,
                _ => {
                    let probe = keyring::Entry::new(SERVICE, &self.user("probe"))
                        .and_then(|e| e.get_password());
                    match probe {
                        Ok(_) | Err(keyring::Error::NoEntry) => KeyStoreKind::Keychain,
                        Err(e) => {
                            tracing::info!("no keychain answers ({e}); keys go to the file store");
                            KeyStoreKind::File
                        }
                    }
                }
            })
    }

    /// Read a provider's key. Blocking.
    pub fn get(&self, provider: &str) -> Result<Option<String>> {
        match self.kind() {
            KeyStoreKind::File => Ok(self.read_file()?.remove(&self.user(provider))),
            KeyStoreKind::Keychain => {
                let entry = keyring::Entry::new(SERVICE, &self.user(provider))
                    .map_err(|e| keychain_error("keychain", e))?;
                match entry.get_password() {
                    Ok(k) => Ok(Some(k)),
                    Err(keyring::Error::NoEntry) => Ok(None),
                    Err(e) => Err(keychain_error("keychain read", e)),
                }
            }
        }
    }

    /// Store a provider's key. Blocking.
    pub fn set(&self, provider: &str, key: &str) -> Result<()> {
        match self.kind() {
            KeyStoreKind::File => {
                let mut map = self.read_file()?;
                map.insert(self.user(provider), key.to_string());
                self.write_file(&map)
            }
            KeyStoreKind::Keychain => keyring::Entry::new(SERVICE, &self.user(provider))
                .and_then(|e| e.set_password(key))
                .map_err(|e| keychain_error("keychain write", e)),
        }
    }

    /// Forget a provider's key (no error when there is none). Blocking.
    pub fn delete(&self, provider: &str) -> Result<()> {
        match self.kind() {
            KeyStoreKind::File => {
                let mut map = self.read_file()?;
                if map.remove(&self.user(provider)).is_some() {
                    self.write_file(&map)?;
                }
                Ok(())
            }
            KeyStoreKind::Keychain => {
                let entry = keyring::Entry::new(SERVICE, &self.user(provider))
                    .map_err(|e| keychain_error("keychain", e))?;
                match entry.delete_credential() {
                    Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                    Err(e) => Err(keychain_error("keychain delete", e)),
                }
            }
        }
    }

    fn file_error(&self, source: SecretStoreFailure) -> CoreError {
        CoreError::SecretStore {
            what: self.file.display().to_string(),
            source,
        }
    }

    fn read_file(&self) -> Result<BTreeMap<String, String>> {
        match std::fs::read(&self.file) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| self.file_error(SecretStoreFailure::NotAKeyFile(e))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(self.file_error(SecretStoreFailure::File(e))),
        }
    }

    fn write_file(&self, map: &BTreeMap<String, String>) -> Result<()> {
        use std::io::Write;
        let mut tmp = self.file.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let fail = |e: std::io::Error| self.file_error(SecretStoreFailure::File(e));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(fail)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(fail)?;
        }
        let body = serde_json::to_vec_pretty(map).unwrap_or_default();
        f.write_all(&body)
            .and_then(|()| f.sync_all())
            .map_err(fail)?;
        std::fs::rename(&tmp, &self.file).map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last4_only_for_long_keys() {
        assert_eq!(last4("sk-abcdefgh1234").as_deref(), Some("1234"));
        assert_eq!(last4("short"), None);
    }
}
