-- Phase 09.6 of the original reader (Alembic dff7a4c52b3c + 1c3cc7f7d174):
-- provider configs and task routes replace the ollama_* preference columns.
--
-- This is the path of a database Curator creates. A database of the earlier reader
-- never runs this file: the adopter (crates/curator-core/src/legacy) carries it to
-- the same result with the original's exact rules (Ollama host from OLLAMA__HOST,
-- .env or CONFIG_FILE, every historical shape) and records this migration as
-- already applied.

CREATE TABLE llm_provider_configs (
    id INTEGER NOT NULL PRIMARY KEY,
    provider VARCHAR NOT NULL,
    enabled BOOLEAN NOT NULL,
    config_json VARCHAR NOT NULL CHECK (json_valid(config_json)),
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX ix_llm_provider_configs_provider ON llm_provider_configs (provider);

CREATE TABLE llm_task_routes (
    id INTEGER NOT NULL PRIMARY KEY,
    task VARCHAR NOT NULL,
    provider VARCHAR NOT NULL REFERENCES llm_provider_configs (provider),
    model VARCHAR,
    updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX ix_llm_task_routes_task ON llm_task_routes (task);
CREATE INDEX ix_llm_task_routes_provider ON llm_task_routes (provider);

-- Backfill from the first preferences row, if there is one (a fresh database has none
-- and starts with no provider).
INSERT INTO llm_provider_configs (provider, enabled, config_json, updated_at)
SELECT 'ollama', 1,
       json_object('base_url', 'http://localhost', 'port', 11434,
                   'categorization_model', ollama_categorization_model,
                   'scoring_model', ollama_scoring_model,
                   'use_separate_models', json(CASE WHEN ollama_use_separate_models THEN 'true' ELSE 'false' END),
                   'thinking', json(CASE WHEN ollama_thinking THEN 'true' ELSE 'false' END)),
       strftime('%Y-%m-%d %H:%M:%f000', 'now', 'localtime')
FROM (SELECT * FROM user_preferences ORDER BY id LIMIT 1);

INSERT INTO llm_task_routes (task, provider, model, updated_at)
SELECT 'categorization', 'ollama', ollama_categorization_model, strftime('%Y-%m-%d %H:%M:%f000', 'now', 'localtime')
FROM (SELECT * FROM user_preferences ORDER BY id LIMIT 1);

INSERT INTO llm_task_routes (task, provider, model, updated_at)
SELECT 'scoring', 'ollama',
       CASE WHEN ollama_use_separate_models AND coalesce(ollama_scoring_model, '') <> ''
            THEN ollama_scoring_model ELSE ollama_categorization_model END,
       strftime('%Y-%m-%d %H:%M:%f000', 'now', 'localtime')
FROM (SELECT * FROM user_preferences ORDER BY id LIMIT 1);

ALTER TABLE user_preferences RENAME COLUMN ollama_use_separate_models TO use_separate_models;
ALTER TABLE user_preferences DROP COLUMN ollama_categorization_model;
ALTER TABLE user_preferences DROP COLUMN ollama_scoring_model;
ALTER TABLE user_preferences DROP COLUMN ollama_thinking;


-- The original's Alembic head, so the original 78dd677 accepts this file as its own.
CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO alembic_version (version_num) VALUES ('1c3cc7f7d174');
