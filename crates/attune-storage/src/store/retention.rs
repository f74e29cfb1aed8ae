//! Retention data and its snapshots.

use crate::StoreResult;
use crate::model::ImportOutcome;
use crate::retention;

store_trait! {
    /// Retention data: subscription and activity imports, and the accounts behind account numbers.
    pub trait RetentionStore {
        /// Stores subscription rows in one transaction (all or nothing), creating accounts on
        /// first sight. A row whose account, product, start day (and repeat number) is already
        /// stored is updated, not stored twice. `progress` is told the rows handled so far.
        async fn import_subscriptions(
            &self,
            org_id: &str,
            rows: &[retention::NewSubscription],
            now_ms: i64,
            progress: &(dyn Fn(u64) + Send + Sync),
        ) -> StoreResult<ImportOutcome>;
        /// Stores activity events in one transaction (all or nothing); events already stored are
        /// skipped and counted.
        async fn import_activity(
            &self,
            org_id: &str,
            rows: &[retention::NewActivity],
            now_ms: i64,
            progress: &(dyn Fn(u64) + Send + Sync),
        ) -> StoreResult<ImportOutcome>;
        /// The subscription rows of one account (by id), newest start first.
        async fn account_subscriptions(
            &self,
            org_id: &str,
            account_id: &str,
        ) -> StoreResult<Vec<retention::AccountSubscription>>;
        /// The accounts with these numbers, by name.
        async fn retention_accounts(
            &self,
            org_id: &str,
            idxs: &[u32],
        ) -> StoreResult<Vec<retention::RetentionAccount>>;
    }
}

store_trait! {
    /// The packed retention snapshots the reports read, and the account attributes beside them.
    pub trait SnapshotStore {
        /// Builds the packed snapshots the retention reports read, where they are missing or older
        /// than the data: of one organisation, or (`None`) of every organisation whose data changed.
        /// Returns how many snapshots were built.
        async fn retention_refresh(&self, org_id: Option<&str>) -> StoreResult<u64>;
        /// An organisation's subscription rows or activity events, accounts numbered densely.
        async fn retention_rows(
            &self,
            org_id: &str,
            source: retention::RetentionSource,
        ) -> StoreResult<retention::RetentionRows>;
        /// Account attributes (built-in columns or custom attribute keys) per account number, in
        /// the order asked for, read in one pass; a name the accounts do not have is
        /// `StoreError::Invalid` naming `attribute` and listing the known ones.
        async fn retention_attributes(
            &self,
            org_id: &str,
            names: &[String],
            n_accounts: usize,
        ) -> StoreResult<Vec<attune_retention::AttributeColumn>>;
        /// The attribute names the churn audit can use: the built-in ones and every custom key.
        async fn retention_attribute_names(&self, org_id: &str) -> StoreResult<Vec<String>>;
    }
}
