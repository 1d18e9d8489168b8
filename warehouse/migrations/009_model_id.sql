-- Migration 009: which trained attribution model, if any, stood beside the rules engine. An article
-- records the model it was attributed with (so a run with another model, or none, redoes it); a
-- statement records the model that found it (NULL: the rules found it); a run, the model it used.
ALTER TABLE stg_articles ADD COLUMN IF NOT EXISTS model_id VARCHAR;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS model_id VARCHAR;
ALTER TABLE stg_statements ADD COLUMN IF NOT EXISTS model_id VARCHAR;
ALTER TABLE statements ADD COLUMN IF NOT EXISTS model_id VARCHAR;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS model_id VARCHAR;
