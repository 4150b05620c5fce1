//! JSON Schemas of the answers, generated once from the types in `answer.rs`, and the
//! subset each provider dialect accepts (../shared/specs/README.md, schema pitfalls).
//! Whatever a dialect leaves out, `validate` still enforces.

use super::answer::{CategorizationAnswer, ScoringAnswer};
use crate::routes::Task;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// How the schema travels to a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// OpenAI / OpenRouter `json_schema` with `strict: true`: every object closed,
    /// every property required (optional ones as a null union), no `default`.
    Strict,
    /// Anthropic's forced tool `input_schema`: no numeric bounds.
    Tool,
    /// Gemini `responseJsonSchema`: no `additionalProperties`, no type unions.
    Gemini,
    /// Ollama `format`, OpenAI-compatible `json_object` + schema, or the prompt text:
    /// plain JSON Schema with every definition inlined.
    Plain,
}

fn generated(task: Task) -> &'static Value {
    static CAT: OnceLock<Value> = OnceLock::new();
    static SCORE: OnceLock<Value> = OnceLock::new();
    match task {
        Task::Categorization => {
            CAT.get_or_init(|| clean(schemars::schema_for!(CategorizationAnswer).to_value()))
        }
        Task::Scoring => {
            SCORE.get_or_init(|| clean(schemars::schema_for!(ScoringAnswer).to_value()))
        }
    }
}

/// Inline `$ref`s, drop `$defs`, `$schema`, `title` and integer `format`s.
fn clean(root: Value) -> Value {
    let defs = root.get("$defs").cloned().unwrap_or(Value::Null);
    fn walk(v: &Value, defs: &Value) -> Value {
        match v {
            Value::Object(o) => {
                if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                    let name = r.trim_start_matches("#/$defs/");
                    if let Some(d) = defs.get(name) {
                        return walk(d, defs);
                    }
                }
                let mut out = Map::new();
                for (k, x) in o {
                    if matches!(k.as_str(), "$defs" | "$schema" | "title" | "format") {
                        continue;
                    }
                    out.insert(k.clone(), walk(x, defs));
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(|x| walk(x, defs)).collect()),
            other => other.clone(),
        }
    }
    walk(&root, &defs)
}

/// The task's answer schema, with `article_id` limited to the ids asked (this steers
/// small models to valid ids; validation rejects any other id anyway).
pub fn task_schema(task: Task, asked: &[i64]) -> Value {
    let mut s = generated(task).clone();
    if !asked.is_empty() {
        if let Some(id) = s.pointer_mut("/properties/results/items/properties/article_id") {
            id["enum"] = json!(asked);
        }
        // One entry per asked article: grammar-constrained servers then cannot answer
        // with an empty or a runaway list.
        if let Some(results) = s.pointer_mut("/properties/results") {
            results["minItems"] = json!(asked.len());
            results["maxItems"] = json!(asked.len());
        }
    }
    s
}

/// The subset of `schema` a dialect accepts.
pub fn for_dialect(schema: &Value, dialect: Dialect) -> Value {
    fn walk(v: &Value, d: Dialect) -> Value {
        match v {
            Value::Object(o) => {
                let mut out = Map::new();
                for (k, x) in o {
                    let drop = match d {
                        Dialect::Strict => k == "default",
                        Dialect::Tool => matches!(k.as_str(), "minimum" | "maximum" | "default"),
                        Dialect::Gemini => matches!(k.as_str(), "additionalProperties" | "default"),
                        Dialect::Plain => false,
                    };
                    if drop {
                        continue;
                    }
                    if k == "properties" {
                        // Property names are not keywords: keep every one.
                        let props = x
                            .as_object()
                            .map(|p| p.iter().map(|(n, s)| (n.clone(), walk(s, d))).collect())
                            .unwrap_or_default();
                        out.insert(k.clone(), Value::Object(props));
                        continue;
                    }
                    out.insert(k.clone(), walk(x, d));
                }
                let is_object = out.get("type").and_then(Value::as_str) == Some("object");
                if is_object && matches!(d, Dialect::Strict | Dialect::Tool) {
                    out.insert("additionalProperties".into(), json!(false));
                }
                if is_object && d == Dialect::Strict {
                    let names: Vec<Value> = out
                        .get("properties")
                        .and_then(Value::as_object)
                        .map(|p| p.keys().map(|k| json!(k)).collect())
                        .unwrap_or_default();
                    out.insert("required".into(), Value::Array(names));
                }
                if d == Dialect::Gemini {
                    if let Some(Value::Array(types)) = out.get("type").cloned() {
                        out.remove("type");
                        let any: Vec<Value> = types.iter().map(|t| json!({ "type": t })).collect();
                        out.insert("anyOf".into(), Value::Array(any));
                    }
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(|x| walk(x, d)).collect()),
            other => other.clone(),
        }
    }
    walk(schema, dialect)
}

/// The `name` OpenAI's `json_schema` wants (letters, digits, `_`, `-`).
pub fn schema_name(task: Task) -> &'static str {
    match task {
        Task::Categorization => "article_categories",
        Task::Scoring => "article_scores",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_objects(v: &Value, out: &mut Vec<Map<String, Value>>) {
        match v {
            Value::Object(o) => {
                if o.get("type").and_then(Value::as_str) == Some("object") {
                    out.push(o.clone());
                }
                for x in o.values() {
                    all_objects(x, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| all_objects(x, out)),
            _ => {}
        }
    }

    #[test]
    fn generated_schemas_match_the_spec() {
        let s = task_schema(Task::Categorization, &[17, 18]);
        let item = &s["properties"]["results"]["items"];
        assert_eq!(s["required"], json!(["results"]));
        assert_eq!(item["properties"]["categories"]["maxItems"], json!(4));
        assert_eq!(item["properties"]["suggested_new"]["maxItems"], json!(2));
        assert_eq!(item["properties"]["article_id"]["enum"], json!([17, 18]));
        assert_eq!(s["properties"]["results"]["minItems"], json!(2));
        assert_eq!(s["properties"]["results"]["maxItems"], json!(2));
        let req = item["required"].as_array().unwrap();
        assert!(req.contains(&json!("article_id")) && req.contains(&json!("categories")));
        assert!(!req.contains(&json!("suggested_new")));
        assert!(!s.to_string().contains("$ref") && !s.to_string().contains("$defs"));

        let s = task_schema(Task::Scoring, &[]);
        let item = &s["properties"]["results"]["items"];
        for k in ["interest_score", "quality_score"] {
            assert_eq!(item["properties"][k]["type"], json!("integer"));
            assert_eq!(item["properties"][k]["minimum"], json!(0));
            assert_eq!(item["properties"][k]["maximum"], json!(10));
        }
        assert_eq!(item["required"].as_array().unwrap().len(), 4);
        assert!(item["properties"]["article_id"].get("enum").is_none());
    }

    #[test]
    fn strict_closes_every_object_and_requires_every_property() {
        let s = for_dialect(&task_schema(Task::Categorization, &[1]), Dialect::Strict);
        let mut objs = Vec::new();
        all_objects(&s, &mut objs);
        assert_eq!(objs.len(), 2);
        for o in objs {
            assert_eq!(o["additionalProperties"], json!(false));
            let props: Vec<&String> = o["properties"].as_object().unwrap().keys().collect();
            assert_eq!(o["required"].as_array().unwrap().len(), props.len());
        }
        assert!(!s.to_string().contains("\"default\""));
    }

    #[test]
    fn tool_drops_numeric_bounds_and_gemini_drops_additional_properties() {
        let t = for_dialect(&task_schema(Task::Scoring, &[1]), Dialect::Tool);
        assert!(!t.to_string().contains("minimum") && !t.to_string().contains("maximum"));
        let g = for_dialect(&task_schema(Task::Categorization, &[1]), Dialect::Gemini);
        assert!(!g.to_string().contains("additionalProperties"));
        let parent = &g["properties"]["results"]["items"]["properties"]["suggested_parent"];
        assert!(parent.get("type").is_none());
        assert_eq!(parent["anyOf"].as_array().unwrap().len(), 2);
    }
}
