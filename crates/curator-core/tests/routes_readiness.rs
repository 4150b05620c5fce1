//! Acceptance 4 and 5: routes, use_separate_models, batch sizes, every readiness
//! reason, config saves that leave routes alone, and disconnect as one transaction.

mod common;
use common::*;
use curator_core::readiness::{FixAction, ReasonCode};
use curator_core::routes::{parse_routes_input, Task};
use curator_core::ErrorCode;
use serde_json::json;

fn raw(db: &std::path::Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(db).unwrap();
    c.pragma_update(None, "foreign_keys", "OFF").unwrap();
    c
}

fn routes_json(v: serde_json::Value) -> curator_core::routes::TaskRoutesInput {
    parse_routes_input(&v.to_string()).unwrap()
}

#[tokio::test]
async fn saving_a_provider_config_never_touches_routes() {
    let (_d, _db, core) = temp_core();
    let o = fake("ollama").await;
    let g = fake("google").await;
    configure(&core, "ollama", &o.uri(), 5).await;
    configure(&core, "google", &g.uri(), 5).await;
    core.update_task_routes(routes_json(json!({
        "categorization": {"provider": "ollama", "model": "qwen3:8b", "batch_size": 3},
        "scoring": {"provider": "google", "model": "models/gemini-test-0"},
        "use_separate_models": true
    })))
    .await
    .unwrap();
    let before = core.get_task_routes().await.unwrap();
    // Re-save both providers with other settings and models (the original's defect 4).
    core.update_provider_config(
        "ollama",
        json!({"base_url": "http://LOCALHOST/", "port": 9999, "categorization_model": "other:1b"}),
        None,
    )
    .await
    .unwrap();
    core.update_provider_config(
        "google",
        json!({"selected_models": ["models/x"]}),
        Some("AIza-new-key-000000".into()),
    )
    .await
    .unwrap();
    core.set_provider_enabled("google", false).await.unwrap();
    assert_eq!(core.get_task_routes().await.unwrap(), before);
    let item = core.get_provider_config("ollama").await.unwrap();
    let config = item.config.to_json();
    assert_eq!(config["base_url"], "http://localhost");
    assert_eq!(config["port"], 9999);
}

#[tokio::test]
async fn routes_separate_models_and_batch_sizes() {
    let (_d, db, core) = temp_core();
    // Reads never write: no preferences row appears.
    let r = core.get_task_routes().await.unwrap();
    assert!(r.routes.is_empty() && !r.use_separate_models);
    let prefs: i64 = raw(&db)
        .query_row("SELECT count(*) FROM user_preferences", [], |r| r.get(0))
        .unwrap();
    assert_eq!(prefs, 0);

    let o = fake("ollama").await;
    configure(&core, "ollama", &o.uri(), 5).await;
    // Unknown / unconfigured provider and bad batch sizes are rejected, naming the field.
    for (input, field) in [
        (
            json!({"categorization": {"provider": "mistral", "model": "m"}, "use_separate_models": false}),
            "categorization.provider",
        ),
        (
            json!({"categorization": {"provider": "openai", "model": "m"}, "use_separate_models": false}),
            "categorization.provider",
        ),
        (
            json!({"categorization": {"provider": "ollama", "model": "m", "batch_size": 11}, "use_separate_models": false}),
            "categorization.batch_size",
        ),
        (
            json!({"categorization": {"provider": "ollama", "model": "m"}, "scoring": {"provider": "ollama", "model": "m", "batch_size": 0}, "use_separate_models": true}),
            "scoring.batch_size",
        ),
        (
            json!({"categorization": {"provider": "ollama", "model": "m"}, "use_separate_models": true}),
            "scoring",
        ),
    ] {
        let e = core
            .update_task_routes(routes_json(input))
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRoute);
        assert_eq!(e.details().unwrap()["field"], field);
    }
    assert!(
        core.get_task_routes().await.unwrap().routes.is_empty(),
        "rejected saves change nothing"
    );

    // Separate off: scoring follows categorization; tag-less Ollama names get :latest.
    let r = core
        .update_task_routes(routes_json(json!({"categorization": {"provider": "ollama", "model": "llama3.2", "batch_size": 4}, "scoring": {"provider": "ollama", "model": "qwen3:8b", "batch_size": 2}, "use_separate_models": false})))
        .await
        .unwrap();
    assert_eq!(r.routes.len(), 2);
    assert_eq!(r.routes[0].task, Task::Categorization);
    assert_eq!(r.routes[1].model.as_deref(), Some("llama3.2:latest"));
    assert_eq!(
        (r.routes[0].batch_size, r.routes[1].batch_size),
        (Some(4), Some(2))
    );
    assert!(!r.use_separate_models);
    // Batch sizes are kept unless explicitly changed; null clears.
    let r = core
        .update_task_routes(routes_json(json!({"categorization": {"provider": "ollama", "model": "qwen3:8b"}, "scoring": {"provider": "ollama", "model": "llama3.2:latest", "batch_size": null}, "use_separate_models": true})))
        .await
        .unwrap();
    assert_eq!(
        (r.routes[0].batch_size, r.routes[1].batch_size),
        (Some(4), None)
    );
    assert_eq!(r.routes[1].model.as_deref(), Some("llama3.2:latest"));
    assert!(r.use_separate_models);
    assert_eq!(core.get_task_routes().await.unwrap(), r);
    // A model the provider does not list is saved (readiness flags it).
    core.update_task_routes(routes_json(json!({"categorization": {"provider": "ollama", "model": "ghost:1b"}, "scoring": {"provider": "ollama", "model": "qwen3:8b"}})))
        .await
        .unwrap();
    let ready = core.task_readiness().await.unwrap();
    assert_eq!(ready.categorization.reason, Some(ReasonCode::ModelMissing));
    assert_eq!(ready.categorization.fix, Some(FixAction::PullModel));
    assert!(ready.scoring.ready, "{:?}", ready.scoring);
    assert!(
        ready.scoring.reason.is_none()
            && ready.scoring.message.is_none()
            && ready.scoring.fix.is_none()
    );
}

#[tokio::test]
async fn disconnect_is_one_transaction_and_returns_removed_routes() {
    let (_d, db, core) = temp_core();
    let o = fake("ollama").await;
    let a = fake("anthropic").await;
    configure(&core, "ollama", &o.uri(), 5).await;
    configure(&core, "anthropic", &a.uri(), 5).await;
    core.update_task_routes(routes_json(json!({"categorization": {"provider": "ollama", "model": "qwen3:8b"}, "scoring": {"provider": "anthropic", "model": "claude-test-1"}, "use_separate_models": true})))
        .await
        .unwrap();
    // A failure midway (the config delete aborts after the route delete ran) leaves all as it was.
    raw(&db)
        .execute_batch("CREATE TRIGGER boom BEFORE DELETE ON llm_provider_configs BEGIN SELECT RAISE(ABORT, 'boom'); END;")
        .unwrap();
    let e = core.delete_provider("ollama").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Db);
    assert_eq!(core.get_task_routes().await.unwrap().routes.len(), 2);
    assert_eq!(core.list_providers().await.unwrap().len(), 2);
    raw(&db).execute_batch("DROP TRIGGER boom;").unwrap();

    let removed = core.delete_provider("anthropic").await.unwrap();
    assert_eq!(removed.removed, "anthropic");
    assert_eq!(removed.routes_removed.len(), 1);
    assert_eq!(removed.routes_removed[0].task, "scoring");
    assert_eq!(
        removed.routes_removed[0].model.as_deref(),
        Some("claude-test-1")
    );
    let left = core.get_task_routes().await.unwrap();
    assert_eq!(left.routes.len(), 1);
    assert_eq!(left.routes[0].provider, "ollama");
    let items = core.list_providers().await.unwrap();
    assert_eq!(items.len(), 1);
    assert!(!std::fs::read_to_string(format!("{}.keys", db.display()))
        .unwrap()
        .contains(key_of("anthropic")));
    assert_eq!(
        core.delete_provider("anthropic").await.unwrap_err().code(),
        ErrorCode::ProviderNotFound
    );
    // Scoring has no route now; providers remain: model_unconfigured.
    let r = core.task_readiness().await.unwrap();
    assert_eq!(r.scoring.reason, Some(ReasonCode::ModelUnconfigured));
    let removed = core.delete_provider("ollama").await.unwrap();
    assert_eq!(removed.routes_removed.len(), 1);
    let r = core.task_readiness().await.unwrap();
    assert_eq!(r.categorization.reason, Some(ReasonCode::NoProvider));
    assert_eq!(r.categorization.fix, Some(FixAction::AddProvider));
}

#[tokio::test]
async fn every_readiness_reason_in_order() {
    let (_d, db, core) = temp_core();
    let o = fake("ollama").await;
    let a = fake("anthropic").await;
    let r = core.task_readiness().await.unwrap();
    assert_eq!(
        (r.categorization.reason, r.scoring.reason),
        (Some(ReasonCode::NoProvider), Some(ReasonCode::NoProvider))
    );
    assert!(r
        .categorization
        .message
        .as_deref()
        .unwrap()
        .starts_with("Categorization is paused"));
    assert!(r
        .scoring
        .message
        .as_deref()
        .unwrap()
        .starts_with("Scoring is paused"));

    configure(&core, "ollama", &o.uri(), 5).await;
    let r = core.task_readiness().await.unwrap();
    assert_eq!(r.categorization.reason, Some(ReasonCode::ModelUnconfigured));
    assert_eq!(r.categorization.fix, Some(FixAction::ChooseModel));

    // Route with an empty model and no provider default → model_unconfigured.
    core.update_task_routes(routes_json(json!({"categorization": {"provider": "ollama", "model": ""}, "use_separate_models": false}))).await.unwrap();
    assert_eq!(
        core.task_readiness().await.unwrap().categorization.reason,
        Some(ReasonCode::ModelUnconfigured)
    );
    // Provider default model (Ollama config's categorization_model) is used.
    core.update_provider_config("ollama", json!({"base_url": "http://127.0.0.1", "port": o.address().port(), "categorization_model": "qwen3:8b"}), None).await.unwrap();
    let r = core.task_readiness().await.unwrap();
    assert!(r.categorization.ready, "{:?}", r.categorization);
    assert_eq!(r.categorization.model.as_deref(), Some("qwen3:8b"));

    // provider_disabled.
    core.set_provider_enabled("ollama", false).await.unwrap();
    let r = core.task_readiness().await.unwrap();
    assert_eq!(r.categorization.reason, Some(ReasonCode::ProviderDisabled));
    assert_eq!(r.categorization.fix, Some(FixAction::EnableProvider));
    core.set_provider_enabled("ollama", true).await.unwrap();

    // provider_unreachable (Ollama down), with the endpoint in the sentence.
    let down = refused_base();
    core.update_provider_config("ollama", config_for("ollama", &down, 1), None)
        .await
        .unwrap();
    core.update_task_routes(routes_json(json!({"categorization": {"provider": "ollama", "model": "qwen3:8b"}, "use_separate_models": false}))).await.unwrap();
    let r = core.task_readiness().await.unwrap();
    assert_eq!(
        r.categorization.reason,
        Some(ReasonCode::ProviderUnreachable)
    );
    assert_eq!(r.categorization.fix, Some(FixAction::TestProvider));
    assert!(
        r.categorization.message.as_deref().unwrap().contains(&down),
        "{:?}",
        r.categorization.message
    );
    assert_eq!(
        r.scoring.reason,
        Some(ReasonCode::ProviderUnreachable),
        "shares the check"
    );

    // model_missing for a key-based provider → expose_model.
    configure(&core, "anthropic", &a.uri(), 5).await;
    core.update_provider_config(
        "anthropic",
        json!({"base_url": a.uri(), "selected_models": ["claude-test-0"]}),
        None,
    )
    .await
    .unwrap();
    core.update_task_routes(routes_json(json!({"categorization": {"provider": "anthropic", "model": "claude-test-3"}, "scoring": {"provider": "anthropic", "model": "claude-test-0"}, "use_separate_models": true}))).await.unwrap();
    let r = core.task_readiness().await.unwrap();
    assert_eq!(r.categorization.reason, Some(ReasonCode::ModelMissing));
    assert_eq!(r.categorization.fix, Some(FixAction::ExposeModel));
    assert!(r.scoring.ready, "{:?}", r.scoring);
    assert_eq!(
        a.received_requests().await.unwrap().len(),
        3,
        "one shared check (3 pages), not one per task"
    );

    // provider_unconfigured: key missing.
    let c = raw(&db);
    std::fs::remove_file(format!("{}.keys", db.display())).unwrap();
    let core2 = open_core(&db);
    let r = core2.task_readiness().await.unwrap();
    assert_eq!(
        r.categorization.reason,
        Some(ReasonCode::ProviderUnconfigured)
    );
    assert_eq!(r.categorization.fix, Some(FixAction::ConfigureProvider));

    // provider_unconfigured: route to a provider without a row (foreign keys off).
    c.execute(
        "UPDATE llm_task_routes SET provider = 'openai' WHERE task = 'categorization'",
        [],
    )
    .unwrap();
    // provider_unknown: a row for an id this build does not implement.
    c.execute("INSERT INTO llm_provider_configs (provider, enabled, config_json, updated_at) VALUES ('mistral', 1, '{}', '2026-01-01 00:00:00.000000')", []).unwrap();
    c.execute(
        "UPDATE llm_task_routes SET provider = 'mistral' WHERE task = 'scoring'",
        [],
    )
    .unwrap();
    let r = core2.task_readiness().await.unwrap();
    assert_eq!(
        r.categorization.reason,
        Some(ReasonCode::ProviderUnconfigured)
    );
    assert_eq!(r.scoring.reason, Some(ReasonCode::ProviderUnknown));
    assert_eq!(r.scoring.fix, Some(FixAction::ChooseModel));
    // An invalid stored config is provider_unconfigured naming the key, not a crash.
    c.execute(
        "UPDATE llm_task_routes SET provider = 'ollama' WHERE task = 'categorization'",
        [],
    )
    .unwrap();
    c.execute(
        "UPDATE llm_provider_configs SET config_json = '{\"port\": 0}' WHERE provider = 'ollama'",
        [],
    )
    .unwrap();
    let r = core2.task_readiness().await.unwrap();
    assert_eq!(
        r.categorization.reason,
        Some(ReasonCode::ProviderUnconfigured)
    );
    assert!(
        r.categorization
            .message
            .as_deref()
            .unwrap()
            .contains("port"),
        "{:?}",
        r.categorization.message
    );
    // The JSON shape of the result.
    let v = serde_json::to_value(&r).unwrap();
    let mut keys: Vec<&String> = v["scoring"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["fallback", "fix", "message", "model", "provider", "ready", "reason"]
            .iter()
            .collect::<Vec<_>>(),
        "exact contract keys"
    );
}

/// A task's own readiness asks only the providers its route uses: a provider that
/// never answers, routed only to scoring, is not asked about categorization.
#[tokio::test]
async fn one_task_readiness_asks_only_its_own_providers() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (_d, _db, core) = temp_core();
    let o = fake("ollama").await;
    configure(&core, "ollama", &o.uri(), 5).await;
    // A server that counts the connections it accepts and never answers.
    let asked = std::sync::Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent = format!("http://{}", listener.local_addr().unwrap());
    let count = asked.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(s);
        }
    });
    configure(&core, "openai", &silent, 1).await;
    core.update_task_routes(routes_json(json!({
        "categorization": {"provider": "ollama", "model": "qwen3:8b"},
        "scoring": {"provider": "openai", "model": "gpt-test"},
        "use_separate_models": true
    })))
    .await
    .unwrap();

    let categorization = core.task_readiness_of(Task::Categorization).await.unwrap();
    assert!(categorization.ready, "{categorization:?}");
    assert_eq!(
        asked.load(Ordering::SeqCst),
        0,
        "the silent provider was asked"
    );

    let scoring = core.task_readiness_of(Task::Scoring).await.unwrap();
    assert_eq!(scoring.reason, Some(ReasonCode::ProviderUnreachable));
    assert!(asked.load(Ordering::SeqCst) >= 1);

    // Both at once say the same as each alone.
    let both = core.task_readiness().await.unwrap();
    assert_eq!(both.categorization, categorization);
    assert_eq!(both.scoring.reason, scoring.reason);
}
