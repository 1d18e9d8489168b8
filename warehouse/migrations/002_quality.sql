-- Migration 002: the quality gate's own tables, and run columns for them.
CREATE TABLE IF NOT EXISTS quarantine (
    run_id VARCHAR, table_name VARCHAR, row_key VARCHAR, expectation VARCHAR, column_name VARCHAR,
    row_json VARCHAR, quarantined_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS quality_results (
    run_id VARCHAR, suite VARCHAR, expectation VARCHAR, column_name VARCHAR, level VARCHAR,
    success BOOLEAN, element_count BIGINT, unexpected_count BIGINT, evaluated_at TIMESTAMPTZ
);
ALTER TABLE runs ADD COLUMN IF NOT EXISTS n_quarantined INTEGER;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS data_docs VARCHAR;
