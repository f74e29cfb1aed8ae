//! Attune's storage: the [`Store`] trait handlers and jobs talk to, its error type, and the SQL
//! implementation shared by the SQLite and PostgreSQL backends.
//!
//! Every method that reads or writes tenant data takes the organisation id first; no query
//! here touches tenant rows without it.
#![forbid(unsafe_code)]

pub mod error;
pub mod model;
pub mod sql;

use async_trait::async_trait;
use attune_domain::org::Role;
use attune_domain::response::NewResponse;
use attune_domain::survey::SurveyDefinition;

pub use error::{StoreError, StoreResult};
use model::*;

/// Everything Attune stores, per organisation.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Fails when the database cannot be reached.
    async fn ping(&self) -> StoreResult<()>;

    /// Reads a server-wide setting, creating it with `init` when absent (first writer wins).
    async fn setting_or_init(&self, key: &str, init: &str) -> StoreResult<String>;

    /// Creates an organisation with a unique slug derived from its name.
    async fn create_org(&self, name: &str) -> StoreResult<Org>;
    /// Finds an organisation by slug.
    async fn org_by_slug(&self, slug: &str) -> StoreResult<Org>;
    /// Finds an organisation by id.
    async fn org_by_id(&self, org_id: &str) -> StoreResult<Org>;
    /// Every organisation.
    async fn list_orgs(&self) -> StoreResult<Vec<Org>>;

    /// Creates a user; e-mails are unique across the server (they are login names).
    async fn create_user(
        &self,
        org_id: &str,
        email: &str,
        password_hash: &str,
        role: Role,
    ) -> StoreResult<User>;
    /// A user and their password hash, by e-mail (for login).
    async fn user_for_login(&self, email: &str) -> StoreResult<(User, String)>;
    /// Users of an organisation.
    async fn list_users(&self, org_id: &str) -> StoreResult<Vec<User>>;

    /// Stores an API token by its hash.
    async fn create_token(
        &self,
        org_id: &str,
        token_hash: &str,
        role: Role,
        label: &str,
    ) -> StoreResult<String>;
    /// What a token hash grants.
    async fn token_grant(&self, token_hash: &str) -> StoreResult<TokenGrant>;

    /// Starts a session stored by the hash of its cookie value.
    async fn create_session(
        &self,
        id_hash: &str,
        user_id: &str,
        csrf_token: &str,
        expires_at_ms: i64,
    ) -> StoreResult<()>;
    /// A live session (expired ones are `NotFound`).
    async fn session(&self, id_hash: &str, now_ms: i64) -> StoreResult<Session>;
    /// Ends a session.
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;

    /// Creates or updates an account by external id.
    async fn upsert_account(&self, org_id: &str, account: &AccountUpsert) -> StoreResult<Account>;
    /// Accounts of an organisation, by name.
    async fn list_accounts(&self, org_id: &str) -> StoreResult<Vec<Account>>;
    /// One account by id.
    async fn account(&self, org_id: &str, account_id: &str) -> StoreResult<Account>;
    /// Creates or updates a contact by e-mail.
    async fn upsert_contact(&self, org_id: &str, contact: &ContactUpsert) -> StoreResult<Contact>;
    /// One contact by e-mail.
    async fn contact_by_email(&self, org_id: &str, email: &str) -> StoreResult<Contact>;
    /// Contacts of an organisation, optionally of one account.
    async fn list_contacts(
        &self,
        org_id: &str,
        account_id: Option<&str>,
    ) -> StoreResult<Vec<Contact>>;

    /// Stores a validated survey.
    async fn create_survey(
        &self,
        org_id: &str,
        definition: &SurveyDefinition,
        now_ms: i64,
    ) -> StoreResult<Survey>;
    /// One survey of the organisation.
    async fn survey(&self, org_id: &str, survey_id: &str) -> StoreResult<Survey>;
    /// A survey by id alone, for its public page.
    async fn public_survey(&self, survey_id: &str) -> StoreResult<Survey>;
    /// Surveys of the organisation, newest first.
    async fn list_surveys(&self, org_id: &str) -> StoreResult<Vec<Survey>>;

    /// Stores one response with its contact/account links and score aggregates, in one
    /// transaction. A response whose dedup key or invitation was already used is a `Conflict`.
    async fn insert_response(
        &self,
        org_id: &str,
        survey: &Survey,
        response: &NewResponse,
        invitation_id: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<StoredResponse>;
    /// Stores many responses in one transaction: all or nothing. Responses whose dedup key is
    /// already stored (or repeated in the batch) are skipped and counted. `progress` is told
    /// how many responses have been handled so far, after each batch.
    async fn import_responses(
        &self,
        org_id: &str,
        survey: &Survey,
        responses: &[NewResponse],
        now_ms: i64,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<ImportOutcome>;
    /// One response.
    async fn response(&self, org_id: &str, response_id: &str) -> StoreResult<StoredResponse>;
    /// The feedback feed, newest first.
    async fn feed(&self, org_id: &str, query: &FeedQuery) -> StoreResult<Vec<FeedItem>>;

    /// Daily score counts from the aggregates (never the raw responses).
    async fn score_counts(
        &self,
        org_id: &str,
        filter: &ScoreFilter,
        segment: Option<SegmentDim>,
    ) -> StoreResult<Vec<ScoreCount>>;

    /// Creates a personal invitation.
    async fn create_invitation(
        &self,
        org_id: &str,
        survey_id: &str,
        contact_id: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<Invitation>;
    /// An invitation by id alone (its id arrives signed in a link).
    async fn invitation(&self, invitation_id: &str) -> StoreResult<Invitation>;
}
