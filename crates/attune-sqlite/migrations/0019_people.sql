-- Customer 360, first part (issue 14): a person can belong to several accounts.
--
-- `contacts` becomes `people` (every row and every link to it kept: responses, invitations and
-- cases still name a person by `contact_id`). What tied a contact to one account (`account_id`,
-- the job title in `role`, `decision_maker`) moves to `memberships`, one row per person and
-- account with a title, roles (a comma-separated list of `decision_maker`, `champion`,
-- `executive_sponsor`, `user`, `billing`, in that order) and from/to days; the three old
-- columns are emptied and no longer read. Every e-mail address of a person is in
-- `person_emails`, ASCII-lower-cased, as the key people are found by (`people.email` keeps the
-- primary one as it was written). Of two contacts whose addresses differ only in case, the
-- first keeps the key; the other is found by id until the two are merged.
--
-- Accounts gain a parent (groups of companies) and an archive time (the lifecycle stage and
-- the budget band are attributes like any other, under the keys `lifecycle_stage` and
-- `budget`); `account_external_ids` holds their ids in other systems (CRM, billing) beside the
-- primary `external_id`, and `account_domains` their web domains.
ALTER TABLE contacts RENAME TO people;
DROP INDEX contacts_account;
ALTER TABLE people ADD COLUMN time_zone TEXT;

CREATE TABLE person_emails (
    org_id    TEXT NOT NULL REFERENCES orgs(id),
    email     TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (org_id, email)
);
CREATE INDEX person_emails_person ON person_emails (org_id, person_id);
INSERT INTO person_emails (org_id, email, person_id)
    SELECT org_id, lower(email), id FROM people WHERE email IS NOT NULL ORDER BY created_at, id
    ON CONFLICT (org_id, email) DO NOTHING;

CREATE TABLE memberships (
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    person_id  TEXT NOT NULL REFERENCES people(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    title      TEXT,
    roles      TEXT NOT NULL DEFAULT '',
    from_day   BIGINT,
    to_day     BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, person_id, account_id)
);
CREATE INDEX memberships_account ON memberships (org_id, account_id);
INSERT INTO memberships (org_id, person_id, account_id, title, roles, created_at)
    SELECT org_id, id, account_id, role,
           CASE WHEN decision_maker <> 0 THEN 'decision_maker' ELSE '' END, created_at
    FROM people WHERE account_id IS NOT NULL;
UPDATE people SET account_id = NULL, role = NULL, decision_maker = 0;

ALTER TABLE accounts ADD COLUMN parent_id TEXT REFERENCES accounts(id);
ALTER TABLE accounts ADD COLUMN archived_at BIGINT;
CREATE INDEX accounts_parent ON accounts (org_id, parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE account_external_ids (
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    source      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (org_id, source, external_id)
);
CREATE INDEX account_external_ids_account ON account_external_ids (org_id, account_id);

CREATE TABLE account_domains (
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    domain     TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (org_id, domain)
);
CREATE INDEX account_domains_account ON account_domains (org_id, account_id);
