//! Row counts and the checks that run before commit.

use super::schema;
use crate::error::{CheckFailure, Result};
use rusqlite::{Connection, OpenFlags};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub(super) fn counts(conn: &Connection) -> Result<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    for t in schema::user_tables(conn)? {
        let n = schema::count(conn, &t)?;
        out.insert(t, n);
    }
    Ok(out)
}

/// Foreign-key violations as (table, rowid, parent), in `tables` or everywhere.
pub(super) fn fk_violations(
    conn: &Connection,
    tables: Option<&BTreeSet<String>>,
) -> Result<Vec<(String, i64, String)>> {
    let mut out = Vec::new();
    let mut collect = |sql: &str, arg: Option<&str>| -> Result<()> {
        let mut stmt = conn.prepare(sql)?;
        let map = |r: &rusqlite::Row<'_>| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<i64>>(1)?.unwrap_or(-1),
                r.get(2)?,
            ))
        };
        let rows: Vec<(String, i64, String)> = match arg {
            Some(t) => stmt.query_map([t], map)?.collect::<rusqlite::Result<_>>()?,
            None => stmt.query_map([], map)?.collect::<rusqlite::Result<_>>()?,
        };
        out.extend(rows);
        Ok(())
    };
    match tables {
        None => collect(
            "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check",
            None,
        )?,
        Some(set) => {
            for t in set {
                collect(
                    "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check(?1)",
                    Some(t),
                )?;
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Entries of sqlite_master as (table, type/name/sql), to see what DDL touched.
pub(super) fn schema_entries(conn: &Connection) -> Result<BTreeSet<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT tbl_name, type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Below this size the checks cover the whole file; above it, every table the
/// upgrade wrote (rows or schema) and the tables whose keys point at those.
pub(super) const FULL_CHECK_BYTES: i64 = 64 << 20;

/// `integrity_check` and `foreign_key_check` before commit. `touched` are the tables
/// the upgrade wrote; `pristine` is an unchanged copy of the file, consulted only
/// when a foreign-key violation is found, to tell new ones from old ones (files of
/// the earliest versions ran without foreign keys and may hold orphans).
pub(super) fn verify(
    conn: &Connection,
    touched: &BTreeSet<String>,
    pristine: &Path,
    full_below: i64,
) -> Result<()> {
    let size: i64 = conn.query_row(
        "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size",
        [],
        |r| r.get(0),
    )?;
    let full = size < full_below;
    let mut fk_scope = touched.clone();
    if !full {
        for t in schema::user_tables(conn)? {
            let mut stmt = conn.prepare("SELECT \"table\" FROM pragma_foreign_key_list(?1)")?;
            let parents: Vec<String> = stmt
                .query_map([&t], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            if parents.iter().any(|p| touched.contains(p)) {
                fk_scope.insert(t);
            }
        }
    }
    let scope = (!full).then_some(&fk_scope);
    let after = fk_violations(conn, scope)?;
    if !after.is_empty() {
        let old = Connection::open_with_flags(pristine, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let scope: Option<BTreeSet<String>> = scope.map(|s| {
            s.iter()
                .filter(|t| schema::has_table(&old, t).unwrap_or(false))
                .cloned()
                .collect()
        });
        let before = fk_violations(&old, scope.as_ref())?;
        if let Some(v) = after.iter().find(|v| !before.contains(v)) {
            return Err(CheckFailure::ForeignKey {
                table: v.0.clone(),
                rowid: v.1,
                parent: v.2.clone(),
            }
            .into());
        }
    }
    let mut problems: Vec<String> = Vec::new();
    let targets: Vec<Option<&String>> = if full {
        vec![None]
    } else {
        touched.iter().map(Some).collect()
    };
    for t in targets {
        let mut stmt = match t {
            None => conn.prepare("PRAGMA integrity_check")?,
            Some(t) => conn.prepare(&format!("PRAGMA integrity_check(\"{t}\")"))?,
        };
        let found: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        problems.extend(found.into_iter().filter(|p| p != "ok"));
    }
    if !problems.is_empty() {
        return Err(CheckFailure::Integrity(problems).into());
    }
    Ok(())
}
