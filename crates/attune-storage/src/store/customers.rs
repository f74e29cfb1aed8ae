//! Accounts and contacts.

use crate::StoreResult;
use crate::model::{Account, AccountUpsert, Contact, ContactUpsert, ImportOutcome};

store_trait! {
    /// Customers: accounts and their contacts.
    pub trait CustomerStore {
        /// Creates or updates an account by external id.
        async fn upsert_account(&self, org_id: &str, account: &AccountUpsert) -> StoreResult<Account>;
        /// Accounts of an organisation, by name.
        async fn list_accounts(&self, org_id: &str) -> StoreResult<Vec<Account>>;
        /// One account by id.
        async fn account(&self, org_id: &str, account_id: &str) -> StoreResult<Account>;
        /// Upserts accounts in one transaction (all or nothing), keyed by external id; a later row
        /// with the same external id wins. `inserted` counts new accounts, `duplicates` updated
        /// ones.
        async fn import_accounts(
            &self,
            org_id: &str,
            rows: &[AccountUpsert],
            now_ms: i64,
            progress: &(dyn Fn(u64) + Send + Sync),
        ) -> StoreResult<ImportOutcome>;
        /// Creates or updates a contact by e-mail.
        async fn upsert_contact(&self, org_id: &str, contact: &ContactUpsert) -> StoreResult<Contact>;
        /// One contact by e-mail.
        async fn contact_by_email(&self, org_id: &str, email: &str) -> StoreResult<Contact>;
        /// One contact by id.
        async fn contact(&self, org_id: &str, contact_id: &str) -> StoreResult<Contact>;
        /// Contacts of an organisation, optionally of one account.
        async fn list_contacts(
            &self,
            org_id: &str,
            account_id: Option<&str>,
        ) -> StoreResult<Vec<Contact>>;
    }
}
