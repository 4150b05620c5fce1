//! The historical startup steps, reproduced by their data effects (schema-history
//! §3–§4), each guarded by the database's real shape so that any file, including
//! ones the original fails on, comes out at the 78dd677 semantics.

use super::host;
use super::names::{display_name, slugify};
use super::schema::{self, column, has_column, has_table, make_not_null};
use crate::{CoreError, Result};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Map, Value as Json};
use std::collections::{BTreeSet, HashMap, HashSet};

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

/// 6f97e7f's bootstrap (§4.1) followed by e180fcd's JSON → relational conversion
/// (§4.2). The JSON columns themselves are kept (Curator drops no user data); their
/// converted content is what the later steps see.
pub fn json_era(conn: &Connection, clock: &Clock) -> Result<()> {
    // 4.1.1: create_all with the V4 models.
    if !has_table(conn, "user_preferences")? {
        conn.execute_batch(
            "CREATE TABLE user_preferences (
                id INTEGER NOT NULL,
                interests VARCHAR NOT NULL,
                anti_interests VARCHAR NOT NULL,
                topic_weights JSON,
                updated_at DATETIME NOT NULL,
                ollama_categorization_model VARCHAR,
                ollama_scoring_model VARCHAR,
                ollama_use_separate_models BOOLEAN NOT NULL,
                category_groups JSON,
                PRIMARY KEY (id)
            )",
        )?;
    }
    // 4.1.2 and 4.1.4: the altered columns.
    for (name, decl) in [
        ("categories", "TEXT"),
        ("interest_score", "INTEGER"),
        ("quality_score", "INTEGER"),
        ("composite_score", "REAL"),
        ("score_reasoning", "TEXT"),
        ("scoring_state", "TEXT DEFAULT 'unscored'"),
        ("scored_at", "TIMESTAMP"),
        ("scoring_priority", "INTEGER DEFAULT 0"),
        ("rescore_mode", "TEXT"),
    ] {
        add_column(conn, "articles", name, decl)?;
    }
    for (name, decl) in [
        ("ollama_categorization_model", "TEXT"),
        ("ollama_scoring_model", "TEXT"),
        ("ollama_use_separate_models", "BOOLEAN DEFAULT 0"),
        ("category_groups", "TEXT"),
    ] {
        add_column(conn, "user_preferences", name, decl)?;
    }
    if !has_column(conn, "user_preferences", "topic_weights")? {
        // A preferences table made by a later version's create_all: nothing to read.
        add_column(conn, "user_preferences", "topic_weights", "TEXT")?;
    }

    // The first preferences row, as every JSON-era step reads it.
    let first: Option<(Value, Value)> = conn
        .query_row(
            "SELECT topic_weights, category_groups FROM user_preferences ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let mut weights: Option<Map<String, Json>> = None;
    let mut groups: Option<Json> = None;
    if let Some((tw, cg)) = first {
        // 4.1.3: SQL NULL weights become the defaults.
        weights = match &tw {
            Value::Null => Some(
                DEFAULT_CATEGORIES
                    .iter()
                    .map(|c| (c.to_string(), json!("neutral")))
                    .collect(),
            ),
            other => parse_json(other).and_then(|j| j.as_object().cloned()),
        };
        groups = parse_json(&cg).filter(|g| !g.is_null());
        // 4.1.5: rename weights; seed groups with the weight keys as seen.
        if let Some(w) = weights.as_mut().filter(|w| !w.is_empty()) {
            let keys: Vec<Json> = w.keys().map(|k| json!(k)).collect();
            for v in w.values_mut() {
                if let Some(n) = v.as_str().and_then(new_weight_name) {
                    *v = json!(n);
                }
            }
            if groups.is_none() {
                groups = Some(json!({
                    "children": {}, "hidden_categories": [], "seen_categories": keys,
                    "returned_categories": [], "manually_created": []
                }));
            }
        }
        // 4.1.6: "groups" format → "children" format.
        if let Some(Json::Object(cg)) = &groups {
            if !cg.contains_key("children") {
                let keep = |k: &str| cg.get(k).cloned().unwrap_or_else(|| json!([]));
                let mut children = Map::new();
                let mut seen = str_list(cg.get("seen_categories"));
                let existing: HashSet<String> = weights
                    .iter()
                    .flat_map(|w| w.keys().map(|k| k.to_lowercase()))
                    .collect();
                let list = cg
                    .get("groups")
                    .and_then(Json::as_array)
                    .cloned()
                    .unwrap_or_default();
                for group in list.iter().filter_map(Json::as_object) {
                    let name = group.get("name").and_then(Json::as_str).unwrap_or("");
                    let mut name = name.trim().to_lowercase().replace(' ', "-");
                    if name.is_empty() {
                        continue;
                    }
                    if existing.contains(&name) {
                        name.push_str("-group");
                    }
                    children.insert(
                        name.clone(),
                        group
                            .get("categories")
                            .cloned()
                            .unwrap_or_else(|| json!([])),
                    );
                    if let Some(w) = group.get("weight").filter(|w| truthy(w)) {
                        weights
                            .get_or_insert_with(Map::new)
                            .insert(name.clone(), w.clone());
                    }
                    if !seen.iter().any(|s| s.to_lowercase() == name) {
                        seen.push(name);
                    }
                }
                groups = Some(json!({
                    "children": children,
                    "hidden_categories": keep("hidden_categories"),
                    "seen_categories": seen,
                    "returned_categories": keep("returned_categories"),
                    "manually_created": [],
                }));
            }
        }
        // 4.1.7: still nothing: the kebab-case default hierarchy, all seen.
        if groups.is_none() {
            let children: Map<String, Json> = KEBAB_HIERARCHY
                .iter()
                .map(|(p, c)| (p.to_string(), json!(c)))
                .collect();
            let seen: Vec<&str> = KEBAB_HIERARCHY
                .iter()
                .flat_map(|(p, c)| std::iter::once(*p).chain(c.iter().copied()))
                .collect();
            groups = Some(json!({
                "children": children, "hidden_categories": [], "seen_categories": seen,
                "returned_categories": [], "manually_created": []
            }));
        }
    }

    // §4.2: e180fcd.
    create_relational_tables(conn)?;
    if schema::count(conn, "categories")? > 0 {
        return Ok(());
    }
    let mut article_cats: Vec<(i64, Vec<String>)> = Vec::new();
    {
        let mut stmt = conn.prepare(
            "SELECT id, categories FROM articles WHERE categories IS NOT NULL ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let v: Value = r.get(1)?;
            let cats = str_list(parse_json(&v).as_ref());
            if !cats.is_empty() {
                article_cats.push((id, cats));
            }
        }
    }
    let weights = weights.unwrap_or_default();
    let groups = groups
        .and_then(|g| g.as_object().cloned())
        .unwrap_or_default();
    if article_cats.is_empty() && weights.is_empty() && groups.is_empty() {
        // e180fcd's no-data branch crashes; 61f2be6 seeds the defaults instead.
        return Ok(());
    }
    let norm = |s: &str| s.to_lowercase().trim().to_string();
    let mut names: BTreeSet<String> = BTreeSet::new();
    for (_, cats) in &article_cats {
        names.extend(cats.iter().map(|c| norm(c)));
    }
    names.extend(weights.keys().map(|k| norm(k)));
    let children: Vec<(String, Vec<String>)> = groups
        .get("children")
        .and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .map(|(p, c)| (p.clone(), str_list(Some(c))))
                .collect()
        })
        .unwrap_or_default();
    let mut child_to_parent: Vec<(String, String)> = Vec::new();
    for (parent, kids) in &children {
        names.insert(norm(parent));
        for kid in kids {
            names.insert(norm(kid));
            let (k, p) = (norm(kid), norm(parent));
            child_to_parent.retain(|(c, _)| *c != k);
            child_to_parent.push((k, p));
        }
    }
    names.remove("");
    let lower_set = |key: &str| -> HashSet<String> {
        str_list(groups.get(key))
            .iter()
            .map(|s| s.to_lowercase())
            .collect()
    };
    let (hidden, seen, manual) = (
        lower_set("hidden_categories"),
        lower_set("seen_categories"),
        lower_set("manually_created"),
    );
    let mut ids: HashMap<String, i64> = HashMap::new();
    {
        let mut insert = conn.prepare(
            "INSERT INTO categories (display_name, slug, weight, is_hidden, is_seen, is_manually_created, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let created = clock.iso();
        for slug in &names {
            let weight: Value = match weights.get(slug.as_str()).filter(|w| truthy(w)) {
                Some(Json::String(s)) => Value::Text(new_weight_name(s).unwrap_or(s).to_string()),
                Some(Json::Number(n)) => n
                    .as_i64()
                    .map(Value::Integer)
                    .unwrap_or_else(|| Value::Real(n.as_f64().unwrap_or(0.0))),
                Some(other) => Value::Text(other.to_string()),
                None => Value::Null,
            };
            insert.execute(params![
                display_name(slug),
                slug,
                weight,
                hidden.contains(slug),
                seen.contains(slug),
                manual.contains(slug),
                created
            ])?;
            ids.insert(slug.clone(), conn.last_insert_rowid());
        }
    }
    for (child, parent) in &child_to_parent {
        if let (Some(c), Some(p)) = (ids.get(child), ids.get(parent)) {
            conn.execute("UPDATE categories SET parent_id = ?1 WHERE id = ?2", [p, c])?;
        }
    }
    let mut link = conn.prepare(
        "INSERT OR IGNORE INTO article_category_link (article_id, category_id) VALUES (?1, ?2)",
    )?;
    for (article, cats) in &article_cats {
        for cat in cats {
            if let Some(id) = ids.get(&norm(cat)) {
                link.execute([article, id])?;
            }
        }
    }
    Ok(())
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

/// Make an articles column present and NOT NULL, NULLs replaced by `fill`.
fn require_article_column(conn: &Connection, name: &str, decl: &str, fill: &str) -> Result<()> {
    match column(conn, "articles", name)? {
        None => {
            conn.execute_batch(&format!("ALTER TABLE articles ADD COLUMN {name} {decl}"))?;
        }
        Some(c) if !c.notnull => {
            conn.execute_batch(&format!(
                "UPDATE articles SET {name} = {fill} WHERE {name} IS NULL"
            ))?;
            make_not_null(conn, "articles", name)?;
        }
        Some(_) => {}
    }
    Ok(())
}

/// Alembic `dff7a4c52b3c` (§3.2), without its defects: missing columns are added
/// instead of crashing, and the source row's optional columns may be absent.
pub fn providers_revision(
    conn: &Connection,
    clock: &Clock,
    host_value: &mut dyn FnMut() -> String,
) -> Result<()> {
    // V0 files never got feeds.display_order (Known defect 1): the model default 0.
    add_column(conn, "feeds", "display_order", "INTEGER NOT NULL DEFAULT 0")?;
    require_article_column(
        conn,
        "scoring_state",
        "VARCHAR NOT NULL DEFAULT 'unscored'",
        "'unscored'",
    )?;
    require_article_column(conn, "scoring_priority", "INTEGER NOT NULL DEFAULT 0", "0")?;
    conn.execute_batch(
        "CREATE INDEX IF NOT EXISTS ix_articles_composite_score ON articles (composite_score);
         CREATE INDEX IF NOT EXISTS ix_articles_scoring_state ON articles (scoring_state);
         CREATE TABLE IF NOT EXISTS llm_provider_configs (
            id INTEGER NOT NULL,
            provider VARCHAR NOT NULL,
            enabled BOOLEAN DEFAULT (1) NOT NULL,
            config_json TEXT NOT NULL,
            updated_at DATETIME NOT NULL,
            PRIMARY KEY (id),
            CONSTRAINT ck_llm_provider_configs_config_json CHECK (json_valid(config_json))
         );
         CREATE UNIQUE INDEX IF NOT EXISTS ix_llm_provider_configs_provider ON llm_provider_configs (provider);
         CREATE TABLE IF NOT EXISTS llm_task_routes (
            id INTEGER NOT NULL,
            task VARCHAR NOT NULL,
            provider VARCHAR NOT NULL,
            model VARCHAR,
            updated_at DATETIME NOT NULL,
            PRIMARY KEY (id),
            FOREIGN KEY(provider) REFERENCES llm_provider_configs (provider)
         );
         CREATE INDEX IF NOT EXISTS ix_llm_task_routes_provider ON llm_task_routes (provider);
         CREATE UNIQUE INDEX IF NOT EXISTS ix_llm_task_routes_task ON llm_task_routes (task);",
    )?;

    // Source row: the lowest id, only when the legacy column exists.
    let (mut cat_model, mut score_model, mut separate, mut thinking) =
        (Value::Null, Value::Null, false, false);
    if has_table(conn, "user_preferences")?
        && has_column(conn, "user_preferences", "ollama_categorization_model")?
    {
        let pick = |name: &str| -> Result<String> {
            Ok(if has_column(conn, "user_preferences", name)? {
                name.to_string()
            } else {
                "NULL".to_string()
            })
        };
        let sql = format!(
            "SELECT ollama_categorization_model, {}, {}, {} FROM user_preferences ORDER BY id LIMIT 1",
            pick("ollama_scoring_model")?,
            pick("ollama_use_separate_models")?,
            pick("ollama_thinking")?
        );
        if let Some(row) = conn
            .query_row(&sql, [], |r| {
                Ok((
                    r.get::<_, Value>(0)?,
                    r.get::<_, Value>(1)?,
                    r.get::<_, Value>(2)?,
                    r.get::<_, Value>(3)?,
                ))
            })
            .optional()?
        {
            cat_model = row.0;
            score_model = row.1;
            separate = sql_truthy(&row.2);
            thinking = sql_truthy(&row.3);
        }
    }
    let has_ollama: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM llm_provider_configs WHERE provider = 'ollama')",
        [],
        |r| r.get(0),
    )?;
    if !has_ollama {
        let (base_url, port) = host::split(&host_value()).map_err(|reason| {
            CoreError::coded(
                crate::ErrorCode::InvalidConfig,
                format!("{reason}; set OLLAMA__HOST to a valid URL such as http://localhost:11434 and retry (nothing was changed)"),
            )
        })?;
        let model_json = |v: &Value| match v {
            Value::Null => "null".to_string(),
            Value::Integer(i) => i.to_string(),
            Value::Real(f) => json!(f).to_string(),
            Value::Text(s) => json!(s).to_string(),
            Value::Blob(b) => json!(String::from_utf8_lossy(b)).to_string(),
        };
        // json.dumps's layout, keys in the original's order.
        let config = format!(
            "{{\"base_url\": {}, \"port\": {port}, \"categorization_model\": {}, \"scoring_model\": {}, \"use_separate_models\": {separate}, \"thinking\": {thinking}}}",
            json!(base_url),
            model_json(&cat_model),
            model_json(&score_model),
        );
        conn.execute(
            "INSERT INTO llm_provider_configs (provider, enabled, config_json, updated_at) VALUES ('ollama', 1, ?1, ?2)",
            params![config, clock.orm()],
        )?;
    }
    let scoring_route = if separate && sql_truthy(&score_model) {
        score_model
    } else {
        cat_model.clone()
    };
    for (task, model) in [("categorization", cat_model), ("scoring", scoring_route)] {
        conn.execute(
            "INSERT INTO llm_task_routes (task, provider, model, updated_at)
             SELECT ?1, 'ollama', ?2, ?3
             WHERE NOT EXISTS (SELECT 1 FROM llm_task_routes WHERE task = ?1)",
            params![task, model, clock.orm()],
        )?;
    }
    Ok(())
}

struct CatRow {
    id: i64,
    parent_id: Option<i64>,
    weight: Value,
    flags: [bool; 3],
    norm: String,
}

/// Alembic `8c6f3c9b8f70` (§3.3): slugs normalised, duplicates merged. Slugs are
/// set in two phases so a rename can never collide with a row renamed later.
pub fn merge_categories(conn: &Connection) -> Result<()> {
    if !has_table(conn, "categories")? {
        return Ok(());
    }
    let rows: Vec<CatRow> = {
        let mut stmt = conn.prepare(
            "SELECT id, display_name, slug, parent_id, weight, is_hidden, is_seen, is_manually_created
             FROM categories ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let text = |v: Value| match v {
                Value::Text(s) => s,
                _ => String::new(),
            };
            let display = text(r.get(1)?);
            let slug = text(r.get(2)?);
            let mut norm = slugify(&display);
            if norm.is_empty() {
                norm = slugify(&slug);
            }
            Ok(CatRow {
                id: r.get(0)?,
                parent_id: r.get(3)?,
                weight: r.get(4)?,
                flags: [
                    sql_truthy(&r.get(5)?),
                    sql_truthy(&r.get(6)?),
                    sql_truthy(&r.get(7)?),
                ],
                norm,
            })
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if rows.is_empty() {
        return Ok(());
    }
    let mut child_counts: HashMap<i64, usize> = HashMap::new();
    for r in &rows {
        if let Some(p) = r.parent_id {
            *child_counts.entry(p).or_default() += 1;
        }
    }
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<&str, Vec<&CatRow>> = HashMap::new();
    for r in rows.iter().filter(|r| !r.norm.is_empty()) {
        if !groups.contains_key(r.norm.as_str()) {
            order.push(r.norm.clone());
        }
        groups.entry(r.norm.as_str()).or_default().push(r);
    }
    let mut canonical: HashMap<i64, i64> = rows.iter().map(|r| (r.id, r.id)).collect();
    struct Update {
        keep: i64,
        slug: String,
        dups: Vec<i64>,
        weight: Value,
        flags: [bool; 3],
    }
    let mut updates = Vec::new();
    for slug in &order {
        let members = &groups[slug.as_str()];
        let keep = members
            .iter()
            .min_by_key(|r| {
                (
                    child_counts.get(&r.id).copied().unwrap_or(0) == 0,
                    r.parent_id.is_some(),
                    r.id,
                )
            })
            .map(|r| r.id)
            .unwrap_or_default();
        let keep_row = members.iter().find(|r| r.id == keep).copied();
        let weight = keep_row
            .map(|r| r.weight.clone())
            .filter(|w| *w != Value::Null)
            .or_else(|| {
                members
                    .iter()
                    .map(|r| r.weight.clone())
                    .find(|w| *w != Value::Null)
            })
            .unwrap_or(Value::Null);
        let mut flags = [false; 3];
        for r in members {
            for (f, v) in flags.iter_mut().zip(r.flags) {
                *f |= v;
            }
            canonical.insert(r.id, keep);
        }
        updates.push(Update {
            keep,
            slug: slug.clone(),
            dups: members
                .iter()
                .map(|r| r.id)
                .filter(|id| *id != keep)
                .collect(),
            weight,
            flags,
        });
    }
    for r in &rows {
        let Some(parent) = r.parent_id else { continue };
        let mut target = canonical
            .get(&parent)
            .copied()
            .map(Some)
            .unwrap_or(Some(parent));
        if target == Some(r.id) {
            target = None;
        }
        if target != Some(parent) {
            conn.execute(
                "UPDATE categories SET parent_id = ?1 WHERE id = ?2",
                params![target, r.id],
            )?;
        }
    }
    let links = has_table(conn, "article_category_link")?;
    for u in &updates {
        for dup in &u.dups {
            if links {
                conn.execute(
                    "INSERT OR IGNORE INTO article_category_link (article_id, category_id)
                     SELECT article_id, ?1 FROM article_category_link WHERE category_id = ?2",
                    [u.keep, *dup],
                )?;
                conn.execute(
                    "DELETE FROM article_category_link WHERE category_id = ?1",
                    [dup],
                )?;
            }
            conn.execute("DELETE FROM categories WHERE id = ?1", [dup])?;
        }
    }
    let mut current = conn.prepare("SELECT slug FROM categories WHERE id = ?1")?;
    for u in &updates {
        let slug: Value = current.query_row([u.keep], |r| r.get(0))?;
        if slug != Value::Text(u.slug.clone()) {
            conn.execute(
                "UPDATE categories SET slug = ?1 WHERE id = ?2",
                params![format!("\u{0}curator-upgrade-{}", u.keep), u.keep],
            )?;
        }
    }
    for u in &updates {
        conn.execute(
            "UPDATE categories SET slug = ?1, weight = ?2, is_hidden = ?3, is_seen = ?4, is_manually_created = ?5 WHERE id = ?6",
            params![u.slug, u.weight, u.flags[0], u.flags[1], u.flags[2], u.keep],
        )?;
    }
    Ok(())
}

/// Alembic `1c3cc7f7d174` (§3.4): rename the flag, drop the legacy columns.
pub fn rename_and_drop(conn: &Connection) -> Result<()> {
    if !has_table(conn, "user_preferences")? {
        return Ok(());
    }
    let old = column(conn, "user_preferences", "ollama_use_separate_models")?;
    let new = has_column(conn, "user_preferences", "use_separate_models")?;
    match (old, new) {
        (Some(c), false) => {
            conn.execute_batch(
                "UPDATE user_preferences SET ollama_use_separate_models = 0 WHERE ollama_use_separate_models IS NULL;
                 ALTER TABLE user_preferences RENAME COLUMN ollama_use_separate_models TO use_separate_models;",
            )?;
            if !c.notnull {
                make_not_null(conn, "user_preferences", "use_separate_models")?;
            }
        }
        (None, false) => {
            add_column(
                conn,
                "user_preferences",
                "use_separate_models",
                "BOOLEAN NOT NULL DEFAULT 0",
            )?;
        }
        _ => {}
    }
    for name in [
        "ollama_categorization_model",
        "ollama_scoring_model",
        "ollama_thinking",
        "active_llm_provider",
    ] {
        if has_column(conn, "user_preferences", name)? {
            conn.execute_batch(&format!("ALTER TABLE user_preferences DROP COLUMN {name}"))?;
        }
    }
    Ok(())
}

/// Record the target revision the way Alembic would have.
pub fn stamp_alembic(conn: &Connection, before: &[String]) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS alembic_version (
            version_num VARCHAR(32) NOT NULL,
            CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
        )",
    )?;
    match before {
        [one] if one == "55f0f2e37b8a" => {
            conn.execute(
                "INSERT INTO alembic_version (version_num) VALUES (?1)",
                [TARGET_REVISION],
            )?;
        }
        _ => {
            conn.execute("DELETE FROM alembic_version", [])?;
            conn.execute(
                "INSERT INTO alembic_version (version_num) VALUES (?1)",
                [TARGET_REVISION],
            )?;
        }
    }
    Ok(())
}
