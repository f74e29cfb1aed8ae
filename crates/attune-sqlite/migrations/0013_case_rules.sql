-- One response opens one case, linked to every case-opening rule that matched it: the lead
-- rule stays in `rule_id`, all of them (lead first, space separated) in `rule_ids`. A case
-- opened before this migration was opened by one rule.
ALTER TABLE cases ADD COLUMN rule_ids TEXT NOT NULL DEFAULT '';
UPDATE cases SET rule_ids = rule_id;
