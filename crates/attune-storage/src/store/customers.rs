//! Accounts, people, memberships and the timeline.

use crate::StoreResult;
use crate::model::{
    Account, AccountFlag, AccountTouches, AccountUpsert, Contact, ContactUpsert, CustomerHit,
    FlagListQuery, FlagRefresh, ImportOutcome, PeopleQuery, Person, PersonUpsert, SyncBatch,
    SyncOutcome, SyncRefusal, TimelineEntry, TimelineQuery,
};

store_trait! {
    /// Customers: accounts, the people on their side and their memberships.
    pub trait CustomerStore {
        /// Creates or updates an account by external id.
        async fn upsert_account(&self, org_id: &str, account: &AccountUpsert) -> StoreResult<Account>;
        /// Accounts of an organisation, by name.
        async fn list_accounts(&self, org_id: &str) -> StoreResult<Vec<Account>>;
        /// One account by id, external id or an id in another system (in that preference).
        async fn account(&self, org_id: &str, account_id: &str) -> StoreResult<Account>;
        /// Replaces an account's team (user ids of the organisation, with roles).
        async fn set_account_team(
            &self,
            org_id: &str,
            account: &str,
            team: &[(String, attune_domain::customer::TeamRole)],
            now_ms: i64,
        ) -> StoreResult<Account>;
        /// Gives an account to `owner` (a user id, or nobody) and records the change on its
        /// timeline; returns the account and its previous owner.
        async fn change_owner(
            &self,
            org_id: &str,
            account: &str,
            owner: Option<&str>,
            actor: Option<&str>,
            now_ms: i64,
        ) -> StoreResult<(Account, Option<String>)>;
        /// Archives (`Some(when)`) or restores (`None`) an account.
        async fn archive_account(
            &self,
            org_id: &str,
            account_id: &str,
            archived_at: Option<i64>,
        ) -> StoreResult<Account>;
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
        /// Creates or updates the accounts and then the people of a batch in one transaction,
        /// keeping whatever a row leaves out. A row that cannot be stored (a domain or an id of
        /// another account, an unknown account or parent, an address of another person) stops
        /// the batch: nothing is stored and the refusal names the row.
        async fn sync_customers(
            &self,
            org_id: &str,
            batch: &SyncBatch,
            now_ms: i64,
            progress: &(dyn Fn(u64) + Send + Sync),
        ) -> StoreResult<Result<SyncOutcome, SyncRefusal>>;
        /// Creates or updates a person (matched by any of their addresses) and the memberships
        /// named; two addresses of different people are a conflict.
        async fn upsert_person(&self, org_id: &str, person: &PersonUpsert) -> StoreResult<Person>;
        /// One person by id.
        async fn person(&self, org_id: &str, person_id: &str) -> StoreResult<Person>;
        /// One person by any of their addresses.
        async fn person_by_email(&self, org_id: &str, email: &str) -> StoreResult<Person>;
        /// People, optionally members of one account, by id (creation order), a page at a time.
        async fn list_people(&self, org_id: &str, query: &PeopleQuery) -> StoreResult<Vec<Person>>;
        /// Removes a person's membership of an account (id or external id).
        async fn remove_membership(
            &self,
            org_id: &str,
            person_id: &str,
            account: &str,
        ) -> StoreResult<()>;
        /// The touches of an account since `since_ms`, for the relationship rules.
        async fn account_touches(
            &self,
            org_id: &str,
            account_id: &str,
            since_ms: i64,
        ) -> StoreResult<AccountTouches>;
        /// Brings the relationship flags of the organisation's accounts up to date for the
        /// window of `days` ending at `now_ms`: the accounts whose touches changed since the
        /// last refresh and those whose oldest touch has left the window, or every account
        /// when the window is new.
        async fn refresh_account_flags(&self, org_id: &str, now_ms: i64, days: u32) -> StoreResult<FlagRefresh>;
        /// The kept flags (an account without one has had no touch: no contact).
        async fn account_flags(&self, org_id: &str) -> StoreResult<Vec<AccountFlag>>;
        /// A page of the accounts (merged ones left out) with their kept flags, filtered and
        /// ordered as asked.
        async fn account_flag_page(&self, org_id: &str, query: &FlagListQuery) -> StoreResult<Vec<(Account, attune_domain::customer::relationship::Threading)>>;
        /// Accounts and people whose name, e-mail address, domain or id in another system
        /// starts with `q` (names ignoring case), exact matches first; merged ones left out.
        async fn search_customers(&self, org_id: &str, q: &str, limit: u32) -> StoreResult<Vec<CustomerHit>>;
        /// A page of an account's or a person's timeline, newest first.
        async fn timeline(&self, org_id: &str, query: &TimelineQuery) -> StoreResult<Vec<TimelineEntry>>;
        /// Creates or updates a contact by e-mail (the older view of a person and one account).
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
