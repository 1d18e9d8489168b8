-- Migration 009: fact-checks in (issue #26). What reading ClaimReviews left out, cut or nulled, where
-- users can query it: one row per reason a page a run scanned (or a file `citeline factchecks import`
-- read) gave (extract/fact_checks.REASONS names them). Raw layer, like fetch_log and failures: written as
-- each batch is staged and kept whether or not the run publishes; a retried run replaces its own rows.
-- `found_at` is the page URL or the imported file/URL, `article_id` the page's article (NULL when it gave
-- none, or for an import). A run records how many fact-checks it staged, and how many such reasons.
CREATE TABLE IF NOT EXISTS fact_check_issues (
    run_id VARCHAR, found_at VARCHAR, article_id VARCHAR, reason VARCHAR, detail VARCHAR
);
ALTER TABLE runs ADD COLUMN IF NOT EXISTS n_fact_checks INTEGER;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS n_fact_check_issues INTEGER;
