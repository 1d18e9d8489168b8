-- Migration 011: the fact-check half's shared tables and columns.
-- * statement_vectors: each statement's sentence vector (all-MiniLM-L6-v2, transform/encoder.py, unit
--   length, so a dot product is the cosine), computed once, in the batch that attributes the statement,
--   staged and published with it. Check-worthiness, fact-check matching and claim grouping all read it,
--   so the encoder runs once per statement. `encoder_id` names the encoder that made the vector.
-- * statements.check_worthiness / check_worthy: how worth fact-checking the statement is (0-1) and
--   whether it passes the model's threshold, computed in the batch too.
-- * fact_checks: schema.org ClaimReviews, from pages a run reads or from imported dumps; one row per
--   fact_check_id (extract/fact_checks.py says how it is made). `article_id` is the page it came from
--   (NULL for an import), `found_at` the page URL or the file, `origin` how it was read.
CREATE TABLE IF NOT EXISTS stg_statement_vectors (
    run_id VARCHAR, statement_id VARCHAR, encoder_id VARCHAR, vector FLOAT[384], batch INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS statement_vectors (statement_id VARCHAR, encoder_id VARCHAR, vector FLOAT[384]);

ALTER TABLE stg_statements ADD COLUMN IF NOT EXISTS check_worthiness DOUBLE;
ALTER TABLE stg_statements ADD COLUMN IF NOT EXISTS check_worthy BOOLEAN;
ALTER TABLE statements ADD COLUMN IF NOT EXISTS check_worthiness DOUBLE;
ALTER TABLE statements ADD COLUMN IF NOT EXISTS check_worthy BOOLEAN;

CREATE TABLE IF NOT EXISTS stg_fact_checks (
    run_id VARCHAR, fact_check_id VARCHAR, claim_reviewed VARCHAR, claim_author VARCHAR, claim_date DATE,
    claim_appearances VARCHAR[], rating_text VARCHAR, rating_value DOUBLE, best_rating DOUBLE, worst_rating DOUBLE,
    verdict VARCHAR, reviewer VARCHAR, review_date DATE, review_url VARCHAR, review_headline VARCHAR,
    language VARCHAR, origin VARCHAR, found_at VARCHAR, origin_id VARCHAR, article_id VARCHAR,
    batch INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS fact_checks AS SELECT * EXCLUDE (batch) FROM stg_fact_checks WITH NO DATA;
