-- Migration 008: where each run's wall time went (imports, Prefect API, fetch, extract, attribute,
-- stage, gate, publish, snapshot), as a JSON object of seconds, so a slow scheduled run can be read.
ALTER TABLE runs ADD COLUMN IF NOT EXISTS stage_seconds VARCHAR;
