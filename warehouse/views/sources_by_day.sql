-- Statements per source per day (publication date, else fetch date), for "who is cited most this week".
CREATE OR REPLACE VIEW sources_by_day AS
SELECT
    coalesce(a.published_date, CAST(a.fetched_at AS DATE)) AS day,
    src.source_id, src.name AS source, src.type AS source_type,
    count(*) AS statements, count(DISTINCT s.article_id) AS articles
FROM statements s
JOIN articles a USING (article_id)
JOIN sources src ON src.source_id = s.source_id
GROUP BY ALL;
