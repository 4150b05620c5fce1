//! Every answer, whatever the provider or mode, goes through here (tasks.md §9.3): an
//! empty or unparseable answer is retryable; a parseable one that breaks the shape or
//! a limit is a deterministic failure with a reason. Only checked results come out.

use super::answer::{
    lax_int_value, CategorizationItem, ScoringItem, MAX_CATEGORIES, MAX_SCORE, MAX_SUGGESTED,
};
use crate::routes::Task;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Why a whole answer cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    /// Nothing (or only whitespace) came back. Retryable.
    Empty,
    /// The text holds no JSON document. Retryable. Carries the first 500 characters.
    NotJson(String),
    /// JSON, but not the answer's shape (no `results` list). Deterministic.
    Shape(String),
}

impl AnswerError {
    pub fn retryable(&self) -> bool {
        matches!(self, Self::Empty | Self::NotJson(_))
    }

    pub fn reason(&self) -> String {
        match self {
            Self::Empty => "the model's answer was empty".into(),
            Self::NotJson(head) => format!("the model's answer is not JSON: {head}"),
            Self::Shape(why) => format!("the model's answer does not match the schema: {why}"),
        }
    }
}

/// One article's checked result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemResult {
    Categorization(CategorizationItem),
    Scoring(ScoringItem),
}

/// What a batch answer gave, per asked article.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checked {
    /// Valid results for asked articles.
    pub ok: BTreeMap<i64, ItemResult>,
    /// Asked articles without a valid result, with the reason.
    pub failed: BTreeMap<i64, String>,
    /// Ids the answer named that were not asked (rejected).
    pub unknown_ids: Vec<i64>,
}

fn head(s: &str) -> String {
    let mut h: String = s.chars().take(500).collect();
    if s.chars().count() > 500 {
        h.push('…');
    }
    h
}

/// Find the JSON document in a model's text: the whole text, else a fenced block
/// (```json … ```), else the first balanced `{…}` in the text.
pub fn extract_json(text: &str) -> Result<Value, AnswerError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AnswerError::Empty);
    }
    if let Ok(v) = serde_json::from_str::<Value>(t) {
        return Ok(v);
    }
    // Fenced blocks, first one that parses.
    let mut rest = t;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let body_start = after.find('\n').map_or(0, |n| n + 1);
        let lang = &after[..body_start];
        let body = &after[body_start..];
        let Some(end) = body.find("```") else { break };
        if lang.trim().chars().all(|c| c.is_ascii_alphanumeric()) {
            if let Ok(v) = serde_json::from_str::<Value>(body[..end].trim()) {
                return Ok(v);
            }
        }
        rest = &body[end + 3..];
    }
    // The first balanced object (strings and escapes respected).
    for (start, _) in t.match_indices('{') {
        let mut depth = 0usize;
        let mut in_str = false;
        let mut esc = false;
        for (i, c) in t[start..].char_indices() {
            if in_str {
                match (esc, c) {
                    (true, _) => esc = false,
                    (false, '\\') => esc = true,
                    (false, '"') => in_str = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_str = true,
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        if let Ok(v) = serde_json::from_str::<Value>(&t[start..start + i + 1]) {
                            return Ok(v);
                        }
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    Err(AnswerError::NotJson(head(t)))
}

/// Check a parsed answer against the task's shape and limits for the asked ids.
pub fn check(task: Task, answer: &Value, asked: &[i64]) -> Result<Checked, AnswerError> {
    let results = answer
        .get("results")
        .ok_or_else(|| AnswerError::Shape("no \"results\" list".into()))?
        .as_array()
        .ok_or_else(|| AnswerError::Shape("\"results\" is not a list".into()))?;
    let asked_set: BTreeSet<i64> = asked.iter().copied().collect();
    let mut out = Checked::default();
    for item in results {
        let Some(id) = item.get("article_id").and_then(lax_int_value) else {
            return Err(AnswerError::Shape(
                "a result without a usable integer \"article_id\"".into(),
            ));
        };
        if !asked_set.contains(&id) {
            out.unknown_ids.push(id);
            continue;
        }
        // A second entry for the same article never replaces a valid first one; a
        // valid later entry is taken when the earlier ones broke the limits.
        if out.ok.contains_key(&id) {
            continue;
        }
        match check_item(task, item) {
            Ok(r) => {
                out.failed.remove(&id);
                out.ok.insert(id, r);
            }
            Err(why) => {
                out.failed.insert(id, format!("article {id}: {why}"));
            }
        }
    }
    for id in asked {
        if !out.ok.contains_key(id) && !out.failed.contains_key(id) {
            let mut why = format!("the answer has no result for article {id}");
            if !out.unknown_ids.is_empty() {
                let named: Vec<String> = out.unknown_ids.iter().map(i64::to_string).collect();
                why.push_str(&format!(
                    " (it named article {} instead, which was not asked)",
                    named.join(", ")
                ));
            }
            out.failed.insert(*id, why);
        }
    }
    Ok(out)
}

fn check_item(task: Task, item: &Value) -> Result<ItemResult, String> {
    match task {
        Task::Categorization => {
            let mut it: CategorizationItem =
                serde_json::from_value(item.clone()).map_err(|e| e.to_string())?;
            if it.categories.len() > MAX_CATEGORIES {
                return Err(format!(
                    "{} categories, at most {MAX_CATEGORIES} allowed",
                    it.categories.len()
                ));
            }
            if it.suggested_new.len() > MAX_SUGGESTED {
                return Err(format!(
                    "{} suggested new categories, at most {MAX_SUGGESTED} allowed",
                    it.suggested_new.len()
                ));
            }
            // Names whose slug is empty (only symbols) are dropped.
            it.categories.retain(|n| !super::names::slug(n).is_empty());
            it.suggested_new
                .retain(|n| !super::names::slug(n).is_empty());
            if it
                .suggested_parent
                .as_deref()
                .is_some_and(|p| super::names::slug(p).is_empty())
            {
                it.suggested_parent = None;
            }
            Ok(ItemResult::Categorization(it))
        }
        Task::Scoring => {
            let it: ScoringItem =
                serde_json::from_value(item.clone()).map_err(|e| e.to_string())?;
            for (name, v) in [
                ("interest_score", it.interest_score),
                ("quality_score", it.quality_score),
            ] {
                if !(0..=MAX_SCORE).contains(&v) {
                    return Err(format!("{name} {v} is outside 0 to {MAX_SCORE}"));
                }
            }
            Ok(ItemResult::Scoring(it))
        }
    }
}

/// Parse a model's text and check it (for answers that arrive as text).
pub fn check_text(task: Task, text: &str, asked: &[i64]) -> Result<Checked, AnswerError> {
    check(task, &extract_json(text)?, asked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_and_non_json_are_retryable() {
        assert_eq!(extract_json("  \n"), Err(AnswerError::Empty));
        let e = extract_json("I think it's about AI").unwrap_err();
        assert!(e.retryable());
        assert!(!AnswerError::Shape("x".into()).retryable());
    }

    #[test]
    fn json_is_found_fenced_or_in_prose() {
        let want = json!({"results": []});
        assert_eq!(extract_json("{\"results\": []}").unwrap(), want);
        assert_eq!(
            extract_json("Sure!\n```json\n{\"results\": []}\n```\nDone.").unwrap(),
            want
        );
        assert_eq!(extract_json("```\n{\"results\": []}\n```").unwrap(), want);
        assert_eq!(
            extract_json("Here: {\"results\": []} hope it helps {").unwrap(),
            want
        );
        assert_eq!(
            extract_json("x {\"results\": [], \"n\": \"a}b\"} y").unwrap(),
            json!({"results": [], "n": "a}b"})
        );
    }

    #[test]
    fn valid_categorization_batch() {
        let a = json!({"results": [
            {"article_id": 17, "categories": ["AI", "Programming"], "suggested_new": [], "suggested_parent": null},
            {"article_id": "18", "categories": []}
        ]});
        let c = check(Task::Categorization, &a, &[17, 18]).unwrap();
        assert_eq!(c.ok.len(), 2);
        assert!(c.failed.is_empty());
    }

    #[test]
    fn too_many_categories_fails_that_article_only() {
        let a = json!({"results": [
            {"article_id": 1, "categories": ["A", "B", "C", "D", "E"]},
            {"article_id": 2, "categories": ["A"], "suggested_new": ["X", "Y", "Z"]},
            {"article_id": 3, "categories": ["A"]}
        ]});
        let c = check(Task::Categorization, &a, &[1, 2, 3]).unwrap();
        assert!(c.failed[&1].contains("5 categories, at most 4"));
        assert!(c.failed[&2].contains("3 suggested new"));
        assert_eq!(c.ok.keys().copied().collect::<Vec<_>>(), vec![3]);
    }

    #[test]
    fn symbol_only_names_are_dropped() {
        let a = json!({"results": [{"article_id": 1, "categories": ["AI", "🚀", "&&"], "suggested_new": ["--"], "suggested_parent": "!!"}]});
        let c = check(Task::Categorization, &a, &[1]).unwrap();
        let ItemResult::Categorization(it) = &c.ok[&1] else {
            panic!()
        };
        assert_eq!(it.categories, vec!["AI".to_string()]);
        assert!(it.suggested_new.is_empty());
        assert_eq!(it.suggested_parent, None);
    }

    #[test]
    fn scores_out_of_range_or_fractional_fail() {
        let a = json!({"results": [
            {"article_id": 1, "interest_score": 11, "quality_score": 5, "reasoning": "r"},
            {"article_id": 2, "interest_score": 7.5, "quality_score": 5, "reasoning": "r"},
            {"article_id": 3, "interest_score": -1, "quality_score": 5, "reasoning": "r"},
            {"article_id": 4, "interest_score": "7", "quality_score": 7.0, "reasoning": "r"},
            {"article_id": 5, "interest_score": 3598746, "quality_score": 1, "reasoning": "r"},
            {"article_id": 6, "interest_score": 3, "quality_score": 1}
        ]});
        let c = check(Task::Scoring, &a, &[1, 2, 3, 4, 5, 6]).unwrap();
        assert!(c.failed[&1].contains("interest_score 11 is outside"));
        assert!(c.failed[&2].contains("expected an integer"));
        assert!(c.failed[&3].contains("outside"));
        assert!(c.failed[&5].contains("outside"));
        assert!(c.failed[&6].contains("reasoning"));
        let ItemResult::Scoring(s) = &c.ok[&4] else {
            panic!()
        };
        assert_eq!((s.interest_score, s.quality_score), (7, 7));
    }

    #[test]
    fn ids_not_asked_are_rejected_and_named() {
        let a = json!({"results": [{"article_id": 1, "interest_score": 5, "quality_score": 5, "reasoning": "r"}]});
        let c = check(Task::Scoring, &a, &[17, 18]).unwrap();
        assert!(c.ok.is_empty());
        assert_eq!(c.unknown_ids, vec![1]);
        assert!(c.failed[&17].contains("named article 1 instead"));
        assert!(c.failed[&18].contains("no result for article 18"));
    }

    #[test]
    fn duplicates_and_bad_shapes() {
        // The first valid entry for an article wins; an invalid one is passed over.
        let a = json!({"results": [
            {"article_id": 1, "categories": ["A"]},
            {"article_id": 1, "categories": ["B"]},
            {"article_id": 2, "categories": ["A", "B", "C", "D", "E"]},
            {"article_id": 2, "categories": ["C"]}
        ]});
        let c = check(Task::Categorization, &a, &[1, 2]).unwrap();
        assert!(c.failed.is_empty(), "{c:?}");
        let ItemResult::Categorization(one) = &c.ok[&1] else {
            panic!()
        };
        assert_eq!(one.categories, vec!["A".to_string()]);
        let ItemResult::Categorization(two) = &c.ok[&2] else {
            panic!()
        };
        assert_eq!(two.categories, vec!["C".to_string()]);
        assert!(matches!(
            check(Task::Scoring, &json!({"result": []}), &[1]),
            Err(AnswerError::Shape(_))
        ));
        assert!(matches!(
            check(Task::Scoring, &json!({"results": {}}), &[1]),
            Err(AnswerError::Shape(_))
        ));
        assert!(matches!(
            check(
                Task::Scoring,
                &json!({"results": [{"interest_score": 1}]}),
                &[1]
            ),
            Err(AnswerError::Shape(_))
        ));
        assert!(matches!(
            check(Task::Scoring, &json!([1, 2]), &[1]),
            Err(AnswerError::Shape(_))
        ));
    }
}
