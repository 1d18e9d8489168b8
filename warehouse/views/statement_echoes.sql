-- The same statement across articles (content matched after lower-casing and dropping punctuation),
-- with where and when it first appeared.
CREATE OR REPLACE VIEW statement_echoes AS
WITH normalised AS (
    SELECT s.statement_id, s.article_id, s.content,
           trim(regexp_replace(lower(s.content), '[^[:alnum:]]+', ' ', 'g')) AS normalised_content,
           coalesce(a.published_date, CAST(a.fetched_at AS DATE)) AS day, a.fetched_at,
           pub.name AS outlet, speaker.name AS speaker
    FROM statements s
    JOIN articles a USING (article_id)
    JOIN sources speaker ON speaker.source_id = s.source_id
    LEFT JOIN sources pub ON pub.source_id = a.publisher_id
)
SELECT normalised_content,
       count(DISTINCT article_id) AS articles,
       count(DISTINCT outlet) AS outlets,
       min(day) AS first_day,
       arg_min(outlet, {'day': day, 'fetched_at': fetched_at}) AS first_outlet,
       arg_min(article_id, {'day': day, 'fetched_at': fetched_at}) AS first_article_id,
       list(DISTINCT speaker ORDER BY speaker) AS speakers,
       any_value(content) AS example_content
FROM normalised
WHERE length(normalised_content) >= 20
GROUP BY normalised_content
HAVING count(DISTINCT article_id) >= 2;
