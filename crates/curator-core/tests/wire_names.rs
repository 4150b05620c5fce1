//! Every enum that crosses the wire gets its names from serde and strum, never from a
//! hand-kept table: each variant serializes to exactly its `as_str()` name, the names
//! are distinct, and the ones read back parse back. A variant without a wire name (or
//! with a second one) fails here.

use curator_core::model_list::ListStatus;
use curator_core::providers::ollama::PullOutcome;
use curator_core::providers::ProviderId;
use curator_core::readiness::{FixAction, ReasonCode};
use curator_core::routes::Task;
use curator_core::secrets::KeyStoreKind;
use curator_core::upgrade::{Shape, UpgradeStage};
use curator_core::ErrorCode;
use serde::Serialize;
use std::collections::HashSet;
use strum::IntoEnumIterator;

fn check<T: Serialize + std::fmt::Debug + Copy>(
    variants: impl IntoIterator<Item = T>,
    name: impl Fn(T) -> &'static str,
) -> usize {
    let mut seen = HashSet::new();
    for v in variants {
        let wire = serde_json::to_value(v).unwrap();
        assert_eq!(wire, serde_json::json!(name(v)), "{v:?}");
        assert!(seen.insert(name(v)), "{v:?} shares its name");
        assert!(!name(v).is_empty(), "{v:?}");
    }
    seen.len()
}

#[test]
fn every_wire_enum_names_every_variant_once() {
    assert_eq!(check(ErrorCode::iter(), ErrorCode::as_str), 26);
    assert_eq!(check(ReasonCode::iter(), ReasonCode::as_str), 7);
    assert_eq!(check(FixAction::iter(), FixAction::as_str), 7);
    assert_eq!(check(ListStatus::iter(), ListStatus::as_str), 3);
    assert_eq!(check(KeyStoreKind::iter(), KeyStoreKind::as_str), 2);
    assert_eq!(check(PullOutcome::iter(), PullOutcome::as_str), 2);
    assert_eq!(check(UpgradeStage::iter(), UpgradeStage::as_str), 6);
    assert_eq!(
        check(ProviderId::ALL.iter().copied(), ProviderId::as_str),
        5
    );
    assert_eq!(check(Task::ALL.iter().copied(), Task::as_str), 2);
}

#[test]
fn names_read_back_as_the_same_variant() {
    for id in ProviderId::ALL {
        assert_eq!(ProviderId::parse(id.as_str()).unwrap(), *id);
    }
    for t in Task::ALL {
        assert_eq!(t.as_str().parse::<Task>().unwrap(), *t);
    }
    for k in KeyStoreKind::iter() {
        assert_eq!(k.as_str().parse::<KeyStoreKind>().unwrap(), k);
    }
    for c in ErrorCode::iter() {
        let back: ErrorCode = serde_json::from_value(serde_json::json!(c.as_str())).unwrap();
        assert_eq!(back, c);
    }
    let shapes: Vec<&str> = Shape::iter().map(Shape::as_str).collect();
    assert_eq!(shapes.len(), shapes.iter().collect::<HashSet<_>>().len());
    for s in Shape::iter() {
        assert_eq!(s.as_str().parse::<Shape>().unwrap(), s);
    }
    assert_eq!(Shape::Newer.as_str(), "newer");
    assert_eq!(Shape::A3.to_string(), "A3");
}
