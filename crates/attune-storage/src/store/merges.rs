//! Merges of duplicate accounts and people, undoable.

use crate::StoreResult;
use crate::model::{Merge, MergeKind, MergePreview};

store_trait! {
    /// Folding a duplicate account or person into another, and undoing it.
    pub trait MergeStore {
        /// Moves every record of `merged` (an id, or for accounts an external id) onto
        /// `survivor` in one transaction and returns the merge. Merging a record into itself,
        /// an already merged record, or an account into its parent or child is `Invalid`.
        async fn merge(
            &self,
            org_id: &str,
            kind: MergeKind,
            survivor: &str,
            merged: &str,
            actor: Option<&str>,
            now_ms: i64,
        ) -> StoreResult<Merge>;
        /// One merge with what undoing it would do.
        async fn merge_preview(&self, org_id: &str, merge_id: &str) -> StoreResult<MergePreview>;
        /// Moves every record the merge moved back (records created on the survivor since
        /// stay), in one transaction. An undone merge, or one whose survivor has since been
        /// merged itself, is a conflict.
        async fn undo_merge(
            &self,
            org_id: &str,
            merge_id: &str,
            actor: Option<&str>,
            now_ms: i64,
        ) -> StoreResult<Merge>;
        /// The merges a record took part in (as survivor or merged), newest first.
        async fn merges_of(&self, org_id: &str, record_id: &str) -> StoreResult<Vec<Merge>>;
    }
}
