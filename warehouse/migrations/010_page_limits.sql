-- Migration 010: what a page could not make the warehouse believe, and what of it was not attributed.
-- An article records the canonical URL its page declared on another site (not trusted to name it), how
-- many characters of its text attribution read (the rest past attribution.max_chars is not), and why
-- not all of it was ('text_cut', or 'not_english': the rules read English only); a run, how many
-- articles were cut or not attributed for their language.
ALTER TABLE stg_articles ADD COLUMN IF NOT EXISTS untrusted_canonical_url VARCHAR;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS untrusted_canonical_url VARCHAR;
ALTER TABLE stg_articles ADD COLUMN IF NOT EXISTS attributed_chars INTEGER;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS attributed_chars INTEGER;
ALTER TABLE stg_articles ADD COLUMN IF NOT EXISTS attribution_limit VARCHAR;
ALTER TABLE articles ADD COLUMN IF NOT EXISTS attribution_limit VARCHAR;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS n_text_cut INTEGER;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS n_not_english INTEGER;
