//! dff7a4c52b3c's work on `articles` (§3.2): the scoring columns NOT NULL and the
//! scoring indexes, with the proofs the checks before commit use instead of
//! re-reading the table.
//!
//! `articles` is by far the largest table (≈ 4.4 KB a row with its contents), so
//! reading it is what costs: `CREATE INDEX` reads the whole table once per index.
//! The missing indexes are therefore built from one pass instead. That pass copies
//! each row's rowid and key columns into a small scratch table in the same
//! transaction, and a function in the same statement counts the NULLs of the
//! nullable columns and takes the digest of each index's (rowid, key) pairs. Each
//! index is then built on the scratch table under its final name, and handed to
//! `articles` by rewriting its `sqlite_master` entry (the b-tree of an index on
//! `scratch (k)` with `scratch.rowid = articles.rowid` is, entry for entry, the
//! index on `articles (column)`: the same (key, rowid) records, the same declared
//! type and so affinity, the same collation). The scratch table is dropped, its
//! pages returned to the free list. The checks before commit walk each new index
//! and compare it with the digest taken from `articles` (`verify::check_index`);
//! a small file is checked whole by `integrity_check`, which compares every index
//! with its table row by row.

use crate::error::Result;
use crate::upgrade::schema::{self, column, make_not_null};
use crate::upgrade::verify::{Digest, IndexProof, Proofs};
use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::sync::{Arc, Mutex};

/// dff7a4c52b3c's steps 1–2 on `articles` (§3.2): `scoring_state` and
/// `scoring_priority` present and NOT NULL (NULLs → `'unscored'` / 0), and the two
/// scoring indexes. A nullable column becomes NOT NULL by a change of its
/// declaration only (no table rebuild; `schema::make_not_null`). The table is read
/// once, whatever there is to do (module comment). Rows are written only when
/// NULLs exist, and then the table is checked in full.
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
    let nullable_cols: Vec<&str> = nullable.iter().map(|n| n.0).collect();
    let (nulls, digests) = if !missing.is_empty() && one_pass_applies(conn, &missing)? {
        build_in_one_pass(conn, &nullable_cols, &missing, proofs.articles_unchanged)?
    } else {
        for (index, col) in &missing {
            conn.execute_batch(&format!("CREATE INDEX {index} ON articles ({col})"))?;
        }
        let keys: Vec<&str> = missing.iter().map(|m| m.1).collect();
        scan_articles(conn, &nullable_cols, &keys)?
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
        for ((index, col), digest) in missing.into_iter().zip(digests) {
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

/// NULL counts of the nullable columns, digests of the key columns.
type ScanResult = (Vec<u64>, Vec<Digest>);

/// What the pass saw, fed row by row.
#[derive(Default)]
struct Seen {
    nulls: Vec<u64>,
    digests: Vec<Digest>,
}

impl Seen {
    fn new(nullable: usize, keys: usize) -> Self {
        Self {
            nulls: vec![0; nullable],
            digests: vec![Digest::default(); keys],
        }
    }

    /// Add what another part of the pass saw.
    fn merge(&mut self, other: Seen) {
        for (a, b) in self.nulls.iter_mut().zip(other.nulls) {
            *a += b;
        }
        for (a, b) in self.digests.iter_mut().zip(other.digests) {
            a.merge(b);
        }
    }
}

/// The rows of `articles` read on this connection (the fallback of
/// `build_in_one_pass`, after plain `CREATE INDEX`).
fn scan_articles(conn: &Connection, nullable: &[&str], keys: &[&str]) -> Result<ScanResult> {
    let mut seen = Seen::new(nullable.len(), keys.len());
    let cols: Vec<&str> = nullable.iter().chain(keys).copied().collect();
    let mut stmt = conn.prepare(&format!("SELECT rowid, {} FROM articles", cols.join(", ")))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let rowid: i64 = r.get(0)?;
        for (i, n) in seen.nulls.iter_mut().enumerate() {
            if r.get_ref(1 + i)? == ValueRef::Null {
                *n += 1;
            }
        }
        for (i, d) in seen.digests.iter_mut().enumerate() {
            d.add(rowid, r.get_ref(1 + nullable.len() + i)?);
        }
    }
    Ok((seen.nulls, seen.digests))
}

/// The scratch table of the one-pass build, and the function the pass calls.
const SCRATCH: &str = "curator_upgrade_index_keys";
const OBSERVE: &str = "curator_upgrade_observe";

/// Whether the one-pass build gives exactly the indexes `CREATE INDEX` would:
/// `articles` is a rowid table and every key column compares with BINARY (the
/// order the digest check walks in).
fn one_pass_applies(conn: &Connection, missing: &[(&str, &str)]) -> Result<bool> {
    let sql: String = conn.query_row(
        "SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = 'articles'",
        [],
        |r| r.get(0),
    )?;
    if sql.to_ascii_uppercase().contains("WITHOUT ROWID") {
        return Ok(false);
    }
    for (_, col) in missing {
        let (_, collation, ..) = conn.column_metadata(Some("main"), "articles", col)?;
        if collation.is_some_and(|c| !c.to_bytes().eq_ignore_ascii_case(b"BINARY")) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Build the `missing` indexes of `articles` from one pass (module comment).
/// `unchanged`: no row of `articles` was written in this transaction so far.
fn build_in_one_pass(
    conn: &Connection,
    nullable: &[&str],
    missing: &[(&str, &str)],
    unchanged: bool,
) -> Result<ScanResult> {
    let mut defs = Vec::new();
    for (i, (_, col)) in missing.iter().enumerate() {
        let (declared, ..) = conn.column_metadata(Some("main"), "articles", col)?;
        let declared = declared
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default();
        defs.push(format!("k{i} {declared}"));
    }
    conn.execute_batch(&format!(
        "CREATE TABLE main.{SCRATCH} (r INTEGER PRIMARY KEY, {})",
        defs.join(", ")
    ))?;
    let keys: Vec<&str> = missing.iter().map(|m| m.1).collect();
    let beside = if unchanged && wal(conn)? {
        pass_beside(conn, nullable, &keys)?
    } else {
        None
    };
    let (nulls, digests) = match beside {
        Some(found) => found,
        None => pass_here(conn, nullable, &keys)?,
    };
    for (i, (index, _)) in missing.iter().enumerate() {
        conn.execute_batch(&format!("CREATE INDEX {index} ON {SCRATCH} (k{i})"))?;
    }
    // Hand the indexes to `articles`: the text `CREATE INDEX` would have stored.
    let version: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
    conn.execute_batch("PRAGMA writable_schema = ON")?;
    for (index, col) in missing {
        conn.execute(
            "UPDATE main.sqlite_master SET tbl_name = 'articles', sql = ?1 WHERE type = 'index' AND name = ?2",
            [format!("CREATE INDEX {index} ON articles ({col})"), index.to_string()],
        )?;
    }
    conn.execute_batch(&format!(
        "PRAGMA schema_version = {}; PRAGMA writable_schema = RESET; DROP TABLE main.{SCRATCH};",
        version + 1
    ))?;
    Ok((nulls, digests))
}

fn wal(conn: &Connection) -> Result<bool> {
    let mode: String = conn.query_row("PRAGMA main.journal_mode", [], |r| r.get(0))?;
    Ok(mode.eq_ignore_ascii_case("wal"))
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

/// The pass in one statement on this connection: `INSERT … SELECT` into the
/// scratch table, with a function that counts and digests each row it copies.
fn pass_here(conn: &Connection, nullable: &[&str], keys: &[&str]) -> Result<ScanResult> {
    let (n, k) = (nullable.len(), keys.len());
    let seen = Arc::new(Mutex::new(Seen::new(n, k)));
    let sink = seen.clone();
    let args = i32::try_from(1 + n + k).unwrap_or(i32::MAX);
    conn.create_scalar_function(
        OBSERVE,
        args,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY,
        move |ctx| {
            let rowid: i64 = ctx.get(0)?;
            let mut seen = sink.lock().unwrap_or_else(|p| p.into_inner());
            for i in 0..n {
                if ctx.get_raw(1 + i) == ValueRef::Null {
                    seen.nulls[i] += 1;
                }
            }
            for j in 0..k {
                seen.digests[j].add(rowid, ctx.get_raw(1 + n + j));
            }
            Ok(true)
        },
    )?;
    let observed: Vec<&str> = nullable.iter().chain(keys).copied().collect();
    let pass = conn.execute(
        &format!(
            "INSERT INTO main.{SCRATCH} (r, {names}) SELECT rowid, {keys} FROM main.articles WHERE {OBSERVE}(rowid, {observed})",
            names = key_names(k).join(", "),
            keys = keys.join(", "),
            observed = observed.join(", "),
        ),
        [],
    );
    let removed = conn.remove_function(OBSERVE, args);
    pass?;
    removed?;
    let seen = std::mem::take(&mut *seen.lock().unwrap_or_else(|p| p.into_inner()));
    Ok((seen.nulls, seen.digests))
}

fn key_names(k: usize) -> Vec<String> {
    (0..k).map(|i| format!("k{i}")).collect()
}

/// Rows a reader hands over at a time, and batches in flight.
const BATCH: usize = 4096;
const IN_FLIGHT: usize = 4;

/// The pass split over threads (with a write-ahead log, when this transaction has
/// not written `articles`): two read-only connections read the two halves of the
/// rowid range, count and digest the rows and hand them over in batches, while
/// this connection inserts them into the scratch table. The readers see the last
/// commit, which is this transaction's `articles` when the definition and the row
/// count agree; otherwise they hand over nothing and the answer is `None` (the
/// caller then makes the pass here). The checks before commit compare each index
/// built from these rows with the digest taken as they were read, and re-check
/// `articles` whole if anything wrote it afterwards.
fn pass_beside(conn: &Connection, nullable: &[&str], keys: &[&str]) -> Result<Option<ScanResult>> {
    let path = match conn.path() {
        Some(p) if !p.is_empty() => std::path::PathBuf::from(p),
        _ => return Ok(None),
    };
    let (low, high): (Option<i64>, Option<i64>) = conn.query_row(
        "SELECT min(rowid), max(rowid) FROM main.articles",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (Some(low), Some(high)) = (low, high) else {
        return Ok(None);
    };
    let middle = low + (high - low) / 2;
    let reading = Reading {
        path,
        definition: articles_definition(conn)?,
        sql: format!(
            "SELECT rowid, {} FROM main.articles WHERE rowid BETWEEN ?1 AND ?2",
            keys.iter()
                .chain(nullable)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        ),
        nullable: nullable.len(),
        keys: keys.len(),
    };
    let count = schema::count(conn, "articles")?;
    let k = keys.len();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Value>>(IN_FLIGHT);
    let readers: Vec<_> = [(low, middle), (middle + 1, high)]
        .into_iter()
        .map(|range| {
            let (reading, tx) = (reading.clone(), tx.clone());
            std::thread::spawn(move || reading.read(range, &tx))
        })
        .collect();
    drop(tx);
    let names = key_names(k);
    let marks: Vec<String> = (1..=1 + k).map(|i| format!("?{i}")).collect();
    let mut inserted: i64 = 0;
    let written = (|| -> Result<()> {
        let mut insert = conn.prepare(&format!(
            "INSERT INTO main.{SCRATCH} (r, {}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        ))?;
        for batch in rx.iter() {
            for row in batch.chunks(1 + k) {
                insert.execute(rusqlite::params_from_iter(row))?;
                inserted += 1;
            }
        }
        Ok(())
    })();
    // Stops the readers if this side failed; joined either way.
    drop(rx);
    let mut found = Some(Seen::new(reading.nullable, k));
    for reader in readers {
        match reader.join() {
            Ok(Ok(Some(part))) => {
                if let Some(all) = found.as_mut() {
                    all.merge(part);
                }
            }
            // A different table, a failure or a panic on that side: start over on
            // this connection, which reports a failure of its own if there is one.
            _ => found = None,
        }
    }
    written?;
    match found {
        Some(all) if inserted == count => Ok(Some((all.nulls, all.digests))),
        // Some rows were not handed over: start over on this connection.
        _ => {
            conn.execute_batch(&format!("DELETE FROM main.{SCRATCH}"))?;
            Ok(None)
        }
    }
}

/// What a reader of `pass_beside` reads.
#[derive(Clone)]
struct Reading {
    path: std::path::PathBuf,
    /// `articles` as this transaction defines it.
    definition: Option<String>,
    /// Rowid, key columns, nullable columns, for a range of rowids.
    sql: String,
    nullable: usize,
    keys: usize,
}

impl Reading {
    /// Read the rows with a rowid in `range`, hand them over, and say what they
    /// held; `None` when the table is not the one this transaction sees, a value
    /// cannot be handed over, or the other side stopped.
    fn read(
        &self,
        range: (i64, i64),
        tx: &std::sync::mpsc::SyncSender<Vec<Value>>,
    ) -> Result<Option<Seen>> {
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        c.busy_timeout(std::time::Duration::from_secs(5))?;
        c.execute_batch("BEGIN")?;
        if articles_definition(&c)? != self.definition {
            return Ok(None);
        }
        let (n, k) = (self.nullable, self.keys);
        let mut seen = Seen::new(n, k);
        let mut stmt = c.prepare(&self.sql)?;
        let mut rows = stmt.query([range.0, range.1])?;
        let mut batch = Vec::with_capacity(BATCH * (1 + k));
        while let Some(r) = rows.next()? {
            let rowid: i64 = r.get(0)?;
            batch.push(Value::Integer(rowid));
            for (j, d) in seen.digests.iter_mut().enumerate() {
                let v = r.get_ref(1 + j)?;
                d.add(rowid, v);
                // Text that is not UTF-8 cannot be handed over as it is stored.
                match Value::try_from(v) {
                    Ok(owned) => batch.push(owned),
                    Err(_) => return Ok(None),
                }
            }
            for (i, nulls) in seen.nulls.iter_mut().enumerate() {
                if r.get_ref(1 + k + i)? == ValueRef::Null {
                    *nulls += 1;
                }
            }
            if batch.len() >= BATCH * (1 + k) {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH * (1 + k)));
                if tx.send(full).is_err() {
                    return Ok(None);
                }
            }
        }
        if !batch.is_empty() && tx.send(batch).is_err() {
            return Ok(None);
        }
        Ok(Some(seen))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upgrade::verify::check_index;

    /// A v1.0-lineage `articles` (nullable `scoring_priority`, no scoring indexes)
    /// with values of every storage class in the key columns.
    fn legacy(collate: &str) -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(&format!(
            "CREATE TABLE articles (
                id INTEGER NOT NULL, title VARCHAR NOT NULL, composite_score FLOAT,
                scoring_state VARCHAR NOT NULL {collate}, PRIMARY KEY (id));
             ALTER TABLE articles ADD COLUMN scoring_priority INTEGER DEFAULT 0;
             INSERT INTO articles (id, title, composite_score, scoring_state) VALUES
                (1, 'a', 1.0, 'unscored'), (2, 'b', 2.5, 'Scored'), (3, 'c', NULL, 'scored'),
                (5, 'd', 3, 'queued'), (8, 'e', 'x', ''), (9, 'f', -0.0, 'unscored'),
                (12, 'g', 1e300, 'b'), (13, 'h', x'00ff', 'B'), (40, 'i', 2.5, 'unscored');
             BEGIN;"
        ))
        .unwrap();
        c
    }

    /// The same table in a WAL file, with more rows, in an open write transaction.
    fn legacy_file(dir: &std::path::Path) -> Connection {
        let c = Connection::open(dir.join("a.db")).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE articles (
                id INTEGER NOT NULL, title VARCHAR NOT NULL, composite_score FLOAT,
                scoring_state VARCHAR NOT NULL, PRIMARY KEY (id));
             ALTER TABLE articles ADD COLUMN scoring_priority INTEGER DEFAULT 0;
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
             INSERT INTO articles (id, title, composite_score, scoring_state, scoring_priority)
             SELECT i * 3, 't' || i,
                    CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN i WHEN 2 THEN i / 7.0 WHEN 3 THEN 'x' ELSE -i END,
                    CASE i % 3 WHEN 0 THEN 'unscored' WHEN 1 THEN 'scored' ELSE 'queued' END,
                    CASE WHEN i % 1000 = 0 THEN NULL ELSE 0 END
             FROM n;
             BEGIN IMMEDIATE;",
        )
        .unwrap();
        c
    }

    #[test]
    fn the_pass_beside_reads_what_this_connection_sees() {
        let dir = tempfile::tempdir().unwrap();
        let a = legacy_file(dir.path());
        a.execute_batch(&format!(
            "CREATE TABLE main.{SCRATCH} (r INTEGER PRIMARY KEY, k0 FLOAT, k1 VARCHAR)"
        ))
        .unwrap();
        let keys = ["composite_score", "scoring_state"];
        let beside = pass_beside(&a, &["scoring_priority"], &keys)
            .unwrap()
            .expect("read beside");
        let here = scan_articles(&a, &["scoring_priority"], &keys).unwrap();
        assert_eq!(beside, here);
        assert_eq!(beside.0, vec![20]);
        let same: i64 = a
            .query_row(
                &format!(
                    "SELECT count(*) FROM articles JOIN {SCRATCH} ON r = articles.rowid
                     WHERE k0 IS composite_score AND k1 IS scoring_state"
                ),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(same, 20000);
    }

    #[test]
    fn rows_this_transaction_wrote_are_read_here_not_beside() {
        let dir = tempfile::tempdir().unwrap();
        let a = legacy_file(dir.path());
        a.execute_batch("UPDATE articles SET composite_score = 1e9 WHERE id % 2 = 0")
            .unwrap();
        // The caller says `articles` was written: the pass runs here.
        let mut proofs = Proofs::default();
        articles_scoring(&a, &mut proofs).unwrap();
        let moved: i64 = a
            .query_row(
                "SELECT count(*) FROM articles INDEXED BY ix_articles_composite_score
                 WHERE composite_score = 1e9",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(moved, 10000);
        a.execute_batch("COMMIT").unwrap();
        let ok: String = a
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        // A definition changed in this transaction: the readers step back.
        let dir = tempfile::tempdir().unwrap();
        let b = legacy_file(dir.path());
        b.execute_batch(&format!(
            "ALTER TABLE articles ADD COLUMN extra TEXT;
             CREATE TABLE main.{SCRATCH} (r INTEGER PRIMARY KEY, k0 FLOAT)"
        ))
        .unwrap();
        assert!(pass_beside(&b, &[], &["composite_score"])
            .unwrap()
            .is_none());
    }

    /// Every (key, rowid) entry of `index`, in the index's own order.
    fn entries(c: &Connection, index: &str, column: &str) -> Vec<(rusqlite::types::Value, i64)> {
        let sql = format!(
            "SELECT {column}, rowid FROM articles INDEXED BY {index} WHERE {column} IS NULL OR {column} IS NOT NULL"
        );
        let mut stmt = c.prepare(&sql).unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    }

    fn schema(c: &Connection) -> Vec<(String, String, String, String)> {
        let mut stmt = c
            .prepare(
                "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY name",
            )
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    }

    #[test]
    fn one_pass_builds_the_indexes_create_index_would() {
        let a = legacy("");
        assert!(
            one_pass_applies(&a, &[("ix_articles_composite_score", "composite_score")]).unwrap()
        );
        let mut proofs = Proofs::default();
        articles_scoring(&a, &mut proofs).unwrap();
        a.execute_batch("COMMIT").unwrap();

        let b = legacy("");
        b.execute_batch(
            "CREATE INDEX ix_articles_composite_score ON articles (composite_score);
             CREATE INDEX ix_articles_scoring_state ON articles (scoring_state);
             COMMIT;",
        )
        .unwrap();
        for (index, column) in [
            ("ix_articles_composite_score", "composite_score"),
            ("ix_articles_scoring_state", "scoring_state"),
        ] {
            assert_eq!(
                entries(&a, index, column),
                entries(&b, index, column),
                "{index}"
            );
        }
        // The same entries in sqlite_master (the table's declaration aside, now NOT
        // NULL), and no scratch table left.
        let sa = schema(&a);
        let sb = schema(&b);
        assert_eq!(
            sa.iter().filter(|e| e.0 == "index").collect::<Vec<_>>(),
            sb.iter().filter(|e| e.0 == "index").collect::<Vec<_>>()
        );
        assert!(sa.iter().all(|e| e.1 != SCRATCH), "{sa:?}");
        let ok: String = a
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        // The pass proved the column NOT NULL and both indexes.
        assert_eq!(
            proofs.not_null,
            vec![("articles".to_string(), "scoring_priority".to_string())]
        );
        assert_eq!(proofs.indexes.len(), 2);
        for p in &proofs.indexes {
            check_index(&a, p).unwrap();
        }
    }

    #[test]
    fn a_collated_key_column_takes_the_plain_path() {
        let a = legacy("COLLATE NOCASE");
        assert!(!one_pass_applies(&a, &[("ix_articles_scoring_state", "scoring_state")]).unwrap());
        let mut proofs = Proofs::default();
        articles_scoring(&a, &mut proofs).unwrap();
        a.execute_batch("COMMIT").unwrap();
        let ok: String = a
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        let states: Vec<String> = entries(&a, "ix_articles_scoring_state", "scoring_state")
            .into_iter()
            .map(|(v, _)| match v {
                rusqlite::types::Value::Text(t) => t,
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(states[1..3], ["b".to_string(), "B".to_string()]);
    }

    #[test]
    fn nulls_are_filled_and_then_nothing_is_taken_as_proven() {
        let a = legacy("");
        a.execute_batch("UPDATE articles SET scoring_priority = NULL WHERE id = 5")
            .unwrap();
        let mut proofs = Proofs::default();
        articles_scoring(&a, &mut proofs).unwrap();
        let nulls: i64 = a
            .query_row(
                "SELECT count(*) FROM articles WHERE scoring_priority IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(nulls, 0);
        assert!(proofs.not_null.is_empty() && proofs.indexes.is_empty());
        a.execute_batch("COMMIT").unwrap();
        let ok: String = a
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    }
}
