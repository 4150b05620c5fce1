//! proptest over the binary: random argument lists never panic (exit 0, 1 or 2 with
//! no panic text), and failing ones leave the database as it was.

use proptest::prelude::*;
use std::path::Path;

fn snapshot(db: &Path) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT provider || enabled || config_json FROM llm_provider_configs UNION ALL SELECT task || provider || coalesce(model, '') || coalesce(batch_size, '') FROM llm_task_routes")
        .unwrap();
    let rows: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.join("\n")
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("providers"),
        Just("list"),
        Just("set"),
        Just("enable"),
        Just("disable"),
        Just("remove"),
        Just("test"),
        Just("catalog"),
        Just("models"),
        Just("--refresh"),
        Just("routes"),
        Just("get"),
        Just("readiness"),
        Just("ollama"),
        Just("health"),
        Just("ps"),
        Just("delete"),
        Just("--json"),
        Just("--config"),
        Just("ollama"),
        Just("openai"),
        Just("{}"),
        Just("{\"port\": 0}"),
        Just("[]"),
        Just("{\"categorization\": {\"provider\": \"ollama\", \"model\": \"x\"}}"),
    ]
    .prop_map(str::to_string)
    .boxed()
    // argv cannot carry NUL bytes.
    .prop_union("[^\\x00]{0,8}".boxed())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn random_arguments_never_panic(args in prop::collection::vec(word(), 0..6)) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("p.db");
        let run = |args: &[&str]| {
            assert_cmd::Command::cargo_bin("curator").unwrap()
                .env_remove("CURATOR_DB").env("CURATOR_SECRET_STORE", "file")
                .arg("--db").arg(&db).args(args)
                .timeout(std::time::Duration::from_secs(20))
                .output().unwrap()
        };
        let setup = run(&["providers", "set", "ollama", "--config", "{\"base_url\": \"http://127.0.0.1\", \"port\": 9, \"timeout_s\": 1}"]);
        prop_assert!(setup.status.success());
        let before = snapshot(&db);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&argv);
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(matches!(code, Some(0..=2)), "{argv:?}: {code:?} {stderr}");
        prop_assert!(!stderr.contains("panicked"), "{argv:?}: {stderr}");
        if code != Some(0) {
            prop_assert_eq!(snapshot(&db), before, "{:?} failed but changed the database", argv);
        }
    }
}
