//! Which historical shape (schema-history §1) a database has.

use super::schema::{alembic_versions, count, has_column, has_table, legacy_schema_version};
use rusqlite::{Connection, Result};

/// Alembic revisions this build knows, with the shape each names.
const REVISIONS: &[(&str, &str)] = &[
    ("bd9b8b970fb9", "N2"),
    ("154075cd3c1a", "N1"),
    ("f0eb5e5b8e8c", "F"),
    ("1c3cc7f7d174", "T"),
    ("55f0f2e37b8a", "A3"),
    ("8c6f3c9b8f70", "A2"),
    ("dff7a4c52b3c", "A1"),
];

/// What a file of the earlier reader needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// Shape id of the spec: V0…V7, D, A1, A2, A3, T, F, N1, N2.
    pub shape: String,
    /// `alembic_version` rows before the upgrade.
    pub revisions: Vec<String>,
}

impl Detected {
    /// The 78dd677 semantics are already there (T, F, N1, N2): the original's
    /// tables need nothing.
    pub fn at_or_after_target(&self) -> bool {
        matches!(self.shape.as_str(), "T" | "F" | "N1" | "N2" | "newer")
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
            .map(|(_, s)| s.to_string());
        let shape = match shape {
            Some(s) => s,
            // A revision newer than any this build knows: accepted as it is when the
            // target's tables are there, like N1/N2.
            None if has_column(conn, "user_preferences", "use_separate_models")?
                && has_table(conn, "llm_provider_configs")? =>
            {
                "newer".to_string()
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
                "D"
            } else {
                "V7"
            }
        }
        Some(1) => "V6",
        _ => {
            let relational = has_table(conn, "categories")?
                && count(conn, "categories")? > 0
                && !has_column(conn, "articles", "categories")?;
            if relational {
                "V5"
            } else if pref_col("category_groups")? {
                "V4"
            } else if pref_col("ollama_categorization_model")? {
                "V3"
            } else if pref_col("topic_weights")? || has_column(conn, "articles", "scoring_state")? {
                "V2"
            } else if has_column(conn, "feeds", "display_order")? {
                "V1"
            } else {
                "V0"
            }
        }
    };
    Ok(Some(Detected {
        shape: shape.to_string(),
        revisions,
    }))
}

/// An unknown Alembic revision (a newer original than this build knows).
pub fn unknown_revisions(conn: &Connection) -> Result<Vec<String>> {
    Ok(alembic_versions(conn)?
        .into_iter()
        .filter(|r| !REVISIONS.iter().any(|(k, _)| k == r))
        .collect())
}
