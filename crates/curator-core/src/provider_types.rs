//! The DTOs of the provider commands (IPC and `--json` shapes).

use crate::error::{CoreError, ErrorCode};
use crate::providers::ProviderId;
use crate::secrets::KeyStoreKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;

/// A configured provider as the UI and `providers list` see it. Never holds a key.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct ProviderItem {
    pub provider: String,
    pub display_name: String,
    pub enabled: bool,
    #[specta(type = specta_typescript::Unknown)]
    pub config: Value,
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

/// What `delete_provider` removed.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq, Eq)]
pub struct ProviderRemoved {
    pub removed: String,
    pub routes_removed: Vec<RouteRef>,
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

/// Result of a connection test.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct ConnectionTest {
    pub ok: bool,
    #[specta(type = Option<specta_typescript::Number>)]
    pub latency_ms: Option<u64>,
    pub version: Option<String>,
    pub error: Option<ErrorBrief>,
}

/// One entry of a provider's full catalog.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct CatalogModel {
    pub id: String,
    pub provider: ProviderId,
    pub name: String,
    pub display_name: Option<String>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub context_length: Option<u64>,
    pub structured_output: Option<bool>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub size: Option<u64>,
    pub parameter_size: Option<String>,
    pub quantization_level: Option<String>,
    pub is_loaded: Option<bool>,
    /// Among the exposed models (`selected_models`; all when none are chosen).
    pub selected: bool,
}
