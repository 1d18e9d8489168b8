-- How each outlet sources its stories: share of statements from anonymous or vague sources, share
-- reaching it through state media (as speaker or intermediary), distinct sources per article.
CREATE OR REPLACE VIEW outlet_sourcing_profile AS
WITH per_statement AS (
    SELECT s.statement_id, s.article_id, s.source_id,
           speaker.type IN ('anonymous', 'vague') AS anonymous_or_vague,
           EXISTS (SELECT 1 FROM statement_sources l JOIN sources link ON link.source_id = l.source_id
                   WHERE l.statement_id = s.statement_id AND l.role <> 'publisher' AND link.type = 'state_media') AS via_state_media
    FROM statements s JOIN sources speaker ON speaker.source_id = s.source_id
), per_article AS (
    SELECT a.article_id, a.publisher_id, count(p.statement_id) AS statements,
           count(DISTINCT p.source_id) AS distinct_sources,
           count(*) FILTER (WHERE p.anonymous_or_vague) AS anonymous_or_vague,
           count(*) FILTER (WHERE p.via_state_media) AS via_state_media
    FROM articles a LEFT JOIN per_statement p USING (article_id)
    GROUP BY ALL
)
SELECT pub.name AS outlet, count(*) AS articles, sum(statements) AS statements,
       round(sum(anonymous_or_vague) / nullif(sum(statements), 0), 4) AS share_anonymous_or_vague,
       round(sum(via_state_media) / nullif(sum(statements), 0), 4) AS share_state_media,
       round(avg(distinct_sources), 2) AS distinct_sources_per_article
FROM per_article JOIN sources pub ON pub.source_id = per_article.publisher_id
GROUP BY ALL;
