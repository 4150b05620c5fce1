//! The lossless upgrade of the earlier reader's databases (schema-history.md).
//!
//! `detect` names the shape; `upgrade` takes a backup (a copy of the checkpointed
//! file under the write lock, made beside the steps when the file has a write-ahead
//! log and on disk before the commit, see `backup`), runs every step the shape needs —
//! the historical bootstraps, the three Alembic revisions up to 78dd677, and
//! Curator's own migrations — in one transaction, checks `integrity_check` and
//! `foreign_key_check`, and commits. A failure anywhere rolls everything back: the
//! file is left as it was.

mod backup;
mod detect;
pub mod google_key;
pub mod host;
pub mod names;
mod open;
mod report;
pub mod schema;
pub(crate) mod shape;
mod steps;
mod verify;

pub use detect::{detect, Detected};
pub use report::{TableCounts, UpgradeProgress, UpgradeReport, UpgradeStage};
pub use shape::Shape;

use crate::db;
use crate::error::{CoreError, Result};
use backup::{backup_path, partial_path, start_backup};
use open::{classify, explain, map_db, open, precheck};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;
use verify::{
    counts, record_writes, schema_entries, stop_recording, verify, Changes, Proofs, WrittenByTable,
    FULL_CHECK_BYTES,
};

/// What an unmanaged database (tables, but no Curator history) is: the earlier
/// reader's, which must go through `upgrade`, or some other application's. The gate
/// `Core::open` hands to `Db::open`.
pub fn gate(conn: &Connection, path: &Path) -> CoreError {
    match detect(conn) {
        Ok(Some(d)) => CoreError::NeedsUpgrade {
            path: path.to_path_buf(),
            shape: d.shape,
        },
        Ok(None) => CoreError::DbForeign {
            path: path.to_path_buf(),
        },
        Err(e) => CoreError::Db(e),
    }
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
    written: &WrittenByTable,
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
            step(1);
            steps::schema_version_bootstrap(conn, &clock)?;
            step(2);
            // Whether another connection still sees `articles` as this one does.
            proofs.articles_unchanged = !written
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains_key("articles");
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

/// The backup to `dest` failed: remove what it left, and say so.
fn backup_failed(e: CoreError, dest: &Path, path: &Path) -> CoreError {
    let _ = std::fs::remove_file(dest);
    let _ = std::fs::remove_file(partial_path(dest));
    match e {
        CoreError::Db(inner) => CoreError::Backup {
            dest: dest.to_path_buf(),
            cause: Box::new(explain(inner, path)),
        },
        other => other,
    }
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
    let mut after = None;
    if changed {
        let wal = schema::is_wal(conn)?;
        let mut job = None;
        if let Some(file) = backup_of {
            let dest = backup_path(file);
            match start_backup(file, &dest, wal, progress) {
                Ok(j) => job = Some(j),
                Err(e) => return Err(backup_failed(e, &dest, path)),
            }
            backup = Some(dest);
        }
        // Where the file as it was can be read, to judge a foreign-key violation:
        // with a write-ahead log, the file itself (another connection sees the last
        // commit, not this transaction); else the backup, complete by now.
        let pristine: Vec<PathBuf> = match &backup {
            Some(b) if !wal => vec![partial_path(b), b.clone()],
            _ => vec![path.to_path_buf()],
        };
        let mut work = || -> Result<BTreeMap<String, i64>> {
            let schema_before = schema_entries(conn)?;
            let recording = record_writes(conn)?;
            let mut proofs = Proofs::default();
            let result = transform(
                &*conn,
                detected.as_ref(),
                env,
                progress,
                &mut proofs,
                &recording,
            );
            let written = stop_recording(conn, &recording);
            result?;
            let written = written?;
            progress(UpgradeProgress {
                stage: UpgradeStage::Checking,
                done: 0,
                total: 1,
            });
            let after = counts(conn)?;
            let changes = Changes {
                written: &written,
                counts_before: &before,
                counts_after: &after,
                schema_before: &schema_before,
                proofs: &proofs,
            };
            verify(conn, &changes, &pristine, full_check_below).map(|()| after)
        };
        let worked = work();
        // The backup is complete and on disk before anything can be committed.
        let flushed = match (job.take(), &backup) {
            (Some(j), Some(dest)) => j.finish(progress).map_err(|e| backup_failed(e, dest, path)),
            _ => Ok(()),
        };
        match worked.and_then(|counted| flushed.map(|()| counted)) {
            Ok(counted) => after = Some(counted),
            Err(e) => {
                if let Some(b) = &backup {
                    let _ = std::fs::remove_file(b);
                    let _ = std::fs::remove_file(partial_path(b));
                }
                return Err(e);
            }
        }
    }
    // Counted before the checks when the upgrade changed something.
    let after = match after {
        Some(counted) => counted,
        None => counts(conn)?,
    };
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
        detected: detected.map_or_else(|| "curator".to_string(), |d| d.shape.to_string()),
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
mod tests;
