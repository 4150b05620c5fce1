//! One way to talk to an LLM provider: the facts table, the `Provider` trait, and the
//! five thin clients that share one HTTP client, one retry policy and one error type.

pub mod admin;
mod anthropic;
pub mod catalog;
pub mod config;
pub mod endpoint;
pub mod facts;
mod gemini;
pub mod http;
pub mod ollama;
mod openai;
mod openrouter;
mod resolve;

use crate::error::{Failure, Result};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use specta::Type;

pub(crate) use facts::printable;
pub use facts::{
    provider_kinds, Auth, ProviderId, ProviderInfo, ProviderKind, UnknownProvider,
    DEFAULT_TIMEOUT_S,
};
pub use http::{Conn, Http};

/// One model as a provider describes it (unknown metadata is `None`).
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq, Default)]
pub struct RemoteModel {
    /// The provider's own model name (`qwen3:8b`, `models/gemini-2.5-flash`).
    pub name: String,
    pub display_name: Option<String>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub context_length: Option<u64>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub size: Option<u64>,
    pub parameter_size: Option<String>,
    pub quantization_level: Option<String>,
    pub is_loaded: Option<bool>,
    /// Whether the API says the model supports structured (JSON-schema) output.
    pub structured_output: Option<bool>,
    /// USD per million input tokens, where the provider reports a price.
    #[serde(default)]
    pub input_price_per_mtok: Option<f64>,
    /// USD per million output tokens, where the provider reports a price.
    #[serde(default)]
    pub output_price_per_mtok: Option<f64>,
}

/// What a health check learned.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    pub version: Option<String>,
}

/// What every provider client can do.
#[async_trait]
pub trait Provider: Send + Sync {
    fn id(&self) -> ProviderId;
    /// A cheap authenticated call that tells a bad key from an unreachable server.
    async fn health(&self) -> Result<Health>;
    /// The provider's full catalog, every page followed.
    async fn list_models(&self) -> Result<Vec<RemoteModel>>;
}

/// Build the client for a provider over a connection.
pub fn client(id: ProviderId, conn: Conn) -> Box<dyn Provider> {
    match id {
        ProviderId::Ollama => Box::new(ollama::Ollama { conn }),
        ProviderId::Openai => Box::new(openai::OpenAi { conn }),
        ProviderId::Anthropic => Box::new(anthropic::Anthropic { conn }),
        ProviderId::Google => Box::new(gemini::Gemini { conn }),
        ProviderId::Openrouter => Box::new(openrouter::OpenRouter { conn }),
    }
}

/// Run `fut` under the connection's overall deadline; elapsing gives `timeout`.
pub async fn with_deadline<T>(
    conn: &Conn,
    fut: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    match tokio::time::timeout_at(conn.deadline().into(), fut).await {
        Ok(r) => r,
        Err(_) => Err(conn.fail(Failure::Timeout(conn.timeout)).into()),
    }
}
