//! proptest: random arguments to every command never panic, and invalid ones change
//! nothing (the provider, route and preference tables stay byte-identical).

mod common;
use common::*;
use curator_core::routes::parse_routes_input;
use proptest::prelude::*;
use serde_json::{json, Value};

fn snapshot(db: &std::path::Path) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut out = String::new();
    for q in [
        "SELECT provider, enabled, config_json FROM llm_provider_configs ORDER BY provider",
        "SELECT task, provider, coalesce(model, '<null>'), coalesce(batch_size, -1) FROM llm_task_routes ORDER BY task",
        "SELECT use_separate_models FROM user_preferences",
    ] {
        let mut st = c.prepare(q).unwrap();
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
            })
            .unwrap();
        for r in rows {
            out.push_str(&r.unwrap());
            out.push('\n');
        }
    }
    out
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-5i64..400).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("ollama"),
            Just("openai"),
            Just("google"),
            Just("mistral"),
            Just("http://x"),
            Just("qwen3:8b")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("base_url".to_string()),
                    Just("port".to_string()),
                    Just("batch_size".to_string()),
                    Just("timeout_s".to_string()),
                    Just("selected_models".to_string()),
                    Just("provider".to_string()),
                    Just("model".to_string()),
                    Just("categorization".to_string()),
                    Just("scoring".to_string()),
                    Just("use_separate_models".to_string()),
                    Just("api_key".to_string()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn provider_id() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ollama".to_string()),
        Just("openai".to_string()),
        Just("anthropic".to_string()),
        Just("google".to_string()),
        Just("openrouter".to_string()),
        ".{0,10}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn random_commands_never_panic_and_failures_change_nothing(
        provider in provider_id(),
        config in json_value(),
        key in proptest::option::of(".{0,20}"),
        routes in json_value(),
        routes_text in ".{0,40}",
        model in ".{0,20}",
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let (_d, db, core) = temp_core();
            // Some valid state to protect.
            core.update_provider_config("ollama", json!({"base_url": "http://127.0.0.1", "port": 9, "timeout_s": 1}), None).await.unwrap();
            core.update_task_routes(parse_routes_input(r#"{"categorization": {"provider": "ollama", "model": "a:1", "batch_size": 3}, "use_separate_models": false}"#).unwrap()).await.unwrap();
            let check = |ok: bool, before: &str, what: &str| {
                if !ok {
                    assert_eq!(snapshot(&db), before, "failed {what} changed the database");
                }
            };
            let before = snapshot(&db);
            let r = core.update_provider_config(&provider, config.clone(), key.clone()).await;
            check(r.is_ok(), &before, "update_provider_config");

            let before = snapshot(&db);
            let parsed = serde_json::from_value::<curator_core::routes::TaskRoutesInput>(routes.clone());
            if let Ok(input) = parsed {
                let r = core.update_task_routes(input).await;
                check(r.is_ok(), &before, "update_task_routes");
            }
            let r = parse_routes_input(&routes_text);
            if let Ok(input) = r {
                let before = snapshot(&db);
                let r = core.update_task_routes(input).await;
                check(r.is_ok(), &before, "update_task_routes(text)");
            }
            for f in [true, false] {
                let before = snapshot(&db);
                let r = core.set_provider_enabled(&provider, f).await;
                check(r.is_ok(), &before, "set_provider_enabled");
            }
            let before = snapshot(&db);
            let r = core.ollama_delete_model(&model).await;
            assert!(r.is_err());
            check(false, &before, "ollama_delete_model");
            let _ = core.test_provider(&provider).await;
            let _ = core.list_provider_catalog(&provider).await;
            let _ = core.get_provider_config(&provider).await;
            core.task_readiness().await.unwrap();
            core.get_task_routes().await.unwrap();
            core.list_models(false).await.unwrap();
            let before = snapshot(&db);
            let r = core.delete_provider(&provider).await;
            check(r.is_ok(), &before, "delete_provider");
        });
    }
}
