-- Merging duplicate accounts or people (issue 14), undoably. A merge moves every record of the
-- merged one onto the survivor and lists what it moved in `merge_moves` (the table and the
-- row's key; a row the survivor already had an equal of — the same person's membership, the
-- same team member — is dropped instead, with what undo needs to bring it back in `data`).
-- Undo moves exactly the listed rows back; records created on the survivor after the merge
-- stay with it. The merged record is kept with `merged_into` set: lists leave it out, new
-- answers and imports naming it land on the survivor, and it always points at a record that
-- is not itself merged (a later merge of the survivor re-points it, and lists that too).
CREATE TABLE merges (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    kind          TEXT NOT NULL CHECK (kind IN ('account', 'person')),
    survivor_id   TEXT NOT NULL,
    merged_id     TEXT NOT NULL,
    at            BIGINT NOT NULL,
    actor_user_id TEXT,
    data          TEXT NOT NULL DEFAULT '{}',
    undone_at     BIGINT,
    undone_by     TEXT
);
CREATE INDEX merges_survivor ON merges (org_id, survivor_id, at);
CREATE INDEX merges_merged ON merges (org_id, merged_id, at);

CREATE TABLE merge_moves (
    merge_id TEXT NOT NULL REFERENCES merges(id),
    tbl      TEXT NOT NULL,
    key1     TEXT NOT NULL,
    key2     TEXT NOT NULL DEFAULT '',
    data     TEXT
);
CREATE INDEX merge_moves_merge ON merge_moves (merge_id, tbl);

ALTER TABLE accounts ADD COLUMN merged_into TEXT REFERENCES accounts(id);
ALTER TABLE people ADD COLUMN merged_into TEXT REFERENCES people(id);
CREATE INDEX accounts_merged ON accounts (org_id, merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX people_merged ON people (org_id, merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX invitations_contact ON invitations (org_id, contact_id) WHERE contact_id IS NOT NULL;
