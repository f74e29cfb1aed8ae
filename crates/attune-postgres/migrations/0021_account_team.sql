-- Our side of the relationship (issue 14): the account team with roles; the account's own
-- events (owner changes) for its timeline; and the rule an account's open cases follow when
-- its owner changes (`move` to the new owner, `stay`, or `round_robin` in the team).
CREATE TABLE account_team (
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    role       TEXT NOT NULL
        CHECK (role IN ('csm', 'account_executive', 'support_lead', 'executive_sponsor')),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, account_id, user_id, role)
);
CREATE INDEX account_team_user ON account_team (org_id, user_id);

CREATE TABLE account_events (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    kind          TEXT NOT NULL CHECK (kind IN ('owner_changed')),
    at            BIGINT NOT NULL,
    actor_user_id TEXT,
    data          TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX account_events_account ON account_events (org_id, account_id, at);

ALTER TABLE loop_settings ADD COLUMN handover_cases TEXT NOT NULL DEFAULT 'move'
    CHECK (handover_cases IN ('move', 'stay', 'round_robin'));
