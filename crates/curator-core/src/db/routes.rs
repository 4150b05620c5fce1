//! `llm_task_routes`: which provider and model serve each task.

use super::NOW;
use crate::error::Result;
use rusqlite::{params, Connection};

/// One `llm_task_routes` row.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteRow {
    pub task: String,
    pub provider: String,
    pub model: Option<String>,
    pub batch_size: Option<i64>,
}

/// The routes of the two tasks Curator knows, in task order.
pub fn list(conn: &Connection) -> Result<Vec<RouteRow>> {
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

pub fn upsert(conn: &Connection, r: &RouteRow) -> Result<()> {
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

/// Delete the routes served by `provider`; returns them.
pub fn delete_for_provider(conn: &Connection, provider: &str) -> Result<Vec<RouteRow>> {
    let removed: Vec<RouteRow> = list(conn)?
        .into_iter()
        .filter(|r| r.provider == provider)
        .collect();
    conn.execute(
        "DELETE FROM llm_task_routes WHERE provider = ?1",
        [provider],
    )?;
    Ok(removed)
}
