//! Responses, the feed, text analysis and score aggregates.

use attune_domain::response::NewResponse;

use crate::StoreResult;
use crate::model::{
    DriverCountsQuery, FeedItem, FeedQuery, ImportOutcome, Org, ReindexOutcome, ScoreCount,
    ScoreFilter, SegmentDim, StoredResponse, Survey, TextDoc, TextDocsQuery,
};

store_trait! {
    /// Storing responses, one by one or imported in bulk, and reading one back.
    pub trait ResponseStore {
        /// Stores one response with its contact/account links and score aggregates, in one
        /// transaction. A response whose dedup key or invitation was already used is a `Conflict`.
        /// With an invitation, the response is the invitation's contact's (and their account's),
        /// whatever `response` names; in `one_per_respondent` mode a contact's second answer to
        /// the survey is a `Conflict`.
        async fn insert_response(
            &self,
            org_id: &str,
            survey: &Survey,
            response: &NewResponse,
            invitation_id: Option<&str>,
            now_ms: i64,
        ) -> StoreResult<StoredResponse>;
        /// Stores many responses, all or nothing: written in chunks of their own transactions
        /// (so others wait at most one chunk), read nowhere until the last one commits, which
        /// also adds their scores to the aggregates and runs the rules. On failure nothing of it
        /// stays. Responses whose dedup key is already stored (or repeated in the batch) are
        /// skipped and counted. `progress` is told how many responses have been handled so far,
        /// after each chunk.
        async fn import_responses(
            &self,
            org_id: &str,
            survey: &Survey,
            responses: &[NewResponse],
            now_ms: i64,
            progress: &(dyn Fn(u64) + Send + Sync),
        ) -> StoreResult<ImportOutcome>;
        /// Removes the unfinished imports whose process has died (no progress for
        /// `IMPORT_LEASE_MS`), with their rows; returns how many. Run at start-up.
        async fn remove_abandoned_imports(&self, now_ms: i64) -> StoreResult<u64>;
        /// One response.
        async fn response(&self, org_id: &str, response_id: &str) -> StoreResult<StoredResponse>;
    }
}

store_trait! {
    /// The feedback feed.
    pub trait FeedStore {
        /// The feedback feed, newest first; with search terms, the comments holding them, newest
        /// first (any of several terms: more and rarer terms first).
        async fn feed(&self, org_id: &str, query: &FeedQuery) -> StoreResult<Vec<FeedItem>>;
    }
}

store_trait! {
    /// The text analysis of comments: what keywords and drivers read, and re-analysis.
    pub trait TextStore {
        /// Analysed comments (content terms and a score), newest first, for keywords and drivers.
        async fn text_docs(&self, org_id: &str, query: &TextDocsQuery) -> StoreResult<Vec<TextDoc>>;
        /// The drivers' counts of one question's comments over a period, from the counts kept
        /// with the responses (`None` while they are being built for this organisation).
        async fn driver_counts(
            &self,
            org_id: &str,
            query: &DriverCountsQuery,
        ) -> StoreResult<Option<attune_text::Counted>>;
        /// Analyses every response of the organisation again (language, terms, search index), in
        /// transactions of `batch` responses; safe to re-run. `progress` gets the count so far.
        async fn reindex(
            &self,
            org_id: &str,
            batch: u32,
            progress: &(dyn Fn(u64) + Send + Sync),
        ) -> StoreResult<ReindexOutcome>;
        /// The organisations whose search postings an older analysis wrote (their index version
        /// is below `attune_text::INDEX_VERSION`); `reindex` brings one up to date.
        async fn outdated_text_indexes(&self) -> StoreResult<Vec<Org>>;
    }
}

store_trait! {
    /// The score aggregates the metrics read.
    pub trait ScoreStore {
        /// Daily score counts from the aggregates (never the raw responses).
        async fn score_counts(
            &self,
            org_id: &str,
            filter: &ScoreFilter,
            segment: Option<SegmentDim>,
        ) -> StoreResult<Vec<ScoreCount>>;
        /// One account's answers to one question since `from_day` (UTC days), as a histogram
        /// `(score, count)`, from the per-account aggregates.
        async fn account_histogram(
            &self,
            org_id: &str,
            account_id: &str,
            survey_id: &str,
            question_key: &str,
            from_day: i64,
        ) -> StoreResult<Vec<(i64, u64)>>;
    }
}
