//! Attune's storage: the [`Store`] trait handlers and jobs talk to, its error type, and the SQL
//! implementation shared by the SQLite and PostgreSQL backends.
//!
//! Every method that reads or writes tenant data takes the organisation id first; no query
//! here touches tenant rows without it.
#![forbid(unsafe_code)]

pub mod error;
pub mod model;
pub mod retention;
pub mod sql;

use async_trait::async_trait;
use attune_domain::closed_loop::case::CasePatch;
use attune_domain::closed_loop::rules::RuleDefinition;
use attune_domain::closed_loop::sla::SlaPolicy;
use attune_domain::closed_loop::template::Template;
use attune_domain::org::Role;
use attune_domain::response::NewResponse;
use attune_domain::survey::SurveyDefinition;
use attune_domain::survey_access::SurveyAccess;

pub use error::{StoreError, StoreResult};
use model::*;

/// Everything Attune stores, per organisation.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Fails when the database cannot be reached.
    async fn ping(&self) -> StoreResult<()>;

    /// Reads a server-wide setting, creating it with `init` when absent (first writer wins).
    async fn setting_or_init(&self, key: &str, init: &str) -> StoreResult<String>;
    /// Reads a server-wide setting, `None` when absent.
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    /// Hands every stored value that may hold a credential (each server setting, each
    /// webhook's signing secret) to `f` and stores what it answers in its place, all in one
    /// transaction: an `Err` from `f` changes nothing. A value changed meanwhile by someone
    /// else is left alone. Returns how many values were replaced.
    async fn reseal_credentials(&self, f: &Reseal<'_>) -> StoreResult<u64>;

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
    /// Until when (epoch ms) logins of this e-mail wait, if that is after `now_ms`.
    async fn login_backoff_until(&self, email: &str, now_ms: i64) -> StoreResult<Option<i64>>;
    /// Counts a failed login of an e-mail, with or without an account, and sets when the next
    /// attempt may come by `policy`; forgets failures a day old, of every e-mail.
    async fn record_login_failure(
        &self,
        email: &str,
        now_ms: i64,
        policy: &attune_domain::login::BackoffPolicy,
    ) -> StoreResult<LoginFailures>;
    /// Forgets an e-mail's failed logins (after a successful one).
    async fn forget_login_failures(&self, email: &str) -> StoreResult<()>;
    /// Clears the login back-off of the organisation's user with this e-mail; true when
    /// failures were recorded. `NotFound` when the organisation has no such user.
    async fn clear_login_backoff(&self, org_id: &str, email: &str) -> StoreResult<bool>;
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

    /// Stores a validated survey, public (the default access settings).
    async fn create_survey(
        &self,
        org_id: &str,
        definition: &SurveyDefinition,
        now_ms: i64,
    ) -> StoreResult<Survey> {
        self.create_survey_with_access(org_id, definition, &SurveyAccess::default(), now_ms)
            .await
    }
    /// Stores a validated survey with its access settings.
    async fn create_survey_with_access(
        &self,
        org_id: &str,
        definition: &SurveyDefinition,
        access: &SurveyAccess,
        now_ms: i64,
    ) -> StoreResult<Survey>;
    /// Replaces a survey's access settings; another organisation's survey is `NotFound`.
    async fn set_survey_access(
        &self,
        org_id: &str,
        survey_id: &str,
        access: &SurveyAccess,
    ) -> StoreResult<Survey>;
    /// One survey of the organisation.
    async fn survey(&self, org_id: &str, survey_id: &str) -> StoreResult<Survey>;
    /// A survey by id alone, for its public page.
    async fn public_survey(&self, survey_id: &str) -> StoreResult<Survey>;
    /// Surveys of the organisation, newest first.
    async fn list_surveys(&self, org_id: &str) -> StoreResult<Vec<Survey>>;

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
    /// The feedback feed, newest first; with search terms, best match first.
    async fn feed(&self, org_id: &str, query: &FeedQuery) -> StoreResult<Vec<FeedItem>>;
    /// Analysed comments (content terms and a score), newest first, for keywords and drivers.
    async fn text_docs(&self, org_id: &str, query: &TextDocsQuery) -> StoreResult<Vec<TextDoc>>;
    /// Analyses every response of the organisation again (language, terms, search index), in
    /// transactions of `batch` responses; safe to re-run. `progress` gets the count so far.
    async fn reindex(
        &self,
        org_id: &str,
        batch: u32,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<ReindexOutcome>;

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

    /// One contact by id.
    async fn contact(&self, org_id: &str, contact_id: &str) -> StoreResult<Contact>;

    /// Alert rules, oldest first.
    async fn list_rules(&self, org_id: &str) -> StoreResult<Vec<Rule>>;
    /// Creates a rule, or replaces rule `rule_id`.
    async fn save_rule(
        &self,
        org_id: &str,
        rule_id: Option<&str>,
        rule: &RuleDefinition,
        now_ms: i64,
    ) -> StoreResult<Rule>;
    /// Deletes a rule (its cases stay).
    async fn delete_rule(&self, org_id: &str, rule_id: &str) -> StoreResult<()>;
    /// SLA policies.
    async fn list_sla_policies(&self, org_id: &str) -> StoreResult<Vec<SlaPolicyRow>>;
    /// Creates a policy, or replaces policy `policy_id`; `make_default` makes it the default.
    async fn save_sla_policy(
        &self,
        org_id: &str,
        policy_id: Option<&str>,
        policy: &SlaPolicy,
        make_default: bool,
        now_ms: i64,
    ) -> StoreResult<SlaPolicyRow>;
    /// Creates a team.
    async fn create_team(
        &self,
        org_id: &str,
        name: &str,
        lead_user_id: Option<&str>,
        members: &[String],
        now_ms: i64,
    ) -> StoreResult<Team>;
    /// Teams.
    async fn list_teams(&self, org_id: &str) -> StoreResult<Vec<Team>>;
    /// The root-cause taxonomy.
    async fn root_causes(&self, org_id: &str) -> StoreResult<Vec<String>>;
    /// Replaces the root-cause taxonomy.
    async fn set_root_causes(&self, org_id: &str, names: &[String]) -> StoreResult<()>;
    /// Digest recipients and hour.
    async fn loop_settings(&self, org_id: &str) -> StoreResult<LoopSettings>;
    /// Saves digest recipients and hour.
    async fn set_loop_settings(&self, org_id: &str, settings: &LoopSettings) -> StoreResult<()>;
    /// The organisation's own template of a kind in a language.
    async fn template(
        &self,
        org_id: &str,
        kind: &str,
        language: &str,
    ) -> StoreResult<Option<Template>>;
    /// Saves a template.
    async fn set_template(
        &self,
        org_id: &str,
        kind: &str,
        language: &str,
        template: &Template,
    ) -> StoreResult<()>;

    /// Cases, by first-response deadline (overdue first).
    async fn cases(&self, org_id: &str, query: &CaseQuery) -> StoreResult<Vec<Case>>;
    /// One case.
    async fn case(&self, org_id: &str, case_id: &str) -> StoreResult<Case>;
    /// A case's timeline, oldest first.
    async fn case_events(&self, org_id: &str, case_id: &str) -> StoreResult<Vec<CaseEvent>>;
    /// Changes a case (state, owner, priority, root cause, resolution) and records each change
    /// on its timeline. Rule violations are `Invalid`.
    async fn update_case(
        &self,
        org_id: &str,
        case_id: &str,
        actor_user_id: Option<&str>,
        patch: &CasePatch,
        now_ms: i64,
    ) -> StoreResult<Case>;
    /// Adds a note to a case's timeline (the first action on a case is its first response).
    async fn add_case_note(
        &self,
        org_id: &str,
        case_id: &str,
        actor_user_id: &str,
        text: &str,
        now_ms: i64,
    ) -> StoreResult<Case>;
    /// Records the warnings and breaches of a case due at `now_ms`, each exactly once.
    async fn sla_step(&self, org_id: &str, case_id: &str, now_ms: i64) -> StoreResult<SlaStep>;
    /// Remembers the re-survey invitation sent with a case's resolution.
    async fn set_case_resurvey(
        &self,
        org_id: &str,
        case_id: &str,
        invitation_id: &str,
    ) -> StoreResult<()>;
    /// Cases opened in `[from, to)` with the scores before and after, for loop metrics.
    async fn loop_cases(
        &self,
        org_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<LoopCase>>;
    /// (account, root cause, opened at) of cases opened since `since_ms`, for recurrence.
    async fn account_root_causes(
        &self,
        org_id: &str,
        since_ms: i64,
    ) -> StoreResult<Vec<(String, String, i64)>>;

    /// Stores jobs (a job whose dedup key exists is skipped).
    async fn enqueue_jobs(&self, jobs: &[NewJob], now_ms: i64) -> StoreResult<()>;
    /// Claims the next due job for `worker`, or `None`.
    async fn claim_job(&self, worker: &str, now_ms: i64) -> StoreResult<Option<Job>>;
    /// Records how a claimed job ended.
    async fn finish_job(&self, job: &Job, outcome: &JobOutcome, now_ms: i64) -> StoreResult<()>;
    /// Jobs, newest first, optionally in one state.
    async fn list_jobs(&self, state: Option<&str>, limit: u32) -> StoreResult<Vec<Job>>;
    /// Deletes finished (`done`) jobs that finished before `before_ms`; dead jobs are kept for
    /// inspection. Returns how many were deleted.
    async fn purge_done_jobs(&self, before_ms: i64) -> StoreResult<u64>;
    /// Organisations and their digest hour.
    async fn digest_schedule(&self) -> StoreResult<Vec<(String, i64)>>;

    /// Creates a webhook. `secret` is stored as given: the caller seals it first
    /// (`attune_seal`), so storage never holds it in plain text.
    async fn create_webhook(
        &self,
        org_id: &str,
        url: &str,
        secret: &str,
        events: &[String],
        now_ms: i64,
    ) -> StoreResult<Webhook>;
    /// Webhooks.
    async fn list_webhooks(&self, org_id: &str) -> StoreResult<Vec<Webhook>>;
    /// Deletes a webhook.
    async fn delete_webhook(&self, org_id: &str, webhook_id: &str) -> StoreResult<()>;
    /// A webhook with its signing secret as stored (sealed), for delivery.
    async fn webhook_target(
        &self,
        org_id: &str,
        webhook_id: &str,
    ) -> StoreResult<(Webhook, String)>;
    /// Logs a delivery attempt.
    async fn record_delivery(&self, org_id: &str, delivery: &WebhookDelivery) -> StoreResult<()>;
    /// Delivery log of a webhook, newest first.
    async fn deliveries(
        &self,
        org_id: &str,
        webhook_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<WebhookDelivery>>;
    /// Logs a sent e-mail.
    async fn record_email(
        &self,
        org_id: Option<&str>,
        kind: &str,
        case_id: Option<&str>,
        to: &str,
        subject: &str,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// Sends an event to the organisation's subscribed webhooks (as delivery jobs).
    async fn emit_event(
        &self,
        org_id: &str,
        event: &str,
        data: serde_json::Value,
        now_ms: i64,
    ) -> StoreResult<()>;

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
    /// The accounts with these numbers, by name.
    async fn retention_accounts(
        &self,
        org_id: &str,
        idxs: &[u32],
    ) -> StoreResult<Vec<retention::RetentionAccount>>;
}
