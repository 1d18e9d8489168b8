-- Migration 007: full-text search kept up to date chunk by chunk. DuckDB's fts index can only be
-- rebuilt whole, which after every run cost time and memory in proportion to the whole warehouse;
-- these tables hold the same BM25 inputs (terms per statement, statement lengths) and each publish
-- chunk updates them for its own statements only (warehouse/search.py).
DROP SCHEMA IF EXISTS fts_main_statements CASCADE;
CREATE TABLE IF NOT EXISTS search_terms (statement_id VARCHAR, term VARCHAR, tf INTEGER);
CREATE TABLE IF NOT EXISTS search_docs (statement_id VARCHAR, terms INTEGER);
CREATE TABLE IF NOT EXISTS search_stopwords (word VARCHAR);
DELETE FROM search_stopwords;
INSERT INTO search_stopwords SELECT unnest(string_split(
    'a about above after again against all am an and any are as at be because been before being below between both but by '
    'can could did do does doing down during each few for from further had has have having he her here hers herself him '
    'himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other '
    'our ours ourselves out over own same she should so some such than that the their theirs them themselves then there '
    'these they this those through to too under until up very was we were what when where which while who whom why will '
    'with would you your yours yourself yourselves', ' '));
