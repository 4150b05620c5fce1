//! The queue's SQL. Curator's own table `curator_task_queue` holds one row per task and
//! article (state, attempts, claim, last failure, who produced the result); every
//! transition is mirrored into the earlier reader's columns in the same transaction,
//! so the file stays meaningful to it: `articles.scoring_state` (78dd677: `queued`,
//! `scoring` while either task runs, `scored`, `failed`), `scoring_priority`,
//! `rescore_mode`, and, in files of the newest original, `categorization_state` and
//! the two attempt counters.

use super::prompt::{ArticleInput, CategoryContext, Preferences};
use crate::error::Result;
use crate::routes::Task;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use specta::Type;
use std::collections::BTreeMap;

/// A task fails for good after this many failed attempts (HEAD's MAX_TASK_RETRIES).
pub const MAX_ATTEMPTS: i64 = 3;
/// Recent-unread selection of a rescore (§7).
pub const RESCORE_LOOKBACK_DAYS: i64 = 7;
pub const RESCORE_MAX_ARTICLES: i64 = 100;

/// Naive local time, `YYYY-MM-DD HH:MM:SS.ffffff`, as the original writes it.
pub(crate) const NOW_LOCAL: &str = "strftime('%Y-%m-%d %H:%M:%f000', 'now', 'localtime')";

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Which of the newest original's article columns this file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LegacyColumns {
    pub categorization_state: bool,
    pub attempts: bool,
    pub content_markdown: bool,
}

pub fn legacy_columns(conn: &Connection) -> Result<LegacyColumns> {
    let mut st = conn.prepare("SELECT name FROM pragma_table_info('articles')")?;
    let names: Vec<String> = st
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let has = |n: &str| names.iter().any(|x| x == n);
    Ok(LegacyColumns {
        categorization_state: has("categorization_state"),
        attempts: has("categorization_attempts") && has("scoring_attempts"),
        content_markdown: has("content_markdown"),
    })
}

/// Counts of one task's rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct TaskCounts {
    pub queued: u32,
    pub running: u32,
    pub done: u32,
    pub failed: u32,
}

/// A task waiting for a provider (`until` RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct Pause {
    pub task: Task,
    pub until: String,
    pub reason: String,
}

/// `queue --json` / `queue_status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct QueueStatus {
    pub categorization: TaskCounts,
    pub scoring: TaskCounts,
    pub paused: Vec<Pause>,
}

/// The last failure of a task, for the settings window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct LastFailure {
    pub task: Task,
    #[specta(type = specta_typescript::Number)]
    pub article_id: i64,
    pub code: Option<String>,
    pub reason: String,
}

fn task_of(s: &str) -> Option<Task> {
    match s {
        "categorization" => Some(Task::Categorization),
        "scoring" => Some(Task::Scoring),
        _ => None,
    }
}

fn rfc3339_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Counts per task and the pauses still in force.
pub fn status(conn: &Connection, now: i64) -> Result<QueueStatus> {
    let mut out = QueueStatus {
        categorization: TaskCounts::default(),
        scoring: TaskCounts::default(),
        paused: Vec::new(),
    };
    let mut st =
        conn.prepare("SELECT task, state, count(*) FROM curator_task_queue GROUP BY task, state")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for row in rows {
        let (task, state, n) = row?;
        let counts = match task_of(&task) {
            Some(Task::Categorization) => &mut out.categorization,
            Some(Task::Scoring) => &mut out.scoring,
            None => continue,
        };
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        match state.as_str() {
            "queued" => counts.queued = n,
            "running" => counts.running = n,
            "done" => counts.done = n,
            "failed" => counts.failed = n,
            _ => {}
        }
    }
    out.paused = pauses(conn, now)?
        .into_iter()
        .map(|(task, _provider, until, reason)| Pause {
            task,
            until: rfc3339_ms(until),
            reason,
        })
        .collect();
    Ok(out)
}

/// Pauses in force: (task, provider, until_ms, reason), earliest first.
pub fn pauses(conn: &Connection, now: i64) -> Result<Vec<(Task, String, i64, String)>> {
    let mut st = conn.prepare(
        "SELECT task, provider, until_ms, reason FROM curator_task_pause
         WHERE until_ms > ?1 ORDER BY until_ms, task",
    )?;
    let rows = st
        .query_map([now], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(t, p, u, r)| task_of(&t).map(|t| (t, p, u, r)))
        .collect())
}

pub fn set_pause(
    conn: &Connection,
    task: Task,
    provider: &str,
    until_ms: i64,
    reason: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO curator_task_pause (task, provider, until_ms, reason) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (task, provider) DO UPDATE SET until_ms = excluded.until_ms, reason = excluded.reason",
        params![task.as_str(), provider, until_ms, reason],
    )?;
    Ok(())
}

/// Forget pauses that have ended (and, with `provider`, that provider's in any case).
pub fn clear_pauses(conn: &Connection, now: i64, provider: Option<&str>) -> Result<()> {
    conn.execute(
        "DELETE FROM curator_task_pause WHERE until_ms <= ?1 OR provider = ?2",
        params![now, provider],
    )?;
    Ok(())
}

/// The newest failure per task (for the settings window's "last failure").
pub fn last_failures(conn: &Connection) -> Result<Vec<LastFailure>> {
    let mut out = Vec::new();
    for &task in Task::ALL {
        let row = conn
            .query_row(
                "SELECT article_id, error_code, error FROM curator_task_queue
                 WHERE task = ?1 AND error IS NOT NULL ORDER BY updated_at_ms DESC LIMIT 1",
                [task.as_str()],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()?;
        if let Some((article_id, code, reason)) = row {
            out.push(LastFailure {
                task,
                article_id,
                code,
                reason,
            });
        }
    }
    Ok(out)
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Put articles on a task's queue (attempts 0, last failure kept for the record).
/// Rows being processed are left alone; returns the ids skipped for that reason.
pub fn enqueue(
    conn: &Connection,
    cols: LegacyColumns,
    task: Task,
    ids: &[i64],
    priority: i64,
    now: i64,
) -> Result<Vec<i64>> {
    let mut skipped = Vec::new();
    let mut ins = conn.prepare_cached(
        "INSERT INTO curator_task_queue (task, article_id, state, priority, published_at, attempts,
                                         enqueued_at_ms, updated_at_ms)
         VALUES (?1, ?2, 'queued', ?3, (SELECT published_at FROM articles WHERE id = ?2), 0, ?4, ?4)
         ON CONFLICT (task, article_id) DO UPDATE SET state = 'queued', priority = excluded.priority,
             published_at = excluded.published_at, attempts = 0, claim = NULL,
             enqueued_at_ms = excluded.enqueued_at_ms, updated_at_ms = excluded.updated_at_ms
         WHERE curator_task_queue.state <> 'running'",
    )?;
    let mut running = conn.prepare_cached(
        "SELECT count(*) FROM curator_task_queue WHERE article_id = ?1 AND state = 'running'",
    )?;
    let mut drop_scoring = conn.prepare_cached(
        "DELETE FROM curator_task_queue WHERE article_id = ?1 AND task = 'scoring' AND state = 'queued'",
    )?;
    let mut cat_pending = conn.prepare_cached(
        "SELECT count(*) FROM curator_task_queue
         WHERE article_id = ?1 AND task = 'categorization' AND state = 'queued'",
    )?;
    for &id in ids {
        let busy: i64 = running.query_row([id], |r| r.get(0))?;
        if busy > 0 {
            skipped.push(id);
            continue;
        }
        if task == Task::Scoring && cat_pending.query_row([id], |r| r.get::<_, i64>(0))? > 0 {
            // A full pass is already queued: it scores after categorizing.
            continue;
        }
        ins.execute(params![task.as_str(), id, priority, now])?;
        if task == Task::Categorization {
            // A full pass re-scores after categorizing: a pending score-only row goes.
            drop_scoring.execute([id])?;
        }
        mirror_enqueued(conn, cols, task, id, priority)?;
    }
    Ok(skipped)
}

fn mirror_enqueued(
    conn: &Connection,
    cols: LegacyColumns,
    task: Task,
    id: i64,
    priority: i64,
) -> Result<()> {
    let mode = if task == Task::Scoring {
        Some("score_only")
    } else {
        None
    };
    conn.execute(
        "UPDATE articles SET scoring_state = 'queued', scoring_priority = ?2, rescore_mode = ?3 WHERE id = ?1",
        params![id, priority, mode],
    )?;
    if task == Task::Categorization && cols.categorization_state {
        conn.execute(
            "UPDATE articles SET categorization_state = 'queued' WHERE id = ?1",
            [id],
        )?;
    }
    if cols.attempts {
        let col = attempts_col(task);
        conn.execute(
            &format!("UPDATE articles SET {col} = 0 WHERE id = ?1"),
            [id],
        )?;
    }
    Ok(())
}

fn attempts_col(task: Task) -> &'static str {
    match task {
        Task::Categorization => "categorization_attempts",
        Task::Scoring => "scoring_attempts",
    }
}

/// Take work the earlier reader left queued (or being processed when it stopped) that
/// Curator has no live row for. Idempotent.
pub fn adopt_legacy(conn: &Connection, cols: LegacyColumns, now: i64) -> Result<usize> {
    let live = "NOT EXISTS (SELECT 1 FROM curator_task_queue q WHERE q.article_id = a.id AND q.state IN ('queued', 'running'))";
    let cat_sql = if cols.categorization_state {
        format!("SELECT a.id, a.scoring_priority FROM articles a WHERE a.categorization_state IN ('queued', 'categorizing') AND {live}")
    } else {
        format!("SELECT a.id, a.scoring_priority FROM articles a WHERE a.scoring_state IN ('queued', 'scoring') AND coalesce(a.rescore_mode, '') <> 'score_only' AND {live}")
    };
    let score_sql = if cols.categorization_state {
        format!("SELECT a.id, a.scoring_priority FROM articles a WHERE a.scoring_state IN ('queued', 'scoring') AND a.categorization_state NOT IN ('queued', 'categorizing') AND {live}")
    } else {
        format!("SELECT a.id, a.scoring_priority FROM articles a WHERE a.scoring_state IN ('queued', 'scoring') AND a.rescore_mode = 'score_only' AND {live}")
    };
    let mut n = 0;
    for (task, sql) in [(Task::Categorization, cat_sql), (Task::Scoring, score_sql)] {
        let rows: Vec<(i64, i64)> = {
            let mut st = conn.prepare(&sql)?;
            let r = st.query_map([], |r| {
                Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?.unwrap_or(0)))
            })?;
            r.collect::<rusqlite::Result<_>>()?
        };
        for (id, priority) in rows {
            // Score-only without categories categorizes first (tasks.md §4 step 7.3).
            let task = if task == Task::Scoring && link_count(conn, id)? == 0 {
                Task::Categorization
            } else {
                task
            };
            enqueue(conn, cols, task, &[id], priority, now)?;
            n += 1;
        }
    }
    Ok(n)
}

fn link_count(conn: &Connection, id: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM article_category_link WHERE article_id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// After a crash: every running row goes back to the queue, nothing written for it.
/// Call only while holding the runner lock (no other runner is alive).
pub fn recover(conn: &Connection, cols: LegacyColumns, now: i64) -> Result<usize> {
    let ids: Vec<(String, i64)> = {
        let mut st = conn
            .prepare("SELECT task, article_id FROM curator_task_queue WHERE state = 'running'")?;
        let r = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        r.collect::<rusqlite::Result<_>>()?
    };
    conn.execute(
        "UPDATE curator_task_queue SET state = 'queued', claim = NULL, updated_at_ms = ?1 WHERE state = 'running'",
        [now],
    )?;
    for (task, id) in &ids {
        conn.execute(
            "UPDATE articles SET scoring_state = 'queued' WHERE id = ?1 AND scoring_state = 'scoring'",
            [id],
        )?;
        if task == "categorization" && cols.categorization_state {
            conn.execute(
                "UPDATE articles SET categorization_state = 'queued' WHERE id = ?1 AND categorization_state = 'categorizing'",
                [id],
            )?;
        }
    }
    Ok(ids.len())
}

/// Claim up to `n` queued rows of a task in queue order (priority, then oldest
/// `published_at`, undated first, then id) for runner `claim`.
pub fn claim_batch(
    conn: &Connection,
    cols: LegacyColumns,
    task: Task,
    n: usize,
    claim: &str,
    now: i64,
) -> Result<Vec<i64>> {
    let ids: Vec<i64> = {
        let mut st = conn.prepare_cached(
            "SELECT article_id FROM curator_task_queue INDEXED BY ix_curator_task_queue_pick
             WHERE task = ?1 AND state = 'queued'
             ORDER BY priority DESC, published_at ASC, article_id ASC LIMIT ?2",
        )?;
        let r = st.query_map(params![task.as_str(), n as i64], |r| r.get(0))?;
        r.collect::<rusqlite::Result<_>>()?
    };
    let mut upd = conn.prepare_cached(
        "UPDATE curator_task_queue SET state = 'running', claim = ?3, updated_at_ms = ?4
         WHERE task = ?1 AND article_id = ?2 AND state = 'queued'",
    )?;
    for &id in &ids {
        upd.execute(params![task.as_str(), id, claim, now])?;
        conn.execute(
            "UPDATE articles SET scoring_state = 'scoring' WHERE id = ?1",
            [id],
        )?;
        if task == Task::Categorization && cols.categorization_state {
            conn.execute(
                "UPDATE articles SET categorization_state = 'categorizing' WHERE id = ?1",
                [id],
            )?;
        }
    }
    Ok(ids)
}

/// Whether `claim` still holds this row (a row re-queued by someone else is not written).
pub fn holds(conn: &Connection, task: Task, id: i64, claim: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM curator_task_queue WHERE task = ?1 AND article_id = ?2 AND state = 'running' AND claim = ?3",
            params![task.as_str(), id, claim],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Who produced a result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResultMeta {
    pub provider: String,
    pub model: String,
    pub fallback_used: bool,
    pub mode: Option<String>,
    pub latency_ms: i64,
}

pub(crate) fn mark_done(
    conn: &Connection,
    task: Task,
    id: i64,
    meta: &ResultMeta,
    now: i64,
) -> Result<()> {
    conn.execute(
        "UPDATE curator_task_queue SET state = 'done', claim = NULL, updated_at_ms = ?3,
             error = NULL, error_code = NULL, provider = ?4, model = ?5, fallback_used = ?6,
             structured_mode = ?7, latency_ms = ?8
         WHERE task = ?1 AND article_id = ?2",
        params![
            task.as_str(),
            id,
            now,
            meta.provider,
            meta.model,
            meta.fallback_used,
            meta.mode,
            meta.latency_ms
        ],
    )?;
    Ok(())
}

/// What a failed attempt led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Back on the queue for another attempt.
    Retry,
    /// Attempts used up: the task failed for this article.
    Failed,
}

/// Why an attempt failed: an error code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: String,
    pub reason: String,
}

/// Count a failed attempt: back to the queue, or `failed` at `MAX_ATTEMPTS`.
pub fn fail_attempt(
    conn: &Connection,
    cols: LegacyColumns,
    task: Task,
    id: i64,
    failure: &Failure,
    meta: Option<&ResultMeta>,
    now: i64,
) -> Result<AttemptOutcome> {
    let attempts: i64 = conn.query_row(
        "SELECT attempts FROM curator_task_queue WHERE task = ?1 AND article_id = ?2",
        params![task.as_str(), id],
        |r| r.get::<_, i64>(0),
    )? + 1;
    let outcome = if attempts >= MAX_ATTEMPTS {
        AttemptOutcome::Failed
    } else {
        AttemptOutcome::Retry
    };
    let state = if outcome == AttemptOutcome::Failed {
        "failed"
    } else {
        "queued"
    };
    conn.execute(
        "UPDATE curator_task_queue SET state = ?3, attempts = ?4, claim = NULL, updated_at_ms = ?5,
             error_code = ?6, error = ?7,
             provider = coalesce(?8, provider), model = coalesce(?9, model),
             fallback_used = coalesce(?10, fallback_used), latency_ms = coalesce(?11, latency_ms)
         WHERE task = ?1 AND article_id = ?2",
        params![
            task.as_str(),
            id,
            state,
            attempts,
            now,
            failure.code,
            failure.reason,
            meta.map(|m| m.provider.clone()),
            meta.map(|m| m.model.clone()),
            meta.map(|m| m.fallback_used),
            meta.map(|m| m.latency_ms)
        ],
    )?;
    if outcome == AttemptOutcome::Failed {
        conn.execute(
            "UPDATE articles SET scoring_state = 'failed', scoring_priority = 0, rescore_mode = NULL WHERE id = ?1",
            [id],
        )?;
    } else {
        conn.execute(
            "UPDATE articles SET scoring_state = 'queued' WHERE id = ?1",
            [id],
        )?;
    }
    if task == Task::Categorization && cols.categorization_state {
        let s = if outcome == AttemptOutcome::Failed {
            "failed"
        } else {
            "queued"
        };
        conn.execute(
            "UPDATE articles SET categorization_state = ?2 WHERE id = ?1",
            params![id, s],
        )?;
    }
    if cols.attempts {
        let col = attempts_col(task);
        conn.execute(
            &format!("UPDATE articles SET {col} = ?2 WHERE id = ?1"),
            params![id, attempts],
        )?;
    }
    Ok(outcome)
}

/// Give claimed rows back untouched (cancellation, a pause, a route not ready).
pub fn release(
    conn: &Connection,
    cols: LegacyColumns,
    task: Task,
    ids: &[i64],
    claim: &str,
    now: i64,
) -> Result<()> {
    for &id in ids {
        let n = conn.execute(
            "UPDATE curator_task_queue SET state = 'queued', claim = NULL, updated_at_ms = ?4
             WHERE task = ?1 AND article_id = ?2 AND state = 'running' AND claim = ?3",
            params![task.as_str(), id, claim, now],
        )?;
        if n > 0 {
            conn.execute("UPDATE articles SET scoring_state = 'queued' WHERE id = ?1 AND scoring_state = 'scoring'", [id])?;
            if task == Task::Categorization && cols.categorization_state {
                conn.execute(
                    "UPDATE articles SET categorization_state = 'queued' WHERE id = ?1 AND categorization_state = 'categorizing'",
                    [id],
                )?;
            }
        }
    }
    Ok(())
}

/// Take still-queued articles off the queue (a cancelled rescore): their rows go and
/// the earlier reader's state goes back to what their stored results say. Rows being
/// processed are left to finish.
pub fn dequeue(conn: &Connection, cols: LegacyColumns, ids: &[i64]) -> Result<usize> {
    let mut n = 0;
    for &id in ids {
        let removed = conn.execute(
            "DELETE FROM curator_task_queue WHERE article_id = ?1 AND state = 'queued'",
            [id],
        )?;
        let running: i64 = conn.query_row(
            "SELECT count(*) FROM curator_task_queue WHERE article_id = ?1 AND state = 'running'",
            [id],
            |r| r.get(0),
        )?;
        if removed == 0 || running > 0 {
            continue;
        }
        n += 1;
        conn.execute(
            "UPDATE articles SET scoring_state = CASE WHEN composite_score IS NULL THEN 'unscored' ELSE 'scored' END,
                 scoring_priority = 0, rescore_mode = NULL
             WHERE id = ?1",
            [id],
        )?;
        if cols.categorization_state {
            conn.execute(
                "UPDATE articles SET categorization_state = CASE WHEN EXISTS
                     (SELECT 1 FROM article_category_link WHERE article_id = ?1) THEN 'categorized' ELSE 'uncategorized' END
                 WHERE id = ?1",
                [id],
            )?;
        }
    }
    Ok(n)
}

/// How far a set of articles has come: (finished, failed) — finished counts articles
/// whose scoring (or blocking) is done or whose processing failed; articles taken off
/// the queue are not finished.
pub fn progress_of(conn: &Connection, ids: &[i64]) -> Result<(u32, u32)> {
    let mut st = conn.prepare_cached(
        "SELECT
           (SELECT state FROM curator_task_queue WHERE task = 'categorization' AND article_id = ?1),
           (SELECT state FROM curator_task_queue WHERE task = 'scoring' AND article_id = ?1),
           (SELECT scoring_state FROM articles WHERE id = ?1)",
    )?;
    let (mut finished, mut failed) = (0u32, 0u32);
    for id in ids {
        let (cat, score, art): (Option<String>, Option<String>, Option<String>) =
            st.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let pending = |s: &Option<String>| matches!(s.as_deref(), Some("queued" | "running"));
        if cat.as_deref() == Some("failed") || score.as_deref() == Some("failed") {
            finished += 1;
            failed += 1;
        } else if !pending(&cat) && !pending(&score) && art.as_deref() == Some("scored") {
            finished += 1;
        }
    }
    Ok((finished, failed))
}

/// The recent-unread selection (§7): unread, published in the last 7 days (local time,
/// compared as the original's text), newest first, at most `limit`.
pub fn rescore_selection(conn: &Connection, limit: i64) -> Result<Vec<i64>> {
    let mut st = conn.prepare(&format!(
        "SELECT id FROM articles
         WHERE is_read = 0 AND published_at IS NOT NULL
           AND published_at >= strftime('%Y-%m-%d %H:%M:%f000', 'now', 'localtime', '-{RESCORE_LOOKBACK_DAYS} days')
         ORDER BY published_at DESC LIMIT ?1"
    ))?;
    let r = st.query_map([limit], |r| r.get(0))?;
    Ok(r.collect::<rusqlite::Result<_>>()?)
}

/// The articles of a batch, in the given order.
pub fn load_articles(
    conn: &Connection,
    cols: LegacyColumns,
    ids: &[i64],
) -> Result<Vec<ArticleInput>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let md = if cols.content_markdown {
        "content_markdown"
    } else {
        "NULL"
    };
    let sql = format!(
        "SELECT id, title, {md}, content, summary FROM articles WHERE id IN ({})",
        placeholders(ids.len())
    );
    let mut st = conn.prepare(&sql)?;
    let mut by_id: BTreeMap<i64, ArticleInput> = st
        .query_map(params_from_iter(ids.iter()), |r| {
            let id: i64 = r.get(0)?;
            let title: String = r.get(1)?;
            let md: Option<String> = r.get(2)?;
            let content: Option<String> = r.get(3)?;
            let summary: Option<String> = r.get(4)?;
            let nonempty = |s: Option<String>| s.filter(|x| !x.is_empty());
            let (text, is_html) = match nonempty(md) {
                Some(m) => (m, false),
                None => (
                    nonempty(content).or(nonempty(summary)).unwrap_or_default(),
                    true,
                ),
            };
            Ok((
                id,
                ArticleInput {
                    id,
                    title,
                    text,
                    is_html,
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The category lists of the categorization prompt (§5.2).
pub fn category_context(conn: &Connection) -> Result<CategoryContext> {
    let mut st = conn.prepare(
        "SELECT c.display_name, c.is_hidden, p.display_name FROM categories c
         LEFT JOIN categories p ON p.id = c.parent_id",
    )?;
    let rows: Vec<(String, bool, Option<String>)> = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut ctx = CategoryContext::default();
    let mut tree: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, hidden, parent) in rows {
        if hidden {
            ctx.hidden.push(name);
            continue;
        }
        if let Some(p) = parent {
            tree.entry(p).or_default().push(name.clone());
        }
        ctx.existing.push(name);
    }
    let ci = |a: &String, b: &String| a.to_lowercase().cmp(&b.to_lowercase());
    ctx.existing.sort_by(ci);
    ctx.hidden.sort_by(ci);
    ctx.hierarchy = tree
        .into_iter()
        .map(|(p, mut kids)| {
            kids.sort_by(ci);
            (p, kids)
        })
        .collect();
    Ok(ctx)
}

/// The single preferences row (empty strings when there is none).
pub fn preferences(conn: &Connection) -> Result<Preferences> {
    Ok(conn
        .query_row(
            "SELECT interests, anti_interests FROM user_preferences ORDER BY id LIMIT 1",
            [],
            |r| {
                Ok(Preferences {
                    interests: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    anti_interests: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::store::tests::{add_article, test_db};

    fn state_of(c: &Connection, task: Task, id: i64) -> (String, i64) {
        c.query_row(
            "SELECT state, attempts FROM curator_task_queue WHERE task = ?1 AND article_id = ?2",
            params![task.as_str(), id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    }

    fn scoring_state(c: &Connection, id: i64) -> String {
        c.query_row(
            "SELECT scoring_state FROM articles WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn queue_order_priority_then_oldest_undated_first() {
        let c = test_db();
        let cols = legacy_columns(&c).unwrap();
        add_article(&c, 1, Some("2026-01-03 00:00:00.000000"), false);
        add_article(&c, 2, Some("2026-01-01 00:00:00.000000"), false);
        add_article(&c, 3, None, false);
        add_article(&c, 4, Some("2026-01-02 00:00:00.000000"), false);
        add_article(&c, 5, Some("2026-01-05 00:00:00.000000"), false);
        enqueue(&c, cols, Task::Categorization, &[1, 2, 3, 4], 0, 1).unwrap();
        enqueue(&c, cols, Task::Categorization, &[5], 1, 1).unwrap();
        let first = claim_batch(&c, cols, Task::Categorization, 3, "r", 2).unwrap();
        assert_eq!(first, vec![5, 3, 2]);
        let rest = claim_batch(&c, cols, Task::Categorization, 3, "r", 2).unwrap();
        assert_eq!(rest, vec![4, 1]);
        assert_eq!(scoring_state(&c, 4), "scoring");
        assert!(claim_batch(&c, cols, Task::Categorization, 3, "r", 2)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn three_failed_attempts_fail_the_task_with_the_reason() {
        let c = test_db();
        let cols = legacy_columns(&c).unwrap();
        add_article(&c, 1, None, false);
        enqueue(&c, cols, Task::Scoring, &[1], 0, 1).unwrap();
        for round in 1..=3 {
            assert_eq!(
                claim_batch(&c, cols, Task::Scoring, 5, "r", 2).unwrap(),
                vec![1]
            );
            let out = fail_attempt(
                &c,
                cols,
                Task::Scoring,
                1,
                &Failure {
                    code: "bad_response".into(),
                    reason: "too many categories".into(),
                },
                None,
                3,
            )
            .unwrap();
            let (state, attempts) = state_of(&c, Task::Scoring, 1);
            assert_eq!(attempts, round);
            if round < 3 {
                assert_eq!(out, AttemptOutcome::Retry);
                assert_eq!(state, "queued");
                assert_eq!(scoring_state(&c, 1), "queued");
            } else {
                assert_eq!(out, AttemptOutcome::Failed);
                assert_eq!(state, "failed");
                assert_eq!(scoring_state(&c, 1), "failed");
            }
        }
        assert!(claim_batch(&c, cols, Task::Scoring, 5, "r", 2)
            .unwrap()
            .is_empty());
        let lf = last_failures(&c).unwrap();
        assert_eq!(lf[0].reason, "too many categories");
        // A new enqueue resets the attempts.
        enqueue(&c, cols, Task::Scoring, &[1], 0, 4).unwrap();
        assert_eq!(state_of(&c, Task::Scoring, 1), ("queued".into(), 0));
    }

    #[test]
    fn running_rows_are_never_requeued_and_recover_after_a_crash() {
        let c = test_db();
        let cols = legacy_columns(&c).unwrap();
        add_article(&c, 1, None, false);
        add_article(&c, 2, None, false);
        enqueue(&c, cols, Task::Categorization, &[1, 2], 0, 1).unwrap();
        claim_batch(&c, cols, Task::Categorization, 1, "dead", 2).unwrap();
        let skipped = enqueue(&c, cols, Task::Categorization, &[1, 2], 0, 3).unwrap();
        assert_eq!(skipped, vec![1]);
        assert_eq!(recover(&c, cols, 4).unwrap(), 1);
        assert_eq!(state_of(&c, Task::Categorization, 1).0, "queued");
        assert_eq!(scoring_state(&c, 1), "queued");
        // A claim that was released or recovered cannot be written by its old runner.
        assert!(!holds(&c, Task::Categorization, 1, "dead").unwrap());
    }

    #[test]
    fn rescore_selection_is_recent_unread_newest_first() {
        let c = test_db();
        let fmt = |days: i64| {
            (chrono::Local::now() - chrono::Duration::days(days))
                .format("%Y-%m-%d %H:%M:%S%.6f")
                .to_string()
        };
        add_article(&c, 1, Some(&fmt(1)), false);
        add_article(&c, 2, Some(&fmt(3)), false);
        add_article(&c, 3, Some(&fmt(2)), true); // read
        add_article(&c, 4, Some(&fmt(9)), false); // too old
        add_article(&c, 5, None, false); // undated: never selected
        add_article(&c, 6, Some(&fmt(0)), false);
        assert_eq!(rescore_selection(&c, 100).unwrap(), vec![6, 1, 2]);
        assert_eq!(rescore_selection(&c, 2).unwrap(), vec![6, 1]);
    }

    #[test]
    fn legacy_queued_articles_are_adopted_once() {
        let c = test_db();
        let cols = legacy_columns(&c).unwrap();
        add_article(&c, 1, None, false);
        add_article(&c, 2, None, false);
        add_article(&c, 3, None, false);
        c.execute_batch(
            "UPDATE articles SET scoring_state = 'queued' WHERE id = 1;
             UPDATE articles SET scoring_state = 'scoring' WHERE id = 2;
             UPDATE articles SET scoring_state = 'queued', rescore_mode = 'score_only' WHERE id = 3;
             INSERT INTO categories (id, display_name, slug, is_hidden, is_seen, is_manually_created, created_at) VALUES (1, 'AI', 'ai', 0, 1, 0, '2026-01-01 00:00:00.000000');
             INSERT INTO article_category_link VALUES (3, 1);",
        )
        .unwrap();
        assert_eq!(adopt_legacy(&c, cols, 1).unwrap(), 3);
        assert_eq!(adopt_legacy(&c, cols, 2).unwrap(), 0);
        let s = status(&c, 0).unwrap();
        assert_eq!((s.categorization.queued, s.scoring.queued), (2, 1));
    }

    #[test]
    fn a_full_pass_replaces_a_pending_score_only_row() {
        let c = test_db();
        let cols = legacy_columns(&c).unwrap();
        add_article(&c, 1, None, false);
        enqueue(&c, cols, Task::Scoring, &[1], 0, 1).unwrap();
        enqueue(&c, cols, Task::Categorization, &[1], 0, 2).unwrap();
        let s = status(&c, 0).unwrap();
        assert_eq!((s.categorization.queued, s.scoring.queued), (1, 0));
        // And a score-only request while the full pass is queued adds nothing.
        enqueue(&c, cols, Task::Scoring, &[1], 0, 3).unwrap();
        assert_eq!(status(&c, 0).unwrap().scoring.queued, 0);
    }

    #[test]
    fn pauses_are_reported_until_they_end() {
        let c = test_db();
        set_pause(&c, Task::Scoring, "openai", 5_000, "rate limited by OpenAI").unwrap();
        let s = status(&c, 1_000).unwrap();
        assert_eq!(s.paused.len(), 1);
        assert_eq!(s.paused[0].until, "1970-01-01T00:00:05Z");
        assert!(status(&c, 6_000).unwrap().paused.is_empty());
        clear_pauses(&c, 6_000, None).unwrap();
        assert!(pauses(&c, 0).unwrap().is_empty());
    }
}
