-- Curator: the queue of the two LLM tasks and what only Curator tracks about their
-- results. The results themselves (scores, reasoning, composite, categories and their
-- links, articles.scoring_state / scoring_priority / rescore_mode, and the newest
-- original's categorization_state and attempt counters where the file has them) stay
-- where the earlier reader keeps them, so the database remains readable by it.
CREATE TABLE curator_task_queue (
    task TEXT NOT NULL CHECK (task IN ('categorization', 'scoring')),
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    -- 1 for a single-article rescore, else 0 (the original's scoring_priority).
    priority INTEGER NOT NULL DEFAULT 0,
    -- The article's published_at, copied at enqueue so the queue order has an index.
    published_at TEXT,
    -- Failed attempts since the last enqueue; the task fails at 3.
    attempts INTEGER NOT NULL DEFAULT 0,
    -- The runner holding a running row (a crash leaves it; the next runner re-queues).
    claim TEXT,
    enqueued_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL,
    -- The last failure (code and reason), kept until the next success.
    error_code TEXT,
    error TEXT,
    -- Who produced the last result, how, and how long it took.
    provider TEXT,
    model TEXT,
    fallback_used INTEGER NOT NULL DEFAULT 0,
    structured_mode TEXT,
    latency_ms INTEGER,
    PRIMARY KEY (task, article_id)
) WITHOUT ROWID;
CREATE INDEX ix_curator_task_queue_state ON curator_task_queue (task, state);
-- Queue order (tasks.md §3): priority, oldest published_at first (undated first), id.
CREATE INDEX ix_curator_task_queue_pick
    ON curator_task_queue (task, state, priority DESC, published_at, article_id);
CREATE INDEX ix_curator_task_queue_article ON curator_task_queue (article_id);

-- A provider that asked Curator to wait (429/503/529, Retry-After) pauses its task.
CREATE TABLE curator_task_pause (
    task TEXT NOT NULL CHECK (task IN ('categorization', 'scoring')),
    provider TEXT NOT NULL,
    until_ms INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (task, provider)
);

-- An optional fallback per task route ({provider, model}), used only when the primary
-- fails in a way worth retrying elsewhere (timeout, refused, 5xx, 429/529).
CREATE TABLE curator_route_fallback (
    task TEXT NOT NULL PRIMARY KEY CHECK (task IN ('categorization', 'scoring')),
    provider TEXT NOT NULL,
    model TEXT NOT NULL
);
