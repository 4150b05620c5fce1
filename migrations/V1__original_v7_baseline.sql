-- The original reader's last pre-Alembic shape (V7, schema_version 2), as its ORM
-- created it on a fresh install. Every later change is a migration of its own.
CREATE TABLE feeds (
    id INTEGER NOT NULL PRIMARY KEY,
    url VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    display_order INTEGER NOT NULL,
    last_fetched_at DATETIME
);
CREATE UNIQUE INDEX ix_feeds_url ON feeds (url);

CREATE TABLE articles (
    id INTEGER NOT NULL PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    title VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    author VARCHAR,
    published_at DATETIME,
    summary VARCHAR,
    content VARCHAR,
    is_read BOOLEAN NOT NULL,
    interest_score INTEGER,
    quality_score INTEGER,
    composite_score FLOAT,
    score_reasoning VARCHAR,
    scoring_state VARCHAR NOT NULL,
    scored_at DATETIME,
    scoring_priority INTEGER NOT NULL,
    rescore_mode VARCHAR
);
CREATE UNIQUE INDEX ix_articles_url ON articles (url);
CREATE INDEX ix_articles_feed_id ON articles (feed_id);
CREATE INDEX ix_articles_published_at ON articles (published_at);
CREATE INDEX ix_articles_composite_score ON articles (composite_score);
CREATE INDEX ix_articles_scoring_state ON articles (scoring_state);

CREATE TABLE categories (
    id INTEGER NOT NULL PRIMARY KEY,
    display_name VARCHAR NOT NULL,
    slug VARCHAR NOT NULL,
    parent_id INTEGER REFERENCES categories (id),
    weight VARCHAR,
    is_hidden BOOLEAN NOT NULL,
    is_seen BOOLEAN NOT NULL,
    is_manually_created BOOLEAN NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX ix_categories_slug ON categories (slug);
CREATE INDEX ix_categories_display_name ON categories (display_name);

CREATE TABLE article_category_link (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    category_id INTEGER NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, category_id)
);

CREATE TABLE user_preferences (
    id INTEGER NOT NULL PRIMARY KEY,
    interests VARCHAR NOT NULL,
    anti_interests VARCHAR NOT NULL,
    updated_at DATETIME NOT NULL,
    ollama_categorization_model VARCHAR,
    ollama_scoring_model VARCHAR,
    ollama_use_separate_models BOOLEAN NOT NULL,
    ollama_thinking BOOLEAN NOT NULL,
    feed_refresh_interval INTEGER NOT NULL
);

CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (2);
