//! Builds a large legacy database of the original reader at shape V7 (the last
//! pre-Alembic shape, the one `main` shipped), as its ORM created it on a fresh
//! install: feeds, articles with about 2 KB of text each, categories (title-case
//! defaults plus lower-case runtime duplicates), links and one preferences row.
//! Shared by the benchmark example and the interruption test.

use rusqlite::{params, Connection};
use std::path::Path;

const V7: &str = include_str!("../../../../migrations/V1__original_v7_baseline.sql");

const TITLE: &[(&str, &[&str])] = &[
    ("Technology", &["Cybersecurity", "AI", "Programming"]),
    ("Science", &["Climate", "Space"]),
    ("Business", &["Finance", "Startups"]),
    ("Entertainment", &["Gaming", "Film", "Music"]),
    ("Culture", &["Philosophy", "History", "Design"]),
    ("Health", &[]),
    ("Politics", &["Law"]),
    ("Education", &[]),
];

/// Deterministic filler text of `len` bytes.
fn text(seed: i64, len: usize) -> String {
    const WORDS: &[&str] = &[
        "rust",
        "sqlite",
        "feed",
        "article",
        "model",
        "ollama",
        "score",
        "category",
        "reader",
        "upgrade",
        "backup",
        "transaction",
        "Grüße",
        "naïve",
        "日本語",
        "news",
        "the",
        "of",
    ];
    let mut s = String::with_capacity(len + 16);
    let mut x = (seed as u64)
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    while s.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.push_str(WORDS[(x % WORDS.len() as u64) as usize]);
        s.push(' ');
    }
    s
}

/// Write a V7 database with `articles` articles at `path` (which must not exist).
pub fn generate_v7(path: &Path, articles: u64) -> rusqlite::Result<()> {
    let mut conn = Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
    let tx = conn.transaction()?;
    tx.execute_batch(V7)?;
    let feeds = 50i64;
    for f in 1..=feeds {
        tx.execute(
            "INSERT INTO feeds (id, url, title, display_order, last_fetched_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![f, format!("https://feed{f}.example.org/rss"), format!("Feed {f}"), f - 1, "2026-02-20 08:00:00.000000"],
        )?;
    }
    // The 61f2be6 seeding (title-case slugs), then runtime lower-case duplicates.
    let mut slugs: Vec<&str> = TITLE
        .iter()
        .flat_map(|(p, c)| std::iter::once(*p).chain(c.iter().copied()))
        .collect();
    slugs.sort_unstable();
    for (i, s) in slugs.iter().enumerate() {
        tx.execute(
            "INSERT INTO categories (id, display_name, slug, parent_id, weight, is_hidden, is_seen, is_manually_created, created_at)
             VALUES (?1, ?2, ?2, NULL, NULL, 0, 1, 0, '2026-02-20 08:00:00.000000')",
            params![i as i64 + 1, s],
        )?;
    }
    for (p, kids) in TITLE {
        for k in *kids {
            tx.execute(
                "UPDATE categories SET parent_id = (SELECT id FROM categories WHERE slug = ?1) WHERE slug = ?2",
                [p, k],
            )?;
        }
    }
    let runtime = ["music", "design", "rust", "databases", "self-hosting", "ai"];
    for (i, s) in runtime.iter().enumerate() {
        tx.execute(
            "INSERT INTO categories (id, display_name, slug, parent_id, weight, is_hidden, is_seen, is_manually_created, created_at)
             VALUES (?1, ?2, ?2, NULL, 'boost', 0, 1, 0, '2026-02-21 09:00:00.000000')",
            params![100 + i as i64, s],
        )?;
    }
    let cats: Vec<i64> = (1..=slugs.len() as i64)
        .chain(100..100 + runtime.len() as i64)
        .collect();
    {
        let mut art = tx.prepare(
            "INSERT INTO articles (id, feed_id, title, url, author, published_at, summary, content, is_read,
                interest_score, quality_score, composite_score, score_reasoning, scoring_state, scored_at,
                scoring_priority, rescore_mode)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 0, NULL)",
        )?;
        let mut link = tx.prepare(
            "INSERT OR IGNORE INTO article_category_link (article_id, category_id) VALUES (?1, ?2)",
        )?;
        for a in 1..=articles as i64 {
            let scored = a % 3 != 0;
            art.execute(params![
                a,
                1 + a % feeds,
                format!("Article {a}: {}", text(a, 40)),
                format!("https://feed{}.example.org/{a}", 1 + a % feeds),
                if a % 5 == 0 {
                    None
                } else {
                    Some(format!("Author {}", a % 97))
                },
                format!(
                    "2026-02-{:02} {:02}:{:02}:00.000000",
                    1 + a % 28,
                    a % 24,
                    a % 60
                ),
                text(a + 1, 300),
                text(a + 2, 1700),
                a % 2,
                scored.then_some(a % 11),
                scored.then_some(a % 7),
                scored.then_some((a % 100) as f64 / 10.0),
                scored.then(|| text(a + 3, 80)),
                if scored { "scored" } else { "queued" },
                scored.then_some("2026-02-21 10:00:00.000000"),
            ])?;
            link.execute([a, cats[(a % cats.len() as i64) as usize]])?;
            link.execute([a, cats[((a * 7 + 3) % cats.len() as i64) as usize]])?;
        }
    }
    tx.execute(
        "INSERT INTO user_preferences (id, interests, anti_interests, updated_at, ollama_categorization_model,
            ollama_scoring_model, ollama_use_separate_models, ollama_thinking, feed_refresh_interval)
         VALUES (1, 'Rust, databases', 'celebrity gossip', '2026-02-21 11:00:00.000000', 'qwen3:4b', 'qwen3:8b', 1, 0, 1800)",
        [],
    )?;
    tx.commit()?;
    conn.execute_batch("PRAGMA journal_mode = WAL;")?;
    Ok(())
}
