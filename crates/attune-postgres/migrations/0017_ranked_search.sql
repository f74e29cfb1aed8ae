-- Ranked search without a pass over every posting (issue 13). A search of all its terms walks
-- the feed's index newest first and keeps the responses holding every term: the first page of a
-- common term is found after a few hundred responses, each checked by key in `response_terms`
-- and here. This index lets that check find the postings of live answers not yet merged.
CREATE INDEX response_terms_recent_key ON response_terms_recent (org_id, term, response_id);
