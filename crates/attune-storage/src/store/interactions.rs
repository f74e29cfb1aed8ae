//! Interactions with customers.

use crate::StoreResult;
use crate::model::{Interaction, NewInteraction, PendingFeedback};

store_trait! {
    /// Calls, meetings, e-mails, notes and visits, and the feedback heard in them.
    pub trait InteractionStore {
        /// Logs an interaction with its participants in one transaction. A person or user not
        /// of the organisation is `Invalid`, naming `people` or `staff`.
        async fn insert_interaction(
            &self,
            org_id: &str,
            new: &NewInteraction,
            now_ms: i64,
        ) -> StoreResult<Interaction>;
        /// One interaction by id.
        async fn interaction(&self, org_id: &str, id: &str) -> StoreResult<Interaction>;
        /// Records the response its feedback became (and forgets the kept feedback).
        async fn link_interaction_response(
            &self,
            org_id: &str,
            id: &str,
            response_id: &str,
        ) -> StoreResult<()>;
        /// Interactions of every organisation logged before `before_ms` whose feedback is
        /// not stored as a response yet (a process died in between), oldest first.
        async fn pending_feedback(&self, before_ms: i64, limit: u32) -> StoreResult<Vec<PendingFeedback>>;
        /// The id of the organisation's response with this dedup key.
        async fn response_by_dedup_key(&self, org_id: &str, key: &str) -> StoreResult<Option<String>>;
    }
}
