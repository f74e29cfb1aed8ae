-- Which analysis wrote an organisation's search postings (`attune_text::INDEX_VERSION`):
-- 1 stored surface terms, 2 stores Snowball stems where the comment's language has a stemmer.
-- Existing organisations (and any an older binary creates) get 1, so `attune serve` re-indexes
-- them in the background; new ones are created with the current version.
ALTER TABLE orgs ADD COLUMN text_index_version BIGINT NOT NULL DEFAULT 1;
