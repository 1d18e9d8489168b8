-- One row per statement with everything a dashboard shows: article, outlet, speaker and type, cue,
-- stance, channel, and the chain of intermediaries as text ("Iranian state TV › Associated Press › outlet").
CREATE OR REPLACE VIEW statements_flat AS
SELECT
    s.statement_id, s.article_id, a.title AS article_title, a.canonical_url AS article_url,
    pub.name AS outlet, a.published_date, CAST(a.fetched_at AS DATE) AS fetched_date,
    s.content, s.kind, s.cue, s.cue_lemma, s.stance, s.channel,
    s.source_mention, speaker.name AS speaker, speaker.type AS speaker_type,
    s.confidence, s.chain_length, chain.chain_text, s.run_id, s.model_id
FROM statements s
JOIN articles a USING (article_id)
JOIN sources speaker ON speaker.source_id = s.source_id
LEFT JOIN sources pub ON pub.source_id = a.publisher_id
LEFT JOIN (
    SELECT l.statement_id, string_agg(link.name, ' › ' ORDER BY l.position) AS chain_text
    FROM statement_sources l JOIN sources link ON link.source_id = l.source_id
    WHERE l.role <> 'speaker'
    GROUP BY l.statement_id
) chain USING (statement_id);
