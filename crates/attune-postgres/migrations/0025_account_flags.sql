-- The relationship flags of every account (issue 14): single-threaded, no contact or
-- multi-threaded over the last N days, kept so that the account list can filter and sort by
-- them. A write that adds a touch (an answer tied to a person and an account, an interaction,
-- a merge) marks its account in `account_flags_dirty`; a refresh recomputes the marked
-- accounts and those whose oldest touch has left the window (`expires_at`), or every account
-- when the window changes (`account_flag_runs`). `gen` counts marks, so a mark made while a
-- refresh runs is not lost when the refresh clears the marks it read.
CREATE TABLE account_flags (
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    flag       TEXT NOT NULL CHECK (flag IN ('no_contact', 'single_threaded', 'multi_threaded')),
    people     BIGINT NOT NULL,
    touches    BIGINT NOT NULL,
    reasons    TEXT NOT NULL,
    expires_at BIGINT,
    PRIMARY KEY (org_id, account_id)
);
CREATE INDEX account_flags_expiry ON account_flags (org_id, expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE account_flags_dirty (
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    gen        BIGINT NOT NULL,
    PRIMARY KEY (org_id, account_id)
);

CREATE TABLE account_flag_runs (
    org_id      TEXT PRIMARY KEY REFERENCES orgs(id),
    days        BIGINT NOT NULL,
    computed_at BIGINT NOT NULL
);
