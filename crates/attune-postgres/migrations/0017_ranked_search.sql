-- Ranked search without a pass over every posting (issue 13). Each posting carries its
-- response's `submitted_at`, and `response_terms_ranked` keeps each term's postings in the order
-- a single form ranks them (tf, then newest first, then id), so the first page of any term is
-- read from the front of one index range and the search stops as soon as nothing unread can
-- rank higher. `term_df` holds each term's number of postings in `response_terms` (the rows
-- with the empty term: all postings of the organisation) as deltas that sum to the count:
-- statement triggers append one row per term a statement changed, so concurrent writers never
-- wait on each other's counters, and the worker folds each term's deltas into one row.
-- Postings still waiting in `response_terms_recent` are found by search but counted in
-- `term_df` when they are merged.
ALTER TABLE response_terms ADD COLUMN submitted_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE response_terms_recent ADD COLUMN submitted_at BIGINT NOT NULL DEFAULT 0;
UPDATE response_terms t SET submitted_at = r.submitted_at FROM responses r
    WHERE r.id = t.response_id;
UPDATE response_terms_recent t SET submitted_at = r.submitted_at FROM responses r
    WHERE r.id = t.response_id;
CREATE INDEX response_terms_ranked
    ON response_terms (org_id, term, tf DESC, submitted_at DESC, response_id DESC);

CREATE TABLE term_df (
    org_id TEXT NOT NULL,
    term   TEXT NOT NULL,
    df     BIGINT NOT NULL
);
CREATE INDEX term_df_term ON term_df (org_id, term);
INSERT INTO term_df (org_id, term, df)
    SELECT org_id, term, count(*) FROM response_terms GROUP BY org_id, term;
INSERT INTO term_df (org_id, term, df)
    SELECT org_id, '', count(*) FROM response_terms GROUP BY org_id;

CREATE FUNCTION term_df_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO term_df (org_id, term, df)
        SELECT org_id, term, count(*) FROM changed GROUP BY org_id, term
        UNION ALL SELECT org_id, '', count(*) FROM changed GROUP BY org_id;
    RETURN NULL;
END $$;
CREATE FUNCTION term_df_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO term_df (org_id, term, df)
        SELECT org_id, term, -count(*) FROM changed GROUP BY org_id, term
        UNION ALL SELECT org_id, '', -count(*) FROM changed GROUP BY org_id;
    RETURN NULL;
END $$;
CREATE TRIGGER term_df_insert AFTER INSERT ON response_terms
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION term_df_add();
CREATE TRIGGER term_df_delete AFTER DELETE ON response_terms
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION term_df_remove();
