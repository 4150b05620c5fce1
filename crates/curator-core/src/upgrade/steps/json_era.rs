//! 6f97e7f's JSON-era bootstrap and e180fcd's JSON → relational conversion (§4.1, §4.2).

use super::{
    add_column, create_relational_tables, new_weight_name, parse_json, str_list, truthy, Clock,
    DEFAULT_CATEGORIES, KEBAB_HIERARCHY,
};
use crate::error::Result;
use crate::upgrade::names::display_name;
use crate::upgrade::schema::{self, has_column, has_table};
use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Map, Value as Json};
use std::collections::{BTreeSet, HashMap, HashSet};

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
