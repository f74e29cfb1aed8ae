-- Per-survey access settings (security review finding 9). Existing surveys keep today's
-- behaviour: public, no anonymous deduplication, no embedding origins listed.
ALTER TABLE surveys ADD COLUMN access_mode TEXT NOT NULL DEFAULT 'public';
ALTER TABLE surveys ADD COLUMN anonymous_dedup BIGINT NOT NULL DEFAULT 0;
ALTER TABLE surveys ADD COLUMN embed_origins TEXT NOT NULL DEFAULT '[]';
-- In `one_per_respondent` mode a live answer carries `once:<survey>:<contact>`, so a contact
-- answers a survey once however many invitations they hold, alongside the dedup key (which
-- stays the invitation's or the API's external id). Imports leave it empty.
ALTER TABLE responses ADD COLUMN respondent_key TEXT;
CREATE UNIQUE INDEX responses_respondent_key ON responses (org_id, respondent_key)
    WHERE respondent_key IS NOT NULL;
