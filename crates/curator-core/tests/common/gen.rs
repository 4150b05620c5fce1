//! Builds a large legacy database of the original reader at shape V7 (the last
//! pre-Alembic shape, the one `main` shipped), in either of the two forms a
//! long-time user's file has (issue 11):
//!
//! - [`Shape::Fresh`]: created fresh at 9824235. The ORM's tables (every NOT NULL,
//!   both scoring indexes); the 22 default categories seeded with title-case slugs
//!   (slug == name) and, beside them, categories created at run time from the
//!   model's kebab-case answers with python-slugify slugs — 20 of which duplicate
//!   a default one, so 20 groups merge in 8c6f3c9b8f70. Run-time categories carry
//!   most links.
//! - [`Shape::V10Lineage`]: created by v1.0 (V2 models) and started by every later
//!   schema-changing version: `articles.scoring_priority` and `rescore_mode` and the
//!   `ollama_*` preference columns were added by `ALTER TABLE` (nullable), the JSON
//!   columns dropped, `ix_articles_scoring_state` and `ix_articles_composite_score`
//!   missing; categories converted from JSON (slug = lower-cased name), a few
//!   spelling variants of one name.
//!
//! Articles have titles, summaries, contents of 400..5,600 bytes (3 KB on
//! average; ≈ 870 MB at 200,000 articles) and one to three category links.
//! Shared by the benchmark, the kill script's generator and the interruption test.

#![allow(dead_code)]

use rusqlite::{params, Connection, Transaction};
use std::path::Path;

const V7: &str = include_str!("../../../../migrations/V1__original_v7_baseline.sql");

/// The schema a v1.0 file has after every later version started on it.
const V10_LINEAGE: &str = "
CREATE TABLE feeds (
\tid INTEGER NOT NULL, 
\turl VARCHAR NOT NULL, 
\ttitle VARCHAR NOT NULL, 
\tdisplay_order INTEGER NOT NULL, 
\tlast_fetched_at DATETIME, 
\tPRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_feeds_url ON feeds (url);
CREATE TABLE articles (
\tid INTEGER NOT NULL, 
\tfeed_id INTEGER NOT NULL, 
\ttitle VARCHAR NOT NULL, 
\turl VARCHAR NOT NULL, 
\tauthor VARCHAR, 
\tpublished_at DATETIME, 
\tsummary VARCHAR, 
\tcontent VARCHAR, 
\tis_read BOOLEAN NOT NULL, 
\tcategories JSON, 
\tinterest_score INTEGER, 
\tquality_score INTEGER, 
\tcomposite_score FLOAT, 
\tscore_reasoning VARCHAR, 
\tscoring_state VARCHAR NOT NULL, 
\tscored_at DATETIME, 
\tPRIMARY KEY (id), 
\tFOREIGN KEY(feed_id) REFERENCES feeds (id) ON DELETE CASCADE
);
CREATE INDEX ix_articles_published_at ON articles (published_at);
CREATE UNIQUE INDEX ix_articles_url ON articles (url);
CREATE INDEX ix_articles_feed_id ON articles (feed_id);
CREATE TABLE user_preferences (
\tid INTEGER NOT NULL, 
\tinterests VARCHAR NOT NULL, 
\tanti_interests VARCHAR NOT NULL, 
\ttopic_weights JSON, 
\tupdated_at DATETIME NOT NULL, 
\tPRIMARY KEY (id)
);
ALTER TABLE user_preferences ADD COLUMN ollama_categorization_model TEXT;
ALTER TABLE user_preferences ADD COLUMN ollama_scoring_model TEXT;
ALTER TABLE user_preferences ADD COLUMN ollama_use_separate_models BOOLEAN DEFAULT 0;
ALTER TABLE articles ADD COLUMN scoring_priority INTEGER DEFAULT 0;
ALTER TABLE articles ADD COLUMN rescore_mode TEXT;
ALTER TABLE user_preferences ADD COLUMN category_groups TEXT;
CREATE TABLE categories (
\tid INTEGER NOT NULL, 
\tdisplay_name VARCHAR NOT NULL, 
\tslug VARCHAR NOT NULL, 
\tparent_id INTEGER, 
\tweight VARCHAR, 
\tis_hidden BOOLEAN NOT NULL, 
\tis_seen BOOLEAN NOT NULL, 
\tis_manually_created BOOLEAN NOT NULL, 
\tcreated_at DATETIME NOT NULL, 
\tPRIMARY KEY (id), 
\tFOREIGN KEY(parent_id) REFERENCES categories (id)
);
CREATE INDEX ix_categories_display_name ON categories (display_name);
CREATE UNIQUE INDEX ix_categories_slug ON categories (slug);
CREATE TABLE article_category_link (
\tarticle_id INTEGER NOT NULL, 
\tcategory_id INTEGER NOT NULL, 
\tPRIMARY KEY (article_id, category_id), 
\tFOREIGN KEY(article_id) REFERENCES articles (id) ON DELETE CASCADE, 
\tFOREIGN KEY(category_id) REFERENCES categories (id) ON DELETE CASCADE
);
ALTER TABLE articles DROP COLUMN categories;
ALTER TABLE user_preferences DROP COLUMN category_groups;
ALTER TABLE user_preferences DROP COLUMN topic_weights;
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (2);
ALTER TABLE user_preferences ADD COLUMN ollama_thinking BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE user_preferences ADD COLUMN feed_refresh_interval INTEGER NOT NULL DEFAULT 1800;
";

/// Which of the two real V7 files to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Fresh,
    V10Lineage,
}

impl Shape {
    pub fn name(self) -> &'static str {
        match self {
            Shape::Fresh => "fresh-9824235",
            Shape::V10Lineage => "v1.0-lineage",
        }
    }
}

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

/// Run-time categories (slug, display name) that duplicate a default one.
const RUNTIME_DUPLICATES: &[(&str, &str)] = &[
    ("technology", "Technology"),
    ("cybersecurity", "Cybersecurity"),
    ("ai", "AI"),
    ("programming", "Programming"),
    ("science", "Science"),
    ("climate", "Climate"),
    ("space", "Space"),
    ("business", "Business"),
    ("finance", "Finance"),
    ("startups", "Startups"),
    ("entertainment", "Entertainment"),
    ("gaming", "Gaming"),
    ("film", "Film"),
    ("music", "Music"),
    ("culture", "Culture"),
    ("philosophy", "Philosophy"),
    ("history", "History"),
    ("design", "Design"),
    ("health", "Health"),
    ("politics", "Politics"),
];

/// Categories of the v1.0 lineage's JSON conversion: (slug = name, display name);
/// the first ones are spelling variants that 8c6f3c9b8f70 merges.
const CONVERTED: &[(&str, &str)] = &[
    ("machine learning", "Machine learning"),
    ("machine-learning", "Machine Learning"),
    ("open source", "Open source"),
    ("open-source", "Open Source"),
    ("self-hosting", "Self Hosting"),
    ("self hosting", "Self hosting"),
    ("web dev", "Web dev"),
    ("web-dev", "Web Dev"),
    ("ai-ml", "AI & ML"),
    ("technology", "Technology"),
    ("science", "Science"),
    ("programming", "Programming"),
];

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

/// Deterministic filler text of `len` bytes.
fn text(seed: i64, len: usize) -> String {
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

fn mix(a: i64) -> u64 {
    let mut x = (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 32)
}

/// Write a V7 database of the fresh shape with `articles` articles.
pub fn generate_v7(path: &Path, articles: u64) -> rusqlite::Result<()> {
    generate(path, articles, Shape::Fresh)
}

fn insert_category(
    tx: &Transaction<'_>,
    id: i64,
    display: &str,
    slug: &str,
    weight: Option<&str>,
    created: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO categories (id, display_name, slug, parent_id, weight, is_hidden, is_seen, is_manually_created, created_at)
         VALUES (?1, ?2, ?3, NULL, ?4, 0, 1, 0, ?5)",
        params![id, display, slug, weight, created],
    )?;
    Ok(())
}

/// Categories of the shape; returns (id, link weight) of each.
fn categories(tx: &Transaction<'_>, shape: Shape) -> rusqlite::Result<Vec<(i64, u64)>> {
    let mut out = Vec::new();
    let mut next = 1i64;
    if shape == Shape::Fresh {
        // The 61f2be6 seeding: title-case slugs, sorted, parents afterwards.
        let mut seeded: Vec<&str> = TITLE
            .iter()
            .flat_map(|(p, c)| std::iter::once(*p).chain(c.iter().copied()))
            .collect();
        seeded.sort_unstable();
        for s in &seeded {
            insert_category(tx, next, s, s, None, "2026-02-20 08:00:00.000000")?;
            out.push((next, 1));
            next += 1;
        }
        for (p, kids) in TITLE {
            for k in *kids {
                tx.execute(
                    "UPDATE categories SET parent_id = (SELECT id FROM categories WHERE slug = ?1) WHERE slug = ?2",
                    [p, k],
                )?;
            }
        }
        for (slug, display) in RUNTIME_DUPLICATES {
            insert_category(
                tx,
                next,
                display,
                slug,
                Some("boost").filter(|_| next % 3 == 0),
                "2026-02-21 09:00:00.000000",
            )?;
            out.push((next, 30));
            next += 1;
        }
    } else {
        for (slug, display) in CONVERTED {
            insert_category(tx, next, display, slug, None, "2026-02-17T12:00:00.000000")?;
            out.push((next, 20));
            next += 1;
        }
    }
    // Other run-time categories.
    for i in 0..80 {
        let slug = format!("topic-{i}");
        let display = format!("Topic {i}");
        insert_category(
            tx,
            next,
            &display,
            &slug,
            None,
            "2026-02-22 09:00:00.000000",
        )?;
        out.push((next, 10));
        next += 1;
    }
    Ok(out)
}

/// Write a V7 database of `shape` with `articles` articles at `path` (which must
/// not exist).
pub fn generate(path: &Path, articles: u64, shape: Shape) -> rusqlite::Result<()> {
    let mut conn = Connection::open(path)?;
    conn.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")?;
    let tx = conn.transaction()?;
    tx.execute_batch(match shape {
        Shape::Fresh => V7,
        Shape::V10Lineage => V10_LINEAGE,
    })?;
    let feeds = 50i64;
    for f in 1..=feeds {
        tx.execute(
            "INSERT INTO feeds (id, url, title, display_order, last_fetched_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![f, format!("https://feed{f}.example.org/rss"), format!("Feed {f}"), f - 1, "2026-02-20 08:00:00.000000"],
        )?;
    }
    let cats = categories(&tx, shape)?;
    let total_weight: u64 = cats.iter().map(|c| c.1).sum();
    let pick = |h: u64| -> i64 {
        let mut r = h % total_weight;
        for (id, w) in &cats {
            if r < *w {
                return *id;
            }
            r -= w;
        }
        cats[0].0
    };
    {
        let mut art = tx.prepare(
            "INSERT INTO articles (id, feed_id, title, url, author, published_at, summary, content, is_read,
                interest_score, quality_score, composite_score, score_reasoning, scoring_state, scored_at,
                scoring_priority, rescore_mode)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, NULL)",
        )?;
        let mut link = tx.prepare(
            "INSERT OR IGNORE INTO article_category_link (article_id, category_id) VALUES (?1, ?2)",
        )?;
        for a in 1..=articles as i64 {
            let h = mix(a);
            let scored = a % 3 != 0;
            let content_len = 400 + (h % 5200) as usize;
            art.execute(params![
                a,
                1 + a % feeds,
                format!("Article {a}: {}", text(a, 50)),
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
                text(a + 2, content_len),
                a % 2,
                scored.then_some(a % 11),
                scored.then_some(a % 7),
                scored.then_some((a % 100) as f64 / 10.0),
                scored.then(|| text(a + 3, 120)),
                if scored { "scored" } else { "queued" },
                scored.then_some("2026-02-21 10:00:00.000000"),
                i64::from(a % 50 == 0),
            ])?;
            for k in 0..1 + (h >> 20) % 3 {
                link.execute([a, pick(mix(a * 7 + k as i64))])?;
            }
        }
    }
    let prefs = match shape {
        Shape::Fresh => "INSERT INTO user_preferences (id, interests, anti_interests, updated_at, ollama_categorization_model,
            ollama_scoring_model, ollama_use_separate_models, ollama_thinking, feed_refresh_interval)
         VALUES (1, 'Rust, databases', 'celebrity gossip', '2026-02-21 11:00:00.000000', 'qwen3:4b', 'qwen3:8b', 1, 0, 1800)",
        Shape::V10Lineage => "INSERT INTO user_preferences (id, interests, anti_interests, updated_at, ollama_categorization_model,
            ollama_scoring_model, ollama_use_separate_models, ollama_thinking, feed_refresh_interval)
         VALUES (1, 'Rust, databases', 'celebrity gossip', '2026-02-21 11:00:00.000000', 'qwen3:8b', NULL, NULL, 1, 900)",
    };
    tx.execute(prefs, [])?;
    tx.commit()?;
    conn.execute_batch("PRAGMA journal_mode = WAL;")?;
    Ok(())
}
