-- Curator: the last model list each provider answered with, served as "stale" (with
-- its age) when a later refresh fails. A cache only: safe to empty at any time.
CREATE TABLE curator_model_cache (
    provider TEXT NOT NULL PRIMARY KEY,
    models_json TEXT NOT NULL CHECK (json_valid(models_json)),
    fetched_at_unix INTEGER NOT NULL
);
