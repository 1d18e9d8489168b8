-- Where each claim appeared: one row per statement of a claim, in order of appearance (1: its first), with
-- the day, outlet, speaker and chain of intermediaries, so a claim's spread reads top to bottom: who repeated
-- it, through whom, where and when. Standalone (no other view), as views are created in name order.
CREATE OR REPLACE VIEW claim_appearances AS
WITH appearances AS (
    SELECT s.claim_id, s.statement_id, s.article_id, a.title AS article_title, a.canonical_url AS article_url,
           a.publisher_id AS outlet_id, pub.name AS outlet, s.source_id, speaker.name AS speaker,
           coalesce(a.published_date, CAST(a.fetched_at AS DATE)) AS day, a.fetched_at, s.content_start,
           s.content, s.check_worthiness
    FROM statements s
    JOIN articles a USING (article_id)
    JOIN sources speaker ON speaker.source_id = s.source_id
    LEFT JOIN sources pub ON pub.source_id = a.publisher_id
    WHERE s.claim_id IS NOT NULL
)
SELECT p.claim_id,
       row_number() OVER (PARTITION BY p.claim_id
                          ORDER BY p.day, p.fetched_at, p.article_id, p.content_start, p.statement_id) AS appearance,
       p.day, p.day - c.first_seen AS days_after_first,
       p.outlet_id, p.outlet,
       row_number() OVER (PARTITION BY p.claim_id, p.outlet_id
                          ORDER BY p.day, p.fetched_at, p.article_id, p.content_start, p.statement_id) = 1 AS first_in_outlet,
       p.source_id, p.speaker, chain.chain_text,
       p.statement_id, p.article_id, p.article_title, p.article_url, p.content, p.check_worthiness,
       c.text AS claim_text, c.outlets AS claim_outlets
FROM appearances p
JOIN claims c USING (claim_id)
LEFT JOIN (
    SELECT l.statement_id, string_agg(link.name, ' › ' ORDER BY l.position) AS chain_text
    FROM statement_sources l JOIN sources link ON link.source_id = l.source_id
    WHERE l.role <> 'speaker'
    GROUP BY l.statement_id
) chain USING (statement_id);
