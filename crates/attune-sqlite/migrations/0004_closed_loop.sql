-- The closed loop: rules turn responses into cases with SLA deadlines; durable jobs warn,
-- escalate, e-mail and call webhooks. Times are epoch milliseconds; JSON documents are TEXT.

CREATE TABLE teams (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    name         TEXT NOT NULL,
    lead_user_id TEXT REFERENCES users(id),
    rr_next      BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE team_members (
    team_id  TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE sla_policies (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    definition TEXT NOT NULL,
    is_default BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX sla_policies_org ON sla_policies (org_id);

CREATE TABLE alert_rules (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX alert_rules_org ON alert_rules (org_id, created_at);

CREATE TABLE root_causes (
    org_id TEXT NOT NULL REFERENCES orgs(id),
    name   TEXT NOT NULL,
    PRIMARY KEY (org_id, name)
);

-- Per-organisation loop settings: the round-robin cursor when no team applies, digest
-- recipients and the next digest day.
CREATE TABLE loop_settings (
    org_id        TEXT PRIMARY KEY REFERENCES orgs(id),
    rr_next       BIGINT NOT NULL DEFAULT 0,
    digest_emails TEXT NOT NULL DEFAULT '[]',
    digest_hour   BIGINT NOT NULL DEFAULT 8
);

CREATE TABLE message_templates (
    org_id   TEXT NOT NULL REFERENCES orgs(id),
    kind     TEXT NOT NULL,
    language TEXT NOT NULL,
    subject  TEXT NOT NULL,
    body     TEXT NOT NULL,
    PRIMARY KEY (org_id, kind, language)
);

CREATE TABLE cases (
    id                     TEXT PRIMARY KEY,
    org_id                 TEXT NOT NULL REFERENCES orgs(id),
    rule_id                TEXT NOT NULL,
    response_id            TEXT REFERENCES responses(id),
    account_id             TEXT REFERENCES accounts(id),
    contact_id             TEXT REFERENCES contacts(id),
    owner_user_id          TEXT REFERENCES users(id),
    team_id                TEXT REFERENCES teams(id),
    priority               TEXT NOT NULL,
    state                  TEXT NOT NULL,
    title                  TEXT NOT NULL,
    sla                    TEXT NOT NULL,
    opened_at              BIGINT NOT NULL,
    first_response_warn_at BIGINT NOT NULL,
    first_response_due_at  BIGINT NOT NULL,
    resolution_warn_at     BIGINT NOT NULL,
    resolution_due_at      BIGINT NOT NULL,
    first_responded_at     BIGINT,
    resolved_at            BIGINT,
    closed_at              BIGINT,
    paused_at              BIGINT,
    first_warned_at        BIGINT,
    resolution_warned_at   BIGINT,
    first_breached_at      BIGINT,
    resolution_breached_at BIGINT,
    escalated_to           TEXT,
    root_cause             TEXT,
    resolution             TEXT,
    resurvey_invitation_id TEXT,
    resurvey_response_id   TEXT,
    updated_at             BIGINT NOT NULL,
    UNIQUE (org_id, rule_id, response_id)
);
CREATE INDEX cases_queue ON cases (org_id, state, first_response_due_at);
CREATE INDEX cases_owner ON cases (org_id, owner_user_id, state);
CREATE INDEX cases_response ON cases (org_id, response_id);
CREATE INDEX cases_account ON cases (org_id, account_id, opened_at);
CREATE INDEX cases_resurvey ON cases (resurvey_invitation_id);

CREATE TABLE case_events (
    id      TEXT PRIMARY KEY,
    org_id  TEXT NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases(id),
    at      BIGINT NOT NULL,
    actor   TEXT,
    kind    TEXT NOT NULL,
    detail  TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, at, id);

-- Durable background jobs. A worker claims a due job by moving it to `running` with a lease;
-- a job whose lease ran out (its worker died) is due again.
CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    org_id       TEXT,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    run_at       BIGINT NOT NULL,
    state        TEXT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    locked_by    TEXT,
    locked_until BIGINT,
    last_error   TEXT,
    dedup_key    TEXT UNIQUE,
    created_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE INDEX jobs_due ON jobs (state, run_at);

CREATE TABLE webhooks (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    events     TEXT NOT NULL,
    active     BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhooks_org ON webhooks (org_id);

CREATE TABLE webhook_deliveries (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    webhook_id  TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event       TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    attempt     BIGINT NOT NULL,
    status_code BIGINT,
    error       TEXT,
    duration_ms BIGINT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (org_id, webhook_id, at);

CREATE TABLE email_log (
    id       TEXT PRIMARY KEY,
    org_id   TEXT,
    kind     TEXT NOT NULL,
    case_id  TEXT,
    to_addr  TEXT NOT NULL,
    subject  TEXT NOT NULL,
    sent_at  BIGINT NOT NULL
);
CREATE INDEX email_log_org ON email_log (org_id, sent_at);

-- Organisations created before this migration get the defaults a new one starts with.
INSERT INTO loop_settings (org_id) SELECT id FROM orgs;
INSERT INTO sla_policies (id, org_id, definition, is_default, created_at)
SELECT 'sla-' || id, id,
       '{"name":"Standard: first response within 24 hours","first_response_minutes":1440,"resolution_minutes":4320,"business_hours":null}',
       1, created_at
FROM orgs;
INSERT INTO alert_rules (id, org_id, definition, created_at, updated_at)
SELECT 'rule-detractors-' || id, id,
       '{"name":"Every NPS detractor","enabled":true,"conditions":[{"type":"band","band":"detractor"}],"actions":{"open_case":true,"priority":"high","notify_emails":[],"notify_webhooks":false}}',
       created_at, created_at
FROM orgs;
INSERT INTO alert_rules (id, org_id, definition, created_at, updated_at)
SELECT 'rule-low-csat-' || id, id,
       '{"name":"Every CSAT of 2 or less","enabled":true,"conditions":[{"type":"score","qtype":"csat","op":"lte","value":2}],"actions":{"open_case":true,"priority":"normal","notify_emails":[],"notify_webhooks":false}}',
       created_at + 1, created_at + 1
FROM orgs;
INSERT INTO root_causes (org_id, name)
SELECT o.id, t.name FROM orgs o CROSS JOIN (
    SELECT 'product defect' AS name UNION ALL SELECT 'missing feature'
    UNION ALL SELECT 'pricing' UNION ALL SELECT 'billing error'
    UNION ALL SELECT 'delivery or service delay' UNION ALL SELECT 'staff behaviour'
    UNION ALL SELECT 'documentation or onboarding' UNION ALL SELECT 'customer expectation'
) t;
