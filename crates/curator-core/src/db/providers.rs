//! `llm_provider_configs`: one row per configured provider.

use super::{model_cache, routes, NOW};
use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use serde_json::Value;

/// One `llm_provider_configs` row.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderRow {
    pub provider: String,
    pub enabled: bool,
    /// `Null` when the stored text is not JSON we can read.
    pub config: Value,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProviderRow> {
    let text: String = r.get(2)?;
    Ok(ProviderRow {
        provider: r.get(0)?,
        enabled: r.get(1)?,
        config: serde_json::from_str(&text).unwrap_or(Value::Null),
    })
}

/// Every row, in insertion order.
pub fn list(conn: &Connection) -> Result<Vec<ProviderRow>> {
    let mut st = conn
        .prepare("SELECT provider, enabled, config_json FROM llm_provider_configs ORDER BY id")?;
    let rows = st
        .query_map([], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn get(conn: &Connection, provider: &str) -> Result<Option<ProviderRow>> {
    Ok(conn
        .query_row(
            "SELECT provider, enabled, config_json FROM llm_provider_configs WHERE provider = ?1",
            [provider],
            row,
        )
        .optional()?)
}

/// Replace a provider's config as a whole; a new row is enabled, an existing row keeps
/// its `enabled`. Routes are not touched.
pub fn upsert_config(conn: &Connection, provider: &str, config: &impl Serialize) -> Result<()> {
    let text = serde_json::to_string(config)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.execute(
        &format!(
            "INSERT INTO llm_provider_configs (provider, enabled, config_json, updated_at)
             VALUES (?1, 1, ?2, {NOW})
             ON CONFLICT (provider) DO UPDATE SET config_json = excluded.config_json,
                                                  updated_at = excluded.updated_at"
        ),
        params![provider, text],
    )?;
    Ok(())
}

/// Returns false when there is no such row.
pub fn set_enabled(conn: &Connection, provider: &str, enabled: bool) -> Result<bool> {
    let n = conn.execute(
        &format!(
            "UPDATE llm_provider_configs SET enabled = ?2, updated_at = {NOW} WHERE provider = ?1"
        ),
        params![provider, enabled],
    )?;
    Ok(n > 0)
}

/// Delete the provider's routes, its cached model list and its config row. Call inside
/// a transaction; returns the routes removed.
pub fn delete(conn: &Connection, provider: &str) -> Result<Vec<routes::RouteRow>> {
    let removed = routes::delete_for_provider(conn, provider)?;
    model_cache::clear(conn, provider)?;
    conn.execute(
        "DELETE FROM llm_provider_configs WHERE provider = ?1",
        [provider],
    )?;
    Ok(removed)
}
