//! The historical startup steps, reproduced by their data effects (schema-history
//! §3–§4), each guarded by the database's real shape so that any file, including
//! ones the original fails on, comes out at the 78dd677 semantics.

use super::names::display_name;
use super::schema::{self, has_column, has_table};
use crate::error::Result;
use rusqlite::types::Value;
use rusqlite::{params, Connection};
use serde_json::Value as Json;
use std::collections::{BTreeSet, HashMap};

mod alembic;
mod articles;
mod json_era;

pub use alembic::{merge_categories, providers_revision, rename_and_drop, stamp_alembic};
pub use json_era::json_era;

pub const TARGET_REVISION: &str = "1c3cc7f7d174";

/// Timestamps in the original's two text forms (naive local time).
pub struct Clock {
    now: chrono::NaiveDateTime,
}

impl Clock {
    pub fn now() -> Self {
        Self {
            now: chrono::Local::now().naive_local(),
        }
    }
    /// What SQLAlchemy writes for a DATETIME: `YYYY-MM-DD HH:MM:SS.ffffff`.
    pub fn orm(&self) -> String {
        self.now.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
    }
    /// What `datetime.isoformat()` gives (used by the e180fcd converter).
    pub fn iso(&self) -> String {
        self.now.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
    }
}

const DEFAULT_CATEGORIES: &[&str] = &[
    "technology",
    "science",
    "politics",
    "business",
    "finance",
    "health",
    "sports",
    "entertainment",
    "culture",
    "gaming",
    "programming",
    "ai-ml",
    "cybersecurity",
    "climate",
    "space",
    "education",
    "food",
    "travel",
    "design",
    "music",
    "film",
    "philosophy",
    "history",
    "law",
    "startups",
];

/// The kebab-case hierarchy of 6f97e7f (JSON era).
const KEBAB_HIERARCHY: &[(&str, &[&str])] = &[
    ("technology", &["cybersecurity", "ai-ml", "programming"]),
    ("science", &["climate", "space"]),
    ("business", &["finance", "startups"]),
    ("entertainment", &["gaming", "film", "music"]),
    ("culture", &["philosophy", "history", "design"]),
    ("health", &[]),
    ("politics", &["law"]),
    ("education", &[]),
];

/// The title-case hierarchy seeded by 61f2be6 (§4.3).
const TITLE_HIERARCHY: &[(&str, &[&str])] = &[
    ("Technology", &["Cybersecurity", "AI", "Programming"]),
    ("Science", &["Climate", "Space"]),
    ("Business", &["Finance", "Startups"]),
    ("Entertainment", &["Gaming", "Film", "Music"]),
    ("Culture", &["Philosophy", "History", "Design"]),
    ("Health", &[]),
    ("Politics", &["Law"]),
    ("Education", &[]),
];

const WEIGHT_NAMES: &[(&str, &str)] = &[
    ("blocked", "block"),
    ("low", "reduce"),
    ("neutral", "normal"),
    ("medium", "boost"),
    ("high", "max"),
];

fn new_weight_name(w: &str) -> Option<&'static str> {
    WEIGHT_NAMES.iter().find(|(o, _)| *o == w).map(|(_, n)| *n)
}

/// Python truthiness of a JSON value.
fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(o) => !o.is_empty(),
    }
}

/// Python truthiness of a SQLite value.
pub fn sql_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Integer(i) => *i != 0,
        Value::Real(f) => *f != 0.0,
        Value::Text(s) => !s.is_empty(),
        Value::Blob(b) => !b.is_empty(),
    }
}

fn add_column(conn: &Connection, table: &str, name: &str, decl: &str) -> Result<()> {
    if !has_column(conn, table, name)? {
        conn.execute_batch(&format!("ALTER TABLE \"{table}\" ADD COLUMN {name} {decl}"))?;
    }
    Ok(())
}

/// True when the file is from before the relational categories (V0–V4) or still
/// carries JSON category data: the JSON-era bootstrap and converter apply.
pub fn is_json_era(conn: &Connection) -> Result<bool> {
    Ok(!has_column(conn, "articles", "scoring_state")?
        || has_column(conn, "articles", "categories")?
        || (has_table(conn, "user_preferences")?
            && (has_column(conn, "user_preferences", "topic_weights")?
                || has_column(conn, "user_preferences", "category_groups")?))
        || !has_table(conn, "categories")?)
}

fn create_relational_tables(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS categories (
            id INTEGER NOT NULL,
            display_name VARCHAR NOT NULL,
            slug VARCHAR NOT NULL,
            parent_id INTEGER,
            weight VARCHAR,
            is_hidden BOOLEAN NOT NULL,
            is_seen BOOLEAN NOT NULL,
            is_manually_created BOOLEAN NOT NULL,
            created_at DATETIME NOT NULL,
            PRIMARY KEY (id),
            FOREIGN KEY(parent_id) REFERENCES categories (id)
        );
        CREATE UNIQUE INDEX IF NOT EXISTS ix_categories_slug ON categories (slug);
        CREATE INDEX IF NOT EXISTS ix_categories_display_name ON categories (display_name);
        CREATE TABLE IF NOT EXISTS article_category_link (
            article_id INTEGER NOT NULL,
            category_id INTEGER NOT NULL,
            PRIMARY KEY (article_id, category_id),
            FOREIGN KEY(article_id) REFERENCES articles (id) ON DELETE CASCADE,
            FOREIGN KEY(category_id) REFERENCES categories (id) ON DELETE CASCADE
        );",
    )?;
    Ok(())
}

/// JSON read from a text column: `None` for SQL NULL, empty text or invalid JSON.
fn parse_json(v: &Value) -> Option<Json> {
    match v {
        Value::Text(s) if !s.is_empty() => serde_json::from_str(s).ok(),
        _ => None,
    }
}

fn str_list(v: Option<&Json>) -> Vec<String> {
    v.and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Insert a hierarchy of default categories (slugs sorted, parents afterwards).
fn seed_hierarchy(conn: &Connection, clock: &Clock, hierarchy: &[(&str, &[&str])]) -> Result<()> {
    let slugs: BTreeSet<&str> = hierarchy
        .iter()
        .flat_map(|(p, c)| std::iter::once(*p).chain(c.iter().copied()))
        .collect();
    let created = clock.orm();
    let mut ids = HashMap::new();
    for slug in slugs {
        conn.execute(
            "INSERT INTO categories (display_name, slug, weight, is_hidden, is_seen, is_manually_created, created_at)
             VALUES (?1, ?2, NULL, 0, 1, 0, ?3)",
            params![display_name(slug), slug, created],
        )?;
        ids.insert(slug, conn.last_insert_rowid());
    }
    for (parent, kids) in hierarchy {
        for kid in *kids {
            conn.execute(
                "UPDATE categories SET parent_id = ?1 WHERE id = ?2",
                [ids[parent], ids[kid]],
            )?;
        }
    }
    Ok(())
}

/// 61f2be6's startup (§4.4): create_all, then the schema_version v1/v2 steps.
pub fn schema_version_bootstrap(conn: &Connection, clock: &Clock) -> Result<()> {
    create_relational_tables(conn)?;
    if !has_table(conn, "user_preferences")? {
        conn.execute_batch(
            "CREATE TABLE user_preferences (
                id INTEGER NOT NULL,
                interests VARCHAR NOT NULL,
                anti_interests VARCHAR NOT NULL,
                updated_at DATETIME NOT NULL,
                ollama_categorization_model VARCHAR,
                ollama_scoring_model VARCHAR,
                ollama_use_separate_models BOOLEAN NOT NULL,
                ollama_thinking BOOLEAN NOT NULL,
                feed_refresh_interval INTEGER NOT NULL,
                PRIMARY KEY (id)
            )",
        )?;
    }
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let version = match schema::legacy_schema_version(conn)? {
        Some(v) => v,
        None => {
            conn.execute("INSERT INTO schema_version (version) VALUES (0)", [])?;
            0
        }
    };
    if version < 1 {
        if schema::count(conn, "categories")? == 0 {
            seed_hierarchy(conn, clock, TITLE_HIERARCHY)?;
        }
        conn.execute("UPDATE schema_version SET version = 1", [])?;
    }
    if version < 2 {
        add_column(
            conn,
            "user_preferences",
            "ollama_thinking",
            "BOOLEAN NOT NULL DEFAULT 0",
        )?;
        add_column(
            conn,
            "user_preferences",
            "feed_refresh_interval",
            "INTEGER NOT NULL DEFAULT 1800",
        )?;
        conn.execute("UPDATE schema_version SET version = 2", [])?;
    }
    Ok(())
}
