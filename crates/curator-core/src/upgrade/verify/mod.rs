//! Row counts and the checks that run before commit.
//!
//! Small files are checked whole (`integrity_check`, `foreign_key_check`). Large
//! ones are checked where the upgrade wrote, which the pre-update hook (rows and
//! the columns an update changed, `written`), row counts before and after, and a
//! comparison of `sqlite_master` before and after (definitions) tell:
//!
//! - `integrity_check(T)` of every table whose rows or definition changed (it
//!   covers the table and all of its indexes);
//! - an index created on a table whose rows did not change is proven without
//!   re-reading the table: the step that created it read the table once and took
//!   the digest of its (key, rowid) pairs; here the index alone is walked, in its
//!   own order, which must be sorted and give the same count and digest;
//! - a column that became NOT NULL by a change of its declaration only is proven by
//!   the step's count of its NULLs (zero) in the same pass;
//! - foreign keys: a key can only gain a violation where its parent lost a value
//!   (rows deleted, a key column or rowid updated) or its child gained one (rows
//!   inserted, a key column or rowid updated). The first is checked over the whole
//!   child table, the second over the rows the upgrade wrote (or the whole child
//!   table when they are many); a key the upgrade touched on neither side is not
//!   read. Tables whose definition changed, and tables whose row count the hook's
//!   inserts and deletes do not explain, are checked whole (`foreign_key_check`).
//!   A violation that the untouched original already had is not the upgrade's
//!   doing and does not stop it (files of the earliest versions ran without
//!   foreign keys).

mod digest;
mod fk;
mod written;

pub(super) use digest::check_index;
pub(crate) use digest::{Digest, IndexProof};
pub(super) use written::{record_writes, stop_recording, Written, WrittenByTable};

use super::schema;
use crate::error::{CheckFailure, Result};
use fk::{check_foreign_keys, ForeignKeyScope};
use rusqlite::Connection;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

pub(super) fn counts(conn: &Connection) -> Result<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    for t in schema::user_tables(conn)? {
        let n = schema::count(conn, &t)?;
        out.insert(t, n);
    }
    Ok(out)
}

/// What the steps proved while they read a table anyway.
#[derive(Debug, Clone, Default)]
pub(crate) struct Proofs {
    /// (table, column) made NOT NULL by declaration, with no NULL in the table.
    pub not_null: Vec<(String, String)>,
    pub indexes: Vec<IndexProof>,
    /// Set by the caller before the step that reads `articles`: no row of it was
    /// written in this transaction so far, so a second connection (with a
    /// write-ahead log) reads the same rows.
    pub articles_unchanged: bool,
}

/// Entries of sqlite_master: (type, name) → (table, sql).
pub(super) type SchemaEntries = BTreeMap<(String, String), (String, String)>;

pub(super) fn schema_entries(conn: &Connection) -> Result<SchemaEntries> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM main.sqlite_master WHERE name NOT LIKE 'sqlite_%'",
    )?;
    let rows = stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), (r.get(2)?, r.get(3)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Below this size the checks cover the whole file.
pub(super) const FULL_CHECK_BYTES: i64 = 64 << 20;

/// `name` as an SQL identifier.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Whether `after` is `before` with NOT NULL added to `columns` and nothing else.
fn only_not_null_added(before: &str, after: &str, columns: &[&str]) -> bool {
    let mut expected = before.to_string();
    for c in columns {
        match schema::with_not_null(&expected, c) {
            Some(s) => expected = s,
            None => return false,
        }
    }
    expected == after
}

/// What the upgrade changed, for the checks.
pub(super) struct Changes<'a> {
    pub written: &'a BTreeMap<String, Written>,
    /// Rows per table before the upgrade, and after its steps.
    pub counts_before: &'a BTreeMap<String, i64>,
    pub counts_after: &'a BTreeMap<String, i64>,
    pub schema_before: &'a SchemaEntries,
    pub proofs: &'a Proofs,
}

/// `integrity_check` and the foreign-key checks before commit (module comment).
/// `pristine` is an unchanged copy of the file (the first of these paths that
/// opens), consulted only when a foreign-key
/// violation is found, to tell new ones from old ones.
pub(super) fn verify(
    conn: &Connection,
    changes: &Changes<'_>,
    pristine: &[PathBuf],
    full_below: i64,
) -> Result<()> {
    let size: i64 = conn.query_row(
        "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size",
        [],
        |r| r.get(0),
    )?;
    let tables = schema::user_tables(conn)?;
    let full = size < full_below;

    // What to check. A table whose row count the hook's inserts and deletes do not
    // explain was changed some other way: it is checked whole.
    let counts_after = changes.counts_after;
    let mut integrity: BTreeSet<String> = BTreeSet::new();
    let mut index_proofs: Vec<&IndexProof> = Vec::new();
    let mut whole_fk: BTreeSet<String> = BTreeSet::new();
    for t in &tables {
        let before = changes.counts_before.get(t).copied();
        let after = counts_after.get(t).copied().unwrap_or(0);
        match changes.written.get(t) {
            Some(w) => {
                integrity.insert(t.clone());
                if before.is_some_and(|b| after - b != w.inserts - w.deletes) {
                    whole_fk.insert(t.clone());
                }
            }
            None if before.is_some_and(|b| b != after) => {
                integrity.insert(t.clone());
                whole_fk.insert(t.clone());
            }
            None => {}
        }
    }
    let after = schema_entries(conn)?;
    let mut new_indexes: Vec<(String, String)> = Vec::new();
    for ((kind, name), (table, sql)) in &after {
        let before = changes.schema_before.get(&(kind.clone(), name.clone()));
        if before.map(|b| &b.1) == Some(sql) && before.map(|b| &b.0) == Some(table) {
            continue;
        }
        match kind.as_str() {
            "table" => {
                let proven: Vec<&str> = changes
                    .proofs
                    .not_null
                    .iter()
                    .filter(|(t, _)| t == name)
                    .map(|(_, c)| c.as_str())
                    .collect();
                let declaration_only = before
                    .is_some_and(|b| !proven.is_empty() && only_not_null_added(&b.1, sql, &proven))
                    && !changes.written.contains_key(name);
                if !declaration_only {
                    integrity.insert(name.clone());
                    whole_fk.insert(name.clone());
                }
            }
            "index" => new_indexes.push((table.clone(), name.clone())),
            _ => {
                integrity.insert(table.clone());
            }
        }
    }
    for (table, index) in new_indexes {
        if integrity.contains(&table) {
            continue;
        }
        match changes
            .proofs
            .indexes
            .iter()
            .find(|p| p.index == index && p.table == table)
        {
            Some(p) => index_proofs.push(p),
            None => {
                integrity.insert(table);
            }
        }
    }

    // Integrity.
    let mut problems: Vec<String> = Vec::new();
    let targets: Vec<Option<&String>> = if full {
        vec![None]
    } else {
        integrity
            .iter()
            .filter(|t| tables.contains(*t))
            .map(Some)
            .collect()
    };
    for t in targets {
        let mut stmt = match t {
            None => conn.prepare("PRAGMA integrity_check")?,
            Some(t) => conn.prepare(&format!("PRAGMA integrity_check({})", quote(t)))?,
        };
        let found: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        problems.extend(found.into_iter().filter(|p| p != "ok"));
    }
    if !problems.is_empty() {
        return Err(CheckFailure::Integrity(problems).into());
    }
    if !full {
        for p in index_proofs {
            check_index(conn, p)?;
        }
    }

    check_foreign_keys(
        conn,
        &ForeignKeyScope {
            tables: &tables,
            whole: &whole_fk,
            written: changes.written,
            full,
        },
        pristine,
    )
}
