-- Key drivers from maintained counts (issue 13): for every NPS and CSAT question, per day and
-- per month, the comments of the focus group (detractors, low CSAT) and of the background
-- (promoters, high CSAT), and how many of each hold every word, pair and three-word phrase
-- (`attune_text::keywords::Counted`, encoded). Writers append `driver_deltas`; the writer and
-- each import fold them into `driver_counts` (an import's only when it is done, so its counts
-- appear with its rows). A report adds the month and day blobs of its period and the deltas not
-- yet folded. `driver_counts_built` marks an organisation whose counts are complete; storage
-- builds them for every other organisation right after migrating.
CREATE TABLE driver_counts (
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    survey_id    TEXT NOT NULL,
    question_key TEXT NOT NULL,
    grain        TEXT NOT NULL CHECK (grain IN ('day', 'month')),
    at           BIGINT NOT NULL,
    counts       BYTEA NOT NULL,
    PRIMARY KEY (org_id, survey_id, question_key, grain, at)
);

CREATE TABLE driver_deltas (
    seq          BIGSERIAL PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    survey_id    TEXT NOT NULL,
    question_key TEXT NOT NULL,
    day          BIGINT NOT NULL,
    import_id    TEXT,
    counts       BYTEA NOT NULL
);
CREATE INDEX driver_deltas_key ON driver_deltas (org_id, survey_id, question_key, day);
CREATE INDEX driver_deltas_import ON driver_deltas (import_id) WHERE import_id IS NOT NULL;

CREATE TABLE driver_counts_built (
    org_id TEXT PRIMARY KEY REFERENCES orgs(id)
);
