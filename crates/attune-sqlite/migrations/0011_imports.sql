-- Imports commit in chunks (so live submissions never wait for a whole import) and stay all
-- or nothing: the rows of an import that has not finished are written with its id and read
-- nowhere until the import is `done`. An import that stops beating (its process died) is
-- removed, rows and all, when `attune serve` or `attune import` next starts.
CREATE TABLE imports (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    survey_id    TEXT NOT NULL REFERENCES surveys(id),
    state        TEXT NOT NULL,
    rows_written BIGINT NOT NULL DEFAULT 0,
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX imports_unfinished ON imports (state, heartbeat_at) WHERE state <> 'done';
ALTER TABLE responses ADD COLUMN import_id TEXT;
CREATE INDEX responses_import ON responses (import_id) WHERE import_id IS NOT NULL;
