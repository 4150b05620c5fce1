//! The upgrade's checks before commit, on small files built here.

use super::test_gen as gen;
use super::*;

fn quiet_env(dir: &Path) -> UpgradeEnv {
    UpgradeEnv {
        vars: Vec::new(),
        cwd: dir.to_path_buf(),
    }
}

/// Both real V7 shapes, checked as a large file is (only where the upgrade
/// wrote, new indexes by their digest): the same result as with the whole-file
/// checks, and a sound file.
#[test]
fn large_file_checks_pass_on_both_shapes() {
    for shape in [gen::Shape::Fresh, gen::Shape::V10Lineage] {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.db");
        gen::generate(&a, 400, shape).unwrap();
        let b = dir.path().join("b.db");
        std::fs::copy(&a, &b).unwrap();
        let env = quiet_env(dir.path());
        let ra = upgrade_in_place(&a, false, true, 0, &env, |_| {}).unwrap();
        let rb = upgrade_in_place(&b, false, true, i64::MAX, &env, |_| {}).unwrap();
        assert_eq!(ra.tables, rb.tables, "{shape:?}");
        let c = Connection::open(&a).unwrap();
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        let fk: i64 = c
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(fk, 0);
        let nn: i64 = c
            .query_row(
                "SELECT \"notnull\" FROM pragma_table_info('articles') WHERE name = 'scoring_priority'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(nn, 1, "{shape:?}");
    }
}

#[test]
fn an_index_that_does_not_match_its_digest_is_refused() {
    let c = Connection::open_in_memory().unwrap();
    c.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v REAL);
         INSERT INTO t (v) VALUES (1.0), (NULL), (2.5), ('x'), (1);
         CREATE INDEX ix_t_v ON t (v);",
    )
    .unwrap();
    let mut digest = verify::Digest::default();
    let mut stmt = c.prepare("SELECT rowid, v FROM t").unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        digest.add(r.get(0).unwrap(), r.get_ref(1).unwrap());
    }
    drop(rows);
    let mut proof = verify::IndexProof {
        table: "t".into(),
        index: "ix_t_v".into(),
        column: "v".into(),
        digest,
    };
    verify::check_index(&c, &proof).unwrap();
    proof.digest.add(99, rusqlite::types::ValueRef::Integer(3));
    let err = verify::check_index(&c, &proof).unwrap_err();
    assert!(err.to_string().contains("does not match"), "{err}");
}

fn db(dir: &Path) -> (PathBuf, Connection) {
    let p = dir.join("x.db");
    let c = Connection::open(&p).unwrap();
    c.execute_batch(
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE parent (id INTEGER PRIMARY KEY);
         CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));
         CREATE TABLE other (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));
         INSERT INTO parent VALUES (1);
         INSERT INTO child VALUES (1, 1);
         INSERT INTO other VALUES (1, 99);",
    )
    .unwrap();
    (p, c)
}

#[test]
fn old_orphans_pass_new_ones_fail_in_both_check_modes() {
    for full_below in [0, i64::MAX] {
        let dir = tempfile::tempdir().unwrap();
        let (p, c) = db(dir.path());
        let schema = schema_entries(&c).unwrap();
        let proofs = Proofs::default();
        let mut child = Written::default();
        child.add(rusqlite::hooks::Action::SQLITE_UPDATE, 1);
        let written: BTreeMap<String, Written> = [("child".to_string(), child)].into();
        let changes = Changes {
            written: &written,
            schema_before: &schema,
            proofs: &proofs,
        };
        // `other` had an orphan before: not the upgrade's doing.
        verify(&c, &changes, std::slice::from_ref(&p), full_below).unwrap();
        let pristine = dir.path().join("pristine.db");
        std::fs::copy(&p, &pristine).unwrap();
        c.execute_batch("PRAGMA foreign_keys = OFF; DELETE FROM parent WHERE id = 1;")
            .unwrap();
        let written: BTreeMap<String, Written> =
            [("parent".to_string(), Written::default())].into();
        let changes = Changes {
            written: &written,
            schema_before: &schema,
            proofs: &proofs,
        };
        let err = verify(&c, &changes, &[pristine], full_below).unwrap_err();
        assert!(
            err.to_string().contains("foreign_key_check failed: child"),
            "{err}"
        );
    }
}
