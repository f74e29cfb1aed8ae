-- Foundation: organisations, people, surveys, responses and score aggregates.
-- Times are epoch milliseconds (BIGINT); JSON documents are TEXT.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    created_at    BIGINT NOT NULL
);
CREATE INDEX users_org ON users (org_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    token_hash   TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    label        TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    external_id   TEXT,
    name          TEXT NOT NULL,
    plan          TEXT,
    size_band     TEXT,
    industry      TEXT,
    region        TEXT,
    owner_user_id TEXT REFERENCES users(id),
    attributes    TEXT NOT NULL DEFAULT '{}',
    created_at    BIGINT NOT NULL,
    UNIQUE (org_id, external_id)
);

CREATE TABLE contacts (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    account_id     TEXT REFERENCES accounts(id),
    name           TEXT,
    email          TEXT,
    phone          TEXT,
    role           TEXT,
    decision_maker BIGINT NOT NULL DEFAULT 0,
    language       TEXT,
    preferences    TEXT NOT NULL DEFAULT '{}',
    created_at     BIGINT NOT NULL,
    UNIQUE (org_id, email)
);
CREATE INDEX contacts_account ON contacts (org_id, account_id);

CREATE TABLE surveys (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    name       TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX surveys_org ON surveys (org_id, created_at);

CREATE TABLE invitations (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    survey_id  TEXT NOT NULL REFERENCES surveys(id),
    contact_id TEXT REFERENCES contacts(id),
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE TABLE responses (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    survey_id    TEXT NOT NULL REFERENCES surveys(id),
    contact_id   TEXT REFERENCES contacts(id),
    account_id   TEXT REFERENCES accounts(id),
    channel      TEXT NOT NULL,
    language     TEXT,
    submitted_at BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    answers      TEXT NOT NULL,
    metadata     TEXT NOT NULL,
    comment      TEXT,
    search_text  TEXT,
    dedup_key    TEXT,
    UNIQUE (org_id, dedup_key)
);
CREATE INDEX responses_feed ON responses (org_id, submitted_at, id);
CREATE INDEX responses_survey ON responses (org_id, survey_id, submitted_at);

CREATE TABLE response_scores (
    response_id  TEXT NOT NULL REFERENCES responses(id),
    org_id       TEXT NOT NULL,
    survey_id    TEXT NOT NULL,
    question_key TEXT NOT NULL,
    qtype        TEXT NOT NULL,
    score        BIGINT NOT NULL,
    PRIMARY KEY (response_id, question_key)
);

-- One row per (question, UTC day, score): what trend queries read instead of responses.
CREATE TABLE score_daily (
    org_id       TEXT NOT NULL,
    survey_id    TEXT NOT NULL,
    question_key TEXT NOT NULL,
    qtype        TEXT NOT NULL,
    day          BIGINT NOT NULL,
    score        BIGINT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (org_id, survey_id, question_key, day, score)
);
CREATE INDEX score_daily_type ON score_daily (org_id, qtype, day);

-- The same per segment: dim is channel, language or account.
CREATE TABLE score_segment_daily (
    org_id       TEXT NOT NULL,
    survey_id    TEXT NOT NULL,
    question_key TEXT NOT NULL,
    qtype        TEXT NOT NULL,
    dim          TEXT NOT NULL,
    value        TEXT NOT NULL,
    day          BIGINT NOT NULL,
    score        BIGINT NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (org_id, survey_id, question_key, dim, value, day, score)
);
CREATE INDEX score_segment_type ON score_segment_daily (org_id, qtype, dim, day);
