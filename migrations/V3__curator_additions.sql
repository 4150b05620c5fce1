-- Curator's own addition to the original's head schema: a per-task batch size
-- override (the newest original, bd9b8b970fb9, has the same column).
ALTER TABLE llm_task_routes ADD COLUMN batch_size INTEGER;
