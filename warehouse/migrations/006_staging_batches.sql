-- Migration 006: every staged row carries the batch it was staged in (an article's statements and
-- chain links share its batch), so a run is published one batch at a time and DuckDB reads only that
-- batch's row groups (their min/max of `batch`), not every row still staged. Rows staged before this
-- migration form batch 0.
ALTER TABLE stg_articles ADD COLUMN IF NOT EXISTS batch INTEGER DEFAULT 0;
ALTER TABLE stg_statements ADD COLUMN IF NOT EXISTS batch INTEGER DEFAULT 0;
ALTER TABLE stg_statement_sources ADD COLUMN IF NOT EXISTS batch INTEGER DEFAULT 0;
