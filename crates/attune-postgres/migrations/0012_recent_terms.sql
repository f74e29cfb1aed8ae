-- The search postings of live answers are appended here, in arrival order, so a group of answers
-- writes a few pages instead of one page of the clustered `response_terms` index per posting;
-- the writer moves them into `response_terms` in sorted batches. Search reads both.
CREATE TABLE response_terms_recent (
    seq         BIGSERIAL PRIMARY KEY,
    org_id      TEXT NOT NULL,
    term        TEXT NOT NULL,
    response_id TEXT NOT NULL,
    tf          BIGINT NOT NULL
);
