-- name: batch
-- One row describing the whole staged run, for checks that catch a broken extractor or attributor.
WITH staged AS (
    SELECT a.rowid AS seq, a.article_id,
           NOT EXISTS (SELECT 1 FROM stg_statements s WHERE s.run_id = $run_id AND s.article_id = a.article_id) AS empty
    FROM stg_articles a WHERE a.run_id = $run_id
), streaks AS (
    SELECT count(*) AS length FROM (
        SELECT seq - row_number() OVER (ORDER BY seq) AS island FROM staged WHERE empty
    ) GROUP BY island
)
SELECT
    (SELECT count(*) FROM staged) AS articles,
    (SELECT count(*) FROM stg_statements WHERE run_id = $run_id) AS statements,
    coalesce((SELECT max(length) FROM streaks), 0) AS longest_run_without_statements,
    (SELECT count(*) FROM failures WHERE run_id = $run_id AND stage = 'extract') AS articles_without_text,
    -- Pages unchanged since an earlier run had text then: they count in the denominator.
    coalesce((SELECT count(*) FROM failures WHERE run_id = $run_id AND stage = 'extract')
             / nullif((SELECT count(*) FROM staged) + (SELECT count(*) FROM failures WHERE run_id = $run_id AND stage = 'extract')
                      + (SELECT count(*) FROM fetch_log WHERE run_id = $run_id AND unchanged), 0), 0.0)
        AS share_without_text;
