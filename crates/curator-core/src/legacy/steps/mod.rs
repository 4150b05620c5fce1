//! The historical startup steps, reproduced by their data effects (schema-history
//! §3–§4), each guarded by the database's real shape so that any file, including
//! ones the original fails on, comes out at the 78dd677 semantics.

use super::host;
use super::names::{display_name, slugify};
use super::schema::{self, column, has_column, has_table, make_not_null};
use super::verify::{Digest, IndexProof, Proofs};
use crate::{CoreError, Result};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Map, Value as Json};
use std::collections::{BTreeSet, HashMap, HashSet};

mod alembic;
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

/// dff7a4c52b3c's steps 1–2 on `articles` (§3.2): `scoring_state` and
/// `scoring_priority` present and NOT NULL (NULLs → `'unscored'` / 0), and the two
/// scoring indexes. A nullable column becomes NOT NULL by a change of its
/// declaration only (no table rebuild; `schema::make_not_null`). The table is read
/// once, whatever there is to do: that pass counts the NULLs and takes the digest
/// of each new index's (key, rowid) pairs, which the checks before commit compare
/// with the index itself instead of re-reading the whole table (`verify`). Rows
/// are written only when NULLs exist, and then the table is checked in full.
pub fn articles_scoring(conn: &Connection, proofs: &mut Proofs) -> Result<()> {
    const COLUMNS: [(&str, &str, &str); 2] = [
        (
            "scoring_state",
            "VARCHAR NOT NULL DEFAULT 'unscored'",
            "'unscored'",
        ),
        ("scoring_priority", "INTEGER NOT NULL DEFAULT 0", "0"),
    ];
    const INDEXES: [(&str, &str); 2] = [
        ("ix_articles_composite_score", "composite_score"),
        ("ix_articles_scoring_state", "scoring_state"),
    ];
    let mut nullable = Vec::new();
    for (name, decl, fill) in COLUMNS {
        match column(conn, "articles", name)? {
            None => {
                conn.execute_batch(&format!("ALTER TABLE articles ADD COLUMN {name} {decl}"))?;
            }
            Some(c) if !c.notnull => nullable.push((name, fill)),
            Some(_) => {}
        }
    }
    let missing: Vec<(&str, &str)> = INDEXES
        .into_iter()
        .filter(|(index, _)| !schema::has_index(conn, index).unwrap_or(false))
        .collect();
    if nullable.is_empty() && missing.is_empty() {
        return Ok(());
    }
    let cols: Vec<&str> = nullable
        .iter()
        .map(|n| n.0)
        .chain(missing.iter().map(|c| c.1))
        .collect();
    // With a write-ahead log, the pass runs on a second, read-only connection while
    // this one builds the indexes: the rows it reads are the committed ones, the
    // same as here as long as this transaction has not changed the table (nothing
    // before this step writes articles in these shapes; a different definition
    // sends the pass back here, and a different content would fail the index
    // check before commit, never pass it).
    let beside = scan_beside(
        conn,
        proofs.articles_unchanged,
        &cols,
        nullable.len(),
        missing.len(),
    )?;
    let mut created = Vec::new();
    for (index, col) in missing {
        conn.execute_batch(&format!("CREATE INDEX {index} ON articles ({col})"))?;
        created.push((index, col));
    }
    let sql = format!("SELECT rowid, {} FROM articles", cols.join(", "));
    let (nulls, digests) = match beside {
        Some(h) => match h.join() {
            Ok(Ok(Some(found))) => found,
            _ => scan_articles(conn, &sql, nullable.len(), created.len())?,
        },
        None => scan_articles(conn, &sql, nullable.len(), created.len())?,
    };
    let mut filled = false;
    for ((name, fill), n) in nullable.iter().zip(&nulls) {
        if *n > 0 {
            conn.execute_batch(&format!(
                "UPDATE articles SET {name} = {fill} WHERE {name} IS NULL"
            ))?;
            filled = true;
        }
        make_not_null(conn, "articles", name)?;
        if *n == 0 {
            proofs.not_null.push(("articles".into(), (*name).into()));
        }
    }
    if !filled {
        for ((index, col), digest) in created.into_iter().zip(digests) {
            proofs.indexes.push(IndexProof {
                table: "articles".into(),
                index: index.into(),
                column: col.into(),
                digest,
            });
        }
    }
    Ok(())
}

type ScanResult = (Vec<u64>, Vec<Digest>);
type ScanThread = std::thread::JoinHandle<Result<Option<ScanResult>>>;

/// NULL counts of the first `nullable` columns of `sql`'s rows after the rowid,
/// digests of the next `indexed`.
fn scan_articles(
    conn: &Connection,
    sql: &str,
    nullable: usize,
    indexed: usize,
) -> Result<ScanResult> {
    let mut nulls = vec![0u64; nullable];
    let mut digests = vec![Digest::default(); indexed];
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let rowid: i64 = r.get(0)?;
        for (i, n) in nulls.iter_mut().enumerate() {
            if r.get_ref(1 + i)? == rusqlite::types::ValueRef::Null {
                *n += 1;
            }
        }
        for (i, d) in digests.iter_mut().enumerate() {
            d.add(rowid, r.get_ref(1 + nullable + i)?);
        }
    }
    Ok((nulls, digests))
}

fn articles_definition(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = 'articles'",
            [],
            |r| r.get(0),
        )
        .optional()?)
}

/// The scan of `articles_scoring` on a read-only connection in a thread, when the
/// file has a write-ahead log and this transaction has not changed `articles`.
/// The thread answers `None` when the table it sees is defined differently.
fn scan_beside(
    conn: &Connection,
    articles_unchanged: bool,
    cols: &[&str],
    nullable: usize,
    indexed: usize,
) -> Result<Option<ScanThread>> {
    let path = match conn.path() {
        Some(p) if !p.is_empty() && articles_unchanged => std::path::PathBuf::from(p),
        _ => return Ok(None),
    };
    let mode: String = conn.query_row("PRAGMA main.journal_mode", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Ok(None);
    }
    let definition = articles_definition(conn)?;
    let sql = format!("SELECT rowid, {} FROM articles", cols.join(", "));
    Ok(Some(std::thread::spawn(move || {
        let reader = Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        reader.busy_timeout(std::time::Duration::from_secs(5))?;
        reader.execute_batch("BEGIN")?;
        if articles_definition(&reader)? != definition {
            return Ok(None);
        }
        let found = scan_articles(&reader, &sql, nullable, indexed)?;
        reader.execute_batch("COMMIT")?;
        Ok(Some(found))
    })))
}
