//! `curator_meta`: key/value facts about this database (its install id).

use crate::error::Result;
use rusqlite::{Connection, OptionalExtension};

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
