//! dff7a4c52b3c's work on `articles` (§3.2): the scoring columns NOT NULL and the
//! scoring indexes, with the proofs the checks before commit use instead of
//! re-reading the table.

use crate::error::Result;
use crate::upgrade::schema::{self, column, make_not_null};
use crate::upgrade::verify::{Digest, IndexProof, Proofs};
use rusqlite::{Connection, OptionalExtension};

/// dff7a4c52b3c's steps 1–2 on `articles` (§3.2): `scoring_state` and
/// `scoring_priority` present and NOT NULL (NULLs → `'unscored'` / 0), and the two
/// scoring indexes. A nullable column becomes NOT NULL by a change of its
/// declaration only (no table rebuild; `schema::make_not_null`). The table is read
/// once, whatever there is to do: that pass counts the NULLs and takes the digest
/// of each new index's (key, rowid) pairs, which the checks before commit compare
/// with the index itself instead of re-reading the whole table (`verify`). Rows
/// are written only when NULLs exist, and then the table is checked in full.
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
    let cols: Vec<&str> = nullable
        .iter()
        .map(|n| n.0)
        .chain(missing.iter().map(|c| c.1))
        .collect();
    // With a write-ahead log, the pass runs on a second, read-only connection while
    // this one builds the indexes: the rows it reads are the committed ones, the
    // same as here as long as this transaction has not changed the table (nothing
    // before this step writes articles in these shapes; a different definition
    // sends the pass back here, and a different content would fail the index
    // check before commit, never pass it).
    let beside = scan_beside(
        conn,
        proofs.articles_unchanged,
        &cols,
        nullable.len(),
        missing.len(),
    )?;
    let mut created = Vec::new();
    for (index, col) in missing {
        conn.execute_batch(&format!("CREATE INDEX {index} ON articles ({col})"))?;
        created.push((index, col));
    }
    let sql = format!("SELECT rowid, {} FROM articles", cols.join(", "));
    let (nulls, digests) = match beside {
        Some(h) => match h.join() {
            Ok(Ok(Some(found))) => found,
            _ => scan_articles(conn, &sql, nullable.len(), created.len())?,
        },
        None => scan_articles(conn, &sql, nullable.len(), created.len())?,
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
        for ((index, col), digest) in created.into_iter().zip(digests) {
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

type ScanResult = (Vec<u64>, Vec<Digest>);
type ScanThread = std::thread::JoinHandle<Result<Option<ScanResult>>>;

/// NULL counts of the first `nullable` columns of `sql`'s rows after the rowid,
/// digests of the next `indexed`.
fn scan_articles(
    conn: &Connection,
    sql: &str,
    nullable: usize,
    indexed: usize,
) -> Result<ScanResult> {
    let mut nulls = vec![0u64; nullable];
    let mut digests = vec![Digest::default(); indexed];
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let rowid: i64 = r.get(0)?;
        for (i, n) in nulls.iter_mut().enumerate() {
            if r.get_ref(1 + i)? == rusqlite::types::ValueRef::Null {
                *n += 1;
            }
        }
        for (i, d) in digests.iter_mut().enumerate() {
            d.add(rowid, r.get_ref(1 + nullable + i)?);
        }
    }
    Ok((nulls, digests))
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

/// The scan of `articles_scoring` on a read-only connection in a thread, when the
/// file has a write-ahead log and this transaction has not changed `articles`.
/// The thread answers `None` when the table it sees is defined differently.
fn scan_beside(
    conn: &Connection,
    articles_unchanged: bool,
    cols: &[&str],
    nullable: usize,
    indexed: usize,
) -> Result<Option<ScanThread>> {
    let path = match conn.path() {
        Some(p) if !p.is_empty() && articles_unchanged => std::path::PathBuf::from(p),
        _ => return Ok(None),
    };
    let mode: String = conn.query_row("PRAGMA main.journal_mode", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Ok(None);
    }
    let definition = articles_definition(conn)?;
    let sql = format!("SELECT rowid, {} FROM articles", cols.join(", "));
    Ok(Some(std::thread::spawn(move || {
        let reader = Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        reader.busy_timeout(std::time::Duration::from_secs(5))?;
        reader.execute_batch("BEGIN")?;
        if articles_definition(&reader)? != definition {
            return Ok(None);
        }
        let found = scan_articles(&reader, &sql, nullable, indexed)?;
        reader.execute_batch("COMMIT")?;
        Ok(Some(found))
    })))
}
