-- Migration 001: the base schema. Layers: raw (fetch_log, failures: as fetched), staging (stg_*:
-- one run's load, before the quality gate), and the published marts that users query. No PRIMARY KEY constraints: keys are
-- kept unique by the loader's delete-then-insert upserts and checked by the quality gate, which
-- avoids DuckDB's over-eager constraint checks on updates inside one transaction.

CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER, applied_at TIMESTAMPTZ);

CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR, started_at TIMESTAMPTZ, ended_at TIMESTAMPTZ, status VARCHAR,
    inputs VARCHAR, n_inputs INTEGER, n_fetched INTEGER, n_fetch_failed INTEGER, n_fetch_skipped INTEGER,
    n_extracted INTEGER, n_extract_failed INTEGER, n_articles INTEGER, n_statements INTEGER, n_sources INTEGER,
    quality_verdict VARCHAR, quality_details VARCHAR, engine_version VARCHAR, extractor_version VARCHAR
);

CREATE TABLE IF NOT EXISTS fetch_log (
    run_id VARCHAR, url VARCHAR, canonical_url VARCHAR, final_url VARCHAR, outcome VARCHAR,
    status INTEGER, error_class VARCHAR, error VARCHAR, attempts INTEGER, bytes BIGINT,
    elapsed_ms DOUBLE, content_type VARCHAR, raw_sha256 VARCHAR, fetched_at TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS failures (
    run_id VARCHAR, stage VARCHAR, url VARCHAR, error_class VARCHAR, detail VARCHAR
);

CREATE TABLE IF NOT EXISTS stg_articles (
    run_id VARCHAR, article_id VARCHAR, canonical_url VARCHAR, url VARCHAR, final_url VARCHAR,
    title VARCHAR, author VARCHAR, published_date DATE, sitename VARCHAR, language VARCHAR,
    text VARCHAR, text_sha256 VARCHAR, raw_sha256 VARCHAR, fetched_at TIMESTAMPTZ,
    extracted_at TIMESTAMPTZ, extractor_version VARCHAR, engine_version VARCHAR, publisher_id VARCHAR
);
CREATE TABLE IF NOT EXISTS articles AS SELECT * EXCLUDE (run_id), run_id FROM stg_articles WITH NO DATA;

CREATE TABLE IF NOT EXISTS stg_statements (
    run_id VARCHAR, statement_id VARCHAR, article_id VARCHAR, content_start INTEGER, content_end INTEGER,
    content VARCHAR, cue_start INTEGER, cue_end INTEGER, cue VARCHAR, cue_lemma VARCHAR, stance VARCHAR,
    source_start INTEGER, source_end INTEGER, source_mention VARCHAR, source_id VARCHAR, kind VARCHAR,
    channel VARCHAR, confidence DOUBLE, chain_length INTEGER, engine_version VARCHAR
);
CREATE TABLE IF NOT EXISTS statements AS SELECT * EXCLUDE (run_id), run_id FROM stg_statements WITH NO DATA;

CREATE TABLE IF NOT EXISTS stg_sources (run_id VARCHAR, source_id VARCHAR, name VARCHAR, type VARCHAR);
CREATE TABLE IF NOT EXISTS sources (source_id VARCHAR, name VARCHAR, type VARCHAR, first_run_id VARCHAR);

CREATE TABLE IF NOT EXISTS stg_statement_sources (
    run_id VARCHAR, statement_id VARCHAR, source_id VARCHAR, role VARCHAR, position INTEGER,
    cue VARCHAR, mention VARCHAR
);
CREATE TABLE IF NOT EXISTS statement_sources AS SELECT * EXCLUDE (run_id) FROM stg_statement_sources WITH NO DATA;
