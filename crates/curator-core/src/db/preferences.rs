//! `user_preferences`: the original's single row; Curator reads and writes only
//! `use_separate_models`.

use super::NOW;
use crate::error::Result;
use rusqlite::{Connection, OptionalExtension};

/// `use_separate_models` of the single row (false when absent).
pub fn use_separate_models(conn: &Connection) -> Result<bool> {
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
