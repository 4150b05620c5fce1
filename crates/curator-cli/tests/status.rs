use assert_cmd::Command;
use serde_json::Value;

fn curator() -> Command {
    let mut c = Command::cargo_bin("curator").unwrap();
    c.env_remove("CURATOR_DB");
    c
}

#[test]
fn status_json_follows_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let out = curator()
        .arg("--db")
        .arg(&db)
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let obj = v.as_object().unwrap();
    assert_eq!(obj.len(), 3, "{v}");
    let path = obj["db_path"].as_str().unwrap();
    assert!(std::path::Path::new(path).is_absolute());
    assert_eq!(
        std::fs::canonicalize(path).unwrap(),
        std::fs::canonicalize(&db).unwrap()
    );
    assert!(obj["schema_version"].as_i64().unwrap() >= 1);
    assert_eq!(obj["app_version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn relative_db_path_is_reported_absolute_and_env_var_works() {
    let dir = tempfile::tempdir().unwrap();
    let out = curator()
        .current_dir(dir.path())
        .env("CURATOR_DB", "rel.db")
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["db_path"].as_str().unwrap().ends_with("/rel.db"));
    assert!(std::path::Path::new(v["db_path"].as_str().unwrap()).is_absolute());
    assert!(dir.path().join("rel.db").exists());
}

#[test]
fn status_text_has_the_same_facts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let out = curator()
        .arg("--db")
        .arg(&db)
        .arg("status")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&db.display().to_string()), "{text}");
    assert!(text.contains("schema version:"), "{text}");
    assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
}

#[test]
fn bad_path_fails_with_one_line_naming_it_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("missing-dir").join("x.db");
    let out = curator()
        .arg("--db")
        .arg(&db)
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&db.display().to_string()), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(!dir.path().join("missing-dir").exists());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["code"], "db_open");
}

#[test]
fn non_database_file_is_refused_and_left_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.txt");
    std::fs::write(&db, "just some text, long enough to have a header").unwrap();
    let out = curator()
        .arg("--db")
        .arg(&db)
        .arg("status")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("not a SQLite database") && err.contains("notes.txt"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&db).unwrap(),
        "just some text, long enough to have a header"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
