//! The lossless upgrade of the earlier reader's databases (schema-history.md).
//!
//! `detect` names the shape; `upgrade` takes a backup (a copy of the checkpointed
//! file under the write lock, see `backup`), then runs every step the shape needs —
//! the historical bootstraps, the three Alembic revisions up to 78dd677, and
//! Curator's own migrations — in one transaction, checks `integrity_check` and `foreign_key_check`, and commits. A
//! failure anywhere rolls everything back: the file is left as it was.

mod backup;
mod detect;
pub mod host;
pub mod names;
mod open;
pub mod schema;
mod steps;
mod verify;

pub use detect::{detect, Detected};

use backup::*;
use open::*;
use verify::*;

use crate::db::{self, FileKind};
use crate::error::ErrorCode;
use crate::{CoreError, Result};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use specta::Type;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Rows of one table before and after the upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
pub struct TableCounts {
    #[specta(type = specta_typescript::Number)]
    pub before: i64,
    #[specta(type = specta_typescript::Number)]
    pub after: i64,
}

/// What `upgrade` found and did (the CLI's `--json` output and the app's report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct UpgradeReport {
    /// Shape id of schema-history.md (`V0`…`V7`, `D`, `A1`…`A3`, `T`, `F`, `N1`,
    /// `N2`, `newer`), or `curator` for a database that is already Curator's.
    pub detected: String,
    /// Whether the file was (or, in a dry run, would be) changed.
    pub changed: bool,
    /// Path of the backup copy, when one was written.
    pub backup: Option<String>,
    /// Curator schema version after the upgrade.
    #[specta(type = specta_typescript::Number)]
    pub schema_version: i64,
    /// Row counts per table.
    pub tables: BTreeMap<String, TableCounts>,
}

/// Where an upgrade is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum UpgradeStage {
    Inspecting,
    Backup,
    Migrating,
    Checking,
    Committing,
    Done,
}

/// Progress of an upgrade: `done` of `total` units of the current stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
pub struct UpgradeProgress {
    pub stage: UpgradeStage,
    #[specta(type = specta_typescript::Number)]
    pub done: u64,
    #[specta(type = specta_typescript::Number)]
    pub total: u64,
}

/// The environment the legacy backfill reads its Ollama host from.
#[derive(Debug, Clone)]
pub struct UpgradeEnv {
    pub vars: Vec<(OsString, OsString)>,
    pub cwd: PathBuf,
}

impl UpgradeEnv {
    /// This process's environment and working directory.
    pub fn from_process() -> Self {
        Self {
            vars: std::env::vars_os().collect(),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        }
    }
}

/// Everything the upgrade does, on a connection inside a transaction.
fn transform(
    conn: &Connection,
    detected: Option<&Detected>,
    env: &UpgradeEnv,
    progress: &dyn Fn(UpgradeProgress),
    proofs: &mut Proofs,
) -> Result<()> {
    let clock = steps::Clock::now();
    let mut host_value = || host::resolve(&env.vars, &env.cwd).value;
    let step = |done| {
        progress(UpgradeProgress {
            stage: UpgradeStage::Migrating,
            done,
            total: 6,
        })
    };
    if let Some(d) = detected.filter(|d| !d.at_or_after_target()) {
        let revs: Vec<&str> = d.revisions.iter().map(String::as_str).collect();
        if d.pre_alembic() {
            let json_era = steps::is_json_era(conn)?;
            if json_era {
                steps::json_era(conn, &clock)?;
            }
            proofs.articles_unchanged = !json_era;
            step(1);
            steps::schema_version_bootstrap(conn, &clock)?;
            step(2);
            steps::providers_revision(conn, &clock, &mut host_value, proofs)?;
            step(3);
        }
        if d.pre_alembic() || revs == ["dff7a4c52b3c"] {
            steps::merge_categories(conn)?;
        }
        step(4);
        steps::rename_and_drop(conn)?;
        steps::stamp_alembic(conn, &d.revisions)?;
        step(5);
    }
    let legacy = detected.is_some();
    db::apply_pending(conn, |version| {
        legacy
            && match version {
                1 | 2 => Ok(true),
                3 => schema::has_column(conn, "llm_task_routes", "batch_size"),
                _ => Ok(false),
            }
            .unwrap_or(false)
    })?;
    step(6);
    Ok(())
}

/// Upgrade (or, with `dry_run`, only inspect) the database at `path`.
pub fn upgrade(
    path: &Path,
    dry_run: bool,
    env: &UpgradeEnv,
    progress: impl Fn(UpgradeProgress),
) -> Result<UpgradeReport> {
    upgrade_in_place(path, dry_run, true, FULL_CHECK_BYTES, env, progress)
}

/// The upgrade exactly as [`upgrade`] runs it but without writing a backup: only
/// for `bench_upgrade`, which reports the upgrade's own cost. Never for a user's
/// file.
#[doc(hidden)]
pub fn upgrade_without_backup_for_benchmarks(
    path: &Path,
    env: &UpgradeEnv,
    progress: impl Fn(UpgradeProgress),
) -> Result<UpgradeReport> {
    upgrade_in_place(path, false, false, FULL_CHECK_BYTES, env, progress)
}

/// `full_check_below`: file size under which the checks cover the whole file.
fn upgrade_in_place(
    path: &Path,
    dry_run: bool,
    with_backup: bool,
    full_check_below: i64,
    env: &UpgradeEnv,
    progress: impl Fn(UpgradeProgress),
) -> Result<UpgradeReport> {
    let path = db::absolute(path);
    let path = path.as_path();
    progress(UpgradeProgress {
        stage: UpgradeStage::Inspecting,
        done: 0,
        total: 1,
    });
    precheck(path, !dry_run)?;
    let mut conn = open(path, !dry_run)?;
    let mut run = || -> Result<UpgradeReport> {
        if dry_run {
            // The upgrade runs on a scratch copy in the temp directory (not in
            // memory: the file may be large), removed afterwards.
            let scratch = std::env::temp_dir().join(format!(
                "curator-inspect-{}-{}.db",
                std::process::id(),
                chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
            ));
            let result = (|| {
                let mut copy = Connection::open(&scratch)?;
                copy.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF")?;
                rusqlite::backup::Backup::new(&conn, &mut copy)?.run_to_completion(
                    8192,
                    Duration::ZERO,
                    None,
                )?;
                copy.execute_batch("PRAGMA foreign_keys = OFF")?;
                run_in(&mut copy, path, None, full_check_below, env, &progress)
            })();
            let _ = std::fs::remove_file(&scratch);
            return result;
        }
        // Bring every committed page into the main file first, so that under the
        // write lock the file alone is the database and the backup is a file copy.
        // Best effort: with a reader in the way the backup copies pages instead.
        let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        conn.execute_batch("PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE")?;
        let backup_of = with_backup.then_some(path);
        let result = run_in(&mut conn, path, backup_of, full_check_below, env, &progress);
        match &result {
            Ok(r) if r.changed => {
                progress(UpgradeProgress {
                    stage: UpgradeStage::Committing,
                    done: 0,
                    total: 1,
                });
                conn.execute_batch("COMMIT")?;
            }
            _ => {
                let _ = conn.execute_batch("ROLLBACK");
            }
        }
        result
    };
    let report = run().map_err(map_db(path))?;
    progress(UpgradeProgress {
        stage: UpgradeStage::Done,
        done: 1,
        total: 1,
    });
    Ok(report)
}

/// The upgrade proper on `conn` (already in a transaction, or a scratch copy).
/// `backup_of` names the file to back up before the first change.
fn run_in(
    conn: &mut Connection,
    path: &Path,
    backup_of: Option<&Path>,
    full_check_below: i64,
    env: &UpgradeEnv,
    progress: &dyn Fn(UpgradeProgress),
) -> Result<UpgradeReport> {
    let detected = classify(conn, path)?;
    let before = counts(conn)?;
    let pending = db::pending_versions(conn)?;
    let changed = detected.is_some() || !pending.is_empty();
    let mut backup = None;
    if changed {
        let mut syncing = None;
        if let Some(file) = backup_of {
            let dest = backup_path(file);
            match write_backup(file, &dest, progress) {
                Ok(handle) => syncing = Some(handle),
                Err(e) => {
                    let _ = std::fs::remove_file(&dest);
                    let _ = std::fs::remove_file(partial_path(&dest));
                    return Err(match e {
                        CoreError::Db(inner) => {
                            let e = explain(&inner, path);
                            CoreError::coded(
                                e.code(),
                                format!("{e} (while writing the backup {})", dest.display()),
                            )
                        }
                        other => other,
                    });
                }
            }
            backup = Some(dest);
        }
        // The backup is renamed from its partial name once on disk, meanwhile.
        let pristine: Vec<PathBuf> = match &backup {
            Some(b) => vec![partial_path(b), b.clone()],
            None => vec![path.to_path_buf()],
        };
        let mut work = || -> Result<()> {
            let schema_before = schema_entries(conn)?;
            let written = Arc::new(Mutex::new(BTreeMap::<String, Written>::new()));
            let sink = written.clone();
            conn.update_hook(Some(
                move |action: rusqlite::hooks::Action, db: &str, table: &str, rowid: i64| {
                    if db == "main" {
                        sink.lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .entry(table.to_string())
                            .or_default()
                            .add(action, rowid);
                    }
                },
            ))?;
            let mut proofs = Proofs::default();
            let result = transform(&*conn, detected.as_ref(), env, progress, &mut proofs);
            let unhooked = conn.update_hook(None::<fn(rusqlite::hooks::Action, &str, &str, i64)>);
            result?;
            unhooked?;
            progress(UpgradeProgress {
                stage: UpgradeStage::Checking,
                done: 0,
                total: 1,
            });
            let written = std::mem::take(&mut *written.lock().unwrap_or_else(|p| p.into_inner()));
            let changes = Changes {
                written: &written,
                schema_before: &schema_before,
                proofs: &proofs,
            };
            verify(conn, &changes, &pristine, full_check_below)
        };
        let worked = work();
        // The backup is on disk before anything can be committed.
        let flushed = match syncing.take() {
            Some(h) => h
                .join()
                .map_err(|_| CoreError::Join("backup flush panicked".into()))
                .and_then(|r| r),
            None => Ok(()),
        };
        let outcome = worked.and(flushed);
        if let Err(e) = outcome {
            if let Some(b) = &backup {
                let _ = std::fs::remove_file(b);
                let _ = std::fs::remove_file(partial_path(b));
            }
            return Err(e);
        }
    }
    let after = counts(conn)?;
    let mut tables = BTreeMap::new();
    for name in before.keys().chain(after.keys()) {
        tables.insert(
            name.clone(),
            TableCounts {
                before: before.get(name).copied().unwrap_or(0),
                after: after.get(name).copied().unwrap_or(0),
            },
        );
    }
    Ok(UpgradeReport {
        detected: detected.map_or_else(|| "curator".to_string(), |d| d.shape),
        changed,
        backup: backup.map(|b| b.display().to_string()),
        schema_version: db::schema_version(conn)?,
        tables,
    })
}

/// What `upgrade` would do, without writing anything (the app's "inspect").
pub fn inspect(path: &Path, env: &UpgradeEnv) -> Result<UpgradeReport> {
    upgrade(path, true, env, |_| {})
}

#[cfg(test)]
#[path = "../../tests/common/gen.rs"]
mod test_gen;

#[cfg(test)]
mod tests {
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
}
