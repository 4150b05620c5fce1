//! `curator upgrade`: the CLI contract, every bad input, and interruptions.

#[path = "../../curator-core/tests/common/gen.rs"]
mod gen;

use assert_cmd::Command;
use rusqlite::Connection;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn curator() -> Command {
    let mut c = Command::cargo_bin("curator").unwrap();
    c.env_remove("CURATOR_DB");
    for (k, _) in std::env::vars_os() {
        let up = k.to_string_lossy().to_uppercase();
        if up.starts_with("OLLAMA") || up == "CONFIG_FILE" {
            c.env_remove(k);
        }
    }
    c
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../curator-core/tests/fixtures/legacy-db")
        .join(format!("{name}.sqlite"))
}

fn copy_of(name: &str, dir: &Path) -> PathBuf {
    let db = dir.join("legacy.db");
    std::fs::copy(fixture(name), &db).unwrap();
    db
}

/// Run `upgrade` on `db`; expect failure with one stderr line containing `needle`
/// and the file byte-identical.
fn refused(db: &Path, needle: &str) {
    let before = std::fs::read(db).unwrap();
    let out = curator()
        .arg("--db")
        .arg(db)
        .arg("upgrade")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{needle}: exited 0");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(needle), "expected {needle:?} in {err}");
    assert!(
        err.contains("nothing was changed") || needle == "newer Curator",
        "{err}"
    );
    assert_eq!(std::fs::read(db).unwrap(), before, "{needle}: file changed");
}

#[test]
fn json_output_follows_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of("v7-schema-v2-defaults-61f2be6", dir.path());
    let bytes = std::fs::read(&db).unwrap();
    let dry = curator()
        .arg("--db")
        .arg(&db)
        .args(["upgrade", "--json", "--dry-run"])
        .output()
        .unwrap();
    assert!(dry.status.success());
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "dry run wrote");
    let d: Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(d["backup"], Value::Null);
    let out = curator()
        .arg("--db")
        .arg(&db)
        .args(["upgrade", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["detected", "changed", "backup", "schema_version", "tables"]
    );
    assert_eq!(v["detected"], "V7");
    assert_eq!(v["changed"], true);
    assert!(Path::new(v["backup"].as_str().unwrap()).exists());
    assert!(v["schema_version"].as_i64().unwrap() >= 4);
    assert_eq!(
        v["tables"]["articles"],
        serde_json::json!({"before": 48, "after": 48})
    );
    assert_eq!(d["tables"], v["tables"]);
    assert_eq!(d["detected"], v["detected"]);
    let again = curator()
        .arg("--db")
        .arg(&db)
        .args(["upgrade", "--json"])
        .output()
        .unwrap();
    let a: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        (a["changed"].clone(), a["backup"].clone()),
        (Value::Bool(false), Value::Null)
    );
    // Text output names the shape and the backup.
    let dir2 = tempfile::tempdir().unwrap();
    let db2 = copy_of("v0-feeds-articles-0c4da03", dir2.path());
    let text = curator()
        .arg("--db")
        .arg(&db2)
        .arg("upgrade")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("V0") && text.contains(".bak-") && text.contains("articles"),
        "{text}"
    );
}

#[test]
fn not_sqlite_empty_truncated_corrupt_foreign() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.db");
    std::fs::write(&p, "plain text, definitely not a database, but long enough").unwrap();
    refused(&p, "not a SQLite database");

    std::fs::write(&p, b"").unwrap();
    refused(&p, "empty");

    let original = std::fs::read(fixture("v7-schema-v2-defaults-61f2be6")).unwrap();
    std::fs::write(&p, &original[..original.len() / 2 / 4096 * 4096]).unwrap();
    refused(&p, "truncated");

    let mut bad = original.clone();
    for b in &mut bad[4096..original.len() - 4096] {
        *b = 0x5a;
    }
    std::fs::write(&p, &bad).unwrap();
    refused(&p, "corrupt");

    std::fs::remove_file(&p).unwrap();
    let c = Connection::open(&p).unwrap();
    c.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('x');")
        .unwrap();
    drop(c);
    refused(&p, "some other application");
}

#[test]
fn newer_curator_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of("t-target-1c3cc7f7d174-78dd677", dir.path());
    assert!(curator()
        .arg("--db")
        .arg(&db)
        .arg("upgrade")
        .output()
        .unwrap()
        .status
        .success());
    let c = Connection::open(&db).unwrap();
    c.execute_batch(
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'future', '2030-01-01T00:00:00Z', '1');
         PRAGMA wal_checkpoint(TRUNCATE);",
    )
    .unwrap();
    drop(c);
    refused(&db, "newer Curator");
}

#[test]
fn read_only_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of("v5-relational-unversioned-e180fcd", dir.path());
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    refused(&db, "read-only");
}

#[test]
fn locked_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = copy_of("v7-schema-v2-defaults-61f2be6", dir.path());
    let holder = Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    refused(&db, "locked");
    holder.execute_batch("ROLLBACK").unwrap();
}

/// A full disk, simulated with a file size limit on the child (RLIMIT_FSIZE): at
/// half or a third of the file's size the backup copy cannot be written (the
/// first thing to run out of room), so nothing may change.
#[test]
fn full_disk_is_refused() {
    use std::os::unix::process::CommandExt;
    for fraction in [2u64, 3] {
        let dir = tempfile::tempdir().unwrap();
        let db = copy_of("v7-schema-v2-separate-thinking-host-9824235", dir.path());
        let before = std::fs::read(&db).unwrap();
        let limit = before.len() as u64 / fraction;
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("curator"));
        cmd.arg("--db")
            .arg(&db)
            .arg("upgrade")
            .env_remove("OLLAMA__HOST");
        unsafe {
            cmd.pre_exec(move || {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                let lim = libc::rlimit {
                    rlim_cur: limit,
                    rlim_max: limit,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "limit {limit}: exited 0");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains("disk"), "{err}");
        assert!(err.contains("nothing was changed"), "{err}");
        assert_eq!(std::fs::read(&db).unwrap(), before, "file changed");
        let c = Connection::open(&db).unwrap();
        let kind: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'refinery_schema_history'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(kind, 0);
    }
}

fn dump(db: &Path) -> Vec<String> {
    let c = Connection::open(db).unwrap();
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out: Vec<String> = c
        .prepare("SELECT coalesce(sql, '') FROM sqlite_master ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in tables {
        let n: i64 = c
            .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))
            .unwrap();
        let h: Option<String> = c
            .query_row(&format!("SELECT group_concat(quote(rowid), ',') FROM (SELECT rowid FROM \"{t}\" ORDER BY rowid)"), [], |r| r.get(0))
            .unwrap_or(None);
        out.push(format!("{t}:{n}:{}", h.map(|s| s.len()).unwrap_or(0)));
    }
    out
}

/// kill -9 at random moments of an upgrade: the file is always either the
/// untouched original or fully upgraded, and integrity_check passes.
#[test]
fn interrupted_upgrade_leaves_original_or_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.db");
    gen::generate_v7(&base, 3000).unwrap();
    let original = dump(&base);
    // One full run to learn how long an upgrade takes.
    let full = dir.path().join("full.db");
    std::fs::copy(&base, &full).unwrap();
    let t = std::time::Instant::now();
    assert!(curator()
        .arg("--db")
        .arg(&full)
        .arg("upgrade")
        .output()
        .unwrap()
        .status
        .success());
    let span = t.elapsed().as_micros() as u64 + 1;
    let upgraded = dump(&full);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let (mut untouched, mut complete) = (0, 0);
    for i in 0..60 {
        let db = dir.path().join(format!("run{i}.db"));
        std::fs::copy(&base, &db).unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = seed % (span * 11 / 10);
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("curator"))
            .arg("--db")
            .arg(&db)
            .arg("upgrade")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_micros(delay));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let c = Connection::open(&db).unwrap();
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok", "run {i}");
        drop(c);
        let now = dump(&db);
        if now == original {
            untouched += 1;
        } else {
            assert_eq!(now, upgraded, "run {i} (after {delay} µs) is half-upgraded");
            complete += 1;
        }
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            if f.file_name()
                .to_string_lossy()
                .starts_with(&format!("run{i}.db"))
            {
                let _ = std::fs::remove_file(f.path());
            }
        }
    }
    eprintln!("interrupted 60 times: {untouched} untouched, {complete} fully upgraded");
    assert!(untouched > 0, "no kill landed before the commit");
}
