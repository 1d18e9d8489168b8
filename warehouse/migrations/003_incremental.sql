-- Migration 003: what incremental runs need: HTTP validators per fetch, and whether the page changed.
ALTER TABLE fetch_log ADD COLUMN IF NOT EXISTS etag VARCHAR;
ALTER TABLE fetch_log ADD COLUMN IF NOT EXISTS last_modified VARCHAR;
ALTER TABLE fetch_log ADD COLUMN IF NOT EXISTS unchanged BOOLEAN;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS n_unchanged INTEGER;
