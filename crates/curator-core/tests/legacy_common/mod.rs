//! Helpers shared by the legacy-upgrade tests: the fixtures, their upgrade
//! environment, the README's comparison rule and a full snapshot of a database.
#![allow(dead_code)]

use curator_core::upgrade::UpgradeEnv;
use rusqlite::types::Value;
use rusqlite::Connection;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

pub fn fixtures() -> Vec<(String, PathBuf, Json)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-db");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if let Some(stem) = name.strip_suffix(".expected.json") {
            let expected: Json =
                serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
            out.push((
                stem.to_string(),
                dir.join(format!("{stem}.sqlite")),
                expected,
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 10, "fixtures missing");
    out
}

pub fn env_for(expected: &Json, tmp: &Path) -> UpgradeEnv {
    let mut vars: Vec<(std::ffi::OsString, std::ffi::OsString)> = Vec::new();
    if let Some(env) = expected["env"].as_object() {
        for (k, v) in env {
            vars.push((k.into(), v.as_str().unwrap().into()));
        }
    }
    if let Some(yaml) = expected["config_yaml"].as_str() {
        let p = tmp.join("app.yaml");
        std::fs::write(&p, yaml).unwrap();
        vars.push(("CONFIG_FILE".into(), p.into_os_string()));
    }
    UpgradeEnv {
        vars,
        cwd: tmp.to_path_buf(),
    }
}

fn same(exp: &Json, act: &Value, is_json: bool) -> bool {
    match (exp, act) {
        (Json::Null, Value::Null) => true,
        (_, Value::Null) | (Json::Null, _) => false,
        (e, Value::Text(a)) if is_json => {
            let e: Json = serde_json::from_str(e.as_str().unwrap_or("")).unwrap();
            serde_json::from_str::<Json>(a)
                .map(|a| a == e)
                .unwrap_or(false)
        }
        (Json::Bool(b), Value::Integer(i)) => i64::from(*b) == *i,
        (Json::Number(n), Value::Integer(i)) => n.as_f64() == Some(*i as f64),
        (Json::Number(n), Value::Real(f)) => n.as_f64() == Some(*f),
        (Json::String(s), Value::Text(t)) => s == t,
        _ => false,
    }
}

fn key_of(v: &Value) -> String {
    format!("{v:?}")
}

fn key_of_json(v: &Json) -> String {
    match v {
        Json::Number(n) if n.is_i64() => format!("{:?}", Value::Integer(n.as_i64().unwrap())),
        Json::String(s) => format!("{:?}", Value::Text(s.clone())),
        Json::Bool(b) => format!("{:?}", Value::Integer(i64::from(*b))),
        other => format!("{other}"),
    }
}

pub fn compare(db: &Path, expected: &Json) -> Result<(), String> {
    let conn = Connection::open(db).unwrap();
    let mut volatile: HashMap<(String, String), HashSet<i64>> = HashMap::new();
    for v in expected["volatile"].as_array().into_iter().flatten() {
        volatile
            .entry((
                v["table"].as_str().unwrap().into(),
                v["column"].as_str().unwrap().into(),
            ))
            .or_default()
            .extend(
                v["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_i64().unwrap()),
            );
    }
    for (table, spec) in expected["tables"].as_object().unwrap() {
        let cols: Vec<String> = spec["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().into())
            .collect();
        let pk: Vec<String> = spec["primary_key"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().into())
            .collect();
        let json_cols: Vec<&str> = expected["json_columns"][table]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str())
            .collect();
        let sel = cols
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = conn
            .prepare(&format!("SELECT {sel} FROM \"{table}\""))
            .map_err(|e| format!("{table}: {e}"))?;
        let mut actual: BTreeMap<Vec<String>, Vec<Value>> = BTreeMap::new();
        let rows = stmt
            .query_map([], |r| {
                (0..cols.len())
                    .map(|i| r.get::<_, Value>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap();
        for row in rows {
            let row = row.unwrap();
            let key = pk
                .iter()
                .map(|k| key_of(&row[cols.iter().position(|c| c == k).unwrap()]))
                .collect();
            if actual.insert(key, row).is_some() {
                return Err(format!("{table}: duplicate key"));
            }
        }
        let wanted = spec["rows"].as_array().unwrap();
        if wanted.len() != actual.len() {
            return Err(format!(
                "{table}: {} rows, expected {}",
                actual.len(),
                wanted.len()
            ));
        }
        for w in wanted {
            let key: Vec<String> = pk.iter().map(|k| key_of_json(&w[k])).collect();
            let a = actual
                .get(&key)
                .ok_or_else(|| format!("{table}: row {key:?} missing"))?;
            let id = cols
                .iter()
                .position(|c| c == "id")
                .and_then(|i| match a[i] {
                    Value::Integer(n) => Some(n),
                    _ => None,
                });
            for (i, c) in cols.iter().enumerate() {
                if let (Some(ids), Some(id)) = (volatile.get(&(table.clone(), c.clone())), id) {
                    if ids.contains(&id) {
                        match &a[i] {
                            Value::Text(t) if t.len() >= 19 && t.as_bytes()[4] == b'-' => continue,
                            other => {
                                return Err(format!(
                                    "{table} {key:?}: {c} {other:?} is not a timestamp"
                                ))
                            }
                        }
                    }
                }
                if !same(&w[c], &a[i], json_cols.contains(&c.as_str())) {
                    return Err(format!(
                        "{table} {key:?}: {c} expected {}, got {:?}",
                        w[c], a[i]
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Schema and every row of every table, for "a second run changes nothing".
pub fn snapshot(db: &Path) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let conn = Connection::open(db).unwrap();
    let mut schema: Vec<String> = conn
        .prepare("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    schema.sort();
    let mut data = BTreeMap::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                Ok(format!(
                    "{:?}",
                    (0..n)
                        .map(|i| r.get::<_, Value>(i).unwrap())
                        .collect::<Vec<_>>()
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.sort();
        data.insert(t, rows);
    }
    (schema, data)
}

/// The fixture named `stem` (its database path and expected.json).
pub fn fixture(stem: &str) -> (PathBuf, Json) {
    let (_, p, e) = fixtures()
        .into_iter()
        .find(|f| f.0 == stem)
        .expect("fixture");
    (p, e)
}
