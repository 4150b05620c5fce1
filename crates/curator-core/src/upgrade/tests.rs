//! The upgrade's checks before commit, on small files built here.

use super::test_gen as gen;
use super::*;
use verify::Written;

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
        let before = counts(&c).unwrap();
        let proofs = Proofs::default();
        // An update of child 1 that changed its parent_id.
        let child = Written::updated(1, 2, &[1]);
        let written: BTreeMap<String, Written> = [("child".to_string(), child)].into();
        let changes = Changes {
            written: &written,
            counts_before: &before,
            counts_after: &counts(&c).unwrap(),
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
            [("parent".to_string(), Written::deleted(1))].into();
        let changes = Changes {
            written: &written,
            counts_before: &before,
            counts_after: &counts(&c).unwrap(),
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

/// Run `sql` in a transaction on a WAL file with a parent, a child (one orphan
/// the file already had) and the pre-update hook recording, then the checks as for
/// a large file.
fn check_after(sql: &str) -> Result<()> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("fk.db");
    let mut c = Connection::open(&p).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = OFF;
         CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT UNIQUE);
         CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id), note TEXT);
         INSERT INTO parent VALUES (1, 'a'), (2, 'b');
         INSERT INTO child VALUES (1, 1, 'n'), (2, 99, 'orphan of old'), (3, 2, 'n');
         BEGIN IMMEDIATE;",
    )
    .unwrap();
    let schema = schema_entries(&c).unwrap();
    let before = counts(&c).unwrap();
    let recording = record_writes(&mut c).unwrap();
    c.execute_batch(sql).unwrap();
    let written = stop_recording(&mut c, &recording).unwrap();
    let proofs = Proofs::default();
    let changes = Changes {
        written: &written,
        counts_before: &before,
        counts_after: &counts(&c).unwrap(),
        schema_before: &schema,
        proofs: &proofs,
    };
    verify(&c, &changes, std::slice::from_ref(&p), 0)
}

#[test]
fn every_way_a_key_can_lose_its_parent_is_caught() {
    for sql in [
        "DELETE FROM parent WHERE id = 1",
        // No WHERE: SQLite would truncate without reporting rows, but not while a
        // pre-update hook is registered.
        "DELETE FROM parent",
        // REPLACE removes row 1 (name 'a') without a DELETE statement.
        "INSERT OR REPLACE INTO parent (id, name) VALUES (3, 'a')",
        "UPDATE parent SET id = 9 WHERE id = 1",
        "UPDATE child SET parent_id = 7 WHERE id = 1",
        "INSERT INTO child VALUES (5, 42, 'new')",
        "UPDATE child SET id = 10, parent_id = 11 WHERE id = 3",
    ] {
        let err = check_after(sql).expect_err(sql);
        assert!(
            err.to_string().contains("foreign_key_check failed: child"),
            "{sql}: {err}"
        );
    }
}

#[test]
fn writes_that_leave_every_key_whole_pass() {
    for sql in [
        "UPDATE child SET note = 'y'",
        "UPDATE parent SET name = 'z' WHERE id = 1",
        "INSERT INTO parent VALUES (7, 'q')",
        "INSERT INTO child VALUES (5, 2, 'new'); DELETE FROM child WHERE id = 1",
        // Same value written back: not a change of the key.
        "UPDATE child SET parent_id = parent_id + 0",
    ] {
        check_after(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// The backup holds the original, byte for byte, whether it was copied beside the
/// steps (write-ahead log) or before them (rollback journal).
#[test]
fn the_backup_is_the_original_in_both_journal_modes() {
    for (mode, shape) in [
        ("WAL", gen::Shape::Fresh),
        ("DELETE", gen::Shape::V10Lineage),
        ("DELETE", gen::Shape::Fresh),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.db");
        gen::generate(&a, 300, shape).unwrap();
        Connection::open(&a)
            .unwrap()
            .query_row(&format!("PRAGMA journal_mode = {mode}"), [], |_| Ok(()))
            .unwrap();
        let original = std::fs::read(&a).unwrap();
        let seen = std::cell::RefCell::new(Vec::new());
        let report = upgrade_in_place(&a, false, true, 0, &quiet_env(dir.path()), |p| {
            seen.borrow_mut().push(p)
        })
        .unwrap();
        let backup = report.backup.expect("backup");
        assert_eq!(
            std::fs::read(&backup).unwrap(),
            original,
            "{mode} {shape:?}"
        );
        let last = seen
            .borrow()
            .iter()
            .rfind(|p| p.stage == UpgradeStage::Backup)
            .copied()
            .unwrap();
        assert_eq!(
            (last.done, last.total),
            (original.len() as u64, original.len() as u64)
        );
        let ok: String = Connection::open(&a)
            .unwrap()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok", "{mode} {shape:?}");
    }
}

/// A backup that cannot be written (here its partial name is taken by a directory,
/// for every second the run may stamp) stops the upgrade, beside the steps or
/// before them, and leaves the file as it was.
#[test]
fn a_backup_that_cannot_be_written_changes_nothing() {
    for mode in ["WAL", "DELETE"] {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.db");
        gen::generate(&a, 300, gen::Shape::V10Lineage).unwrap();
        Connection::open(&a)
            .unwrap()
            .query_row(&format!("PRAGMA journal_mode = {mode}"), [], |_| Ok(()))
            .unwrap();
        let original = std::fs::read(&a).unwrap();
        let now = chrono::Utc::now();
        for s in 0..30 {
            let stamp = (now + chrono::Duration::seconds(s)).format("%Y%m%dT%H%M%SZ");
            let taken = format!(
                "{}{}{stamp}{}",
                a.display(),
                crate::backups::BACKUP_INFIX,
                crate::backups::PARTIAL_SUFFIX
            );
            std::fs::create_dir(taken).unwrap();
        }
        let err =
            upgrade_in_place(&a, false, true, 0, &quiet_env(dir.path()), |_| {}).expect_err(mode);
        assert!(err.to_string().contains("backup"), "{mode}: {err}");
        assert_eq!(std::fs::read(&a).unwrap(), original, "{mode}");
        let files: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(crate::backups::BACKUP_INFIX))
            .collect();
        assert!(files.is_empty(), "{mode}: {files:?}");
    }
}
