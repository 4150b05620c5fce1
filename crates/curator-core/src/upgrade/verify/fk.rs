//! The foreign-key checks before commit: where the upgrade wrote, or the whole
//! file, and a violation judged against the untouched original.

use super::{quote, schema, Written};
use crate::error::{CheckFailure, CoreError, Result};
use rusqlite::{Connection, OpenFlags};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Foreign-key violations as (table, rowid, parent), in `tables` or everywhere.
fn fk_violations(
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

/// One foreign key: child table and columns, parent table and key columns.
struct ForeignKey {
    child: String,
    from: Vec<String>,
    parent: String,
    to: Vec<String>,
}

fn foreign_keys(conn: &Connection, tables: &[String]) -> Result<Vec<ForeignKey>> {
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = conn.prepare(
            "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
        )?;
        let rows: Vec<(i64, String, String, Option<String>)> = stmt
            .query_map([t], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut current: Option<(i64, ForeignKey, bool)> = None;
        for (id, parent, from, to) in rows {
            if current.as_ref().map(|c| c.0) != Some(id) {
                if let Some((_, fk, implicit)) = current.take() {
                    out.push(resolve(conn, fk, implicit)?);
                }
                current = Some((
                    id,
                    ForeignKey {
                        child: t.clone(),
                        from: Vec::new(),
                        parent,
                        to: Vec::new(),
                    },
                    false,
                ));
            }
            if let Some((_, fk, implicit)) = current.as_mut() {
                fk.from.push(from);
                match to {
                    Some(to) => fk.to.push(to),
                    None => *implicit = true,
                }
            }
        }
        if let Some((_, fk, implicit)) = current {
            out.push(resolve(conn, fk, implicit)?);
        }
    }
    Ok(out)
}

/// A key that names no parent columns points at the parent's primary key.
fn resolve(conn: &Connection, mut fk: ForeignKey, implicit: bool) -> Result<ForeignKey> {
    if implicit {
        let mut stmt =
            conn.prepare("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")?;
        let pk: Vec<String> = stmt
            .query_map([&fk.parent], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        fk.to = if pk.is_empty() {
            vec!["rowid".to_string()]
        } else {
            pk
        };
    }
    Ok(fk)
}

/// Child rows of `fk` (all, or those in `temp.curator_fk_rows`) without a parent.
fn edge_violations(conn: &Connection, fk: &ForeignKey, only_listed: bool) -> Result<Vec<i64>> {
    if !schema::has_table(conn, &fk.parent)? || fk.from.len() != fk.to.len() {
        // A missing parent table or a malformed key: let SQLite's own check judge.
        return Ok(fk_violations(conn, Some(&[fk.child.clone()].into()))?
            .into_iter()
            .map(|v| v.1)
            .collect());
    }
    let only = if only_listed {
        " AND c.rowid IN (SELECT rid FROM temp.curator_fk_rows)"
    } else {
        ""
    };
    let (child, parent) = (quote(&fk.child), quote(&fk.parent));
    let sql = match (fk.from.as_slice(), fk.to.as_slice()) {
        // An integer key: one lookup structure built once instead of a probe per
        // row. (`x IN (SELECT y …)` compares as `x = y` does.)
        ([from], [to]) if is_rowid(conn, &fk.parent, to)? => format!(
            "SELECT c.rowid FROM {child} AS c WHERE c.{f} IS NOT NULL{only} AND c.{f} NOT IN (SELECT rowid FROM {parent})",
            f = quote(from),
        ),
        _ => {
            let not_null: Vec<String> = fk
                .from
                .iter()
                .map(|c| format!("c.{} IS NOT NULL", quote(c)))
                .collect();
            let matches: Vec<String> = fk
                .from
                .iter()
                .zip(&fk.to)
                .map(|(f, t)| format!("p.{} = c.{}", quote(t), quote(f)))
                .collect();
            format!(
                "SELECT c.rowid FROM {child} AS c WHERE {nn}{only} AND NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE {m})",
                nn = not_null.join(" AND "),
                m = matches.join(" AND "),
            )
        }
    };
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether `column` of `table` is its rowid: the rowid's own names, or the one
/// INTEGER PRIMARY KEY column of a rowid table.
fn is_rowid(conn: &Connection, table: &str, column: &str) -> Result<bool> {
    if ["rowid", "oid", "_rowid_"]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(column))
    {
        return Ok(!without_rowid(conn, table)?);
    }
    let mut stmt = conn.prepare("SELECT name, upper(type), pk FROM pragma_table_info(?1)")?;
    let columns: Vec<(String, String, i64)> = stmt
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let keys: Vec<&(String, String, i64)> = columns.iter().filter(|c| c.2 > 0).collect();
    Ok(matches!(keys.as_slice(), [(name, kind, _)]
        if name.eq_ignore_ascii_case(column) && kind == "INTEGER")
        && !without_rowid(conn, table)?)
}

fn without_rowid(conn: &Connection, table: &str) -> Result<bool> {
    let sql: String = conn.query_row(
        "SELECT coalesce(sql, '') FROM main.sqlite_master WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get(0),
    )?;
    Ok(sql.to_ascii_uppercase().contains("WITHOUT ROWID"))
}

/// Where the foreign keys are to be checked.
pub(super) struct ForeignKeyScope<'a> {
    /// The file's user tables.
    pub tables: &'a [String],
    /// Tables changed in ways the hook does not describe: checked whole as child
    /// (`foreign_key_check`), and every key into them checked over its child.
    pub whole: &'a BTreeSet<String>,
    /// What the upgrade wrote, per table.
    pub written: &'a BTreeMap<String, Written>,
    /// The whole file is checked.
    pub full: bool,
}

/// A table's row width and the positions of `names` in its rows (`None` for a
/// name that is no column; the rowid's own names map to no position, as a rowid
/// change is recorded apart).
fn positions(
    conn: &Connection,
    table: &str,
    names: &[String],
) -> Result<(usize, Vec<Option<usize>>)> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_xinfo(?1) ORDER BY cid")?;
    let columns: Vec<String> = stmt
        .query_map([table], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for n in names {
        match columns.iter().position(|c| c.eq_ignore_ascii_case(n)) {
            Some(i) => out.push(Some(i)),
            None if ["rowid", "oid", "_rowid_"]
                .iter()
                .any(|r| r.eq_ignore_ascii_case(n)) => {}
            None => out.push(None),
        }
    }
    Ok((columns.len(), out))
}

/// Child rows of `fk` in `rows` without a parent.
fn listed_violations(conn: &Connection, fk: &ForeignKey, rows: &BTreeSet<i64>) -> Result<Vec<i64>> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS curator_fk_rows (rid INTEGER PRIMARY KEY);
         DELETE FROM temp.curator_fk_rows;",
    )?;
    {
        let mut add = conn.prepare("INSERT INTO temp.curator_fk_rows (rid) VALUES (?1)")?;
        for r in rows {
            add.execute([r])?;
        }
    }
    let v = edge_violations(conn, fk, true)?;
    conn.execute_batch("DROP TABLE temp.curator_fk_rows")?;
    Ok(v)
}

/// The foreign-key checks of `verify` (module comment of `verify`).
pub(super) fn check_foreign_keys(
    conn: &Connection,
    scope: &ForeignKeyScope<'_>,
    pristine: &[PathBuf],
) -> Result<()> {
    let ForeignKeyScope {
        tables,
        whole,
        written,
        full,
    } = *scope;
    // Foreign keys: the tables that show a violation.
    let mut suspects: BTreeSet<String> = BTreeSet::new();
    if full {
        suspects.extend(fk_violations(conn, None)?.into_iter().map(|v| v.0));
    } else {
        let mut checked_whole: BTreeSet<String> = BTreeSet::new();
        for fk in foreign_keys(conn, tables)? {
            if whole.contains(&fk.child) || without_rowid(conn, &fk.child)? {
                if checked_whole.insert(fk.child.clone())
                    && !fk_violations(conn, Some(&[fk.child.clone()].into()))?.is_empty()
                {
                    suspects.insert(fk.child.clone());
                }
                continue;
            }
            let parent_lost = whole.contains(&fk.parent)
                || match written.get(&fk.parent) {
                    Some(w) => {
                        let (width, to) = positions(conn, &fk.parent, &fk.to)?;
                        w.may_lose_keys(width, &to)
                    }
                    None => false,
                };
            let child_gained = match written.get(&fk.child) {
                Some(w) => {
                    let (width, from) = positions(conn, &fk.child, &fk.from)?;
                    w.may_gain_keys(width, &from).then_some(w)
                }
                None => None,
            };
            let found = match child_gained {
                _ if parent_lost => edge_violations(conn, &fk, false)?,
                // Many rows: one pass over the child beats listing them.
                Some(w)
                    if w.too_many
                        || i64::try_from(w.row_count()).unwrap_or(i64::MAX)
                            > schema::count(conn, &fk.child)? / 8 =>
                {
                    edge_violations(conn, &fk, false)?
                }
                Some(w) => listed_violations(conn, &fk, &w.rows())?,
                None => Vec::new(),
            };
            if !found.is_empty() {
                suspects.insert(fk.child.clone());
            }
        }
    }
    if !suspects.is_empty() {
        // Judge with SQLite's own check, against the untouched original.
        let after = fk_violations(conn, Some(&suspects))?;
        let mut opened = None;
        for p in pristine {
            if let Ok(c) = Connection::open_with_flags(p, OpenFlags::SQLITE_OPEN_READ_ONLY) {
                if c.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
                    .is_ok()
                {
                    opened = Some(c);
                    break;
                }
            }
        }
        let old = opened.ok_or(CoreError::BackupUnreadable)?;
        let scope: BTreeSet<String> = suspects
            .iter()
            .filter(|t| schema::has_table(&old, t).unwrap_or(false))
            .cloned()
            .collect();
        let before = fk_violations(&old, Some(&scope))?;
        if let Some(v) = after.iter().find(|v| !before.contains(v)) {
            return Err(CheckFailure::ForeignKey {
                table: v.0.clone(),
                rowid: v.1,
                parent: v.2.clone(),
            }
            .into());
        }
    }
    Ok(())
}
