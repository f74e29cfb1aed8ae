-- Packed snapshots of each organisation's retention inputs (subscription rows, activity events,
-- account attributes), so a report reads a few blobs instead of millions of rows.
--
-- `retention_state.generation` counts changes to an organisation's retention inputs: every
-- write that changes them bumps it in its own transaction. A snapshot is used only when it was
-- built at the current generation; otherwise the rows are read and a new snapshot is written.

CREATE TABLE retention_state (
    org_id     TEXT PRIMARY KEY REFERENCES orgs(id),
    generation BIGINT NOT NULL
);

-- One snapshot is the concatenation of its parts, in order (parts keep each blob small).
CREATE TABLE retention_snapshots (
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    kind       TEXT NOT NULL,
    part       BIGINT NOT NULL,
    parts      BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    data       BLOB NOT NULL,
    built_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, kind, part)
);
