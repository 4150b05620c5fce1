//! The category merge of Alembic `8c6f3c9b8f70` (schema-history §3.3) on V7 files
//! built here: names whose python-slugify 8.0.4 / text-unidecode 1.3 slugs differ
//! from any other slugifier's (issue 11), and the two shapes on which the earlier
//! reader's own revision crashes (Known defect 14).

#[path = "legacy_common/mod.rs"]
mod common;

use common::snapshot;
use curator_core::upgrade::{self, UpgradeEnv};
use rusqlite::{params, Connection};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const V7: &str = include_str!("../../../migrations/V1__original_v7_baseline.sql");

/// A category row as stored: id, display_name, slug, parent_id, weight,
/// (is_hidden, is_seen, is_manually_created).
type Cat = (
    i64,
    &'static str,
    &'static str,
    Option<i64>,
    Option<&'static str>,
    (bool, bool, bool),
);

const SEEN: (bool, bool, bool) = (false, true, false);

/// A V7 file as a fresh 9824235 install leaves it, with these categories and
/// links (article, category); articles 1..=max article of `links`.
fn build(cats: &[Cat], links: &[(i64, i64)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("legacy.db");
    let mut conn = Connection::open(&db).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL").unwrap();
    let tx = conn.transaction().unwrap();
    tx.execute_batch(V7).unwrap();
    tx.execute(
        "INSERT INTO feeds (id, url, title, display_order, last_fetched_at) VALUES (1, 'https://f.example.org/rss', 'F', 0, NULL)",
        [],
    )
    .unwrap();
    let articles = links.iter().map(|l| l.0).max().unwrap_or(0);
    for a in 1..=articles {
        tx.execute(
            "INSERT INTO articles (id, feed_id, title, url, is_read, scoring_state, scoring_priority)
             VALUES (?1, 1, ?2, ?3, 0, 'unscored', 0)",
            params![a, format!("A{a}"), format!("https://f.example.org/{a}")],
        )
        .unwrap();
    }
    for (id, name, slug, _, weight, (h, s, m)) in cats {
        tx.execute(
            "INSERT INTO categories (id, display_name, slug, parent_id, weight, is_hidden, is_seen, is_manually_created, created_at)
             VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, '2026-02-22 10:00:00.000000')",
            params![id, name, slug, weight, h, s, m],
        )
        .unwrap();
    }
    for (id, _, _, parent, _, _) in cats {
        if let Some(p) = parent {
            tx.execute(
                "UPDATE categories SET parent_id = ?1 WHERE id = ?2",
                [p, id],
            )
            .unwrap();
        }
    }
    for (a, c) in links {
        tx.execute(
            "INSERT INTO article_category_link (article_id, category_id) VALUES (?1, ?2)",
            [a, c],
        )
        .unwrap();
    }
    tx.execute(
        "INSERT INTO user_preferences (id, interests, anti_interests, updated_at, ollama_categorization_model,
            ollama_scoring_model, ollama_use_separate_models, ollama_thinking, feed_refresh_interval)
         VALUES (1, '', '', '2026-02-22 10:00:00.000000', NULL, NULL, 0, 0, 1800)",
        [],
    )
    .unwrap();
    tx.commit().unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    (tmp, db)
}

fn upgrade(db: &Path) {
    let env = UpgradeEnv {
        vars: Vec::new(),
        cwd: db.parent().unwrap().to_path_buf(),
    };
    let r = upgrade::upgrade(db, false, &env, |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.detected, "V7");
    assert!(r.changed);
    let before = snapshot(db);
    let again = upgrade::upgrade(db, false, &env, |_| {}).unwrap();
    assert!(!again.changed, "a second run changes nothing");
    assert_eq!(snapshot(db), before);
}

type Row = (
    i64,
    String,
    String,
    Option<i64>,
    Option<String>,
    (bool, bool, bool),
);

fn categories(db: &Path) -> Vec<Row> {
    let c = Connection::open(db).unwrap();
    let mut s = c
        .prepare(
            "SELECT id, display_name, slug, parent_id, weight, is_hidden, is_seen, is_manually_created
             FROM categories ORDER BY id",
        )
        .unwrap();
    s.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            (r.get(5)?, r.get(6)?, r.get(7)?),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn links(db: &Path) -> BTreeSet<(i64, i64)> {
    let c = Connection::open(db).unwrap();
    let mut s = c
        .prepare("SELECT article_id, category_id FROM article_category_link")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn row(
    id: i64,
    name: &str,
    slug: &str,
    parent: Option<i64>,
    weight: Option<&str>,
    flags: (bool, bool, bool),
) -> Row {
    (
        id,
        name.into(),
        slug.into(),
        parent,
        weight.map(Into::into),
        flags,
    )
}

/// The names of issue 11, each beside the plain name python-slugify merges it
/// with, and beside the name another slugifier would have merged it with instead
/// (`Euro Markets`, `Coffee Coffee`, `Hearts Love`, `C Weather`, `65`), which must
/// stay apart. The expected slugs are python-slugify 8.0.4's (checked against it by
/// pyslug's differential test); groups, kept rows, parents, weights and flags
/// follow §3.3.
#[test]
fn categories_merge_as_python_slugify_groups_them() {
    let cats: &[Cat] = &[
        (1, "Business", "Business", None, None, SEEN),
        (2, "Markets", "markets", Some(1), None, SEEN),
        (
            3,
            "&euro; Markets",
            "&euro; markets",
            None,
            Some("boost"),
            (false, false, true),
        ),
        (
            4,
            "Coffee",
            "coffee",
            None,
            Some("max"),
            (true, false, false),
        ),
        (5, "☕ Coffee", "☕ coffee", None, None, SEEN),
        (6, "Brews", "brews", Some(5), None, SEEN),
        (7, "♥ Love", "♥ love", None, None, SEEN),
        (
            8,
            "love",
            "love",
            None,
            Some("reduce"),
            (false, false, false),
        ),
        (9, "caf&eacute;", "caf&eacute;", None, None, SEEN),
        (10, "Café", "café", None, None, SEEN),
        (11, "℃ Weather", "℃ weather", None, None, SEEN),
        (12, "DegC Weather", "degc-weather", None, None, SEEN),
        (13, "&Eacute;cole", "&eacute;cole", None, None, SEEN),
        (14, "É Cole", "é cole", None, None, SEEN),
        (15, "&#X41;", "&#x41;", None, None, SEEN),
        (16, "X41", "x41", None, None, SEEN),
        (17, "&apos;", "&apos;", None, None, SEEN),
        (18, "Apos", "apos", None, None, SEEN),
        (19, "&amp;#65;", "&amp;#65;", None, None, SEEN),
        (20, "A", "a", None, None, SEEN),
        (21, "µ Science", "µ science", None, None, SEEN),
        (22, "M Science", "m science", None, None, SEEN),
        (23, "´Accent", "´accent", None, None, SEEN),
        (24, "Accent", "accent", None, None, SEEN),
        (25, "Hearts Love", "hearts love", None, None, SEEN),
        (26, "Coffee Coffee", "coffee coffee", None, None, SEEN),
        (27, "Euro Markets", "euro markets", None, None, SEEN),
        (28, "C Weather", "c weather", None, None, SEEN),
        (29, "65", "65", None, None, SEEN),
    ];
    let before_links = [
        (1, 2),
        (2, 2),
        (2, 3),
        (3, 4),
        (4, 4),
        (4, 5),
        (4, 26),
        (5, 8),
        (6, 25),
        (7, 10),
        (7, 9),
        (8, 12),
        (8, 28),
        (9, 20),
        (9, 29),
        (10, 16),
        (11, 22),
        (11, 24),
        (12, 27),
    ];
    let (_tmp, db) = build(cats, &before_links);
    upgrade(&db);
    assert_eq!(
        categories(&db),
        vec![
            row(1, "Business", "business", None, None, SEEN),
            // Neither Markets row has children; the root wins over Business's child.
            row(
                3,
                "&euro; Markets",
                "markets",
                None,
                Some("boost"),
                (false, true, true)
            ),
            // The row with a child wins; the weight comes from the group in id order.
            row(
                5,
                "☕ Coffee",
                "coffee",
                None,
                Some("max"),
                (true, true, false)
            ),
            row(6, "Brews", "brews", Some(5), None, SEEN),
            row(7, "♥ Love", "love", None, Some("reduce"), SEEN),
            row(9, "caf&eacute;", "cafe", None, None, SEEN),
            row(11, "℃ Weather", "degc-weather", None, None, SEEN),
            row(13, "&Eacute;cole", "e-cole", None, None, SEEN),
            row(15, "&#X41;", "x41", None, None, SEEN),
            row(17, "&apos;", "apos", None, None, SEEN),
            row(19, "&amp;#65;", "a", None, None, SEEN),
            row(21, "µ Science", "m-science", None, None, SEEN),
            row(23, "´Accent", "accent", None, None, SEEN),
            row(25, "Hearts Love", "hearts-love", None, None, SEEN),
            row(26, "Coffee Coffee", "coffee-coffee", None, None, SEEN),
            row(27, "Euro Markets", "euro-markets", None, None, SEEN),
            row(28, "C Weather", "c-weather", None, None, SEEN),
            row(29, "65", "65", None, None, SEEN),
        ]
    );
    let want: BTreeSet<(i64, i64)> = [
        (1, 3),
        (2, 3),
        (3, 5),
        (4, 5),
        (4, 26),
        (5, 7),
        (6, 25),
        (7, 9),
        (8, 11),
        (8, 28),
        (9, 19),
        (9, 29),
        (10, 15),
        (11, 21),
        (11, 23),
        (12, 27),
    ]
    .into();
    assert_eq!(links(&db), want);
}

/// Known defect 14, first shape: article 1 is linked to two duplicates of a group
/// of four but not to the kept row. One link per (article, kept row).
#[test]
fn article_linked_to_two_duplicates_but_not_the_kept_row() {
    let cats: &[Cat] = &[
        (1, "tech", "tech", None, None, SEEN),
        (2, "Tech", "Tech", None, None, SEEN),
        (3, "TECH", "TECH", None, None, SEEN),
        (4, "Tech!", "tech!", None, Some("boost"), SEEN),
        (5, "Other", "other", None, None, SEEN),
    ];
    let (_tmp, db) = build(
        cats,
        &[
            (1, 2),
            (1, 3),
            (1, 5),
            (2, 1),
            (2, 2),
            (2, 3),
            (2, 4),
            (3, 4),
        ],
    );
    upgrade(&db);
    assert_eq!(
        categories(&db),
        vec![
            row(1, "tech", "tech", None, Some("boost"), SEEN),
            row(5, "Other", "other", None, None, SEEN),
        ]
    );
    assert_eq!(
        links(&db),
        [(1, 1), (1, 5), (2, 1), (3, 1)].into_iter().collect()
    );
}

/// Known defect 14, second shape: slugs that swap (and a cycle of three), assigned
/// as if every row were updated at once.
#[test]
fn slugs_that_swap() {
    let cats: &[Cat] = &[
        (1, "Beta", "alpha", None, None, SEEN),
        (2, "Alpha", "beta", None, None, SEEN),
        (3, "Delta", "epsilon", None, None, SEEN),
        (4, "Epsilon", "gamma", None, None, SEEN),
        (5, "Gamma", "delta", None, None, SEEN),
    ];
    let (_tmp, db) = build(cats, &[(1, 1), (1, 2), (2, 3), (3, 5)]);
    upgrade(&db);
    assert_eq!(
        categories(&db),
        vec![
            row(1, "Beta", "beta", None, None, SEEN),
            row(2, "Alpha", "alpha", None, None, SEEN),
            row(3, "Delta", "delta", None, None, SEEN),
            row(4, "Epsilon", "epsilon", None, None, SEEN),
            row(5, "Gamma", "gamma", None, None, SEEN),
        ]
    );
    assert_eq!(
        links(&db),
        [(1, 1), (1, 2), (2, 3), (3, 5)].into_iter().collect()
    );
}
