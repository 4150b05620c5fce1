//! The one-pass index build against `CREATE INDEX`, and its fallbacks.

use super::one_pass::{one_pass_applies, pass_beside, SCRATCH};
use super::{articles_scoring, scan_articles};
use crate::upgrade::verify::check_index;
use crate::upgrade::verify::Proofs;
use rusqlite::Connection;

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
        .prepare("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY name")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap();
    rows.collect::<rusqlite::Result<_>>().unwrap()
}

#[test]
fn one_pass_builds_the_indexes_create_index_would() {
    let a = legacy("");
    assert!(one_pass_applies(&a, &[("ix_articles_composite_score", "composite_score")]).unwrap());
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
