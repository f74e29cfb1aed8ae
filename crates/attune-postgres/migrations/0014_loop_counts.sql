-- Loop metrics from maintained counts (`attune_domain::closed_loop::loop_counts`): counters
-- and sorted times to first response and to resolution per day of opening, kept current in
-- the transactions that change cases. A case keeps the scores recovery compares and whether it
-- recurs. `loop_counts_built` marks an organisation whose counts are complete; storage builds
-- them for every other organisation right after migrating, and the report reads every case of
-- an organisation without the mark.
ALTER TABLE cases ADD COLUMN score_qtype TEXT;
ALTER TABLE cases ADD COLUMN score_before BIGINT;
ALTER TABLE cases ADD COLUMN score_after BIGINT;
ALTER TABLE cases ADD COLUMN recurs BIGINT NOT NULL DEFAULT 0;

UPDATE cases SET score_qtype = (
    SELECT rs.qtype FROM response_scores rs WHERE rs.response_id = cases.response_id
    AND rs.qtype IN ('nps', 'csat', 'ces')
    ORDER BY CASE rs.qtype WHEN 'nps' THEN 0 WHEN 'csat' THEN 1 ELSE 2 END, rs.question_key
    LIMIT 1);
UPDATE cases SET score_before = (
    SELECT rs.score FROM response_scores rs WHERE rs.org_id = cases.org_id
    AND rs.response_id = cases.response_id AND rs.qtype = cases.score_qtype
    ORDER BY rs.question_key LIMIT 1)
WHERE score_qtype IS NOT NULL;
UPDATE cases SET score_after = (
    SELECT rs.score FROM response_scores rs WHERE rs.org_id = cases.org_id
    AND rs.response_id = cases.resurvey_response_id AND rs.qtype = cases.score_qtype
    ORDER BY rs.question_key LIMIT 1)
WHERE score_qtype IS NOT NULL AND resurvey_response_id IS NOT NULL;

CREATE INDEX cases_opened ON cases (org_id, opened_at);
-- The cases whose first response is not yet due at the moment of a report: read through this
-- index (covering), never by scanning the period's cases.
CREATE INDEX cases_awaiting ON cases (org_id, first_response_due_at, opened_at)
    WHERE first_responded_at IS NULL;

CREATE TABLE loop_counts (
    org_id  TEXT NOT NULL REFERENCES orgs(id),
    day     BIGINT NOT NULL,
    counter TEXT NOT NULL,
    key     TEXT NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (org_id, day, counter, key)
);

-- `times`: the day's times in ms, sorted, 8 bytes little-endian each.
CREATE TABLE loop_times (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    list   TEXT NOT NULL,
    day    BIGINT NOT NULL,
    times  BYTEA NOT NULL,
    PRIMARY KEY (org_id, list, day)
);

CREATE TABLE loop_counts_built (
    org_id TEXT PRIMARY KEY REFERENCES orgs(id)
);
