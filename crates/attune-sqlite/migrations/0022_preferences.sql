-- How and when a person wants to be contacted (issue 14): preferred channels, quiet hours, a
-- monthly limit and opt-outs with when and how consent was withdrawn, as JSON
-- (`attune_domain::customer::preferences::ContactRules`), which everything that contacts the
-- person checks. Their accessibility needs (a JSON list), like their personal preferences
-- (`people.preferences`), are sensitive: viewers do not see them, and erasing the person's data
-- must reach both columns.
ALTER TABLE people ADD COLUMN contact_rules TEXT NOT NULL DEFAULT '{}';
ALTER TABLE people ADD COLUMN accessibility TEXT NOT NULL DEFAULT '[]';
