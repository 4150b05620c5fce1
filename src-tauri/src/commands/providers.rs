//! Provider commands: configure, test, enable/disable, disconnect, catalogs.

use crate::AppState;
use curator_core::providers::admin::{ConnectionTest, ProviderItem, ProviderRemoved};
use curator_core::providers::catalog::CatalogModel;
use curator_core::providers::config::ProviderConfigInput;
use curator_core::providers::endpoint::{self, ProviderEndpoint};
use curator_core::providers::ProviderId;
use curator_core::providers::{provider_kinds as kinds, ProviderKind};
use curator_core::secrets::KeyStoreKind;
use curator_core::ApiError;
use serde_json::Value;
use tauri::State;

/// A provider's config as the user gives it (fields with defaults may be omitted); the
/// core reads it by the provider's id and validates it field by field.
#[derive(serde::Deserialize, specta::Type)]
#[serde(transparent)]
pub struct ConfigJson(#[specta(type = ProviderConfigInput)] pub Value);

/// The five providers Curator knows, in registry order, with their facts.
#[tauri::command]
#[specta::specta]
pub fn provider_kinds() -> Vec<ProviderKind> {
    kinds()
}

/// Configured providers, registry order; never a key (only `has_key`, `key_last4`).
#[tauri::command]
#[specta::specta]
pub async fn list_providers(state: State<'_, AppState>) -> Result<Vec<ProviderItem>, ApiError> {
    Ok(state.core()?.list_providers().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_provider_config(
    state: State<'_, AppState>,
    provider: String,
) -> Result<ProviderItem, ApiError> {
    Ok(state.core()?.get_provider_config(&provider).await?)
}

/// Save a provider's whole config (and its key, when given). Never touches task routes.
#[tauri::command]
#[specta::specta]
pub async fn update_provider_config(
    state: State<'_, AppState>,
    provider: String,
    config: ConfigJson,
    api_key: Option<String>,
) -> Result<ProviderItem, ApiError> {
    Ok(state
        .core()?
        .update_provider_config(&provider, config.0, api_key)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_provider_enabled(
    state: State<'_, AppState>,
    provider: String,
    enabled: bool,
) -> Result<ProviderItem, ApiError> {
    Ok(state
        .core()?
        .set_provider_enabled(&provider, enabled)
        .await?)
}

/// Remove only the provider's API key; config and routes stay.
#[tauri::command]
#[specta::specta]
pub async fn delete_provider_key(
    state: State<'_, AppState>,
    provider: String,
) -> Result<ProviderItem, ApiError> {
    Ok(state.core()?.delete_provider_key(&provider).await?)
}

/// Disconnect: config, key and every route that used the provider, in one transaction.
#[tauri::command]
#[specta::specta]
pub async fn delete_provider(
    state: State<'_, AppState>,
    provider: String,
) -> Result<ProviderRemoved, ApiError> {
    Ok(state.core()?.delete_provider(&provider).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn test_provider(
    state: State<'_, AppState>,
    provider: String,
) -> Result<ConnectionTest, ApiError> {
    Ok(state.core()?.test_provider(&provider).await?)
}

/// Test a config and key before saving them; nothing is stored.
#[tauri::command]
#[specta::specta]
pub async fn test_provider_key(
    state: State<'_, AppState>,
    provider: String,
    config: ConfigJson,
    api_key: Option<String>,
) -> Result<ConnectionTest, ApiError> {
    Ok(state
        .core()?
        .test_provider_key(&provider, config.0, api_key)
        .await?)
}

/// A key-based provider's full catalog, for choosing which models to expose.
#[tauri::command]
#[specta::specta]
pub async fn list_provider_catalog(
    state: State<'_, AppState>,
    provider: String,
) -> Result<Vec<CatalogModel>, ApiError> {
    Ok(state.core()?.list_provider_catalog(&provider).await?)
}

/// Where API keys are kept: the OS keychain or the 0600 file beside the database.
#[tauri::command]
#[specta::specta]
pub async fn key_store(state: State<'_, AppState>) -> Result<KeyStoreKind, ApiError> {
    Ok(state.core()?.key_store().await?)
}

/// Where a provider's requests would go for `base_url` (null: the default), and the
/// exact URL that listing its models requests; the same rule the client uses.
#[tauri::command]
#[specta::specta]
pub fn provider_endpoint(
    provider: ProviderId,
    base_url: Option<String>,
) -> Result<ProviderEndpoint, ApiError> {
    Ok(endpoint::preview(provider, base_url.as_deref())?)
}
