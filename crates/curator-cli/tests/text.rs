//! Without `--json`, the CLI prints readable lines that use the same wire names as
//! `--json` (`choose_model`, `file`, `error`), never Rust's Debug names.

use assert_cmd::Command;

fn curator(db: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut c = Command::cargo_bin("curator").unwrap();
    c.env_remove("CURATOR_DB")
        .env("CURATOR_SECRET_STORE", "file")
        .arg("--db")
        .arg(db)
        .args(args);
    if let Some(s) = stdin {
        c.write_stdin(s);
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A port on which nothing listens.
fn refused_base() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://127.0.0.1:{}/v1", l.local_addr().unwrap().port())
}

#[test]
fn text_output_uses_wire_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let config = format!(r#"{{"base_url": "{}", "timeout_s": 1}}"#, refused_base());
    let set = curator(
        &db,
        &[
            "providers",
            "set",
            "openai",
            "--config",
            &config,
            "--api-key-stdin",
        ],
        Some("sk-text-output-0001"),
    );
    assert!(set.contains("key …0001 (file)"), "{set}");
    assert!(!set.contains("File"), "{set}");

    // No route yet: the fix is the wire name of FixAction::ChooseModel.
    let readiness = curator(&db, &["readiness"], None);
    assert!(readiness.contains("[fix: choose_model]"), "{readiness}");
    assert!(!readiness.contains("ChooseModel"), "{readiness}");

    // The provider cannot be reached: its status is the wire name `error`.
    let models = curator(&db, &["models", "--refresh"], None);
    assert!(models.starts_with("openai: error, 0 models"), "{models}");
}
