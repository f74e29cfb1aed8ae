-- Which accounts each change to an organisation's retention inputs touched, so that a report
-- can bring an older snapshot up to date by reading only those accounts' rows instead of every
-- row. One row per generation (`retention_state.generation`), written in the transaction that
-- bumps it: `accounts` holds the touched account numbers as sorted little-endian u32s, or NULL
-- when the change touched too many accounts to list (the snapshot is then built again). A
-- generation without its row (older changes) also means "build again".
CREATE TABLE retention_changes (
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    generation BIGINT NOT NULL,
    accounts   BYTEA,
    PRIMARY KEY (org_id, generation)
);
