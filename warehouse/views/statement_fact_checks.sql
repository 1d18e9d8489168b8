-- Each statement's best fact-checks (warehouse/fact_check_matching.py keeps at most a few per statement, above
-- a floor score), with the review's verdict and where to read it, and who said the statement where.
CREATE OR REPLACE VIEW statement_fact_checks AS
SELECT m.statement_id, m.fact_check_id, m.score, m.rank, m.matched,
       f.verdict, f.rating_text, f.reviewer, f.review_url, f.claim_reviewed, f.review_date, f.review_headline,
       m.matcher_id,
       s.content, s.article_id, s.source_id, speaker.name AS speaker, speaker.type AS speaker_type,
       pub.name AS outlet, a.canonical_url AS article_url,
       coalesce(a.published_date, CAST(a.fetched_at AS DATE)) AS article_date,
       m.claim_cosine, m.headline_cosine, m.bm25_share, m.matched_at
FROM fact_check_matches m
JOIN fact_checks f USING (fact_check_id)
JOIN statements s USING (statement_id)
JOIN articles a ON a.article_id = s.article_id
LEFT JOIN sources speaker ON speaker.source_id = s.source_id
LEFT JOIN sources pub ON pub.source_id = a.publisher_id;
