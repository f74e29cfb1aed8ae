-- Retention: subscriptions / contracts and activity events per account. Days are whole days
-- since 1970-01-01 (UTC). Each account that has retention data gets a dense per-organisation
-- number (`idx`), so an organisation's rows load as plain integers, ready for the arithmetic.

CREATE TABLE retention_accounts (
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    idx        BIGINT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (org_id, idx),
    UNIQUE (org_id, account_id)
);

-- The key is the dedup key: one row per account, product and start day (`seq` numbers exact
-- repeats within one import), so re-importing a file stores nothing twice and updates ends.
CREATE TABLE subscriptions (
    org_id              TEXT NOT NULL REFERENCES orgs(id),
    account_idx         BIGINT NOT NULL,
    product             TEXT NOT NULL DEFAULT '',
    start_day           BIGINT NOT NULL,
    seq                 BIGINT NOT NULL DEFAULT 0,
    end_day             BIGINT,
    mrr_cents           BIGINT NOT NULL,
    quantity            BIGINT,
    billing_period      TEXT,
    cancellation_reason TEXT,
    created_at          BIGINT NOT NULL,
    PRIMARY KEY (org_id, account_idx, product, start_day, seq)
);

CREATE TABLE activity_events (
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    account_idx BIGINT NOT NULL,
    day         BIGINT NOT NULL,
    value_cents BIGINT NOT NULL,
    seq         BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, account_idx, day, value_cents, seq)
);
