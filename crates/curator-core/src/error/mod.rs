//! Every failure the core can report, and the one `{code, message, details?}` shape it
//! takes at every border (Tauri IPC, answers that carry a failure, the CLI's `--json`).
//!
//! Each variant carries what happened; the underlying error, when there is one, is its
//! `#[source]`. The message is the variant's `Display` (a whole sentence, safe to show:
//! keys are scrubbed where providers are involved); `code()` and `details()` are derived
//! from the variants below and nowhere else.

mod provider;
mod storage;

pub use provider::{Failure, ProviderError};
pub use storage::{
    CheckFailure, InvalidOllamaHost, MigrationFailure, OpenProblem, SecretStoreFailure,
    UpgradeProblem,
};

use crate::providers::facts::{ProviderId, UnknownProvider};
use crate::upgrade::shape::Shape;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use specta::Type;
use std::path::PathBuf;

/// Stable, machine-readable error codes. The UI maps codes to wording and severity;
/// the CLI maps them to exit statuses. Add a variant only when a consumer needs it.
/// The wire name (serde) and `as_str` (strum) are both derived, in snake_case.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Type,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    /// The database file could not be opened or created.
    DbOpen,
    /// Any other SQLite failure.
    Db,
    /// The database was written by a newer Curator than this one.
    DbTooNew,
    /// The file is a SQLite database of some other application.
    DbForeign,
    /// The database needs the legacy upgrade before it can be used.
    NeedsUpgrade,
    /// Another program holds the database's write lock.
    DbLocked,
    /// The database file (or its folder) cannot be written.
    DbReadOnly,
    /// The disk (or the database's size limit) is full.
    DiskFull,
    /// The file is a damaged or truncated SQLite database.
    DbCorrupt,
    InvalidConfig,
    InvalidRoute,
    UnknownProvider,
    ProviderNotFound,
    AuthFailed,
    NotFound,
    RateLimited,
    Overloaded,
    ServerError,
    Timeout,
    Unreachable,
    BadResponse,
    ModelNotFound,
    KeyUnreadable,
    SecretStore,
    Io,
    Internal,
}

impl ErrorCode {
    /// The wire name of the code (what serde writes).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Every failure the core can report.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("cannot open database {path}: {problem}")]
    DbOpen {
        path: PathBuf,
        #[source]
        problem: OpenProblem,
    },
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] MigrationFailure),
    #[error("{path} was written by a newer Curator (schema version {found}, this build knows up to {known})")]
    DbTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path} is not a Curator or rss-reader database (it has no feeds or articles tables of the earlier reader)")]
    DbForeign { path: PathBuf },
    #[error("{path} is a database of the earlier reader ({shape}) and needs an upgrade: run `curator --db {path} upgrade`")]
    NeedsUpgrade { path: PathBuf, shape: Shape },
    /// The upgrade refused the file or failed; the file is as it was.
    #[error("cannot upgrade {path}: {problem}; nothing was changed")]
    UpgradeRefused {
        path: PathBuf,
        #[source]
        problem: UpgradeProblem,
    },
    #[error("{cause} (while writing the backup {dest})")]
    Backup {
        dest: PathBuf,
        #[source]
        cause: Box<CoreError>,
    },
    /// A foreign-key violation was found before commit and neither the backup nor
    /// the original could be opened to tell whether it was there before.
    #[error("cannot read the backup to judge a foreign-key violation")]
    BackupUnreadable,
    /// The checks before commit found a problem.
    #[error(transparent)]
    Check(#[from] CheckFailure),
    #[error("{0}; set OLLAMA__HOST to a valid URL such as http://localhost:11434 and retry (nothing was changed)")]
    OllamaHost(#[from] InvalidOllamaHost),
    /// A config value the user gave is not acceptable.
    #[error("{field}: {reason}")]
    InvalidConfig { field: String, reason: String },
    /// A task route the user gave is not acceptable.
    #[error("{field}: {reason}")]
    InvalidRoute { field: String, reason: String },
    /// A config value of the wrong type (serde names the field).
    #[error("{field}: {source}")]
    ConfigValue {
        field: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("config: not valid JSON ({0})")]
    ConfigJson(#[source] serde_json::Error),
    #[error("routes: {0}")]
    RoutesJson(#[source] serde_path_to_error::Error<serde_json::Error>),
    #[error("api_key: cannot read standard input: {0}")]
    KeyInput(#[source] std::io::Error),
    #[error(transparent)]
    UnknownProvider(#[from] UnknownProvider),
    #[error("provider {provider} is not configured")]
    ProviderNotFound { provider: String },
    #[error("api_key: no API key is set for {}", id.info().display_name)]
    MissingKey { id: ProviderId },
    #[error("api_key: {} takes no API key", id.info().display_name)]
    KeyNotTaken { id: ProviderId },
    #[error("the {} API key stored by the earlier reader could not be read; enter it again", id.info().display_name)]
    KeyUnreadable { id: ProviderId },
    /// A provider failed or answered something Curator cannot use.
    #[error(transparent)]
    Provider(Box<ProviderError>),
    #[error("secret store: {what}: {source}")]
    SecretStore {
        what: String,
        #[source]
        source: SecretStoreFailure,
    },
    #[error("HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
    #[error("article {id} does not exist")]
    ArticleNotFound { id: i64 },
    #[error("another Curator (the app or a `run-queue`) is processing this database's queue")]
    QueueBusy { lock: PathBuf },
    #[error("cannot lock the queue with {path}: {source}")]
    QueueLock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("background task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("background task failed: the backup flush panicked")]
    BackupPanicked,
    #[error("cannot list the backups in {dir}: {source}")]
    ListBackups {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl From<ProviderError> for CoreError {
    fn from(e: ProviderError) -> Self {
        Self::Provider(Box::new(e))
    }
}

impl CoreError {
    pub fn invalid_config(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidConfig {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn invalid_route(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidRoute {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::DbOpen { .. } => ErrorCode::DbOpen,
            Self::Db(_) | Self::Migration(_) => ErrorCode::Db,
            Self::DbTooNew { .. } => ErrorCode::DbTooNew,
            Self::DbForeign { .. } => ErrorCode::DbForeign,
            Self::NeedsUpgrade { .. } => ErrorCode::NeedsUpgrade,
            Self::UpgradeRefused { problem, .. } => problem.code(),
            Self::Backup { cause, .. } => cause.code(),
            Self::BackupUnreadable | Self::ListBackups { .. } => ErrorCode::Io,
            Self::Check(_) => ErrorCode::DbCorrupt,
            Self::OllamaHost(_)
            | Self::InvalidConfig { .. }
            | Self::ConfigValue { .. }
            | Self::ConfigJson(_)
            | Self::KeyInput(_)
            | Self::MissingKey { .. }
            | Self::KeyNotTaken { .. } => ErrorCode::InvalidConfig,
            Self::InvalidRoute { .. } | Self::RoutesJson(_) => ErrorCode::InvalidRoute,
            Self::UnknownProvider(_) => ErrorCode::UnknownProvider,
            Self::ProviderNotFound { .. } => ErrorCode::ProviderNotFound,
            Self::KeyUnreadable { .. } => ErrorCode::KeyUnreadable,
            Self::Provider(e) => e.code(),
            Self::SecretStore { .. } => ErrorCode::SecretStore,
            Self::HttpClient(_) | Self::Join(_) | Self::BackupPanicked => ErrorCode::Internal,
            Self::ArticleNotFound { .. } => ErrorCode::NotFound,
            Self::QueueBusy { .. } => ErrorCode::DbLocked,
            Self::QueueLock { .. } => ErrorCode::Io,
        }
    }

    /// What a program may need beyond the code: the field at fault, the provider, the
    /// HTTP status, the retry-after.
    pub fn details(&self) -> Option<Value> {
        let field = |f: &str| Some(json!({ "field": f }));
        match self {
            Self::InvalidConfig { field: f, .. }
            | Self::ConfigValue { field: f, .. }
            | Self::InvalidRoute { field: f, .. } => field(f),
            Self::ConfigJson(_) => field("config"),
            Self::RoutesJson(_) => field("routes"),
            Self::KeyInput(_) | Self::KeyNotTaken { .. } => field("api_key"),
            Self::UnknownProvider(e) => Some(json!({ "provider": e.given })),
            Self::ProviderNotFound { provider } => Some(json!({ "provider": provider })),
            Self::MissingKey { id } | Self::KeyUnreadable { id } => {
                Some(json!({ "field": "api_key", "provider": id }))
            }
            Self::Provider(e) => Some(e.details()),
            Self::ArticleNotFound { id } => Some(json!({ "article_id": id })),
            Self::QueueBusy { lock } | Self::QueueLock { path: lock, .. } => {
                Some(json!({ "lock": lock.display().to_string() }))
            }
            Self::DbOpen { .. }
            | Self::Db(_)
            | Self::Migration(_)
            | Self::DbTooNew { .. }
            | Self::DbForeign { .. }
            | Self::NeedsUpgrade { .. }
            | Self::UpgradeRefused { .. }
            | Self::Backup { .. }
            | Self::BackupUnreadable
            | Self::ListBackups { .. }
            | Self::Check(_)
            | Self::OllamaHost(_)
            | Self::SecretStore { .. }
            | Self::HttpClient(_)
            | Self::Join(_)
            | Self::BackupPanicked => None,
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// The only error shape that leaves the core: `{code, message, details?}`, whether as
/// a command's error or inside an answer that reports a failure.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[specta(type = Option<specta_typescript::Unknown>)]
    pub details: Option<Value>,
}

impl From<&CoreError> for ApiError {
    fn from(e: &CoreError) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
            details: e.details(),
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        Self::from(&e)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests;
