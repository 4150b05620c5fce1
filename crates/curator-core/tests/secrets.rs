//! Acceptance 3: keys in the keychain (a real Secret Service: gnome-keyring under
//! dbus-run-session) or the 0600 file store; no key in the database, the logs, errors
//! or any output. The earlier reader's Google key moves over from its `.keyfile`.

mod common;
use common::*;
use curator_core::readiness::ReasonCode;
use curator_core::secrets::KeyStoreKind;
use curator_core::{Core, CoreOptions, ErrorCode};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use wiremock::matchers::{header, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct LogBuf(Arc<Mutex<Vec<u8>>>);
impl Write for LogBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logs() -> &'static LogBuf {
    static LOGS: OnceLock<LogBuf> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = LogBuf::default();
        let w = buf.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || w.clone())
            .init();
        buf
    })
}

fn assert_no_key(what: &str, text: &[u8]) {
    for (_, k) in KEYS {
        assert!(
            !text.windows(k.len()).any(|w| w == k.as_bytes()),
            "{what} contains a key"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_store_is_0600_and_no_key_leaks_anywhere() {
    let logs = logs();
    let (_d, db, core) = temp_core();
    let mut out: Vec<String> = Vec::new();
    let mut servers = Vec::new();
    for p in ALL {
        let s = fake(p).await;
        configure(&core, p, &s.uri(), 2).await;
        servers.push(s);
    }
    // A server that echoes the key back in its error text.
    let echo = MockServer::start().await;
    Mock::given(path("/v1/models"))
        .and(header("authorization", format!("Bearer {}", key_of("openai")).as_str()))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {"message": format!("Incorrect API key provided: {}", key_of("openai"))}})))
        .mount(&echo)
        .await;
    core.update_provider_config("openai", config_for("openai", &echo.uri(), 2), None)
        .await
        .unwrap();
    let t = core.test_provider("openai").await.unwrap();
    assert_eq!(t.error.as_ref().unwrap().code, ErrorCode::AuthFailed);
    assert!(t.error.as_ref().unwrap().message.contains("****"));
    out.push(serde_json::to_string(&t).unwrap());
    out.push(serde_json::to_string(&core.list_providers().await.unwrap()).unwrap());
    out.push(serde_json::to_string(&core.list_models(true).await.unwrap()).unwrap());
    out.push(serde_json::to_string(&core.task_readiness().await.unwrap()).unwrap());
    for p in ALL {
        out.push(serde_json::to_string(&core.test_provider(p).await.unwrap()).unwrap());
        match core.list_provider_catalog(p).await {
            Ok(c) => out.push(serde_json::to_string(&c).unwrap()),
            Err(e) => out.push(serde_json::to_string(&curator_core::ApiError::from(e)).unwrap()),
        }
    }
    let items = core.list_providers().await.unwrap();
    let google = items
        .iter()
        .find(|i| i.provider.as_str() == "google")
        .unwrap();
    assert!(google.has_key);
    assert_eq!(google.key_last4.as_deref(), Some("0003"));
    assert_eq!(google.key_store, Some(KeyStoreKind::File));
    assert!(!items
        .iter()
        .any(|i| i.config.to_json().get("api_key").is_some()));
    // The keys are where they should be, with 0600.
    let keys_path = format!("{}.keys", db.display());
    let kf = std::fs::read(&keys_path).unwrap();
    assert!(String::from_utf8_lossy(&kf).contains(key_of("google")));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&keys_path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // ...and nowhere else.
    for o in &out {
        assert_no_key("output", o.as_bytes());
    }
    for suffix in ["", "-wal", "-shm"] {
        if let Ok(bytes) = std::fs::read(format!("{}{suffix}", db.display())) {
            assert_no_key("database", &bytes);
        }
    }
    let log = logs.0.lock().unwrap().clone();
    assert!(!log.is_empty(), "logging was captured");
    assert_no_key("logs", &log);
}

/// Runs inside a private D-Bus session with gnome-keyring (see the test below).
#[tokio::test]
#[ignore = "needs a Secret Service; run through keychain_against_a_real_secret_service"]
async fn keychain_inner() {
    let dir = tempfile::tempdir().unwrap();
    let opts = || CoreOptions {
        secret_store: None,
        retry: fast_retry(),
    };
    let a = Core::open_with(&dir.path().join("a.db"), opts()).unwrap();
    assert_eq!(a.key_store().await.unwrap(), KeyStoreKind::Keychain);
    a.update_provider_config("anthropic", json!({}), Some(key_of("anthropic").into()))
        .await
        .unwrap();
    let b = Core::open_with(&dir.path().join("b.db"), opts()).unwrap();
    b.update_provider_config("anthropic", json!({}), None)
        .await
        .unwrap();
    // A new handle on the same database finds the key; another database does not share it.
    let a2 = Core::open_with(&dir.path().join("a.db"), opts()).unwrap();
    let item = a2.get_provider_config("anthropic").await.unwrap();
    assert!(item.has_key && item.key_store == Some(KeyStoreKind::Keychain));
    assert_eq!(item.key_last4.as_deref(), Some("0002"));
    assert!(!b.get_provider_config("anthropic").await.unwrap().has_key);
    assert!(
        !dir.path().join("a.db.keys").exists(),
        "no file store when the keychain answers"
    );
    a2.delete_provider("anthropic").await.unwrap();
    a.update_provider_config("anthropic", json!({}), None)
        .await
        .unwrap();
    assert!(
        !a.get_provider_config("anthropic").await.unwrap().has_key,
        "disconnect deleted the key"
    );
    assert_no_key("database", &std::fs::read(dir.path().join("a.db")).unwrap());
}

#[test]
fn keychain_against_a_real_secret_service() {
    let exe = std::env::current_exe().unwrap();
    let script = format!(
        "printf pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; \
         exec env -u CURATOR_SECRET_STORE {} keychain_inner --exact --ignored --nocapture",
        exe.display()
    );
    let out = std::process::Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .output()
        .expect("dbus-run-session (apt: dbus, dbus-x11, gnome-keyring) must be installed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}

fn legacy_google(db: &std::path::Path, with_keyfile: bool) -> String {
    // A Curator database with a Google row as the original wrote it.
    drop(open_core(db));
    let fkey = fernet::Fernet::generate_key();
    let token = fernet::Fernet::new(&fkey)
        .unwrap()
        .encrypt(key_of("google").as_bytes());
    let c = rusqlite::Connection::open(db).unwrap();
    c.execute(
        "INSERT INTO llm_provider_configs (provider, enabled, config_json, updated_at) VALUES ('google', 1, ?1, '2026-01-01 00:00:00.000000')",
        [json!({"api_key_encrypted": token, "selected_models": ["models/gemini-test-0"], "batch_size": 5}).to_string()],
    )
    .unwrap();
    if with_keyfile {
        std::fs::write(db.with_file_name(".keyfile"), &fkey).unwrap();
    }
    token
}

#[tokio::test]
async fn legacy_google_key_moves_into_the_store() {
    let (_d, db, core) = temp_core();
    drop(core);
    let token = legacy_google(&db, true);
    let core = open_core(&db);
    let items = core.list_providers().await.unwrap();
    assert!(items[0].has_key);
    assert_eq!(
        items[0].config.to_json()["selected_models"],
        json!(["models/gemini-test-0"])
    );
    assert!(items[0].config.to_json().get("api_key_encrypted").is_none());
    let s = fake("google").await;
    core.update_provider_config("google", config_for("google", &s.uri(), 2), None)
        .await
        .unwrap();
    assert!(core.test_provider("google").await.unwrap().ok);
    let raw = std::fs::read(&db).unwrap();
    assert!(!raw.windows(token.len()).any(|w| w == token.as_bytes()));
}

#[tokio::test]
async fn legacy_google_key_without_keyfile_is_key_unreadable() {
    let (_d, db, core) = temp_core();
    drop(core);
    legacy_google(&db, false);
    let core = open_core(&db);
    assert!(!core.list_providers().await.unwrap()[0].has_key);
    let t = core.test_provider("google").await.unwrap();
    assert_eq!(t.error.unwrap().code, ErrorCode::KeyUnreadable);
    core.update_task_routes(
        curator_core::routes::parse_routes_input(r#"{"categorization": {"provider": "google", "model": "models/gemini-test-0"}, "use_separate_models": false}"#).unwrap(),
    )
    .await
    .unwrap();
    let r = core.task_readiness().await.unwrap();
    assert_eq!(
        r.categorization.reason,
        Some(ReasonCode::ProviderUnconfigured)
    );
    assert!(r
        .categorization
        .message
        .unwrap()
        .contains("could not be read"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_key_keeps_config_and_routes() {
    let (_d, db, core) = temp_core();
    let s = fake("openai").await;
    configure(&core, "openai", &s.uri(), 2).await;
    let before = core.get_provider_config("openai").await.unwrap();
    assert!(before.has_key);
    let after = core.delete_provider_key("openai").await.unwrap();
    assert!(!after.has_key);
    assert_eq!(after.key_last4, None);
    assert_eq!(after.config, before.config);
    let kf = std::fs::read_to_string(format!("{}.keys", db.display())).unwrap_or_default();
    assert!(
        !kf.contains(key_of("openai")),
        "the key is gone from the file store"
    );
    // A provider that is not configured is `provider_not_found`, and nothing changes.
    let err = core.delete_provider_key("anthropic").await.unwrap_err();
    assert_eq!(
        curator_core::ApiError::from(err).code,
        ErrorCode::ProviderNotFound
    );
}
