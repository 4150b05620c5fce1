//! One error type for the whole core, and the `{code, message, details?}` shape it
//! takes at every border (Tauri IPC and the CLI's `--json`).

use serde::{Deserialize, Serialize};
use specta::Type;
use std::path::PathBuf;

/// Stable, machine-readable error codes. The UI maps codes to wording and severity;
/// the CLI maps them to exit statuses. Add a variant only when a consumer needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
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
        CODE_NAMES
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("internal", |(_, n)| *n)
    }
}

const CODE_NAMES: &[(ErrorCode, &str)] = &[
    (ErrorCode::DbOpen, "db_open"),
    (ErrorCode::Db, "db"),
    (ErrorCode::DbTooNew, "db_too_new"),
    (ErrorCode::DbForeign, "db_foreign"),
    (ErrorCode::NeedsUpgrade, "needs_upgrade"),
    (ErrorCode::DbLocked, "db_locked"),
    (ErrorCode::DbReadOnly, "db_read_only"),
    (ErrorCode::DiskFull, "disk_full"),
    (ErrorCode::DbCorrupt, "db_corrupt"),
    (ErrorCode::InvalidConfig, "invalid_config"),
    (ErrorCode::InvalidRoute, "invalid_route"),
    (ErrorCode::UnknownProvider, "unknown_provider"),
    (ErrorCode::ProviderNotFound, "provider_not_found"),
    (ErrorCode::AuthFailed, "auth_failed"),
    (ErrorCode::NotFound, "not_found"),
    (ErrorCode::RateLimited, "rate_limited"),
    (ErrorCode::Overloaded, "overloaded"),
    (ErrorCode::ServerError, "server_error"),
    (ErrorCode::Timeout, "timeout"),
    (ErrorCode::Unreachable, "unreachable"),
    (ErrorCode::BadResponse, "bad_response"),
    (ErrorCode::ModelNotFound, "model_not_found"),
    (ErrorCode::KeyUnreadable, "key_unreadable"),
    (ErrorCode::SecretStore, "secret_store"),
    (ErrorCode::Io, "io"),
    (ErrorCode::Internal, "internal"),
];

/// Every failure the core can report.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("cannot open database {path}: {reason}")]
    DbOpen { path: PathBuf, reason: String },
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("{path} was written by a newer Curator (schema version {found}, this build knows up to {known})")]
    DbTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("{path} is not a Curator or rss-reader database ({reason})")]
    DbForeign { path: PathBuf, reason: String },
    #[error("{path} is a database of the earlier reader ({shape}) and needs an upgrade: run `curator --db {path} upgrade`")]
    NeedsUpgrade { path: PathBuf, shape: String },
    /// A coded error raised by a feature module (providers, routes, …).
    #[error("{message}")]
    Coded {
        code: ErrorCode,
        message: String,
        details: Option<serde_json::Value>,
    },
    #[error("background task failed: {0}")]
    Join(String),
}

impl CoreError {
    pub fn coded(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Coded {
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::DbOpen { .. } => ErrorCode::DbOpen,
            Self::Db(_) | Self::Migration(_) => ErrorCode::Db,
            Self::DbTooNew { .. } => ErrorCode::DbTooNew,
            Self::DbForeign { .. } => ErrorCode::DbForeign,
            Self::NeedsUpgrade { .. } => ErrorCode::NeedsUpgrade,
            Self::Coded { code, .. } => *code,
            Self::Join(_) => ErrorCode::Internal,
        }
    }

    pub fn details(&self) -> Option<serde_json::Value> {
        match self {
            Self::Coded { details, .. } => details.clone(),
            _ => None,
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// The only error shape that leaves the core: `{code, message, details?}`.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[specta(type = Option<specta_typescript::Unknown>)]
    pub details: Option<serde_json::Value>,
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
            details: e.details(),
        }
    }
}

/// `{code, message}` of a failure reported inside a successful answer.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct ErrorBrief {
    pub code: ErrorCode,
    pub message: String,
}

impl From<&CoreError> for ErrorBrief {
    fn from(e: &CoreError) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_serializes_to_its_name() {
        for (code, name) in CODE_NAMES {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(name));
            assert_eq!(code.as_str(), *name);
        }
    }

    #[test]
    fn api_error_json_shape() {
        let e: ApiError =
            CoreError::coded(ErrorCode::InvalidConfig, "base_url: must be http(s)").into();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "invalid_config", "message": "base_url: must be http(s)"})
        );
    }
}
