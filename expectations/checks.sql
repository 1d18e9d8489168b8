-- The frames each suite validates: one run's staged rows, with cross-table checks computed in SQL
-- (foreign keys, text at offsets) so the suites can express them as plain column expectations.
-- Only the columns the suites read are selected. Every staged table but stg_sources is read for the
-- batches $from_batch to $to_batch only (a frame of consecutive batches, see gate.batch_frames); a
-- statement's article and a chain link's statement must be in the row's own batch, where staging puts
-- them, as each batch is published on its own.
-- name: articles
SELECT a.* EXCLUDE (text), length(a.text) AS text_length, a.text IS NULL AS text_missing,
       coalesce(a.published_date <= CAST(a.fetched_at AS DATE) + 1, TRUE) AS published_not_after_fetch
FROM stg_articles a WHERE a.run_id = $run_id AND a.batch BETWEEN $from_batch AND $to_batch;
-- name: statements
SELECT s.run_id, s.batch, s.statement_id, s.article_id, s.source_id, s.content_start, s.content_end, s.kind, s.stance,
       s.confidence, length(a.text) AS text_length,
       a.article_id IS NOT NULL AS article_exists,
       src.source_id IS NOT NULL AS source_exists,
       coalesce(substring(a.text, s.content_start + 1, s.content_end - s.content_start) = s.content, FALSE) AS content_matches_text,
       s.cue_start IS NULL OR coalesce(substring(a.text, s.cue_start + 1, s.cue_end - s.cue_start) = s.cue, FALSE) AS cue_matches_text,
       s.source_start IS NULL OR coalesce(substring(a.text, s.source_start + 1, s.source_end - s.source_start) = s.source_mention, FALSE) AS source_matches_text
FROM stg_statements s
LEFT JOIN (SELECT article_id, batch, text FROM stg_articles WHERE run_id = $run_id AND batch BETWEEN $from_batch AND $to_batch) a
    ON a.article_id = s.article_id AND a.batch = s.batch
LEFT JOIN (SELECT DISTINCT source_id FROM stg_sources WHERE run_id = $run_id) src ON src.source_id = s.source_id
WHERE s.run_id = $run_id AND s.batch BETWEEN $from_batch AND $to_batch;
-- name: sources
SELECT * FROM stg_sources WHERE run_id = $run_id;
-- name: statement_sources
SELECT l.run_id, l.batch, l.statement_id, l.source_id, l.role, l.position,
       src.source_id IS NOT NULL AS source_exists, st.statement_id IS NOT NULL AS statement_exists
FROM stg_statement_sources l
LEFT JOIN (SELECT DISTINCT source_id FROM stg_sources WHERE run_id = $run_id) src ON src.source_id = l.source_id
LEFT JOIN (SELECT DISTINCT statement_id, batch FROM stg_statements WHERE run_id = $run_id AND batch BETWEEN $from_batch AND $to_batch) st
    ON st.statement_id = l.statement_id AND st.batch = l.batch
WHERE l.run_id = $run_id AND l.batch BETWEEN $from_batch AND $to_batch;
-- name: fact_checks
-- A review URL is well formed when it is http(s), has a host and holds no space or control character.
SELECT f.run_id, f.batch, f.fact_check_id, f.claim_reviewed, f.verdict, f.review_url, f.claim_date, f.review_date,
       f.origin, f.found_at, f.article_id,
       coalesce(length(trim(f.claim_reviewed)) > 0, FALSE) AS has_claim,
       f.review_url IS NULL OR regexp_full_match(f.review_url, '(?i)https?://[^/?#\s@]+(?:[/?#][^\s\x00-\x1f]*)?') AS review_url_well_formed,
       coalesce(f.claim_date <= current_date + 1, TRUE) AND coalesce(f.review_date <= current_date + 1, TRUE) AS dates_not_in_future
FROM stg_fact_checks f WHERE f.run_id = $run_id AND f.batch BETWEEN $from_batch AND $to_batch;
