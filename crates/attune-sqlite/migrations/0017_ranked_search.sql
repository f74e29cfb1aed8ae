-- Ranked search without a pass over every posting (issue 13). Each posting carries its
-- response's `submitted_at`, and `response_terms_ranked` keeps each term's postings in the order
-- a single form ranks them (tf, then newest first, then id), so the first page of any term is
-- read from the front of one index range and the search stops as soon as nothing unread can
-- rank higher. `term_df` holds each term's number of postings in `response_terms` (the row
-- with the empty term: all postings of the organisation), kept by triggers on every insert and
-- delete, so the idf weights cost one lookup instead of a count. Postings still waiting in
-- `response_terms_recent` are found by search but counted in `term_df` when they are merged.
ALTER TABLE response_terms ADD COLUMN submitted_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE response_terms_recent ADD COLUMN submitted_at BIGINT NOT NULL DEFAULT 0;
UPDATE response_terms SET submitted_at = coalesce(
    (SELECT r.submitted_at FROM responses r WHERE r.id = response_terms.response_id), 0);
UPDATE response_terms_recent SET submitted_at = coalesce(
    (SELECT r.submitted_at FROM responses r WHERE r.id = response_terms_recent.response_id), 0);
CREATE INDEX response_terms_ranked
    ON response_terms (org_id, term, tf DESC, submitted_at DESC, response_id DESC);

CREATE TABLE term_df (
    org_id TEXT NOT NULL,
    term   TEXT NOT NULL,
    df     BIGINT NOT NULL,
    PRIMARY KEY (org_id, term)
) WITHOUT ROWID;
INSERT INTO term_df (org_id, term, df)
    SELECT org_id, term, count(*) FROM response_terms GROUP BY org_id, term;
INSERT INTO term_df (org_id, term, df)
    SELECT org_id, '', count(*) FROM response_terms GROUP BY org_id;

CREATE TRIGGER term_df_insert AFTER INSERT ON response_terms BEGIN
    INSERT INTO term_df (org_id, term, df) VALUES (NEW.org_id, NEW.term, 1)
        ON CONFLICT (org_id, term) DO UPDATE SET df = df + 1;
    INSERT INTO term_df (org_id, term, df) VALUES (NEW.org_id, '', 1)
        ON CONFLICT (org_id, term) DO UPDATE SET df = df + 1;
END;
CREATE TRIGGER term_df_delete AFTER DELETE ON response_terms BEGIN
    UPDATE term_df SET df = df - 1 WHERE org_id = OLD.org_id AND term IN (OLD.term, '');
END;
