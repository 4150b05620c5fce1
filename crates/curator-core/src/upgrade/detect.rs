//! Which historical shape (schema-history §1) a database has.

use super::schema::{alembic_versions, count, has_column, has_table, legacy_schema_version};
use super::shape::Shape;
use rusqlite::{Connection, Result};

/// Alembic revisions this build knows, with the shape each names.
const REVISIONS: &[(&str, Shape)] = &[
    ("bd9b8b970fb9", Shape::N2),
    ("154075cd3c1a", Shape::N1),
    ("f0eb5e5b8e8c", Shape::F),
    ("1c3cc7f7d174", Shape::T),
    ("55f0f2e37b8a", Shape::A3),
    ("8c6f3c9b8f70", Shape::A2),
    ("dff7a4c52b3c", Shape::A1),
];

/// What a file of the earlier reader needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub shape: Shape,
    /// `alembic_version` rows before the upgrade.
    pub revisions: Vec<String>,
}

impl Detected {
    /// The 78dd677 semantics are already there (T, F, N1, N2): the original's
    /// tables need nothing.
    pub fn at_or_after_target(&self) -> bool {
        match self.shape {
            Shape::T | Shape::F | Shape::N1 | Shape::N2 | Shape::Newer => true,
            Shape::V0
            | Shape::V1
            | Shape::V2
            | Shape::V3
            | Shape::V4
            | Shape::V5
            | Shape::V6
            | Shape::V7
            | Shape::D
            | Shape::A1
            | Shape::A2
            | Shape::A3 => false,
        }
    }
    pub fn pre_alembic(&self) -> bool {
        self.revisions.is_empty()
    }
}

/// Recognise the earlier reader's database. `Ok(None)` when it is not one.
pub fn detect(conn: &Connection) -> Result<Option<Detected>> {
    if !(has_table(conn, "feeds")? && has_table(conn, "articles")?) {
        return Ok(None);
    }
    let revisions = alembic_versions(conn)?;
    if !revisions.is_empty() {
        let shape = REVISIONS
            .iter()
            .find(|(rev, _)| revisions.iter().any(|r| r == rev))
            .map(|(_, s)| *s);
        let shape = match shape {
            Some(s) => s,
            // A revision newer than any this build knows: accepted as it is when the
            // target's tables are there, like N1/N2.
            None if has_column(conn, "user_preferences", "use_separate_models")?
                && has_table(conn, "llm_provider_configs")? =>
            {
                Shape::Newer
            }
            None => return Ok(None),
        };
        return Ok(Some(Detected { shape, revisions }));
    }
    let prefs = has_table(conn, "user_preferences")?;
    let pref_col =
        |c: &str| -> Result<bool> { Ok(prefs && has_column(conn, "user_preferences", c)?) };
    let shape = match legacy_schema_version(conn)? {
        Some(v) if v >= 2 => {
            if has_table(conn, "llm_provider_configs")? || has_table(conn, "feed_folders")? {
                Shape::D
            } else {
                Shape::V7
            }
        }
        Some(1) => Shape::V6,
        _ => {
            let relational = has_table(conn, "categories")?
                && count(conn, "categories")? > 0
                && !has_column(conn, "articles", "categories")?;
            if relational {
                Shape::V5
            } else if pref_col("category_groups")? {
                Shape::V4
            } else if pref_col("ollama_categorization_model")? {
                Shape::V3
            } else if pref_col("topic_weights")? || has_column(conn, "articles", "scoring_state")? {
                Shape::V2
            } else if has_column(conn, "feeds", "display_order")? {
                Shape::V1
            } else {
                Shape::V0
            }
        }
    };
    Ok(Some(Detected { shape, revisions }))
}

/// An unknown Alembic revision (a newer original than this build knows).
pub fn unknown_revisions(conn: &Connection) -> Result<Vec<String>> {
    Ok(alembic_versions(conn)?
        .into_iter()
        .filter(|r| !REVISIONS.iter().any(|(k, _)| k == r))
        .collect())
}
