-- Interactions with customers (issue 14): calls, meetings, e-mails, notes and visits, backdatable,
-- with the people on both sides, a summary and follow-ups. An internal note (`internal`) is
-- never a touch with the customer. Feedback heard in one (a score and a comment) becomes a
-- response on the `staff` channel: `feedback` holds the answers until that response is stored
-- (`response_id`), so a crash between the two is finished at the next start instead of losing
-- what was heard.
CREATE TABLE interactions (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs(id),
    account_id       TEXT REFERENCES accounts(id),
    kind             TEXT NOT NULL CHECK (kind IN ('call', 'meeting', 'email', 'note', 'visit')),
    occurred_at      BIGINT NOT NULL,
    duration_minutes BIGINT,
    summary          TEXT NOT NULL,
    internal         BIGINT NOT NULL DEFAULT 0,
    follow_ups       TEXT NOT NULL DEFAULT '[]',
    feedback         TEXT,
    response_id      TEXT REFERENCES responses(id),
    created_by       TEXT REFERENCES users(id),
    created_at       BIGINT NOT NULL
);
CREATE INDEX interactions_account ON interactions (org_id, account_id, occurred_at);
CREATE INDEX interactions_pending ON interactions (created_at)
    WHERE feedback IS NOT NULL AND response_id IS NULL;

CREATE TABLE interaction_people (
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    interaction_id TEXT NOT NULL REFERENCES interactions(id),
    person_id      TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (interaction_id, person_id)
);
CREATE INDEX interaction_people_person ON interaction_people (org_id, person_id);

CREATE TABLE interaction_staff (
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    interaction_id TEXT NOT NULL REFERENCES interactions(id),
    user_id        TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (interaction_id, user_id)
);
CREATE INDEX interaction_staff_user ON interaction_staff (org_id, user_id);

-- One timeline per account and per person reads their responses and cases newest first.
CREATE INDEX responses_account ON responses (org_id, account_id, submitted_at)
    WHERE account_id IS NOT NULL;
CREATE INDEX responses_contact ON responses (org_id, contact_id, submitted_at)
    WHERE contact_id IS NOT NULL;
CREATE INDEX cases_contact ON cases (org_id, contact_id, opened_at)
    WHERE contact_id IS NOT NULL;
