//! `curator_model_cache`: each provider's last good model list, with when it was
//! fetched, served as `stale` when the provider fails.

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub fn put<T: Serialize>(
    conn: &Connection,
    provider: &str,
    models: &[T],
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

/// The last good list and when it was fetched (unix seconds); `None` when there is
/// none or it no longer reads as a list of `T`.
pub fn get<T: DeserializeOwned>(
    conn: &Connection,
    provider: &str,
) -> Result<Option<(Vec<T>, i64)>> {
    let row: Option<(String, i64)> = conn
        .query_row(
            "SELECT models_json, fetched_at_unix FROM curator_model_cache WHERE provider = ?1",
            [provider],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.and_then(|(j, t)| serde_json::from_str(&j).ok().map(|m| (m, t))))
}

pub fn clear(conn: &Connection, provider: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM curator_model_cache WHERE provider = ?1",
        [provider],
    )?;
    Ok(())
}
