//! Writing checked results where the earlier reader keeps them (tasks.md §4, §5.5–5.7,
//! §12): categories (new ones `is_seen = 0`), `article_category_link` (HEAD: replaced),
//! unhiding returned hidden categories, the blocked rule, scores, reasoning, composite,
//! `scoring_state`, `scored_at`. One call per article, inside the caller's transaction.

use super::answer::{CategorizationItem, ScoringItem};
use super::composite::{composite, is_blocked, CategoryWeight};
use super::names::{names_in_order, slug};
use super::queue::{mark_done, LegacyColumns, ResultMeta, NOW_LOCAL};
use crate::error::Result;
use crate::routes::Task;
use rusqlite::{params, Connection, OptionalExtension};

/// What categorizing one article led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Categorized {
    /// The resolved categories in answer order (duplicates kept).
    pub category_ids: Vec<i64>,
    /// Blocked: scores written as 0 and no scoring call.
    pub blocked: bool,
}

fn category_by_slug(conn: &Connection, s: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT id FROM categories WHERE slug = ?1", [s], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Resolve names to category ids, creating unknown ones as the original does.
pub fn resolve_categories(conn: &Connection, item: &CategorizationItem) -> Result<Vec<i64>> {
    let parent = match item.suggested_parent.as_deref().map(slug) {
        Some(s) if !s.is_empty() => category_by_slug(conn, &s)?,
        _ => None,
    };
    let mut ids = Vec::new();
    for n in names_in_order(&item.categories, &item.suggested_new) {
        let id = match category_by_slug(conn, &n.slug)? {
            Some(id) => id,
            None => {
                conn.execute(
                    &format!(
                        "INSERT INTO categories (display_name, slug, parent_id, weight, is_hidden, is_seen,
                                                 is_manually_created, created_at)
                         VALUES (?1, ?2, ?3, NULL, 0, 0, 0, {NOW_LOCAL})"
                    ),
                    params![n.display_name, n.slug, if n.suggested { parent } else { None }],
                )?;
                conn.last_insert_rowid()
            }
        };
        ids.push(id);
    }
    Ok(ids)
}

/// The weights and hidden flags of categories, in the given order.
pub fn weights(conn: &Connection, ids: &[i64]) -> Result<Vec<CategoryWeight>> {
    let mut st = conn.prepare_cached(
        "SELECT c.weight, p.weight, c.is_hidden FROM categories c
         LEFT JOIN categories p ON p.id = c.parent_id WHERE c.id = ?1",
    )?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(w) = st
            .query_row([id], |r| {
                Ok(CategoryWeight {
                    weight: r.get(0)?,
                    parent_weight: r.get(1)?,
                    is_hidden: r.get(2)?,
                })
            })
            .optional()?
        {
            out.push(w);
        }
    }
    Ok(out)
}

/// The article's linked categories (id order).
pub fn linked_categories(conn: &Connection, article_id: i64) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT category_id FROM article_category_link WHERE article_id = ?1 ORDER BY category_id",
    )?;
    let r = st.query_map([article_id], |r| r.get(0))?;
    Ok(r.collect::<rusqlite::Result<_>>()?)
}

fn write_blocked(conn: &Connection, article_id: i64, category_ids: &[i64]) -> Result<()> {
    let mut names = Vec::with_capacity(category_ids.len());
    for id in category_ids {
        let n: Option<String> = conn
            .query_row(
                "SELECT display_name FROM categories WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        names.extend(n);
    }
    conn.execute(
        &format!(
            "UPDATE articles SET interest_score = 0, quality_score = 0, composite_score = 0.0,
                 score_reasoning = ?2, scoring_state = 'scored', scored_at = {NOW_LOCAL},
                 scoring_priority = 0, rescore_mode = NULL
             WHERE id = ?1"
        ),
        params![article_id, format!("Blocked: {}", names.join(", "))],
    )?;
    Ok(())
}

/// Store one article's categories; block it or queue its scoring.
pub fn finish_categorization(
    conn: &Connection,
    cols: LegacyColumns,
    article_id: i64,
    item: &CategorizationItem,
    meta: &ResultMeta,
    now: i64,
) -> Result<Categorized> {
    let ids = resolve_categories(conn, item)?;
    conn.execute(
        "DELETE FROM article_category_link WHERE article_id = ?1",
        [article_id],
    )?;
    for id in &ids {
        conn.execute(
            "INSERT OR IGNORE INTO article_category_link (article_id, category_id) VALUES (?1, ?2)",
            params![article_id, id],
        )?;
        let unhid = conn.execute(
            "UPDATE categories SET is_hidden = 0, is_seen = 0 WHERE id = ?1 AND is_hidden = 1",
            [id],
        )?;
        if unhid > 0 {
            tracing::info!("unhid returned category {id} for article {article_id}");
        }
    }
    let blocked = is_blocked(&weights(conn, &ids)?);
    if cols.categorization_state {
        conn.execute(
            "UPDATE articles SET categorization_state = 'categorized' WHERE id = ?1",
            [article_id],
        )?;
    }
    mark_done(conn, Task::Categorization, article_id, meta, now)?;
    if blocked {
        write_blocked(conn, article_id, &ids)?;
    } else {
        conn.execute(
            "INSERT INTO curator_task_queue (task, article_id, state, priority, published_at, attempts, enqueued_at_ms, updated_at_ms)
             VALUES ('scoring', ?1, 'queued', (SELECT priority FROM curator_task_queue WHERE task = 'categorization' AND article_id = ?1),
                     (SELECT published_at FROM articles WHERE id = ?1), 0, ?2, ?2)
             ON CONFLICT (task, article_id) DO UPDATE SET state = 'queued', priority = excluded.priority,
                 published_at = excluded.published_at, attempts = 0, claim = NULL,
                 enqueued_at_ms = excluded.enqueued_at_ms, updated_at_ms = excluded.updated_at_ms",
            params![article_id, now],
        )?;
        conn.execute(
            "UPDATE articles SET scoring_state = 'queued', rescore_mode = NULL WHERE id = ?1",
            [article_id],
        )?;
        if cols.attempts {
            conn.execute(
                "UPDATE articles SET scoring_attempts = 0 WHERE id = ?1",
                [article_id],
            )?;
        }
    }
    Ok(Categorized {
        category_ids: ids,
        blocked,
    })
}

/// Whether the article is blocked by its current links (checked again before scoring,
/// so a score-only rescore of a now-blocked article is blocked too). Writes the
/// blocked result and finishes the scoring row when it is.
pub fn finish_if_blocked(conn: &Connection, article_id: i64, now: i64) -> Result<bool> {
    let ids = linked_categories(conn, article_id)?;
    if !is_blocked(&weights(conn, &ids)?) {
        return Ok(false);
    }
    write_blocked(conn, article_id, &ids)?;
    let meta = ResultMeta {
        mode: Some("blocked".into()),
        ..Default::default()
    };
    mark_done(conn, Task::Scoring, article_id, &meta, now)?;
    Ok(true)
}

/// Store one article's scores and composite (from its linked categories).
pub fn finish_scoring(
    conn: &Connection,
    article_id: i64,
    item: &ScoringItem,
    meta: &ResultMeta,
    now: i64,
) -> Result<f64> {
    let ids = linked_categories(conn, article_id)?;
    let score = composite(
        item.interest_score,
        item.quality_score,
        &weights(conn, &ids)?,
    );
    conn.execute(
        &format!(
            "UPDATE articles SET interest_score = ?2, quality_score = ?3, composite_score = ?4,
                 score_reasoning = ?5, scoring_state = 'scored', scored_at = {NOW_LOCAL},
                 scoring_priority = 0, rescore_mode = NULL
             WHERE id = ?1"
        ),
        params![
            article_id,
            item.interest_score,
            item.quality_score,
            score,
            item.reasoning
        ],
    )?;
    mark_done(conn, Task::Scoring, article_id, meta, now)?;
    Ok(score)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::queue::*;
    use super::*;

    pub(crate) fn test_db() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "foreign_keys", "ON").unwrap();
        crate::db::migrate(&mut c, std::path::Path::new(":memory:")).unwrap();
        c.execute_batch(
            "INSERT INTO feeds (id, url, title, display_order) VALUES (1, 'http://f', 'F', 0);",
        )
        .unwrap();
        c
    }

    pub(crate) fn add_article(c: &Connection, id: i64, published: Option<&str>, read: bool) {
        c.execute(
            "INSERT INTO articles (id, feed_id, title, url, published_at, content, is_read, scoring_state, scoring_priority)
             VALUES (?1, 1, ?2, ?3, ?4, '<p>Body</p>', ?5, 'unscored', 0)",
            params![id, format!("A{id}"), format!("http://a/{id}"), published, read],
        )
        .unwrap();
    }

    fn add_category(
        c: &Connection,
        id: i64,
        name: &str,
        parent: Option<i64>,
        weight: Option<&str>,
        hidden: bool,
    ) {
        c.execute(
            "INSERT INTO categories (id, display_name, slug, parent_id, weight, is_hidden, is_seen, is_manually_created, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, 0, '2026-01-01 00:00:00.000000')",
            params![id, name, slug(name), parent, weight, hidden],
        )
        .unwrap();
    }

    fn item(cats: &[&str], new: &[&str], parent: Option<&str>) -> CategorizationItem {
        CategorizationItem {
            article_id: 1,
            categories: cats.iter().map(|s| s.to_string()).collect(),
            suggested_new: new.iter().map(|s| s.to_string()).collect(),
            suggested_parent: parent.map(str::to_string),
        }
    }

    fn article_row(
        c: &Connection,
        id: i64,
    ) -> (
        String,
        Option<i64>,
        Option<f64>,
        Option<String>,
        Option<String>,
    ) {
        c.query_row(
            "SELECT scoring_state, interest_score, composite_score, score_reasoning, rescore_mode FROM articles WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap()
    }

    fn claim_one(c: &Connection, task: Task, id: i64) {
        let cols = legacy_columns(c).unwrap();
        enqueue(c, cols, task, &[id], 0, 1).unwrap();
        assert_eq!(claim_batch(c, cols, task, 10, "r1", 2).unwrap(), vec![id]);
    }

    #[test]
    fn categories_are_found_created_linked_and_unhidden() {
        let c = test_db();
        add_article(&c, 1, None, false);
        add_category(&c, 10, "Technology", None, None, false);
        add_category(&c, 11, "Sports", None, None, true);
        c.execute("INSERT INTO article_category_link VALUES (1, 11)", [])
            .unwrap();
        claim_one(&c, Task::Categorization, 1);
        let cols = legacy_columns(&c).unwrap();
        let r = finish_categorization(
            &c,
            cols,
            1,
            &item(
                &["technology", "machine learning", "Sports", "Technology"],
                &["Quantum Computing"],
                Some("Technology"),
            ),
            &ResultMeta::default(),
            3,
        )
        .unwrap();
        assert!(!r.blocked);
        assert_eq!(r.category_ids.len(), 5);
        assert_eq!(r.category_ids[0], 10);
        assert_eq!(r.category_ids[3], 10);
        let (name, parent, seen): (String, Option<i64>, bool) = c
            .query_row("SELECT display_name, parent_id, is_seen FROM categories WHERE slug = 'machine-learning'", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        assert_eq!(
            (name.as_str(), parent, seen),
            ("Machine Learning", None, false)
        );
        let parent: Option<i64> = c
            .query_row(
                "SELECT parent_id FROM categories WHERE slug = 'quantum-computing'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(parent, Some(10));
        // Sports was unhidden (is_seen reset), links replaced by the new set.
        let (hidden, seen): (bool, bool) = c
            .query_row(
                "SELECT is_hidden, is_seen FROM categories WHERE id = 11",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(!hidden && !seen);
        assert_eq!(linked_categories(&c, 1).unwrap().len(), 4);
        // Scoring is queued next.
        assert_eq!(status(&c, 0).unwrap().scoring.queued, 1);
        assert_eq!(status(&c, 0).unwrap().categorization.done, 1);
        assert_eq!(article_row(&c, 1).0, "queued");
    }

    #[test]
    fn blocked_by_weight_or_parent_weight() {
        let c = test_db();
        add_article(&c, 1, None, false);
        add_category(&c, 20, "Politics", None, Some("block"), false);
        add_category(&c, 21, "Law", Some(20), None, false);
        claim_one(&c, Task::Categorization, 1);
        let cols = legacy_columns(&c).unwrap();
        let r = finish_categorization(
            &c,
            cols,
            1,
            &item(&["Law", "AI"], &[], None),
            &ResultMeta::default(),
            3,
        )
        .unwrap();
        assert!(r.blocked);
        let (state, interest, comp, reasoning, mode) = article_row(&c, 1);
        assert_eq!(state, "scored");
        assert_eq!((interest, comp), (Some(0), Some(0.0)));
        assert_eq!(reasoning.as_deref(), Some("Blocked: Law, AI"));
        assert_eq!(mode, None);
        assert_eq!(status(&c, 0).unwrap().scoring.queued, 0);
    }

    #[test]
    fn scoring_writes_the_composite_from_linked_weights() {
        let c = test_db();
        add_article(&c, 1, None, false);
        add_category(&c, 30, "Technology", None, Some("boost"), false);
        add_category(&c, 31, "AI", Some(30), None, false);
        add_category(&c, 32, "Science", None, Some("normal"), false);
        c.execute_batch("INSERT INTO article_category_link VALUES (1, 31), (1, 32)")
            .unwrap();
        claim_one(&c, Task::Scoring, 1);
        let meta = ResultMeta {
            provider: "openai".into(),
            model: "m".into(),
            latency_ms: 12,
            ..Default::default()
        };
        let it = ScoringItem {
            article_id: 1,
            interest_score: 7,
            quality_score: 8,
            reasoning: "Good".into(),
        };
        let score = finish_scoring(&c, 1, &it, &meta, 3).unwrap();
        assert!((score - 7.875).abs() < 1e-12);
        let (state, interest, comp, reasoning, mode) = article_row(&c, 1);
        assert_eq!(
            (state.as_str(), interest, reasoning.as_deref(), mode),
            ("scored", Some(7), Some("Good"), None)
        );
        assert!((comp.unwrap() - 7.875).abs() < 1e-12);
        let (p, m, lat): (String, String, i64) = c
            .query_row("SELECT provider, model, latency_ms FROM curator_task_queue WHERE task = 'scoring' AND article_id = 1", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap();
        assert_eq!((p.as_str(), m.as_str(), lat), ("openai", "m", 12));
    }

    #[test]
    fn score_only_of_a_now_blocked_article_is_blocked() {
        let c = test_db();
        add_article(&c, 1, None, false);
        add_category(&c, 40, "Gossip", None, Some("block"), false);
        c.execute("INSERT INTO article_category_link VALUES (1, 40)", [])
            .unwrap();
        claim_one(&c, Task::Scoring, 1);
        assert!(finish_if_blocked(&c, 1, 3).unwrap());
        assert_eq!(article_row(&c, 1).3.as_deref(), Some("Blocked: Gossip"));
        assert_eq!(status(&c, 0).unwrap().scoring.done, 1);
    }
}
