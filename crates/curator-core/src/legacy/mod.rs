//! The lossless upgrade of the earlier reader's databases (schema-history.md).
//!
//! `detect` names the shape; `upgrade` takes a backup with SQLite's online backup
//! API, then runs every step the shape needs — the historical bootstraps, the three
//! Alembic revisions up to 78dd677, and Curator's own migrations — in one
//! transaction, checks `integrity_check` and `foreign_key_check`, and commits. A
//! failure anywhere rolls everything back: the file is left as it was.

mod detect;
pub mod host;
pub mod names;
pub mod schema;
mod steps;

pub use detect::{detect, Detected};

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

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

fn refuse(code: ErrorCode, path: &Path, reason: impl std::fmt::Display) -> CoreError {
    CoreError::coded(
        code,
        format!(
            "cannot upgrade {}: {reason}; nothing was changed",
            path.display()
        ),
    )
}

/// Turn a SQLite failure into a message that says what is wrong with the file.
fn explain(e: &rusqlite::Error, path: &Path) -> CoreError {
    use rusqlite::ErrorCode as C;
    if let rusqlite::Error::SqliteFailure(f, msg) = e {
        let detail = msg.clone().unwrap_or_else(|| f.to_string());
        return match f.code {
            C::DatabaseBusy | C::DatabaseLocked => refuse(
                ErrorCode::DbLocked,
                path,
                "the database is locked by another program (close the reader or Curator and retry)",
            ),
            C::DiskFull => refuse(ErrorCode::DiskFull, path, "the disk is full"),
            C::ReadOnly => refuse(
                ErrorCode::DbReadOnly,
                path,
                "the file or its folder is read-only",
            ),
            C::NotADatabase => refuse(
                ErrorCode::DbCorrupt,
                path,
                "it is not a SQLite database or it is corrupt",
            ),
            C::DatabaseCorrupt => refuse(
                ErrorCode::DbCorrupt,
                path,
                format!("the database is corrupt ({detail})"),
            ),
            C::CannotOpen | C::PermissionDenied => refuse(
                ErrorCode::DbOpen,
                path,
                format!("it cannot be opened ({detail})"),
            ),
            C::SystemIoFailure if f.extended_code == 13 || detail.contains("full") => {
                refuse(ErrorCode::DiskFull, path, "the disk is full")
            }
            C::SystemIoFailure => refuse(
                ErrorCode::Io,
                path,
                format!("disk I/O error ({detail}); is the disk full?"),
            ),
            _ => refuse(ErrorCode::Db, path, detail),
        };
    }
    refuse(ErrorCode::Db, path, e)
}

fn map_db(path: &Path) -> impl Fn(CoreError) -> CoreError + '_ {
    move |e| match e {
        CoreError::Db(inner) => explain(&inner, path),
        CoreError::Coded { code, message, .. } if code == ErrorCode::DbCorrupt => {
            refuse(code, path, message)
        }
        CoreError::Migration(m) => refuse(ErrorCode::Db, path, m),
        other => other,
    }
}

/// Checks made on the bytes of the file before SQLite reads it.
fn precheck(path: &Path, write: bool) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => refuse(ErrorCode::DbOpen, path, "the file does not exist"),
        _ => refuse(ErrorCode::DbOpen, path, e),
    })?;
    if meta.is_dir() {
        return Err(refuse(ErrorCode::DbOpen, path, "it is a directory"));
    }
    if meta.len() == 0 {
        return Err(refuse(
            ErrorCode::DbForeign,
            path,
            "the file is empty, not a database",
        ));
    }
    let mut head = [0u8; 100];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|e| refuse(ErrorCode::DbOpen, path, e))?;
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) => return Err(refuse(ErrorCode::Io, path, e)),
            }
        }
        n
    };
    if n < 16 || &head[..16] != SQLITE_MAGIC {
        return Err(refuse(
            ErrorCode::DbForeign,
            path,
            "it is not a SQLite database",
        ));
    }
    if n < 100 {
        return Err(refuse(
            ErrorCode::DbCorrupt,
            path,
            "the SQLite file is truncated",
        ));
    }
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65536u64,
        p => u64::from(p),
    };
    let pages = u64::from(u32::from_be_bytes([head[28], head[29], head[30], head[31]]));
    let change = &head[24..28];
    let valid_for = &head[92..96];
    if page_size < 512 || !page_size.is_power_of_two() {
        return Err(refuse(
            ErrorCode::DbCorrupt,
            path,
            "the SQLite header is corrupt",
        ));
    }
    if meta.len() % page_size != 0 || (change == valid_for && meta.len() < pages * page_size) {
        return Err(refuse(
            ErrorCode::DbCorrupt,
            path,
            "the SQLite file is truncated",
        ));
    }
    if write && meta.permissions().readonly() {
        return Err(refuse(ErrorCode::DbReadOnly, path, "the file is read-only"));
    }
    Ok(())
}

fn open(path: &Path, write: bool) -> Result<Connection> {
    let flags = if write {
        OpenFlags::SQLITE_OPEN_READ_WRITE
    } else {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    } | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| explain(&e, path))?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(|e| explain(&e, path))?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
        .map_err(|e| explain(&e, path))?;
    Ok(conn)
}

/// What kind of database `conn` holds, refusing what cannot be upgraded.
fn classify(conn: &Connection, path: &Path) -> Result<Option<Detected>> {
    match db::file_kind(conn)? {
        FileKind::Curator => {
            let found = db::schema_version(conn)?;
            let known = db::latest_known_version();
            if found > known {
                return Err(CoreError::DbTooNew {
                    path: path.to_path_buf(),
                    found,
                    known,
                });
            }
            Ok(None)
        }
        FileKind::Fresh => Err(refuse(
            ErrorCode::DbForeign,
            path,
            "the database has no tables, so it is not one of the earlier reader",
        )),
        FileKind::Unmanaged => match detect(conn)? {
            Some(d) => Ok(Some(d)),
            None => {
                let unknown = detect::unknown_revisions(conn)?;
                let reason = if unknown.is_empty() {
                    "it is a database of some other application (no rss-reader tables)".to_string()
                } else {
                    format!(
                        "its Alembic revision {} is unknown to this Curator",
                        unknown.join(", ")
                    )
                };
                Err(refuse(ErrorCode::DbForeign, path, reason))
            }
        },
    }
}

fn counts(conn: &Connection) -> Result<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    for t in schema::user_tables(conn)? {
        let n = schema::count(conn, &t)?;
        out.insert(t, n);
    }
    Ok(out)
}

/// Foreign-key violations as (table, rowid, parent), in `tables` or everywhere.
fn fk_violations(
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

/// Entries of sqlite_master as (table, type/name/sql), to see what DDL touched.
fn schema_entries(conn: &Connection) -> Result<BTreeSet<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT tbl_name, type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Below this size the checks cover the whole file; above it, every table the
/// upgrade wrote (rows or schema) and the tables whose keys point at those.
const FULL_CHECK_BYTES: i64 = 64 << 20;

/// `integrity_check` and `foreign_key_check` before commit. `touched` are the tables
/// the upgrade wrote; `pristine` is an unchanged copy of the file, consulted only
/// when a foreign-key violation is found, to tell new ones from old ones (files of
/// the earliest versions ran without foreign keys and may hold orphans).
fn verify(
    conn: &Connection,
    touched: &BTreeSet<String>,
    pristine: &Path,
    full_below: i64,
) -> Result<()> {
    let size: i64 = conn.query_row(
        "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size",
        [],
        |r| r.get(0),
    )?;
    let full = size < full_below;
    let mut fk_scope = touched.clone();
    if !full {
        for t in schema::user_tables(conn)? {
            let mut stmt = conn.prepare("SELECT \"table\" FROM pragma_foreign_key_list(?1)")?;
            let parents: Vec<String> = stmt
                .query_map([&t], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            if parents.iter().any(|p| touched.contains(p)) {
                fk_scope.insert(t);
            }
        }
    }
    let scope = (!full).then_some(&fk_scope);
    let after = fk_violations(conn, scope)?;
    if !after.is_empty() {
        let old = Connection::open_with_flags(pristine, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let scope: Option<BTreeSet<String>> = scope.map(|s| {
            s.iter()
                .filter(|t| schema::has_table(&old, t).unwrap_or(false))
                .cloned()
                .collect()
        });
        let before = fk_violations(&old, scope.as_ref())?;
        if let Some(v) = after.iter().find(|v| !before.contains(v)) {
            return Err(CoreError::coded(
                ErrorCode::DbCorrupt,
                format!(
                    "foreign_key_check failed: {} row {} has no {} row",
                    v.0, v.1, v.2
                ),
            ));
        }
    }
    let mut problems: Vec<String> = Vec::new();
    let targets: Vec<Option<&String>> = if full {
        vec![None]
    } else {
        touched.iter().map(Some).collect()
    };
    for t in targets {
        let mut stmt = match t {
            None => conn.prepare("PRAGMA integrity_check")?,
            Some(t) => conn.prepare(&format!("PRAGMA integrity_check(\"{t}\")"))?,
        };
        let found: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        problems.extend(found.into_iter().filter(|p| p != "ok"));
    }
    if !problems.is_empty() {
        return Err(CoreError::coded(
            ErrorCode::DbCorrupt,
            format!(
                "the database is corrupt (integrity_check: {})",
                problems.join("; ")
            ),
        ));
    }
    Ok(())
}

/// Everything the upgrade does, on a connection inside a transaction.
fn transform(
    conn: &Connection,
    detected: Option<&Detected>,
    env: &UpgradeEnv,
    progress: &dyn Fn(UpgradeProgress),
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
            if steps::is_json_era(conn)? {
                steps::json_era(conn, &clock)?;
            }
            step(1);
            steps::schema_version_bootstrap(conn, &clock)?;
            step(2);
            steps::providers_revision(conn, &clock, &mut host_value)?;
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

fn backup_path(path: &Path) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let base = format!("{}.bak-{stamp}", path.display());
    let mut candidate = PathBuf::from(&base);
    let mut n = 1;
    while candidate.exists() {
        candidate = PathBuf::from(format!("{base}-{n}"));
        n += 1;
    }
    candidate
}

/// Copy the database at `src` into a new file with SQLite's online backup API. The
/// caller holds the write lock, so the copy is exactly what the upgrade starts from.
fn write_backup(
    src: &Path,
    dest: &Path,
    progress: &dyn Fn(UpgradeProgress),
) -> Result<std::thread::JoinHandle<Result<()>>> {
    let conn = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    // Read the source through memory mapping: no read() call per page.
    conn.execute_batch("PRAGMA mmap_size = 17179869184")?;
    let conn = &conn;
    let mut out = Connection::open(dest)?;
    out.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;",
    )?;
    {
        let backup = rusqlite::backup::Backup::new(conn, &mut out)?;
        loop {
            let more = backup.step(65536)?;
            let p = backup.progress();
            let total = u64::try_from(p.pagecount).unwrap_or(0);
            let done = total.saturating_sub(u64::try_from(p.remaining).unwrap_or(0));
            progress(UpgradeProgress {
                stage: UpgradeStage::Backup,
                done,
                total,
            });
            match more {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::More => {}
                _ => {
                    return Err(CoreError::Db(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                        None,
                    )))
                }
            }
        }
    }
    out.close().map_err(|(_, e)| e)?;
    // Flush the copy to disk while the upgrade runs; joined before the commit.
    let file = dest.to_path_buf();
    Ok(std::thread::spawn(move || {
        std::fs::File::open(&file)
            .and_then(|f| f.sync_all())
            .map_err(|e| {
                CoreError::coded(
                    ErrorCode::Io,
                    format!("cannot write the backup {}: {e}", file.display()),
                )
            })
    }))
}

/// Upgrade (or, with `dry_run`, only inspect) the database at `path`.
pub fn upgrade(
    path: &Path,
    dry_run: bool,
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
            let mut mem = Connection::open_in_memory()?;
            rusqlite::backup::Backup::new(&conn, &mut mem)?.run_to_completion(
                16384,
                Duration::ZERO,
                None,
            )?;
            mem.execute_batch("PRAGMA foreign_keys = OFF")?;
            return run_in(&mut mem, path, None, env, &progress);
        }
        conn.execute_batch("PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE")?;
        let result = run_in(&mut conn, path, Some(path), env, &progress);
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

/// The upgrade proper on `conn` (already in a transaction, or an in-memory copy).
/// `backup_of` names the file to back up before the first change.
fn run_in(
    conn: &mut Connection,
    path: &Path,
    backup_of: Option<&Path>,
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
        let pristine = backup.clone().unwrap_or_else(|| path.to_path_buf());
        let mut work = || -> Result<()> {
            let schema_before = schema_entries(conn)?;
            let written = Arc::new(Mutex::new(BTreeSet::<String>::new()));
            let sink = written.clone();
            conn.update_hook(Some(
                move |_: rusqlite::hooks::Action, _: &str, table: &str, _: i64| {
                    sink.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(table.to_string());
                },
            ))?;
            let result = transform(&*conn, detected.as_ref(), env, progress);
            let unhooked = conn.update_hook(None::<fn(rusqlite::hooks::Action, &str, &str, i64)>);
            result?;
            unhooked?;
            progress(UpgradeProgress {
                stage: UpgradeStage::Checking,
                done: 0,
                total: 1,
            });
            let mut touched: BTreeSet<String> =
                written.lock().unwrap_or_else(|p| p.into_inner()).clone();
            touched.extend(
                schema_entries(conn)?
                    .difference(&schema_before)
                    .map(|(t, _)| t.clone()),
            );
            let tables = schema::user_tables(conn)?;
            touched.retain(|t| tables.contains(t));
            verify(conn, &touched, &pristine, FULL_CHECK_BYTES)
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
mod tests {
    use super::*;

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
            let touched: BTreeSet<String> = ["child".to_string()].into();
            // `other` had an orphan before: not the upgrade's doing.
            verify(&c, &touched, &p, full_below).unwrap();
            let pristine = dir.path().join("pristine.db");
            std::fs::copy(&p, &pristine).unwrap();
            c.execute_batch("PRAGMA foreign_keys = OFF; DELETE FROM parent WHERE id = 1;")
                .unwrap();
            let touched: BTreeSet<String> = ["parent".to_string()].into();
            let err = verify(&c, &touched, &pristine, full_below).unwrap_err();
            assert!(
                err.to_string().contains("foreign_key_check failed: child"),
                "{err}"
            );
        }
    }
}
