//! The runner: takes batches from the queue in order, calls the task's route (its
//! fallback only for failures worth retrying elsewhere), validates, and writes results
//! in one transaction per batch. Also `test_route`, `rescore` and `queue_status`.
//!
//! Durability: claiming a batch and writing its results are separate transactions; a
//! crash in between leaves the rows `running`, and the next runner (only one per
//! database, held by a lock file) puts them back on the queue. A result is written only
//! while its row is still claimed by this runner, so nothing is written twice.

use super::answer::{CategorizationItem, ScoringItem};
use super::prompt::{self, ArticleInput, CategoryContext, Preferences, SchemaInPrompt};
use super::queue::{self, AttemptOutcome, Failure, LegacyColumns, QueueStatus, ResultMeta};
use super::schema::{schema_name, task_schema};
use super::store;
use super::validate::{self, AnswerError, Checked, ItemResult};
use crate::error::{CoreError, ErrorCode, Result};
use crate::providers::config::ProviderConfig;
use crate::providers::structured::{self, RawAnswer, StructuredMode, StructuredRequest};
use crate::providers::{Conn, ProviderId};
use crate::routes::Task;
use crate::{db, Core};
use backon::{ConstantBuilder, Retryable};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use specta::Type;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Attempts per call for empty or unparseable answers (tasks.md §8.1).
const ANSWER_ATTEMPTS: usize = 3;
/// Pause when a provider rate-limits without saying for how long.
const DEFAULT_PAUSE: Duration = Duration::from_secs(60);
/// How long a route problem (bad key, missing model) keeps a task waiting.
const ROUTE_PROBLEM_PAUSE: Duration = Duration::from_secs(30);
/// Idle poll of the background runner.
const IDLE_POLL: Duration = Duration::from_secs(2);

/// `{code, message}` of a failure in an event or a test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct TaskError {
    pub code: String,
    pub message: String,
}

impl From<&CoreError> for TaskError {
    fn from(e: &CoreError) -> Self {
        Self {
            code: e.code().as_str().into(),
            message: e.to_string(),
        }
    }
}

fn invalid(reason: impl Into<String>) -> TaskError {
    TaskError {
        code: "invalid_answer".into(),
        message: reason.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ResultStatus {
    Done,
    Failed,
    Retry,
}

/// One article's outcome in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct ResultEvent {
    pub task: Task,
    #[specta(type = specta_typescript::Number)]
    pub article_id: i64,
    pub status: ResultStatus,
    pub provider: String,
    pub model: String,
    #[specta(type = specta_typescript::Number)]
    pub latency_ms: u64,
    pub error: Option<TaskError>,
}

/// Totals of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct RunSummary {
    pub categorized: u32,
    pub scored: u32,
    pub failed: u32,
}

/// `run-queue --json` lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    Result(ResultEvent),
    Summary(RunSummary),
}

/// `rescore --json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct RescoreOutcome {
    pub queued: u32,
    pub skipped_running: u32,
}

/// `test-route --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
pub struct RouteTest {
    pub task: Task,
    pub provider: String,
    pub model: String,
    /// The article used; null for the built-in sample.
    #[specta(type = Option<specta_typescript::Number>)]
    pub article_id: Option<i64>,
    #[specta(type = specta_typescript::Number)]
    pub latency_ms: u64,
    pub valid: bool,
    #[specta(type = Option<specta_typescript::Unknown>)]
    pub result: Option<Value>,
    pub error: Option<TaskError>,
    /// The structured-output mode the request used.
    pub mode: StructuredMode,
}

/// How `run_queue` runs.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Drain what is queued and return, instead of waiting for more.
    pub once: bool,
    /// Stops the run after the current batch.
    pub cancel: CancellationToken,
}

/// A provider and model to call for a task.
#[derive(Clone)]
pub(crate) struct Target {
    pub conn: Conn,
    pub model: String,
    /// The connection's setting and what detection found.
    pub mode: StructuredMode,
    pub detected: Option<StructuredMode>,
    pub fallback: bool,
    pub batch_size: usize,
}

impl Target {
    fn id(&self) -> ProviderId {
        self.conn.provider
    }
}

/// A task's route resolved for calling: the primary and the optional fallback.
pub(crate) struct Route {
    pub primary: Target,
    pub fallback: Option<Target>,
}

/// What one call gave.
pub(crate) struct Call {
    pub checked: std::result::Result<Checked, AnswerError>,
    /// The parsed JSON, when the answer was JSON.
    pub parsed: Option<Value>,
    pub mode: StructuredMode,
    pub latency_ms: u64,
}

/// The class of a call failure, for the queue's decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// 429/503/529: pause the task (for the provider); fallback allowed.
    Pause(Option<Duration>),
    /// Timeout, refused, other 5xx: fallback allowed; counts an attempt.
    Transient,
    /// Bad key, missing model or provider: wait for the user; no attempt counted.
    Route,
    /// Anything else (a bad body): counts an attempt.
    Other,
}

fn classify(e: &CoreError) -> Class {
    match e.code() {
        ErrorCode::RateLimited | ErrorCode::Overloaded => Class::Pause(
            e.details()
                .and_then(|d| d.get("retry_after_s").and_then(Value::as_u64))
                .map(Duration::from_secs),
        ),
        ErrorCode::Timeout | ErrorCode::Unreachable | ErrorCode::ServerError => Class::Transient,
        ErrorCode::AuthFailed
        | ErrorCode::NotFound
        | ErrorCode::ModelNotFound
        | ErrorCode::KeyUnreadable
        | ErrorCode::InvalidConfig
        | ErrorCode::ProviderNotFound
        | ErrorCode::UnknownProvider
        | ErrorCode::InvalidRoute
        | ErrorCode::SecretStore => Class::Route,
        _ => Class::Other,
    }
}

/// A sample article for `test_route` when the database has none.
fn sample_article() -> ArticleInput {
    ArticleInput {
        id: 1,
        title: "Rust 1.90 ships a faster linker by default on Linux".into(),
        text: "The Rust project released version 1.90 today. The headline change is that \
the LLD linker is now the default on x86-64 Linux, which the release notes say cuts link \
times of large binaries by up to 40 percent.\n\nThe release also stabilizes several \
standard-library APIs and improves compiler diagnostics for async code."
            .into(),
        is_html: false,
    }
}

fn route_error(task: Task, msg: String) -> CoreError {
    CoreError::invalid_route(task.as_str(), msg)
}

/// Prose with no JSON object in it (not a broken JSON document).
fn is_free_text(head: &str) -> bool {
    !head.contains('{')
}

/// Completion timeout: the connection's timeout, ×4 (a model answers slower than a
/// model list), at most 300 s.
fn completion_timeout(config: &ProviderConfig) -> Duration {
    (config.timeout() * 4).min(Duration::from_secs(300))
}

impl Core {
    /// One provider + model as a call target (with the connection's mode).
    async fn target(
        &self,
        provider: &str,
        model: Option<String>,
        task: Task,
        batch: Option<i64>,
        fallback: bool,
    ) -> Result<Target> {
        let r = self.resolve(provider).await?;
        let model = model
            .filter(|m| !m.is_empty())
            .or_else(|| crate::routes::default_model(&r.config, task))
            .ok_or_else(|| route_error(task, "no model is selected".into()))?;
        let mut conn = self.conn_for(&r)?;
        conn.timeout = completion_timeout(&r.config);
        let st = r.config.structured();
        let (mode, detected) = st;
        let batch_size = batch
            .unwrap_or_else(|| i64::from(r.config.provider_batch_size()))
            .clamp(1, 10) as usize;
        Ok(Target {
            conn,
            model,
            mode,
            detected,
            fallback,
            batch_size,
        })
    }

    /// The task's route and fallback, resolved.
    pub(crate) async fn task_route(&self, task: Task) -> Result<Route> {
        let route = self
            .db()
            .call(move |c| {
                Ok(db::routes::list(c)?
                    .into_iter()
                    .find(|r| r.task == task.as_str()))
            })
            .await?;
        let route =
            route.ok_or_else(|| route_error(task, "no provider is routed for this task".into()))?;
        let primary = self
            .target(
                &route.provider,
                route.model.clone(),
                task,
                route.batch_size,
                false,
            )
            .await?;
        let fallback = match route.fallback.clone() {
            Some((p, m)) => match self.target(&p, Some(m), task, route.batch_size, true).await {
                Ok(mut t) => {
                    t.batch_size = primary.batch_size;
                    Some(t)
                }
                Err(e) => {
                    tracing::warn!("{} fallback {p} is unusable: {e}", task.as_str());
                    None
                }
            },
            None => None,
        };
        Ok(Route { primary, fallback })
    }

    /// Remember the mode that worked on an automatic connection.
    async fn store_detected(&self, provider: ProviderId, mode: StructuredMode) -> Result<()> {
        self.db()
            .call(move |c| {
                c.execute(
                    "UPDATE llm_provider_configs
                     SET config_json = json_set(config_json, '$.structured_output_detected', ?2)
                     WHERE provider = ?1",
                    rusqlite::params![provider.as_str(), mode.as_str()],
                )?;
                Ok(())
            })
            .await
    }

    /// One call of a task for a batch, with answer retries and (on an automatic
    /// connection) mode detection. Transport failures come back as `Err`.
    pub(crate) async fn call_task(
        &self,
        target: &Target,
        task: Task,
        articles: &[ArticleInput],
        ctx: &CategoryContext,
        prefs: &Preferences,
    ) -> Result<Call> {
        let ids: Vec<i64> = articles.iter().map(|a| a.id).collect();
        let schema = task_schema(task, &ids);
        let auto = target.mode == StructuredMode::Auto;
        let mut mode = if auto {
            target.detected.unwrap_or(StructuredMode::JsonSchema)
        } else {
            target.mode
        };
        let start = Instant::now();
        let delay = self.rt.http.retry_policy().min_delay;
        loop {
            let level = if mode.schema_in_prompt() {
                SchemaInPrompt::Full
            } else {
                SchemaInPrompt::Words
            };
            let p = match task {
                Task::Categorization => prompt::categorization(articles, ctx, level),
                Task::Scoring => prompt::scoring(articles, prefs, level),
            };
            let req = StructuredRequest {
                model: &target.model,
                system: &p.system,
                user: &p.user,
                schema: &schema,
                name: schema_name(task),
            };
            let can_step = auto && mode.next().is_some();
            // One attempt: send, then find the JSON. Err(Ok(..)) is an answer problem.
            let attempt = || async {
                match structured::complete(&target.conn, mode, &req).await {
                    Ok(RawAnswer::Object(v)) => Ok(v),
                    Ok(RawAnswer::Text(t)) => validate::extract_json(&t).map_err(Ok),
                    Err(e) => Err(Err(e)),
                }
            };
            let res = attempt
                .retry(
                    ConstantBuilder::default()
                        .with_delay(delay)
                        .with_max_times(ANSWER_ATTEMPTS - 1),
                )
                .when(|e: &std::result::Result<AnswerError, CoreError>| match e {
                    // Free text on an automatic connection moves to the next mode instead.
                    Ok(AnswerError::NotJson(t)) => !(can_step && is_free_text(t)),
                    Ok(a) => a.retryable(),
                    Err(c) => structured::unusable_retryable(c),
                })
                .await;
            match res {
                Ok(v) => {
                    if auto && target.detected != Some(mode) {
                        self.store_detected(target.id(), mode).await?;
                    }
                    let checked = validate::check(task, &v, &ids);
                    return Ok(Call {
                        checked,
                        parsed: Some(v),
                        mode,
                        latency_ms: start.elapsed().as_millis() as u64,
                    });
                }
                Err(Ok(AnswerError::NotJson(t))) if can_step && is_free_text(&t) => {
                    mode = mode.next().unwrap_or(mode);
                }
                Err(Ok(a)) => {
                    return Ok(Call {
                        checked: Err(a),
                        parsed: None,
                        mode,
                        latency_ms: start.elapsed().as_millis() as u64,
                    })
                }
                Err(Err(e)) if can_step && structured::rejects_mode(&e) => {
                    tracing::info!(
                        "{} rejected {}: trying {:?}",
                        target.id().as_str(),
                        mode.as_str(),
                        mode.next()
                    );
                    mode = mode.next().unwrap_or(mode);
                }
                Err(Err(e)) => return Err(e),
            }
        }
    }

    /// Queue counts per task and pauses in force (takes over work the earlier reader
    /// left queued).
    pub async fn queue_status(&self) -> Result<QueueStatus> {
        self.db()
            .call(|c| {
                let now = queue::now_ms();
                let tx = c.transaction()?;
                let cols = queue::legacy_columns(&tx)?;
                queue::adopt_legacy(&tx, cols, now)?;
                let s = queue::status(&tx, now)?;
                tx.commit()?;
                Ok(s)
            })
            .await
    }

    /// The newest failure per task.
    pub async fn last_failures(&self) -> Result<Vec<queue::LastFailure>> {
        self.db().call(|c| queue::last_failures(c)).await
    }

    /// Re-queue the recent-unread selection (tasks.md §7, HEAD: full pass), never an
    /// article being processed. Returns the ids queued as well.
    pub async fn rescore_ids(&self, limit: Option<u32>) -> Result<(RescoreOutcome, Vec<i64>)> {
        let limit = i64::from(limit.unwrap_or(queue::RESCORE_MAX_ARTICLES as u32));
        self.db()
            .call(move |c| {
                let now = queue::now_ms();
                let tx = c.transaction()?;
                let cols = queue::legacy_columns(&tx)?;
                let ids = queue::rescore_selection(&tx, limit)?;
                let skipped = queue::enqueue(&tx, cols, Task::Categorization, &ids, 0, now)?;
                tx.commit()?;
                let queued: Vec<i64> = ids.into_iter().filter(|i| !skipped.contains(i)).collect();
                Ok((
                    RescoreOutcome {
                        queued: queued.len() as u32,
                        skipped_running: skipped.len() as u32,
                    },
                    queued,
                ))
            })
            .await
    }

    /// `rescore`: see `rescore_ids`.
    pub async fn rescore(&self, limit: Option<u32>) -> Result<RescoreOutcome> {
        Ok(self.rescore_ids(limit).await?.0)
    }

    /// Run one task on one article (the newest, or a built-in sample) through the
    /// route, exactly as the queue would; nothing is stored.
    pub async fn test_route(&self, task: Task, article_id: Option<i64>) -> Result<RouteTest> {
        let route = self.task_route(task).await?;
        let (article, ctx, prefs) = self
            .db()
            .call(move |c| {
                let cols = queue::legacy_columns(c)?;
                let id = match article_id {
                    Some(id) => Some(id),
                    None => c
                        .query_row(
                            "SELECT id FROM articles ORDER BY published_at DESC, id DESC LIMIT 1",
                            [],
                            |r| r.get(0),
                        )
                        .optional()?,
                };
                let article = match id {
                    Some(id) => Some(
                        queue::load_articles(c, cols, &[id])?
                            .pop()
                            .ok_or_else(|| CoreError::ArticleNotFound { id })?,
                    ),
                    None => None,
                };
                Ok((article, queue::category_context(c)?, queue::preferences(c)?))
            })
            .await?;
        let (input, article_id) = match article {
            Some(a) => {
                let id = a.id;
                (a, Some(id))
            }
            None => (sample_article(), None),
        };
        let t = &route.primary;
        let call = self
            .call_task(t, task, std::slice::from_ref(&input), &ctx, &prefs)
            .await?;
        let (valid, result, error) = match &call.checked {
            Ok(c) if c.failed.is_empty() && c.ok.len() == 1 => (true, call.parsed.clone(), None),
            Ok(c) => (
                false,
                call.parsed.clone(),
                Some(invalid(
                    c.failed
                        .values()
                        .next()
                        .cloned()
                        .unwrap_or_else(|| "no result".into()),
                )),
            ),
            Err(a) => (false, call.parsed.clone(), Some(invalid(a.reason()))),
        };
        Ok(RouteTest {
            task,
            provider: t.id().as_str().into(),
            model: t.model.clone(),
            article_id,
            latency_ms: call.latency_ms,
            valid,
            result,
            error,
            mode: call.mode,
        })
    }

    /// Process the queue until it is empty (`once`) or until cancelled. Only one runner
    /// per database: a second one gets `db_locked`.
    pub async fn run_queue(
        &self,
        opts: RunOptions,
        on_event: impl Fn(RunEvent) + Send + Sync,
    ) -> Result<RunSummary> {
        let _lock = RunnerLock::acquire(self.db().path())?;
        let claim = format!("{}-{}", std::process::id(), queue::now_ms());
        self.db()
            .call(|c| {
                let now = queue::now_ms();
                let tx = c.transaction()?;
                let cols = queue::legacy_columns(&tx)?;
                queue::recover(&tx, cols, now)?;
                queue::adopt_legacy(&tx, cols, now)?;
                queue::clear_pauses(&tx, now, None)?;
                tx.commit()?;
                Ok(())
            })
            .await?;
        let mut summary = RunSummary::default();
        let emit = |e: RunEvent, s: &mut RunSummary| {
            if let RunEvent::Result(r) = &e {
                match (r.task, r.status) {
                    (Task::Categorization, ResultStatus::Done) => s.categorized += 1,
                    (Task::Scoring, ResultStatus::Done) => s.scored += 1,
                    (_, ResultStatus::Failed) => s.failed += 1,
                    _ => {}
                }
            }
            on_event(e);
        };
        let mut route_blocked: Vec<Task> = Vec::new();
        while !opts.cancel.is_cancelled() {
            let mut worked = false;
            let mut wait_until: Option<i64> = None;
            for &task in Task::ALL {
                if opts.cancel.is_cancelled() {
                    break;
                }
                if opts.once && route_blocked.contains(&task) {
                    continue;
                }
                match self
                    .run_batch(task, &claim, &mut |e| emit(e, &mut summary))
                    .await?
                {
                    BatchOutcome::Worked => worked = true,
                    BatchOutcome::Empty => {}
                    BatchOutcome::Paused(until) => {
                        wait_until = Some(wait_until.map_or(until, |w: i64| w.min(until)));
                    }
                    BatchOutcome::RouteProblem(until) => {
                        route_blocked.push(task);
                        if !opts.once {
                            wait_until = Some(wait_until.map_or(until, |w: i64| w.min(until)));
                        }
                    }
                }
            }
            if worked {
                continue;
            }
            if opts.once && wait_until.is_none() {
                break;
            }
            if !opts.once {
                route_blocked.clear();
            }
            let sleep = match wait_until {
                Some(u) => Duration::from_millis((u - queue::now_ms()).clamp(10, 60_000) as u64),
                None => IDLE_POLL,
            };
            tokio::select! {
                _ = opts.cancel.cancelled() => break,
                _ = tokio::time::sleep(sleep) => {}
            }
        }
        on_event(RunEvent::Summary(summary));
        Ok(summary)
    }

    /// Take one batch of `task` and process it.
    async fn run_batch(
        &self,
        task: Task,
        claim: &str,
        emit: &mut (dyn FnMut(RunEvent) + Send),
    ) -> Result<BatchOutcome> {
        // Nothing queued: no need to resolve the route (keys, config) at all.
        let queued: bool = self
            .db()
            .call(move |c| {
                Ok(c.query_row(
                    "SELECT EXISTS (SELECT 1 FROM curator_task_queue WHERE task = ?1 AND state = 'queued')",
                    [task.as_str()],
                    |r| r.get(0),
                )?)
            })
            .await?;
        if !queued {
            return Ok(BatchOutcome::Empty);
        }
        let route = match self.task_route(task).await {
            Ok(r) => r,
            Err(e) => {
                let queued =
                    self.db()
                        .call(move |c| queue::status(c, 0))
                        .await
                        .map(|s| match task {
                            Task::Categorization => s.categorization.queued,
                            Task::Scoring => s.scoring.queued,
                        })?;
                if queued == 0 {
                    return Ok(BatchOutcome::Empty);
                }
                tracing::warn!("{} cannot run: {e}", task.as_str());
                return Ok(BatchOutcome::RouteProblem(
                    queue::now_ms() + ROUTE_PROBLEM_PAUSE.as_millis() as i64,
                ));
            }
        };
        // Primary unless it is paused; then the fallback unless that is paused too.
        let now = queue::now_ms();
        let pauses = self.db().call(move |c| queue::pauses(c, now)).await?;
        let paused = |t: &Target| {
            pauses
                .iter()
                .find(|(pt, p, _, _)| *pt == task && p == t.id().as_str())
                .map(|(_, _, u, _)| *u)
        };
        let mut targets: Vec<&Target> = Vec::new();
        let mut earliest: Option<i64> = None;
        for t in std::iter::once(&route.primary).chain(route.fallback.as_ref()) {
            match paused(t) {
                Some(u) => earliest = Some(earliest.map_or(u, |e| e.min(u))),
                None => targets.push(t),
            }
        }
        let batch_size = route.primary.batch_size;
        let claim_s = claim.to_string();
        let nothing_to_call = targets.is_empty();
        let (has_work, ids) = self
            .db()
            .call(move |c| {
                let tx = c.transaction()?;
                let cols = queue::legacy_columns(&tx)?;
                let has_work: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM curator_task_queue WHERE task = ?1 AND state = 'queued')",
                    [task.as_str()],
                    |r| r.get(0),
                )?;
                if !has_work || nothing_to_call {
                    return Ok((has_work, Vec::new()));
                }
                let ids = queue::claim_batch(&tx, cols, task, batch_size, &claim_s, queue::now_ms())?;
                tx.commit()?;
                Ok((has_work, ids))
            })
            .await?;
        if !has_work {
            return Ok(BatchOutcome::Empty);
        }
        if nothing_to_call {
            return Ok(BatchOutcome::Paused(earliest.unwrap_or(now + 1000)));
        }
        self.process_claimed(task, &ids, claim, &targets, emit)
            .await
    }
}

/// What one batch did.
enum BatchOutcome {
    Worked,
    Empty,
    /// Everything routed for the task is paused until this time (ms).
    Paused(i64),
    /// The route cannot be called (bad key, no model …); try again at this time.
    RouteProblem(i64),
}

impl Core {
    async fn release(&self, task: Task, ids: &[i64], claim: &str) -> Result<()> {
        let ids = ids.to_vec();
        let claim = claim.to_string();
        self.db()
            .call(move |c| {
                let tx = c.transaction()?;
                let cols = queue::legacy_columns(&tx)?;
                queue::release(&tx, cols, task, &ids, &claim, queue::now_ms())?;
                tx.commit()?;
                Ok(())
            })
            .await
    }

    async fn process_claimed(
        &self,
        task: Task,
        ids: &[i64],
        claim: &str,
        targets: &[&Target],
        emit: &mut (dyn FnMut(RunEvent) + Send),
    ) -> Result<BatchOutcome> {
        let ids_v = ids.to_vec();
        let (articles, ctx, prefs, cols) = self
            .db()
            .call(move |c| {
                let cols = queue::legacy_columns(c)?;
                let ctx = if task == Task::Categorization {
                    queue::category_context(c)?
                } else {
                    CategoryContext::default()
                };
                let prefs = if task == Task::Scoring {
                    queue::preferences(c)?
                } else {
                    Preferences::default()
                };
                Ok((queue::load_articles(c, cols, &ids_v)?, ctx, prefs, cols))
            })
            .await?;
        // Scoring: articles that are blocked now are finished without a call.
        let mut articles = articles;
        if task == Task::Scoring {
            let ids_v: Vec<i64> = articles.iter().map(|a| a.id).collect();
            let claim_s = claim.to_string();
            let blocked: Vec<i64> = self
                .db()
                .call(move |c| {
                    let tx = c.transaction()?;
                    let mut out = Vec::new();
                    for id in ids_v {
                        if queue::holds(&tx, task, id, &claim_s)?
                            && store::finish_if_blocked(&tx, id, queue::now_ms())?
                        {
                            out.push(id);
                        }
                    }
                    tx.commit()?;
                    Ok(out)
                })
                .await?;
            articles.retain(|a| !blocked.contains(&a.id));
            if articles.is_empty() {
                return Ok(BatchOutcome::Worked);
            }
        }
        let mut last_err: Option<(CoreError, &Target)> = None;
        for t in targets {
            match self.call_task(t, task, &articles, &ctx, &prefs).await {
                Ok(call) => {
                    self.write_call(task, &articles, claim, t, call, cols, emit)
                        .await?;
                    return Ok(BatchOutcome::Worked);
                }
                Err(e) => {
                    let class = classify(&e);
                    if let Class::Pause(ra) = class {
                        let until =
                            queue::now_ms() + ra.unwrap_or(DEFAULT_PAUSE).as_millis() as i64;
                        let reason = format!(
                            "{} by {}",
                            if e.code() == ErrorCode::RateLimited {
                                "rate limited"
                            } else {
                                "overloaded"
                            },
                            t.id().info().display_name
                        );
                        let p = t.id().as_str().to_string();
                        self.db()
                            .call(move |c| queue::set_pause(c, task, &p, until, &reason))
                            .await?;
                    }
                    let fallback_allowed = matches!(class, Class::Pause(_) | Class::Transient);
                    last_err = Some((e, t));
                    if !fallback_allowed {
                        break;
                    }
                }
            }
        }
        let Some((e, t)) = last_err else {
            return Ok(BatchOutcome::Worked);
        };
        let class = classify(&e);
        let err = TaskError::from(&e);
        let meta = ResultMeta {
            provider: t.id().as_str().into(),
            model: t.model.clone(),
            fallback_used: t.fallback,
            mode: None,
            latency_ms: 0,
        };
        match class {
            Class::Pause(_) | Class::Route => {
                self.release(
                    task,
                    &articles.iter().map(|a| a.id).collect::<Vec<_>>(),
                    claim,
                )
                .await?;
                for a in &articles {
                    emit(RunEvent::Result(ResultEvent {
                        task,
                        article_id: a.id,
                        status: ResultStatus::Retry,
                        provider: meta.provider.clone(),
                        model: meta.model.clone(),
                        latency_ms: 0,
                        error: Some(err.clone()),
                    }));
                }
                if class == Class::Route {
                    return Ok(BatchOutcome::RouteProblem(
                        queue::now_ms() + ROUTE_PROBLEM_PAUSE.as_millis() as i64,
                    ));
                }
                Ok(BatchOutcome::Worked)
            }
            Class::Transient | Class::Other => {
                let failure = Failure {
                    code: err.code.clone(),
                    reason: err.message.clone(),
                };
                let outcomes = self
                    .fail_all(task, &articles, claim, &failure, &meta, cols)
                    .await?;
                for (id, o) in outcomes {
                    emit(RunEvent::Result(ResultEvent {
                        task,
                        article_id: id,
                        status: if o == AttemptOutcome::Failed {
                            ResultStatus::Failed
                        } else {
                            ResultStatus::Retry
                        },
                        provider: meta.provider.clone(),
                        model: meta.model.clone(),
                        latency_ms: 0,
                        error: Some(err.clone()),
                    }));
                }
                Ok(BatchOutcome::Worked)
            }
        }
    }

    async fn fail_all(
        &self,
        task: Task,
        articles: &[ArticleInput],
        claim: &str,
        failure: &Failure,
        meta: &ResultMeta,
        cols: LegacyColumns,
    ) -> Result<Vec<(i64, AttemptOutcome)>> {
        let ids: Vec<i64> = articles.iter().map(|a| a.id).collect();
        let claim = claim.to_string();
        let failure = failure.clone();
        let meta = meta.clone();
        self.db()
            .call(move |c| {
                let tx = c.transaction()?;
                let now = queue::now_ms();
                let mut out = Vec::new();
                for id in ids {
                    if queue::holds(&tx, task, id, &claim)? {
                        out.push((
                            id,
                            queue::fail_attempt(&tx, cols, task, id, &failure, Some(&meta), now)?,
                        ));
                    }
                }
                tx.commit()?;
                Ok(out)
            })
            .await
    }

    /// Write a call's results and failures in one transaction, then report them.
    #[allow(clippy::too_many_arguments)]
    async fn write_call(
        &self,
        task: Task,
        articles: &[ArticleInput],
        claim: &str,
        t: &Target,
        call: Call,
        cols: LegacyColumns,
        emit: &mut (dyn FnMut(RunEvent) + Send),
    ) -> Result<()> {
        let meta = ResultMeta {
            provider: t.id().as_str().into(),
            model: t.model.clone(),
            fallback_used: t.fallback,
            mode: Some(call.mode.as_str().into()),
            latency_ms: call.latency_ms as i64,
        };
        let ids: Vec<i64> = articles.iter().map(|a| a.id).collect();
        let claim_s = claim.to_string();
        let meta_w = meta.clone();
        let events = self
            .db()
            .call(move |c| {
                let tx = c.transaction()?;
                let now = queue::now_ms();
                let mut events: Vec<(i64, ResultStatus, Option<TaskError>)> = Vec::new();
                let answer_failure = |why: String| Failure {
                    code: "invalid_answer".into(),
                    reason: why,
                };
                for id in ids {
                    if !queue::holds(&tx, task, id, &claim_s)? {
                        continue;
                    }
                    let outcome = match &call.checked {
                        Err(a) => Err(a.reason()),
                        Ok(ch) => match (ch.ok.get(&id), ch.failed.get(&id)) {
                            (Some(r), _) => Ok(r.clone()),
                            (None, Some(why)) => Err(why.clone()),
                            (None, None) => {
                                Err(format!("the answer has no result for article {id}"))
                            }
                        },
                    };
                    match outcome {
                        Ok(ItemResult::Categorization(item)) => {
                            let item = CategorizationItem {
                                article_id: id,
                                ..item
                            };
                            store::finish_categorization(&tx, cols, id, &item, &meta_w, now)?;
                            events.push((id, ResultStatus::Done, None));
                        }
                        Ok(ItemResult::Scoring(item)) => {
                            let item = ScoringItem {
                                article_id: id,
                                ..item
                            };
                            store::finish_scoring(&tx, id, &item, &meta_w, now)?;
                            events.push((id, ResultStatus::Done, None));
                        }
                        Err(why) => {
                            let f = answer_failure(why.clone());
                            let o =
                                queue::fail_attempt(&tx, cols, task, id, &f, Some(&meta_w), now)?;
                            let status = if o == AttemptOutcome::Failed {
                                ResultStatus::Failed
                            } else {
                                ResultStatus::Retry
                            };
                            events.push((id, status, Some(invalid(why))));
                        }
                    }
                }
                tx.commit()?;
                Ok(events)
            })
            .await?;
        for (id, status, error) in events {
            emit(RunEvent::Result(ResultEvent {
                task,
                article_id: id,
                status,
                provider: meta.provider.clone(),
                model: meta.model.clone(),
                latency_ms: meta.latency_ms as u64,
                error,
            }));
        }
        Ok(())
    }
}

/// Progress of a rescore, `n` of `m` articles finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct RescoreProgress {
    pub done: u32,
    pub total: u32,
    pub failed: u32,
}

/// How a followed rescore ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct RescoreResult {
    pub queued: u32,
    pub skipped_running: u32,
    pub done: u32,
    pub failed: u32,
    /// Cancelled: the articles not yet started were taken off the queue.
    pub cancelled: bool,
}

impl Core {
    /// "Save and rescore": queue the selection, then follow it until every article is
    /// finished (processed by whichever runner holds the queue), reporting progress.
    /// Cancelling takes the articles not yet started off the queue.
    pub async fn rescore_followed(
        &self,
        limit: Option<u32>,
        cancel: CancellationToken,
        on_progress: impl Fn(RescoreProgress) + Send + Sync,
    ) -> Result<RescoreResult> {
        let (outcome, ids) = self.rescore_ids(limit).await?;
        let total = ids.len() as u32;
        let mut last: Option<RescoreProgress> = None;
        loop {
            let ids_c = ids.clone();
            let (done, failed) = self
                .db()
                .call(move |c| queue::progress_of(c, &ids_c))
                .await?;
            let p = RescoreProgress {
                done,
                total,
                failed,
            };
            if last != Some(p) {
                on_progress(p);
                last = Some(p);
            }
            if done >= total {
                return Ok(RescoreResult {
                    queued: outcome.queued,
                    skipped_running: outcome.skipped_running,
                    done,
                    failed,
                    cancelled: false,
                });
            }
            tokio::select! {
                _ = cancel.cancelled() => {
                    let ids_c = ids.clone();
                    self.db()
                        .call(move |c| {
                            let tx = c.transaction()?;
                            let cols = queue::legacy_columns(&tx)?;
                            queue::dequeue(&tx, cols, &ids_c)?;
                            tx.commit()?;
                            Ok(())
                        })
                        .await?;
                    let ids_c = ids.clone();
                    let (done, failed) = self.db().call(move |c| queue::progress_of(c, &ids_c)).await?;
                    on_progress(RescoreProgress { done, total, failed });
                    return Ok(RescoreResult {
                        queued: outcome.queued,
                        skipped_running: outcome.skipped_running,
                        done,
                        failed,
                        cancelled: true,
                    });
                }
                _ = tokio::time::sleep(Duration::from_millis(300)) => {}
            }
        }
    }
}

/// One queue runner per database: an exclusive lock on `<db>.queue-lock`, released
/// when the runner ends or its process dies.
struct RunnerLock {
    _file: std::fs::File,
}

impl RunnerLock {
    fn acquire(db: &std::path::Path) -> Result<Self> {
        let mut p = db.as_os_str().to_owned();
        p.push(".queue-lock");
        let path = PathBuf::from(p);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| CoreError::QueueLock {
                path: path.clone(),
                source,
            })?;
        match fs4::fs_std::FileExt::try_lock_exclusive(&file) {
            Ok(true) => Ok(Self { _file: file }),
            Ok(false) => Err(CoreError::QueueBusy { lock: path }),
            Err(source) => Err(CoreError::QueueLock { path, source }),
        }
    }
}

/// Shared handle for a background runner (the app owns one).
pub type SharedCancel = Arc<CancellationToken>;
