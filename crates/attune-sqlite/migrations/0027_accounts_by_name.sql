-- The account list pages in name order (each page starts after the last name and id of the
-- previous one) without sorting every account.
CREATE INDEX accounts_by_name ON accounts (org_id, name, id);
