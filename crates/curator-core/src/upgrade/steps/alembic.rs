//! The Alembic revisions of the 78dd677 chain: dff7a4c52b3c, 8c6f3c9b8f70,
//! 1c3cc7f7d174 (§3.2–§3.4), and the stamp they leave.

use super::articles::articles_scoring;
use super::{add_column, sql_truthy, Clock, TARGET_REVISION};
use crate::error::{CoreError, Result};
use crate::upgrade::host;
use crate::upgrade::names::slugify;
use crate::upgrade::schema::{column, has_column, has_table, make_not_null};
use crate::upgrade::verify::Proofs;
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::json;
use std::collections::HashMap;

/// Alembic `dff7a4c52b3c` (§3.2), without its defects: missing columns are added
/// instead of crashing, and the source row's optional columns may be absent.
pub fn providers_revision(
    conn: &Connection,
    clock: &Clock,
    host_value: &mut dyn FnMut() -> String,
    proofs: &mut Proofs,
) -> Result<()> {
    // V0 files never got feeds.display_order (Known defect 1): the model default 0.
    add_column(conn, "feeds", "display_order", "INTEGER NOT NULL DEFAULT 0")?;
    articles_scoring(conn, proofs)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS llm_provider_configs (
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
        let (base_url, port) = host::split(&host_value()).map_err(CoreError::OllamaHost)?;
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
    // Every duplicate's links go to its kept row in one pass over the links (which
    // have no index on category_id): a link the kept row already has is left
    // behind by UPDATE OR IGNORE and deleted with the rest.
    let merged: Vec<(i64, i64)> = updates
        .iter()
        .flat_map(|u| u.dups.iter().map(move |d| (*d, u.keep)))
        .collect();
    if !merged.is_empty() {
        conn.execute_batch(
            "CREATE TEMP TABLE curator_merge (dup INTEGER PRIMARY KEY, keep INTEGER NOT NULL)",
        )?;
        {
            let mut add =
                conn.prepare("INSERT INTO temp.curator_merge (dup, keep) VALUES (?1, ?2)")?;
            for (dup, keep) in &merged {
                add.execute([dup, keep])?;
            }
        }
        if has_table(conn, "article_category_link")? {
            conn.execute_batch(
                "UPDATE OR IGNORE main.article_category_link
                    SET category_id = (SELECT keep FROM temp.curator_merge WHERE dup = category_id)
                  WHERE category_id IN (SELECT dup FROM temp.curator_merge);
                 DELETE FROM main.article_category_link
                  WHERE category_id IN (SELECT dup FROM temp.curator_merge);",
            )?;
        }
        conn.execute_batch(
            "DELETE FROM main.categories WHERE id IN (SELECT dup FROM temp.curator_merge);
             DROP TABLE temp.curator_merge;",
        )?;
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
