-- Finding a customer (issue 14) by the start of an account's or a person's name (lower-cased
-- by the database, so any script works; SQLite folds the case of ASCII letters only), of an
-- e-mail address, a domain or an id in another system: each is a range read of one of these
-- indexes. PostgreSQL builds them in byte order (COLLATE "C"), whatever the database's
-- collation, so a prefix is a contiguous range; SQLite compares bytes already, and keeps the
-- same indexes so that both backends have the same shape.
CREATE INDEX accounts_name_search ON accounts (org_id, lower(name) COLLATE "C");
CREATE INDEX people_name_search ON people (org_id, lower(name) COLLATE "C");
CREATE INDEX accounts_external_search ON accounts (org_id, external_id COLLATE "C");
CREATE INDEX account_external_ids_search ON account_external_ids (org_id, external_id COLLATE "C");
CREATE INDEX account_domains_search ON account_domains (org_id, domain COLLATE "C");
CREATE INDEX person_emails_search ON person_emails (org_id, email COLLATE "C");
