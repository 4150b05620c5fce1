//! Curator's refinery migrations (embedded from `migrations/`): what this build knows,
//! what a file has applied, and applying the rest.

use super::table_exists;
use crate::error::{CoreError, MigrationFailure, Result};
use rusqlite::Connection;
use std::path::Path;

mod embedded {
    refinery::embed_migrations!("../../migrations");
}

/// Name of refinery's bookkeeping table.
pub const HISTORY_TABLE: &str = "refinery_schema_history";

/// The migrations compiled into this build.
pub fn migrations() -> Vec<refinery::Migration> {
    embedded::migrations::runner().get_migrations().to_vec()
}

/// The newest schema version this build knows.
pub fn latest_known_version() -> i64 {
    migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// The highest migration version recorded in refinery's history (0 if none).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    if !table_exists(conn, HISTORY_TABLE)? {
        return Ok(0);
    }
    conn.query_row(
        &format!("SELECT COALESCE(MAX(version), 0) FROM {HISTORY_TABLE}"),
        [],
        |r| r.get(0),
    )
}

/// Versions of the embedded migrations not yet recorded in the history table.
pub fn pending_versions(conn: &Connection) -> rusqlite::Result<Vec<i64>> {
    let applied: Vec<i64> = if table_exists(conn, HISTORY_TABLE)? {
        let mut stmt = conn.prepare(&format!("SELECT version FROM {HISTORY_TABLE}"))?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    } else {
        Vec::new()
    };
    let mut pending: Vec<i64> = migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .filter(|v| !applied.contains(v))
        .collect();
    pending.sort_unstable();
    Ok(pending)
}

/// Apply the pending embedded migrations on a connection that is already inside a
/// transaction (the legacy upgrade's), writing refinery's history exactly as
/// refinery does. Migrations for which `satisfied(version)` holds are only recorded:
/// the adopter has already given the database what they create.
pub fn apply_pending(conn: &Connection, satisfied: impl Fn(i64) -> bool) -> Result<()> {
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {HISTORY_TABLE}(
             version int4 PRIMARY KEY,
             name VARCHAR(255),
             applied_on VARCHAR(255),
             checksum VARCHAR(255));"
    ))?;
    let pending = pending_versions(conn)?;
    let mut all = migrations();
    all.sort_by_key(|m| m.version());
    for m in all
        .iter()
        .filter(|m| pending.contains(&i64::from(m.version())))
    {
        let version = i64::from(m.version());
        if !satisfied(version) {
            let sql = m.sql().ok_or_else(|| MigrationFailure::NoSql {
                version: m.version(),
                name: m.name().to_string(),
            })?;
            conn.execute_batch(sql)
                .map_err(|source| MigrationFailure::Step {
                    version: m.version(),
                    name: m.name().to_string(),
                    source,
                })?;
        }
        let applied_on = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        conn.execute(
            &format!(
                "INSERT INTO {HISTORY_TABLE} (version, name, applied_on, checksum) VALUES (?1, ?2, ?3, ?4)"
            ),
            rusqlite::params![version, m.name(), applied_on, m.checksum().to_string()],
        )?;
    }
    Ok(())
}

/// Apply every pending embedded migration, all in one transaction.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let found = schema_version(conn)?;
    let known = latest_known_version();
    if found > known {
        return Err(CoreError::DbTooNew {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    embedded::migrations::runner()
        .set_grouped(true)
        .set_abort_missing(true)
        .run(conn)
        .map_err(MigrationFailure::Runner)?;
    Ok(())
}
