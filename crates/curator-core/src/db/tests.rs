use super::*;

fn foreign(_: &Connection, path: &Path) -> CoreError {
    CoreError::DbForeign {
        path: path.to_path_buf(),
    }
}

#[test]
fn fresh_database_is_created_and_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("curator.db");
    let db = Db::open(&path, foreign).unwrap();
    assert!(path.exists());
    let (version, journal, fk): (i64, String, i64) = db
        .call_blocking(|c| {
            Ok((
                schema_version(c)?,
                c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
            ))
        })
        .unwrap();
    assert_eq!(version, latest_known_version());
    assert!(version >= 1);
    assert_eq!(journal, "wal");
    assert_eq!(fk, 1);
}

#[test]
fn reopening_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    drop(Db::open(&path, foreign).unwrap());
    let db = Db::open(&path, foreign).unwrap();
    let rows: i64 = db
        .call_blocking(|c| {
            Ok(
                c.query_row(&format!("SELECT count(*) FROM {HISTORY_TABLE}"), [], |r| {
                    r.get(0)
                })?,
            )
        })
        .unwrap();
    assert_eq!(rows as usize, migrations().len());
}

#[test]
fn missing_directory_is_refused_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope").join("c.db");
    let err = Db::open(&path, foreign).err().unwrap();
    assert!(matches!(err, CoreError::DbOpen { .. }), "{err}");
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert!(!dir.path().join("nope").exists());
}

#[test]
fn non_sqlite_file_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(
        &path,
        b"hello, this is plain text and not a database at all",
    )
    .unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Db::open(&path, foreign).err().unwrap();
    assert!(err.to_string().contains("not a SQLite database"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!dir.path().join("notes.db-wal").exists());
}

#[test]
fn directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = Db::open(dir.path(), foreign).err().unwrap();
    assert!(err.to_string().contains("is a directory"), "{err}");
}

/// On a current-thread runtime the test body runs on this thread; work run inline
/// would see the same thread, work on the blocking pool sees another.
#[tokio::test(flavor = "current_thread")]
async fn call_runs_off_the_async_workers() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("c.db"), foreign).unwrap();
    let caller = std::thread::current().id();
    let (v, worker) = db
        .call(|c| Ok((schema_version(c)?, std::thread::current().id())))
        .await
        .unwrap();
    assert_eq!(v, latest_known_version());
    assert_ne!(worker, caller, "the SQLite call ran on the async thread");
}
