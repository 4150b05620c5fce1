//! Row counts and the checks that run before commit.
//!
//! Small files are checked whole (`integrity_check`, `foreign_key_check`). Large
//! ones are checked where the upgrade wrote, which the update hook (rows) and a
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
//! - foreign keys: every key that points into a table the upgrade wrote is checked
//!   over the whole child table, every row the upgrade wrote is checked for all of
//!   its keys, and tables whose definition changed are checked whole
//!   (`foreign_key_check`). A violation that the untouched original already had is
//!   not the upgrade's doing and does not stop it (files of the earliest versions
//!   ran without foreign keys).

use super::*;
use rusqlite::types::ValueRef;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

pub(super) fn counts(conn: &Connection) -> Result<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    for t in schema::user_tables(conn)? {
        let n = schema::count(conn, &t)?;
        out.insert(t, n);
    }
    Ok(out)
}

/// Order-independent digest of a multiset of (rowid, value) pairs: a count and
/// two 64-bit sums of SipHash values under different prefixes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Digest {
    count: u64,
    a: u64,
    b: u64,
}

impl Digest {
    pub(crate) fn add(&mut self, rowid: i64, v: ValueRef<'_>) {
        let hash = |salt: u8| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            salt.hash(&mut h);
            rowid.hash(&mut h);
            match v {
                ValueRef::Null => 0u8.hash(&mut h),
                ValueRef::Integer(i) => (1u8, i).hash(&mut h),
                // A REAL column may hand out an integral value either way.
                ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    (1u8, f as i64).hash(&mut h)
                }
                ValueRef::Real(f) => (2u8, f.to_bits()).hash(&mut h),
                ValueRef::Text(t) => (3u8, t).hash(&mut h),
                ValueRef::Blob(b) => (4u8, b).hash(&mut h),
            }
            h.finish()
        };
        self.count += 1;
        self.a = self.a.wrapping_add(hash(1));
        self.b = self.b.wrapping_add(hash(2));
    }
}

/// An index the upgrade created on `table (column)`, with the digest of the
/// table's (rowid, column) pairs taken after the table's last change.
#[derive(Debug, Clone)]
pub(crate) struct IndexProof {
    pub table: String,
    pub index: String,
    pub column: String,
    pub digest: Digest,
}

/// What the steps proved while they read a table anyway.
#[derive(Debug, Clone, Default)]
pub(crate) struct Proofs {
    /// (table, column) made NOT NULL by declaration, with no NULL in the table.
    pub not_null: Vec<(String, String)>,
    pub indexes: Vec<IndexProof>,
    /// Set by the caller: no step before the Alembic revisions wrote `articles`, so
    /// another connection sees the same rows.
    pub articles_unchanged: bool,
}

/// Rows the upgrade wrote in one table (update hook).
#[derive(Debug, Clone, Default)]
pub(super) struct Written {
    /// Rowids inserted or updated, unless there were too many to keep.
    pub rows: BTreeSet<i64>,
    pub too_many: bool,
}

/// Rowids kept per table before a table counts as rewritten whole.
pub(super) const MAX_ROWS_KEPT: usize = 1 << 20;

impl Written {
    pub(super) fn add(&mut self, action: rusqlite::hooks::Action, rowid: i64) {
        if self.too_many || action == rusqlite::hooks::Action::SQLITE_DELETE {
            return;
        }
        self.rows.insert(rowid);
        if self.rows.len() > MAX_ROWS_KEPT {
            self.rows.clear();
            self.too_many = true;
        }
    }
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

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn corrupt(message: String) -> CoreError {
    CoreError::coded(ErrorCode::DbCorrupt, message)
}

/// SQLite's order of two values of a BINARY-collated index column.
fn sqlite_order(a: &ValueRef<'_>, b: &ValueRef<'_>) -> Ordering {
    fn class(v: &ValueRef<'_>) -> u8 {
        match v {
            ValueRef::Null => 0,
            ValueRef::Integer(_) | ValueRef::Real(_) => 1,
            ValueRef::Text(_) => 2,
            ValueRef::Blob(_) => 3,
        }
    }
    match (a, b) {
        (ValueRef::Integer(x), ValueRef::Integer(y)) => x.cmp(y),
        (ValueRef::Integer(x), ValueRef::Real(y)) => (*x as f64).total_cmp(y),
        (ValueRef::Real(x), ValueRef::Integer(y)) => x.total_cmp(&(*y as f64)),
        (ValueRef::Real(x), ValueRef::Real(y)) => x.total_cmp(y),
        (ValueRef::Text(x), ValueRef::Text(y)) => x.cmp(y),
        (ValueRef::Blob(x), ValueRef::Blob(y)) => x.cmp(y),
        _ => class(a).cmp(&class(b)),
    }
}

/// Walk `proof.index` alone: it must be in order and hold exactly the table's
/// (rowid, key) pairs that the step counted.
pub(super) fn check_index(conn: &Connection, proof: &IndexProof) -> Result<()> {
    let sql = format!(
        "SELECT {col}, rowid FROM {t} INDEXED BY {ix} WHERE {col} IS NULL OR {col} IS NOT NULL",
        col = quote(&proof.column),
        t = quote(&proof.table),
        ix = quote(&proof.index),
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut digest = Digest::default();
    let mut previous: Option<(rusqlite::types::Value, i64)> = None;
    while let Some(r) = rows.next()? {
        let key: rusqlite::types::Value = r.get(0)?;
        let rowid: i64 = r.get(1)?;
        if let Some((pk, pr)) = &previous {
            let order =
                sqlite_order(&ValueRef::from(pk), &ValueRef::from(&key)).then(pr.cmp(&rowid));
            if order != Ordering::Less {
                return Err(corrupt(format!(
                    "the database is corrupt (index {} out of order at rowid {rowid})",
                    proof.index
                )));
            }
        }
        digest.add(rowid, ValueRef::from(&key));
        previous = Some((key, rowid));
    }
    if digest != proof.digest {
        return Err(corrupt(format!(
            "the database is corrupt (index {} does not match its table: {} entries for {} rows)",
            proof.index, digest.count, proof.digest.count
        )));
    }
    Ok(())
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
    let sql = format!(
        "SELECT c.rowid FROM {child} AS c WHERE {nn}{only} AND NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE {m})",
        child = quote(&fk.child),
        parent = quote(&fk.parent),
        nn = not_null.join(" AND "),
        only = if only_listed {
            " AND c.rowid IN (SELECT rid FROM temp.curator_fk_rows)"
        } else {
            ""
        },
        m = matches.join(" AND "),
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn without_rowid(conn: &Connection, table: &str) -> Result<bool> {
    let sql: String = conn.query_row(
        "SELECT coalesce(sql, '') FROM main.sqlite_master WHERE type = 'table' AND name = ?1",
        [table],
        |r| r.get(0),
    )?;
    Ok(sql.to_ascii_uppercase().contains("WITHOUT ROWID"))
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

    // What to check.
    let mut integrity: BTreeSet<String> = BTreeSet::new();
    let mut index_proofs: Vec<&IndexProof> = Vec::new();
    let mut whole_fk: BTreeSet<String> = BTreeSet::new();
    let mut parents: BTreeSet<String> = BTreeSet::new();
    let mut rows: BTreeMap<&str, &BTreeSet<i64>> = BTreeMap::new();
    for (t, w) in changes.written {
        if !tables.contains(t) {
            continue;
        }
        integrity.insert(t.clone());
        // Deletions do not reach the hook when SQLite truncates or replaces, so
        // every written table counts as a changed parent.
        parents.insert(t.clone());
        if w.too_many {
            whole_fk.insert(t.clone());
        } else {
            rows.insert(t.as_str(), &w.rows);
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
                    parents.insert(name.clone());
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
        return Err(corrupt(format!(
            "the database is corrupt (integrity_check: {})",
            problems.join("; ")
        )));
    }
    if !full {
        for p in index_proofs {
            check_index(conn, p)?;
        }
    }

    // Foreign keys: the tables that show a violation.
    let mut suspects: BTreeSet<String> = BTreeSet::new();
    if full {
        suspects.extend(fk_violations(conn, None)?.into_iter().map(|v| v.0));
    } else {
        let mut checked_whole: BTreeSet<String> = BTreeSet::new();
        for fk in foreign_keys(conn, &tables)? {
            if whole_fk.contains(&fk.child) || without_rowid(conn, &fk.child)? {
                if checked_whole.insert(fk.child.clone())
                    && !fk_violations(conn, Some(&[fk.child.clone()].into()))?.is_empty()
                {
                    suspects.insert(fk.child.clone());
                }
                continue;
            }
            let found = if parents.contains(&fk.parent) {
                edge_violations(conn, &fk, false)?
            } else if let Some(listed) = rows.get(fk.child.as_str()) {
                conn.execute_batch(
                    "CREATE TEMP TABLE IF NOT EXISTS curator_fk_rows (rid INTEGER PRIMARY KEY);
                     DELETE FROM temp.curator_fk_rows;",
                )?;
                {
                    let mut add =
                        conn.prepare("INSERT INTO temp.curator_fk_rows (rid) VALUES (?1)")?;
                    for r in *listed {
                        add.execute([r])?;
                    }
                }
                let v = edge_violations(conn, &fk, true)?;
                conn.execute_batch("DROP TABLE temp.curator_fk_rows")?;
                v
            } else {
                Vec::new()
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
        let old = opened.ok_or_else(|| {
            CoreError::coded(
                ErrorCode::Io,
                "cannot read the backup to judge a foreign-key violation".to_string(),
            )
        })?;
        let scope: BTreeSet<String> = suspects
            .iter()
            .filter(|t| schema::has_table(&old, t).unwrap_or(false))
            .cloned()
            .collect();
        let before = fk_violations(&old, Some(&scope))?;
        if let Some(v) = after.iter().find(|v| !before.contains(v)) {
            return Err(corrupt(format!(
                "foreign_key_check failed: {} row {} has no {} row",
                v.0, v.1, v.2
            )));
        }
    }
    Ok(())
}
