-- Migration 013 (fact-check matching): statements matched against fact-checks after each publish
-- (warehouse/fact_check_matching.py).
-- * fact_check_vectors: each fact-check's claim and headline sentence vectors (transform/encoder.py), computed
--   once; `text_md5` is the md5 of the claim and headline they were computed from, so a fact-check re-read with
--   other words is encoded again and one re-read unchanged is not.
-- * fact_check_matches: each statement's best fact-checks (at most a few, above a floor score), with the
--   calibrated score, the rank among that statement's matches and whether it passes the matcher's threshold.
-- * fact_check_match_log: what has been matched against everything: a statement (as published by `version` =
--   its run_id) or a fact-check (as worded: `version` = text_md5), by one matcher. New work is what is not in it.
CREATE TABLE IF NOT EXISTS fact_check_vectors (
    fact_check_id VARCHAR, encoder_id VARCHAR, text_md5 VARCHAR, claim_vector FLOAT[384], headline_vector FLOAT[384]
);
CREATE TABLE IF NOT EXISTS fact_check_matches (
    statement_id VARCHAR, fact_check_id VARCHAR, score DOUBLE, rank INTEGER, matched BOOLEAN,
    claim_cosine DOUBLE, headline_cosine DOUBLE, bm25_share DOUBLE, matcher_id VARCHAR, run_id VARCHAR,
    matched_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS fact_check_match_log (
    side VARCHAR, item_id VARCHAR, version VARCHAR, matcher_id VARCHAR, run_id VARCHAR, matched_at TIMESTAMPTZ
);
ALTER TABLE runs ADD COLUMN IF NOT EXISTS n_statements_matched INTEGER;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS n_fact_checks_matched INTEGER;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS n_matched INTEGER;
