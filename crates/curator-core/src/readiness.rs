//! Readiness per task (readiness.md §5 order, defect 1 fixed): a reason code, a
//! sentence and a fix action id. Tasks evaluated together share one check per
//! provider; one task alone asks only its own providers.

use crate::db::{self, providers::ProviderRow, routes::RouteRow};
use crate::error::{CoreError, ErrorCode, Result};
use crate::providers::catalog::exposed;
use crate::providers::config::{ProviderConfig, Source};
use crate::providers::{ProviderId, RemoteModel};
use crate::routes::{default_model, Task};
use crate::Core;
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::HashMap;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    Type,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ReasonCode {
    NoProvider,
    ProviderUnconfigured,
    ProviderDisabled,
    ProviderUnknown,
    ProviderUnreachable,
    ModelUnconfigured,
    ModelMissing,
    /// The provider asked Curator to wait (429/503/529): the task resumes by itself.
    Paused,
}

/// The action that fixes a reason (readiness.md §6).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    Type,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum FixAction {
    AddProvider,
    ConfigureProvider,
    EnableProvider,
    ChooseModel,
    TestProvider,
    PullModel,
    ExposeModel,
}

impl ReasonCode {
    /// The wire name (what serde writes).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl FixAction {
    /// The wire name (what serde writes).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct TaskReadiness {
    pub ready: bool,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub reason: Option<ReasonCode>,
    pub message: Option<String>,
    pub fix: Option<FixAction>,
    /// The route's fallback model, judged on its own (null when there is none).
    pub fallback: Option<Box<TaskReadiness>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Type, PartialEq)]
pub struct Readiness {
    pub categorization: TaskReadiness,
    pub scoring: TaskReadiness,
}

impl Readiness {
    /// The one line for a banner: the first failing task (categorization, scoring).
    pub fn first_failure(&self) -> Option<&TaskReadiness> {
        [&self.categorization, &self.scoring]
            .into_iter()
            .find(|t| !t.ready)
    }
}

/// What resolving a route (no network) gave.
enum Resolve {
    Done(TaskReadiness),
    Evaluate { id: ProviderId, model: String },
}

fn not_ready(
    provider: Option<String>,
    model: Option<String>,
    reason: ReasonCode,
    message: String,
    fix: FixAction,
    cause: Option<&CoreError>,
) -> TaskReadiness {
    // The underlying error (code and text) goes to the log, not into the sentence.
    if let Some(e) = cause {
        tracing::info!(
            "readiness: {} because {} ({})",
            reason.as_str(),
            e,
            e.code().as_str()
        );
    }
    TaskReadiness {
        ready: false,
        provider,
        model,
        reason: Some(reason),
        message: Some(message),
        fix: Some(fix),
        fallback: None,
    }
}

/// A provider's pause (429/503/529) in force for a task makes it not ready until then.
fn apply_pause(t: &mut TaskReadiness, task: Task, pauses: &[(Task, String, i64, String)]) {
    let Some(p) = t.provider.as_deref() else {
        return;
    };
    if let Some((_, _, until, reason)) = pauses.iter().find(|(pt, pp, _, _)| *pt == task && pp == p)
    {
        let at = chrono::DateTime::from_timestamp_millis(*until)
            .map(|d| d.with_timezone(&chrono::Local).format("%H:%M").to_string())
            .unwrap_or_default();
        t.ready = false;
        t.reason = Some(ReasonCode::Paused);
        t.message = Some(format!(
            "{} is paused until {at} \u{2014} {reason}",
            task.title()
        ));
        t.fix = None;
    }
}

fn resolve(task: Task, route: Option<&RouteRow>, rows: &[ProviderRow]) -> Resolve {
    let t = task.title();
    let Some(route) = route else {
        return Resolve::Done(if rows.is_empty() {
            not_ready(
                None,
                None,
                ReasonCode::NoProvider,
                format!("{t} is paused: no LLM provider is set up."),
                FixAction::AddProvider,
                None,
            )
        } else {
            not_ready(
                None,
                None,
                ReasonCode::ModelUnconfigured,
                format!("{t} is paused: no model is selected."),
                FixAction::ChooseModel,
                None,
            )
        });
    };
    let p = Some(route.provider.clone());
    let route_model = route.model.clone().filter(|m| !m.is_empty());
    let known = ProviderId::parse(&route.provider).ok();
    let name = known.map_or(route.provider.clone(), |i| {
        i.info().display_name.to_string()
    });
    let Some(row) = rows.iter().find(|r| r.provider == route.provider) else {
        return Resolve::Done(not_ready(
            p,
            route_model,
            ReasonCode::ProviderUnconfigured,
            format!("{t} is paused: {name} is not set up."),
            FixAction::ConfigureProvider,
            None,
        ));
    };
    if !row.enabled {
        return Resolve::Done(not_ready(
            p,
            route_model,
            ReasonCode::ProviderDisabled,
            format!("{t} is paused: {name} is disabled."),
            FixAction::EnableProvider,
            None,
        ));
    }
    let Some(id) = known else {
        return Resolve::Done(not_ready(
            p,
            route_model,
            ReasonCode::ProviderUnknown,
            format!("{t} is paused: {name} is not supported in this version of Curator."),
            FixAction::ChooseModel,
            None,
        ));
    };
    let config = match ProviderConfig::parse(id, &row.config, Source::Stored) {
        Ok(c) => c,
        Err(e) => {
            return Resolve::Done(not_ready(
                p,
                route_model,
                ReasonCode::ProviderUnconfigured,
                format!("{t} is paused: {name} is not set up ({e})."),
                FixAction::ConfigureProvider,
                Some(&e),
            ));
        }
    };
    match route_model.or_else(|| default_model(&config, task)) {
        Some(model) => Resolve::Evaluate { id, model },
        None => Resolve::Done(not_ready(
            p,
            None,
            ReasonCode::ModelUnconfigured,
            format!("{t} is paused: no model is selected."),
            FixAction::ChooseModel,
            None,
        )),
    }
}

fn evaluate(task: Task, id: ProviderId, model: String, check: &Check) -> TaskReadiness {
    let t = task.title();
    let name = id.info().display_name;
    let p = Some(id.as_str().to_string());
    match &check.models {
        Err(e @ CoreError::KeyUnreadable { .. }) => not_ready(
            p,
            Some(model),
            ReasonCode::ProviderUnconfigured,
            format!("{t} is paused: the {name} API key could not be read; enter it again."),
            FixAction::ConfigureProvider,
            Some(e),
        ),
        Err(e) if matches!(e.code(), ErrorCode::InvalidConfig | ErrorCode::SecretStore) => {
            not_ready(
                p,
                Some(model),
                ReasonCode::ProviderUnconfigured,
                format!("{t} is paused: {name} is not set up."),
                FixAction::ConfigureProvider,
                Some(e),
            )
        }
        Err(e) => {
            let message = if id == ProviderId::Ollama {
                let endpoint = check.endpoint.as_deref().unwrap_or_default();
                format!("{t} is paused: Ollama is not reachable at {endpoint}. Is it running?")
            } else {
                format!("{t} is paused: {name} could not be reached or rejected the API key.")
            };
            not_ready(
                p,
                Some(model),
                ReasonCode::ProviderUnreachable,
                message,
                FixAction::TestProvider,
                Some(e),
            )
        }
        Ok(list) if list.iter().any(|m| m.name == model) => TaskReadiness {
            ready: true,
            provider: p,
            model: Some(model),
            reason: None,
            message: None,
            fix: None,
            fallback: None,
        },
        Ok(_) if id == ProviderId::Ollama => not_ready(
            p,
            Some(model.clone()),
            ReasonCode::ModelMissing,
            format!("{t} is paused: the model {model} is not installed in Ollama."),
            FixAction::PullModel,
            None,
        ),
        Ok(_) => not_ready(
            p,
            Some(model.clone()),
            ReasonCode::ModelMissing,
            format!("{t} is paused: {model} is not among the models exposed for {name}."),
            FixAction::ExposeModel,
            None,
        ),
    }
}

/// One shared check of a provider: where it was asked, and its exposed models or why
/// there are none.
struct Check {
    endpoint: Option<String>,
    models: std::result::Result<Vec<RemoteModel>, CoreError>,
}

impl Core {
    /// One shared check: the provider's exposed models (cached 120 s), or why not.
    async fn readiness_check(&self, id: ProviderId) -> Check {
        let r = match self.resolve(id.as_str()).await {
            Ok(r) => r,
            Err(e) => {
                return Check {
                    endpoint: None,
                    models: Err(e),
                }
            }
        };
        let models = self
            .catalog(&r, false)
            .await
            .map(|(models, _)| exposed(r.config.selected_models(), models));
        Check {
            endpoint: Some(r.config.endpoint(id)),
            models,
        }
    }

    /// Readiness of both tasks.
    pub async fn task_readiness(&self) -> Result<Readiness> {
        let [categorization, scoring] = self
            .readiness_of([Task::Categorization, Task::Scoring])
            .await?;
        Ok(Readiness {
            categorization,
            scoring,
        })
    }

    /// Readiness of one task: asks only the providers its route and fallback use,
    /// so a provider that does not answer holds back only the tasks routed to it.
    pub async fn task_readiness_of(&self, task: Task) -> Result<TaskReadiness> {
        let [one] = self.readiness_of([task]).await?;
        Ok(one)
    }

    /// Readiness of `tasks`, in that order, with one shared check per provider.
    async fn readiness_of<const N: usize>(&self, tasks: [Task; N]) -> Result<[TaskReadiness; N]> {
        let (rows, routes, pauses) = self
            .db()
            .call(|c| {
                Ok((
                    db::providers::list(c)?,
                    db::routes::list(c)?,
                    crate::tasks::queue::pauses(c, crate::tasks::queue::now_ms())?,
                ))
            })
            .await?;
        let route = |t: Task| routes.iter().find(|r| r.task == t.as_str());
        // Each route's fallback, judged like a route of its own.
        let fallback_of = |t: Task| {
            route(t)
                .and_then(|r| r.fallback.clone())
                .map(|(provider, model)| {
                    let row = RouteRow {
                        task: t.as_str().into(),
                        provider,
                        model: Some(model),
                        batch_size: None,
                        fallback: None,
                    };
                    resolve(t, Some(&row), &rows)
                })
        };
        let resolved: [(Task, Resolve, Option<Resolve>); N] =
            tasks.map(|t| (t, resolve(t, route(t), &rows), fallback_of(t)));
        let mut needed: Vec<ProviderId> = resolved
            .iter()
            .flat_map(|(_, r, fb)| [Some(r), fb.as_ref()])
            .flatten()
            .filter_map(|r| match r {
                Resolve::Evaluate { id, .. } => Some(*id),
                Resolve::Done(_) => None,
            })
            .collect();
        needed.sort();
        needed.dedup();
        let checks =
            futures::future::join_all(needed.iter().map(|id| self.readiness_check(*id))).await;
        let checks: HashMap<ProviderId, Check> = needed.into_iter().zip(checks).collect();
        let judge = |task: Task, r: Resolve| {
            let mut t = match r {
                Resolve::Done(t) => t,
                Resolve::Evaluate { id, model } => evaluate(task, id, model, &checks[&id]),
            };
            apply_pause(&mut t, task, &pauses);
            t
        };
        Ok(resolved.map(|(task, r, fb)| {
            let mut t = judge(task, r);
            t.fallback = fb.map(|fb| Box::new(judge(task, fb)));
            t
        }))
    }
}
