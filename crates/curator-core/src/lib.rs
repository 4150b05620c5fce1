//! Curator's core: everything the app and the CLI share. No Tauri in here.
//! `README.md` beside this crate says what each module holds.

pub mod backups;
pub mod db;
pub mod error;
pub mod model_list;
pub mod providers;
pub mod readiness;
pub mod routes;
pub mod secrets;
pub mod status;
pub mod upgrade;

pub use error::{ApiError, CoreError, ErrorCode, Result};

use providers::http::{Http, RetryPolicy};
use providers::{ProviderId, RemoteModel};
use secrets::{KeyStoreKind, Secrets};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The version of this build (the workspace version).
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Options for `Core::open_with`: the app and the CLI take the defaults; tests and
/// benchmarks force a secret store and a faster retry policy.
#[derive(Debug, Clone, Default)]
pub struct CoreOptions {
    /// Force a secret store instead of `CURATOR_SECRET_STORE` / the keychain probe.
    pub secret_store: Option<KeyStoreKind>,
    pub retry: RetryPolicy,
}

/// Long-lived runtime state shared by every clone of `Core`.
pub(crate) struct Runtime {
    /// The one HTTP client every provider uses.
    pub(crate) http: Http,
    pub(crate) secrets: Secrets,
    /// Recently fetched catalogs (120 s), per provider.
    pub(crate) models: Mutex<HashMap<ProviderId, (Instant, Vec<RemoteModel>)>>,
    /// Providers whose legacy key could not be decrypted when the database was opened.
    pub(crate) unreadable_keys: HashSet<ProviderId>,
    /// Running pulls by model, so `ollama_cancel_pull` can stop one.
    pub(crate) pulls: Mutex<HashMap<String, tokio_util::sync::CancellationToken>>,
}

/// The long-lived handle the app and the CLI hold. Cheap to clone.
#[derive(Clone)]
pub struct Core {
    db: db::Db,
    rt: Arc<Runtime>,
}

impl Core {
    /// Open (or create) the database at `path` and migrate it.
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, CoreOptions::default())
    }

    /// Open with explicit options. A database of the earlier reader is refused
    /// (`needs_upgrade`); the Google key the earlier reader stored moves into the
    /// secret store here, once, so that reads never write.
    pub fn open_with(path: &Path, options: CoreOptions) -> Result<Self> {
        let db = db::Db::open(path, upgrade::gate)?;
        let install_id = db.call_blocking(|c| db::meta::install_id(c))?;
        let secrets = Secrets::new(db.path(), install_id, options.secret_store);
        let unreadable_keys = upgrade::google_key::import(&db, &secrets)?;
        Ok(Self {
            rt: Arc::new(Runtime {
                http: Http::new(options.retry)?,
                secrets,
                models: Mutex::new(HashMap::new()),
                unreadable_keys,
                pulls: Mutex::new(HashMap::new()),
            }),
            db,
        })
    }

    /// Which secret store keys go to (may probe the keychain).
    pub async fn key_store(&self) -> Result<KeyStoreKind> {
        let rt = self.rt.clone();
        self.blocking(move || Ok(rt.secrets.kind())).await
    }

    /// Run blocking work (keychain, files) off the async workers.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        tokio::task::spawn_blocking(f)
            .await
            .map_err(CoreError::Join)?
    }

    pub fn db(&self) -> &db::Db {
        &self.db
    }
}

impl Core {
    /// Detect the database at `path` and report what an upgrade would do, without
    /// writing anything.
    pub fn inspect_upgrade(path: &Path) -> Result<upgrade::UpgradeReport> {
        upgrade::inspect(path, &upgrade::UpgradeEnv::from_process())
    }

    /// Upgrade the database at `path` in place (backup first, one transaction),
    /// reporting progress; then open it with `options`.
    pub fn upgrade_and_open(
        path: &Path,
        options: CoreOptions,
        progress: impl Fn(upgrade::UpgradeProgress),
    ) -> Result<(upgrade::UpgradeReport, Self)> {
        let report = upgrade::upgrade(path, false, &upgrade::UpgradeEnv::from_process(), progress)?;
        Ok((report, Self::open_with(path, options)?))
    }
}
