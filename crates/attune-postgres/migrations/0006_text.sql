-- Text analytics (issue 5): each response's comment is analysed in the transaction that stores
-- it. `language` stays the effective language (filters and the language segment read it): the
-- declared one, or the detected one when none was declared and detection was confident.
-- `language_source` says which ('declared', 'detected'; NULL when unknown).
-- `text_language` is what the analysis used (`und` when unsure), with its confidence in
-- thousandths. `terms` holds the comment's content terms in text order, space separated,
-- for keywords and drivers.
ALTER TABLE responses ADD COLUMN language_source TEXT;
ALTER TABLE responses ADD COLUMN text_language TEXT;
ALTER TABLE responses ADD COLUMN language_confidence BIGINT;
ALTER TABLE responses ADD COLUMN terms TEXT;

-- Responses stored before this migration were given their language by the caller.
UPDATE responses SET language_source = 'declared' WHERE language IS NOT NULL;

-- The search index: one row per (term, response) with the term's count in the comment. No
-- index by response: reindexing deletes a response's rows by key, from its stored `terms`.
CREATE TABLE response_terms (
    org_id      TEXT NOT NULL,
    term        TEXT NOT NULL,
    response_id TEXT NOT NULL,
    tf          BIGINT NOT NULL,
    PRIMARY KEY (org_id, term, response_id)
);
