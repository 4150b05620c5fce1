use super::*;
use strum::IntoEnumIterator;

#[test]
fn every_code_has_one_wire_name_that_round_trips() {
    let mut seen = std::collections::HashSet::new();
    for code in ErrorCode::iter() {
        let wire = serde_json::to_value(code).unwrap();
        assert_eq!(wire, json!(code.as_str()), "{code:?}");
        assert_eq!(serde_json::from_value::<ErrorCode>(wire).unwrap(), code);
        assert!(seen.insert(code.as_str()), "{code:?} shares its name");
    }
}

#[test]
fn api_error_json_shape() {
    let e: ApiError = CoreError::invalid_config("base_url", "must be http(s)").into();
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({"code": "invalid_config", "message": "base_url: must be http(s)", "details": {"field": "base_url"}})
    );
    let joined = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async { tokio::spawn(async { panic!("boom") }).await });
    let e: ApiError = CoreError::Join(joined.unwrap_err()).into();
    assert_eq!(e.code, ErrorCode::Internal);
    assert_eq!(serde_json::to_value(&e).unwrap().get("details"), None);
}

#[test]
fn provider_errors_carry_status_and_retry_after_in_details() {
    let mut e = ProviderError::new(ProviderId::Openai, Failure::RateLimited);
    e.status = Some(429);
    e.retry_after = Some(std::time::Duration::from_secs(7));
    e.text = Some("slow down".into());
    let e = CoreError::from(e);
    assert_eq!(e.code(), ErrorCode::RateLimited);
    assert_eq!(e.to_string(), "OpenAI is rate limiting requests: slow down");
    assert_eq!(
        e.details().unwrap(),
        json!({"provider": "openai", "status": 429, "retry_after_s": 7})
    );
}

#[test]
fn underlying_errors_stay_reachable_as_sources() {
    use std::error::Error;
    let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied");
    let e = CoreError::UpgradeRefused {
        path: "/x.db".into(),
        problem: UpgradeProblem::backup_io(std::path::Path::new("/x.bak"), io),
    };
    assert_eq!(e.code(), ErrorCode::Io);
    let src = e.source().expect("has a source");
    let src = src.source().expect("the io::Error");
    assert_eq!(
        src.downcast_ref::<std::io::Error>().unwrap().kind(),
        std::io::ErrorKind::PermissionDenied
    );
    let e = CoreError::UpgradeRefused {
        path: "/x.db".into(),
        problem: UpgradeProblem::from_sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        )),
    };
    assert_eq!(e.code(), ErrorCode::DbLocked);
    assert!(e.source().unwrap().source().is_some(), "the SQLite error");
}
