-- Migration 015: claims. Statements that make the same claim, reworded, in other articles, outlets or
-- mouths, grouped after each publish (warehouse/claims.py, transform/claim_grouping.py). Every published
-- statement belongs to one claim once grouped (`statements.claim_id`; NULL until then, and again when its
-- article is published anew); most claims have one statement. A claim is represented by the statement that
-- founded it, against which every other member was judged; its first appearance is its earliest member by
-- article date (published_date, else the day it was fetched), then fetch time, article and position.
ALTER TABLE statements ADD COLUMN IF NOT EXISTS claim_id VARCHAR;
CREATE TABLE IF NOT EXISTS claims (
    claim_id VARCHAR, representative_statement_id VARCHAR, text VARCHAR,
    first_statement_id VARCHAR, first_article_id VARCHAR, first_seen DATE, first_outlet_id VARCHAR,
    first_source_id VARCHAR, statements INTEGER, articles INTEGER, outlets INTEGER, sources INTEGER,
    last_seen DATE, check_worthiness DOUBLE, check_worthy BOOLEAN
);
