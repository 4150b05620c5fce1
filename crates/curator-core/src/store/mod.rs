//! SQL for the provider tables, task routes, the `use_separate_models` preference and
//! the last-good model lists. Plain functions over a connection so callers can group
//! them in one transaction.

use crate::error::Result;
use crate::providers::RemoteModel;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

/// Naive local time, `YYYY-MM-DD HH:MM:SS.ffffff`, as the original writes it.
const NOW: &str = "strftime('%Y-%m-%d %H:%M:%f000', 'now', 'localtime')";

/// One `llm_provider_configs` row.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderRow {
    pub provider: String,
    pub enabled: bool,
    /// `None` when the stored text is not a JSON object we can read.
    pub config: Value,
}

/// One `llm_task_routes` row.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteRow {
    pub task: String,
    pub provider: String,
    pub model: Option<String>,
    pub batch_size: Option<i64>,
}

fn provider_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ProviderRow> {
    let text: String = r.get(2)?;
    Ok(ProviderRow {
        provider: r.get(0)?,
        enabled: r.get(1)?,
        config: serde_json::from_str(&text).unwrap_or(Value::Null),
    })
}

pub fn list_providers(conn: &Connection) -> Result<Vec<ProviderRow>> {
    let mut st = conn
        .prepare("SELECT provider, enabled, config_json FROM llm_provider_configs ORDER BY id")?;
    let rows = st
        .query_map([], provider_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn get_provider(conn: &Connection, provider: &str) -> Result<Option<ProviderRow>> {
    Ok(conn
        .query_row(
            "SELECT provider, enabled, config_json FROM llm_provider_configs WHERE provider = ?1",
            [provider],
            provider_row,
        )
        .optional()?)
}

/// Replace a provider's config as a whole; a new row is enabled, an existing row keeps
/// its `enabled`. Routes are not touched.
pub fn upsert_provider_config(conn: &Connection, provider: &str, config: &Value) -> Result<()> {
    conn.execute(
        &format!(
            "INSERT INTO llm_provider_configs (provider, enabled, config_json, updated_at)
             VALUES (?1, 1, ?2, {NOW})
             ON CONFLICT (provider) DO UPDATE SET config_json = excluded.config_json,
                                                  updated_at = excluded.updated_at"
        ),
        params![provider, config.to_string()],
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
pub fn delete_provider(conn: &Connection, provider: &str) -> Result<Vec<RouteRow>> {
    let removed: Vec<RouteRow> = get_routes(conn)?
        .into_iter()
        .filter(|r| r.provider == provider)
        .collect();
    conn.execute(
        "DELETE FROM llm_task_routes WHERE provider = ?1",
        [provider],
    )?;
    conn.execute(
        "DELETE FROM curator_model_cache WHERE provider = ?1",
        [provider],
    )?;
    conn.execute(
        "DELETE FROM llm_provider_configs WHERE provider = ?1",
        [provider],
    )?;
    Ok(removed)
}

pub fn get_routes(conn: &Connection) -> Result<Vec<RouteRow>> {
    let mut st = conn.prepare(
        "SELECT task, provider, model, batch_size FROM llm_task_routes
         WHERE task IN ('categorization', 'scoring') ORDER BY task",
    )?;
    let rows = st
        .query_map([], |r| {
            Ok(RouteRow {
                task: r.get(0)?,
                provider: r.get(1)?,
                model: r.get(2)?,
                batch_size: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn upsert_route(conn: &Connection, r: &RouteRow) -> Result<()> {
    conn.execute(
        &format!(
            "INSERT INTO llm_task_routes (task, provider, model, updated_at, batch_size)
             VALUES (?1, ?2, ?3, {NOW}, ?4)
             ON CONFLICT (task) DO UPDATE SET provider = excluded.provider, model = excluded.model,
                 updated_at = excluded.updated_at, batch_size = excluded.batch_size"
        ),
        params![r.task, r.provider, r.model, r.batch_size],
    )?;
    Ok(())
}

/// `user_preferences.use_separate_models` of the single row (false when absent).
pub fn get_use_separate_models(conn: &Connection) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT use_separate_models FROM user_preferences ORDER BY id LIMIT 1",
            [],
            |r| r.get::<_, Option<bool>>(0),
        )
        .optional()?
        .flatten()
        .unwrap_or(false))
}

/// Write the flag, creating the preferences row with the original's defaults if needed.
pub fn set_use_separate_models(conn: &Connection, on: bool) -> Result<()> {
    let n = conn.execute(
        &format!(
            "UPDATE user_preferences SET use_separate_models = ?1, updated_at = {NOW}
             WHERE id = (SELECT min(id) FROM user_preferences)"
        ),
        [on],
    )?;
    if n == 0 {
        conn.execute(
            &format!(
                "INSERT INTO user_preferences (interests, anti_interests, updated_at, use_separate_models, feed_refresh_interval)
                 VALUES ('', '', {NOW}, ?1, 1800)"
            ),
            [on],
        )?;
    }
    Ok(())
}

pub fn put_model_cache(
    conn: &Connection,
    provider: &str,
    models: &[RemoteModel],
    now_unix: i64,
) -> Result<()> {
    let json = serde_json::to_string(models).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "INSERT INTO curator_model_cache (provider, models_json, fetched_at_unix) VALUES (?1, ?2, ?3)
         ON CONFLICT (provider) DO UPDATE SET models_json = excluded.models_json,
                                              fetched_at_unix = excluded.fetched_at_unix",
        params![provider, json, now_unix],
    )?;
    Ok(())
}

/// The last good list and when it was fetched (unix seconds).
pub fn get_model_cache(
    conn: &Connection,
    provider: &str,
) -> Result<Option<(Vec<RemoteModel>, i64)>> {
    let row: Option<(String, i64)> = conn
        .query_row(
            "SELECT models_json, fetched_at_unix FROM curator_model_cache WHERE provider = ?1",
            [provider],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.and_then(|(j, t)| serde_json::from_str(&j).ok().map(|m| (m, t))))
}

pub fn clear_model_cache(conn: &Connection, provider: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM curator_model_cache WHERE provider = ?1",
        [provider],
    )?;
    Ok(())
}

/// The install id secrets are keyed by (created if a database lacks it).
pub fn install_id(conn: &Connection) -> Result<String> {
    let id: Option<String> = conn
        .query_row(
            "SELECT value FROM curator_meta WHERE key = 'install_id'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = id {
        return Ok(id);
    }
    conn.execute(
        "INSERT INTO curator_meta (key, value) VALUES ('install_id', lower(hex(randomblob(16))))",
        [],
    )?;
    Ok(conn.query_row(
        "SELECT value FROM curator_meta WHERE key = 'install_id'",
        [],
        |r| r.get(0),
    )?)
}
