//! dff7a4c52b3c's work on `articles` (§3.2): the scoring columns NOT NULL and the
//! scoring indexes, with the proofs the checks before commit use instead of
//! re-reading the table.
//!
//! `articles` is by far the largest table (≈ 4.4 KB a row with its contents), so
//! reading it is what costs: `CREATE INDEX` reads the whole table once per index.
//! The missing indexes are therefore built from one pass instead (`one_pass`). That
//! pass copies each row's rowid and key columns into a small scratch table in the
//! same transaction, counting the NULLs of the nullable columns and taking the
//! digest of each index's (rowid, key) pairs as it reads them: with a write-ahead
//! log, two read-only connections read the halves of the table in threads and hand
//! the rows over; otherwise one `INSERT … SELECT` reads them here, through a
//! function. Each index is then built on the scratch table under its final name,
//! and handed to `articles` by rewriting its `sqlite_master` entry (the b-tree of an
//! index on `scratch (k)` with `scratch.rowid = articles.rowid` is, entry for entry,
//! the index on `articles (column)`: the same (key, rowid) records, the same
//! declared type and so affinity, the same collation). The scratch table is dropped,
//! its pages returned to the free list. The checks before commit walk each new index
//! and compare it with the digest taken from `articles` (`verify::check_index`);
//! a small file is checked whole by `integrity_check`, which compares every index
//! with its table row by row.

use crate::error::Result;
use crate::upgrade::schema::{self, column, make_not_null};
use crate::upgrade::verify::{Digest, IndexProof, Proofs};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

mod one_pass;
#[cfg(test)]
mod tests;

use one_pass::{build_in_one_pass, one_pass_applies};

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
pub(super) type ScanResult = (Vec<u64>, Vec<Digest>);

/// What the pass saw, fed row by row.
#[derive(Default)]
pub(super) struct Seen {
    pub nulls: Vec<u64>,
    pub digests: Vec<Digest>,
}

impl Seen {
    pub(super) fn new(nullable: usize, keys: usize) -> Self {
        Self {
            nulls: vec![0; nullable],
            digests: vec![Digest::default(); keys],
        }
    }

    /// Add what another part of the pass saw.
    pub(super) fn merge(&mut self, other: Seen) {
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
pub(super) fn scan_articles(
    conn: &Connection,
    nullable: &[&str],
    keys: &[&str],
) -> Result<ScanResult> {
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
