-- Migration 014: check-worthiness in the batch.
-- * statements.check_worthiness_model: the model_id (its card's) of the check-worthiness model that
--   scored the statement (check_worthiness, check_worthy came with migration 011).
-- * article_claims: each article's own sentences (in the part attribution read) that no statement's
--   content, cue or source overlaps, i.e. what the outlet asserts in its own voice, with their
--   check-worthiness. Staged and published with their article: a republished article's rows are replaced.
ALTER TABLE stg_statements ADD COLUMN IF NOT EXISTS check_worthiness_model VARCHAR;
ALTER TABLE statements ADD COLUMN IF NOT EXISTS check_worthiness_model VARCHAR;
CREATE TABLE IF NOT EXISTS stg_article_claims (
    run_id VARCHAR, sentence_id VARCHAR, article_id VARCHAR, sentence_start INTEGER, sentence_end INTEGER,
    text VARCHAR, check_worthiness DOUBLE, check_worthy BOOLEAN, check_worthiness_model VARCHAR,
    batch INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS article_claims AS SELECT * EXCLUDE (batch) FROM stg_article_claims WITH NO DATA;
