//! The two answers the models give, as Rust types. Their JSON Schemas come from these
//! types (schemars): this file is the one place each task's shape is defined. Every
//! provider gets a subset of the same schema (`schema::for_dialect`), and `validate`
//! enforces every limit whatever the provider was told.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// At most this many categories per article (tasks.md §5.4).
pub const MAX_CATEGORIES: usize = 4;
/// At most this many suggested new categories per article.
pub const MAX_SUGGESTED: usize = 2;
/// Scores are integers from 0 to 10.
pub const MAX_SCORE: i64 = 10;

/// One article's categories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CategorizationItem {
    /// The id written in the article's `<article id:…>` tag.
    #[serde(deserialize_with = "lax_int")]
    pub article_id: i64,
    /// The article's primary topics: 1 to 4 human-readable English names, existing ones preferred.
    #[schemars(length(max = 4))]
    pub categories: Vec<String>,
    /// New categories worth creating, only when nothing existing covers a primary topic.
    #[serde(default)]
    #[schemars(length(max = 2))]
    pub suggested_new: Vec<String>,
    /// An existing category to place the suggested new ones under, or null.
    #[serde(default)]
    pub suggested_parent: Option<String>,
}

/// The categorization answer for a batch of articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CategorizationAnswer {
    /// One entry per article of the input, each with its `article_id`.
    pub results: Vec<CategorizationItem>,
}

/// One article's scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScoringItem {
    /// The id written in the article's `<article id:…>` tag.
    #[serde(deserialize_with = "lax_int")]
    pub article_id: i64,
    /// How well the article matches the reader's interests, 0 to 10.
    #[serde(deserialize_with = "lax_int")]
    #[schemars(range(min = 0, max = 10))]
    pub interest_score: i64,
    /// How well written and substantial the article is, 0 to 10, whatever the interest.
    #[serde(deserialize_with = "lax_int")]
    #[schemars(range(min = 0, max = 10))]
    pub quality_score: i64,
    /// One or two sentences explaining the scores.
    pub reasoning: String,
}

/// The scoring answer for a batch of articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScoringAnswer {
    /// One entry per article of the input, each with its `article_id`.
    pub results: Vec<ScoringItem>,
}

/// The original's lax integers: `7`, `7.0` and `"7"` are 7; `7.5`, `true` and `"x"` are
/// errors.
fn lax_int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    use serde::de::Error;
    let v = serde_json::Value::deserialize(d)?;
    lax_int_value(&v).ok_or_else(|| D::Error::custom(format!("expected an integer, got {v}")))
}

/// See `lax_int`.
pub fn lax_int_value(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        serde_json::Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lax_integers_like_the_original() {
        let ok = |v: serde_json::Value| lax_int_value(&v);
        assert_eq!(ok(json!(7)), Some(7));
        assert_eq!(ok(json!(7.0)), Some(7));
        assert_eq!(ok(json!("7")), Some(7));
        assert_eq!(ok(json!(" 8 ")), Some(8));
        assert_eq!(ok(json!(7.5)), None);
        assert_eq!(ok(json!(true)), None);
        assert_eq!(ok(json!("seven")), None);
        assert_eq!(ok(json!(null)), None);
    }

    #[test]
    fn optional_fields_take_defaults_but_null_list_is_an_error() {
        let a: CategorizationItem =
            serde_json::from_value(json!({"article_id": 3, "categories": ["AI"]})).unwrap();
        assert!(a.suggested_new.is_empty());
        assert_eq!(a.suggested_parent, None);
        assert!(serde_json::from_value::<CategorizationItem>(
            json!({"article_id": 3, "categories": [], "suggested_new": null})
        )
        .is_err());
        // Unknown keys are ignored, as the original's validation does.
        assert!(serde_json::from_value::<CategorizationItem>(
            json!({"article_id": 3, "categories": [], "mood": "happy"})
        )
        .is_ok());
    }
}
