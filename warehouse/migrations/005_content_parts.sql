-- Migration 005: a quote split by its own attribution ("A," she said, "B.") keeps its quoted parts,
-- as a JSON list of [start, end] offsets into the article text (one part for every other statement).
ALTER TABLE stg_statements ADD COLUMN IF NOT EXISTS content_parts VARCHAR;
ALTER TABLE statements ADD COLUMN IF NOT EXISTS content_parts VARCHAR;
