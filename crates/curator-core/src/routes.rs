//! Task routes (`categorization`, `scoring`), `use_separate_models` (one copy, in
//! `user_preferences`) and per-task batch sizes. Reads never write.

use crate::db::{self, routes::RouteRow};
use crate::error::{CoreError, Result};
use crate::providers::config::{check_model_name, normalize_ollama_model, ProviderConfig};
use crate::providers::{printable, ProviderId};
use crate::Core;
use serde::{Deserialize, Deserializer, Serialize};
use specta::Type;

/// The tasks a route serves. Wire and database names come from serde and strum.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    Type,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Task {
    Categorization,
    Scoring,
}

impl Task {
    pub const ALL: &'static [Task] = <Task as strum::VariantArray>::VARIANTS;

    /// The task as written in the database and on the wire.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn title(self) -> &'static str {
        match self {
            Task::Categorization => "Categorization",
            Task::Scoring => "Scoring",
        }
    }
}

/// The provider's default model for a task, when the route names none (providers.md
/// §5): Ollama's per-task models, else the first exposed model.
pub fn default_model(config: &ProviderConfig, task: Task) -> Option<String> {
    match config {
        ProviderConfig::Ollama(c) => match task {
            Task::Categorization => c.categorization_model.clone(),
            Task::Scoring if c.use_separate_models => c
                .scoring_model
                .clone()
                .or_else(|| c.categorization_model.clone()),
            Task::Scoring => c.categorization_model.clone(),
        },
        ProviderConfig::Keyed(c) => c.selected_models.first().cloned(),
    }
}

/// A stored route.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq, Eq)]
pub struct TaskRoute {
    pub task: Task,
    pub provider: String,
    pub model: Option<String>,
    #[specta(type = Option<specta_typescript::Number>)]
    pub batch_size: Option<i64>,
}

/// `get_task_routes` / `routes get`.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq, Eq)]
pub struct TaskRoutes {
    pub routes: Vec<TaskRoute>,
    pub use_separate_models: bool,
}

/// One task's assignment in `update_task_routes`. `batch_size` absent keeps the
/// stored value, `null` clears it, a number (1..10) sets it.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RouteInput {
    pub provider: String,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[specta(optional)]
    #[specta(type = Option<specta_typescript::Number>)]
    pub batch_size: Option<Option<i64>>,
}

/// `update_task_routes` / `routes set`. With `use_separate_models` false, scoring
/// follows categorization (and may be omitted); an absent flag keeps the stored one.
#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TaskRoutesInput {
    pub categorization: RouteInput,
    #[serde(default)]
    pub scoring: Option<RouteInput>,
    #[serde(default)]
    pub use_separate_models: Option<bool>,
}

fn double_option<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// Parse `routes set` JSON text into the input type (the message names the path).
pub fn parse_routes_input(text: &str) -> Result<TaskRoutesInput> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(CoreError::RoutesJson)
}

fn to_dto(rows: Vec<RouteRow>, use_separate_models: bool) -> TaskRoutes {
    TaskRoutes {
        routes: rows
            .into_iter()
            .filter_map(|r| {
                let task = r.task.parse::<Task>().ok()?;
                Some(TaskRoute {
                    task,
                    provider: r.provider,
                    model: r.model,
                    batch_size: r.batch_size,
                })
            })
            .collect(),
        use_separate_models,
    }
}

impl Core {
    /// Routes in task order and the flag. Never writes.
    pub async fn get_task_routes(&self) -> Result<TaskRoutes> {
        self.db()
            .call(|c| {
                Ok(to_dto(
                    db::routes::list(c)?,
                    db::preferences::use_separate_models(c)?,
                ))
            })
            .await
    }

    /// Validate and save both routes and the flag in one transaction.
    pub async fn update_task_routes(&self, input: TaskRoutesInput) -> Result<TaskRoutes> {
        self.db()
            .call(move |c| {
                let tx = c.transaction()?;
                let current = db::routes::list(&tx)?;
                let separate = match input.use_separate_models {
                    Some(b) => b,
                    None => db::preferences::use_separate_models(&tx)?,
                };
                let cat = validate(&tx, Task::Categorization, &input.categorization, &current)?;
                let scoring = match (&input.scoring, separate) {
                    (Some(s), true) => validate(&tx, Task::Scoring, s, &current)?,
                    (None, true) => {
                        return Err(CoreError::invalid_route(
                            "scoring",
                            "required when use_separate_models is true",
                        ))
                    }
                    (s, false) => {
                        // Scoring follows categorization; its own batch size rule still applies.
                        let own = match s {
                            Some(s) => validate(&tx, Task::Scoring, s, &current)?.batch_size,
                            None => keep_batch(&current, Task::Scoring),
                        };
                        RouteRow {
                            task: "scoring".into(),
                            provider: cat.provider.clone(),
                            model: cat.model.clone(),
                            batch_size: own,
                        }
                    }
                };
                db::routes::upsert(&tx, &cat)?;
                db::routes::upsert(&tx, &scoring)?;
                db::preferences::set_use_separate_models(&tx, separate)?;
                let out = to_dto(db::routes::list(&tx)?, separate);
                tx.commit()?;
                Ok(out)
            })
            .await
    }
}

fn keep_batch(current: &[RouteRow], task: Task) -> Option<i64> {
    current
        .iter()
        .find(|r| r.task == task.as_str())
        .and_then(|r| r.batch_size)
}

fn validate(
    conn: &rusqlite::Connection,
    task: Task,
    r: &RouteInput,
    current: &[RouteRow],
) -> Result<RouteRow> {
    let t = task.as_str();
    let id = ProviderId::parse(&r.provider).map_err(|_| {
        CoreError::invalid_route(
            format!("{t}.provider"),
            format!("unknown provider '{}'", printable(&r.provider)),
        )
    })?;
    if db::providers::get(conn, id.as_str())?.is_none() {
        return Err(CoreError::invalid_route(
            format!("{t}.provider"),
            format!("{} is not configured", id.info().display_name),
        ));
    }
    let model = match r.model.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(m) => {
            let m = check_model_name(&format!("{t}.model"), m).map_err(|_| {
                CoreError::invalid_route(
                    format!("{t}.model"),
                    "must be a model name of 1 to 256 printable characters",
                )
            })?;
            Some(if id == ProviderId::Ollama {
                normalize_ollama_model(&m)
            } else {
                m
            })
        }
    };
    let batch_size = match r.batch_size {
        None => keep_batch(current, task),
        Some(None) => None,
        Some(Some(n)) if (1..=10).contains(&n) => Some(n),
        Some(Some(_)) => {
            return Err(CoreError::invalid_route(
                format!("{t}.batch_size"),
                "must be an integer from 1 to 10",
            ))
        }
    };
    Ok(RouteRow {
        task: t.into(),
        provider: id.as_str().into(),
        model,
        batch_size,
    })
}
