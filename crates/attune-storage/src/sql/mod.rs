//! The SQL implementation of [`Store`](crate::Store), shared by both backends through sqlx's
//! `Any` driver: `$n` placeholders, epoch-millisecond integers for time, JSON kept as text.
//! Where the dialects differ, [`Dialect`] says which text to send.

mod accounts;
mod auth;
mod closed_loop;
mod credentials;
mod jobs;
mod login;

pub use attune_domain::jobs::DELIVERY_ATTEMPTS;
pub use jobs::LEASE_MS;
mod metrics;
mod responses;
mod retention;
mod retention_snapshot;
mod surveys;
mod text;

use async_trait::async_trait;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyArguments;
use sqlx::{AnyPool, Arguments};

use attune_domain::closed_loop::case::CasePatch;
use attune_domain::closed_loop::rules::RuleDefinition;
use attune_domain::closed_loop::sla::SlaPolicy;
use attune_domain::closed_loop::template::Template;

use crate::error::{Context, StoreResult};
use crate::model::{
    Case, CaseEvent, CaseQuery, Contact, Job, JobOutcome, LoopCase, LoopSettings, NewJob, Rule,
    SlaPolicyRow, SlaStep, Team, Webhook, WebhookDelivery,
};

/// Which SQL dialect the pool speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite 3.35+ (bundled).
    Sqlite,
    /// PostgreSQL 12+.
    Postgres,
}

/// Storage over a SQL pool.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    dialect: Dialect,
}

impl SqlStore {
    /// Wraps a migrated pool.
    pub fn new(pool: AnyPool, dialect: Dialect) -> Self {
        Self { pool, dialect }
    }

    /// The pool, for backend-specific work such as benchmarks.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so that two processes sharing the file wait for each other
    /// (busy_timeout) instead of failing when a reader tries to become a writer.
    pub(crate) async fn begin_write(
        &self,
    ) -> crate::error::StoreResult<sqlx::Transaction<'static, sqlx::Any>> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.pool.begin().await,
        }
        .context("starting a transaction")
    }
}

/// A new time-ordered opaque id (UUIDv7), so ids sort roughly by creation.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// A bind value for dynamically built queries.
#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

/// Collects bind values and hands out their `$n` placeholders in order.
#[derive(Debug, Default)]
pub(crate) struct Binds(Vec<Bind>);

impl Binds {
    /// Adds a value and returns its placeholder.
    pub(crate) fn push(&mut self, b: Bind) -> String {
        self.0.push(b);
        format!("${}", self.0.len())
    }

    pub(crate) fn text(&mut self, s: impl Into<String>) -> String {
        self.push(Bind::Text(s.into()))
    }

    pub(crate) fn int(&mut self, i: i64) -> String {
        self.push(Bind::Int(i))
    }

    /// The arguments for the query.
    pub(crate) fn into_args(self) -> StoreResult<AnyArguments> {
        let mut args = AnyArguments::default();
        for b in self.0 {
            let r = match b {
                Bind::Text(s) => args.add(s),
                Bind::OptText(s) => args.add(s),
                Bind::Int(i) => args.add(i),
                Bind::OptInt(i) => args.add(i),
            };
            r.map_err(sqlx::Error::Encode).context("binding a value")?;
        }
        Ok(args)
    }
}

/// Rows per statement in [`insert_rows`].
const ROWS_PER_STATEMENT: usize = 2_000;

/// Inserts many rows with one bound parameter per chunk: the rows travel as one JSON array of
/// arrays that the database unpacks (`json_each` on SQLite, `jsonb_array_elements` on
/// PostgreSQL). Binding thousands of values one by one costs more in the driver than the
/// insert itself costs in the database. `head` is `INSERT INTO t (a, b, …)`; `suffix` follows
/// the rows (e.g. an `ON CONFLICT` clause). Column types come from the first row's values.
pub(crate) async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    dialect: Dialect,
    head: &str,
    suffix: &str,
    rows: Vec<Vec<Bind>>,
) -> StoreResult<()> {
    match encode_rows(dialect, head, suffix, rows, ROWS_PER_STATEMENT)? {
        Some(encoded) => encoded.execute(conn).await,
        None => Ok(()),
    }
}

/// Rows turned into statements, ready to send: the CPU work of an insert, done apart from
/// the waiting so an import can prepare one batch while the database writes the previous one.
#[derive(Debug)]
pub(crate) struct Encoded {
    sql: String,
    payloads: Vec<String>,
}

impl Encoded {
    /// Sends the statements.
    pub(crate) async fn execute(self, conn: &mut sqlx::AnyConnection) -> StoreResult<()> {
        for payload in self.payloads {
            sqlx::query(AssertSqlSafe(self.sql.clone()))
                .bind(payload)
                .execute(&mut *conn)
                .await
                .context("inserting rows")?;
        }
        Ok(())
    }
}

/// Builds the statements of [`insert_rows`]; `None` when there are no rows.
pub(crate) fn encode_rows(
    dialect: Dialect,
    head: &str,
    suffix: &str,
    rows: Vec<Vec<Bind>>,
    per_statement: usize,
) -> StoreResult<Option<Encoded>> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let columns: Vec<String> = first
        .iter()
        .enumerate()
        .map(|(i, b)| match (dialect, b) {
            (Dialect::Sqlite, _) => format!("json_extract(value, '$[{i}]')"),
            (Dialect::Postgres, Bind::Int(_) | Bind::OptInt(_)) => {
                format!("(value->>{i})::bigint")
            }
            (Dialect::Postgres, _) => format!("(value->>{i})"),
        })
        .collect();
    let source = match dialect {
        Dialect::Sqlite => "jsonb_each($1)",
        Dialect::Postgres => "jsonb_array_elements($1::jsonb) AS value",
    };
    // `WHERE true` lets SQLite parse an upsert after INSERT … SELECT.
    let sql = format!(
        "{head} SELECT {} FROM {source} WHERE true {suffix}",
        columns.join(", ")
    );
    // Rows are written straight to JSON text (no `serde_json::Value` tree in between).
    let payloads = rows
        .chunks(per_statement.max(1))
        .map(|chunk| serde_json::to_string(chunk).context("encoding rows"))
        .collect::<StoreResult<Vec<String>>>()?;
    Ok(Some(Encoded { sql, payloads }))
}

impl serde::Serialize for Bind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Bind::Text(t) | Bind::OptText(Some(t)) => s.serialize_str(t),
            Bind::Int(i) | Bind::OptInt(Some(i)) => s.serialize_i64(*i),
            Bind::OptText(None) | Bind::OptInt(None) => s.serialize_none(),
        }
    }
}

#[async_trait]
impl crate::Store for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .context("pinging the database")?;
        Ok(())
    }

    async fn setting_or_init(&self, key: &str, init: &str) -> StoreResult<String> {
        self.setting_or_init_impl(key, init).await
    }

    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        self.setting_impl(key).await
    }

    async fn reseal_credentials(&self, f: &crate::model::Reseal<'_>) -> StoreResult<u64> {
        self.reseal_credentials_impl(f).await
    }

    async fn create_org(&self, name: &str) -> StoreResult<crate::model::Org> {
        self.create_org_impl(name).await
    }
    async fn org_by_slug(&self, slug: &str) -> StoreResult<crate::model::Org> {
        self.org_where("slug", slug).await
    }
    async fn org_by_id(&self, org_id: &str) -> StoreResult<crate::model::Org> {
        self.org_where("id", org_id).await
    }
    async fn list_orgs(&self) -> StoreResult<Vec<crate::model::Org>> {
        self.list_orgs_impl().await
    }
    async fn create_user(
        &self,
        org_id: &str,
        email: &str,
        password_hash: &str,
        role: attune_domain::org::Role,
    ) -> StoreResult<crate::model::User> {
        self.create_user_impl(org_id, email, password_hash, role)
            .await
    }
    async fn user_for_login(&self, email: &str) -> StoreResult<(crate::model::User, String)> {
        self.user_for_login_impl(email).await
    }
    async fn login_backoff_until(&self, email: &str, now_ms: i64) -> StoreResult<Option<i64>> {
        self.login_backoff_until_impl(email, now_ms).await
    }
    async fn record_login_failure(
        &self,
        email: &str,
        now_ms: i64,
        policy: &attune_domain::login::BackoffPolicy,
    ) -> StoreResult<crate::model::LoginFailures> {
        self.record_login_failure_impl(email, now_ms, policy).await
    }
    async fn forget_login_failures(&self, email: &str) -> StoreResult<()> {
        self.forget_login_failures_impl(email).await
    }
    async fn clear_login_backoff(&self, org_id: &str, email: &str) -> StoreResult<bool> {
        self.clear_login_backoff_impl(org_id, email).await
    }
    async fn list_users(&self, org_id: &str) -> StoreResult<Vec<crate::model::User>> {
        self.list_users_impl(org_id).await
    }
    async fn create_token(
        &self,
        org_id: &str,
        token_hash: &str,
        role: attune_domain::org::Role,
        label: &str,
    ) -> StoreResult<String> {
        self.create_token_impl(org_id, token_hash, role, label)
            .await
    }
    async fn token_grant(&self, token_hash: &str) -> StoreResult<crate::model::TokenGrant> {
        self.token_grant_impl(token_hash).await
    }
    async fn create_session(
        &self,
        id_hash: &str,
        user_id: &str,
        csrf_token: &str,
        expires_at_ms: i64,
    ) -> StoreResult<()> {
        self.create_session_impl(id_hash, user_id, csrf_token, expires_at_ms)
            .await
    }
    async fn session(&self, id_hash: &str, now_ms: i64) -> StoreResult<crate::model::Session> {
        self.session_impl(id_hash, now_ms).await
    }
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        self.delete_session_impl(id_hash).await
    }
    async fn upsert_account(
        &self,
        org_id: &str,
        account: &crate::model::AccountUpsert,
    ) -> StoreResult<crate::model::Account> {
        self.upsert_account_impl(org_id, account).await
    }
    async fn list_accounts(&self, org_id: &str) -> StoreResult<Vec<crate::model::Account>> {
        self.list_accounts_impl(org_id, None).await
    }
    async fn account(&self, org_id: &str, account_id: &str) -> StoreResult<crate::model::Account> {
        self.list_accounts_impl(org_id, Some(account_id))
            .await?
            .pop()
            .ok_or(crate::StoreError::NotFound)
    }
    async fn upsert_contact(
        &self,
        org_id: &str,
        contact: &crate::model::ContactUpsert,
    ) -> StoreResult<crate::model::Contact> {
        self.upsert_contact_impl(org_id, contact).await
    }
    async fn contact_by_email(
        &self,
        org_id: &str,
        email: &str,
    ) -> StoreResult<crate::model::Contact> {
        self.contact_by_email_impl(org_id, email).await
    }
    async fn list_contacts(
        &self,
        org_id: &str,
        account_id: Option<&str>,
    ) -> StoreResult<Vec<crate::model::Contact>> {
        self.list_contacts_impl(org_id, account_id).await
    }
    async fn create_survey_with_access(
        &self,
        org_id: &str,
        definition: &attune_domain::survey::SurveyDefinition,
        access: &attune_domain::survey_access::SurveyAccess,
        now_ms: i64,
    ) -> StoreResult<crate::model::Survey> {
        self.create_survey_impl(org_id, definition, access, now_ms)
            .await
    }
    async fn set_survey_access(
        &self,
        org_id: &str,
        survey_id: &str,
        access: &attune_domain::survey_access::SurveyAccess,
    ) -> StoreResult<crate::model::Survey> {
        self.set_survey_access_impl(org_id, survey_id, access).await
    }
    async fn survey(&self, org_id: &str, survey_id: &str) -> StoreResult<crate::model::Survey> {
        self.survey_impl(Some(org_id), survey_id).await
    }
    async fn public_survey(&self, survey_id: &str) -> StoreResult<crate::model::Survey> {
        self.survey_impl(None, survey_id).await
    }
    async fn list_surveys(&self, org_id: &str) -> StoreResult<Vec<crate::model::Survey>> {
        self.list_surveys_impl(org_id).await
    }
    async fn insert_response(
        &self,
        org_id: &str,
        survey: &crate::model::Survey,
        response: &attune_domain::response::NewResponse,
        invitation_id: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<crate::model::StoredResponse> {
        self.insert_response_impl(org_id, survey, response, invitation_id, now_ms)
            .await
    }
    async fn import_responses(
        &self,
        org_id: &str,
        survey: &crate::model::Survey,
        responses: &[attune_domain::response::NewResponse],
        now_ms: i64,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<crate::model::ImportOutcome> {
        self.import_responses_impl(org_id, survey, responses, now_ms, progress)
            .await
    }
    async fn response(
        &self,
        org_id: &str,
        response_id: &str,
    ) -> StoreResult<crate::model::StoredResponse> {
        self.response_impl(org_id, response_id).await
    }
    async fn feed(
        &self,
        org_id: &str,
        query: &crate::model::FeedQuery,
    ) -> StoreResult<Vec<crate::model::FeedItem>> {
        self.feed_impl(org_id, query).await
    }
    async fn text_docs(
        &self,
        org_id: &str,
        query: &crate::model::TextDocsQuery,
    ) -> StoreResult<Vec<crate::model::TextDoc>> {
        self.text_docs_impl(org_id, query).await
    }
    async fn reindex(
        &self,
        org_id: &str,
        batch: u32,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<crate::model::ReindexOutcome> {
        self.reindex_impl(org_id, batch, progress).await
    }
    async fn score_counts(
        &self,
        org_id: &str,
        filter: &crate::model::ScoreFilter,
        segment: Option<crate::model::SegmentDim>,
    ) -> StoreResult<Vec<crate::model::ScoreCount>> {
        self.score_counts_impl(org_id, filter, segment).await
    }
    async fn create_invitation(
        &self,
        org_id: &str,
        survey_id: &str,
        contact_id: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<crate::model::Invitation> {
        self.create_invitation_impl(org_id, survey_id, contact_id, now_ms)
            .await
    }
    async fn invitation(&self, invitation_id: &str) -> StoreResult<crate::model::Invitation> {
        self.invitation_impl(invitation_id).await
    }

    async fn contact(&self, org_id: &str, contact_id: &str) -> StoreResult<Contact> {
        self.contact_impl(org_id, contact_id).await
    }
    async fn list_rules(&self, org_id: &str) -> StoreResult<Vec<Rule>> {
        self.list_rules_impl(org_id).await
    }
    async fn save_rule(
        &self,
        org_id: &str,
        rule_id: Option<&str>,
        rule: &RuleDefinition,
        now_ms: i64,
    ) -> StoreResult<Rule> {
        self.save_rule_impl(org_id, rule_id, rule, now_ms).await
    }
    async fn delete_rule(&self, org_id: &str, rule_id: &str) -> StoreResult<()> {
        self.delete_rule_impl(org_id, rule_id).await
    }
    async fn list_sla_policies(&self, org_id: &str) -> StoreResult<Vec<SlaPolicyRow>> {
        self.list_sla_policies_impl(org_id).await
    }
    async fn save_sla_policy(
        &self,
        org_id: &str,
        policy_id: Option<&str>,
        policy: &SlaPolicy,
        make_default: bool,
        now_ms: i64,
    ) -> StoreResult<SlaPolicyRow> {
        self.save_sla_policy_impl(org_id, policy_id, policy, make_default, now_ms)
            .await
    }
    async fn create_team(
        &self,
        org_id: &str,
        name: &str,
        lead_user_id: Option<&str>,
        members: &[String],
        now_ms: i64,
    ) -> StoreResult<Team> {
        self.create_team_impl(org_id, name, lead_user_id, members, now_ms)
            .await
    }
    async fn list_teams(&self, org_id: &str) -> StoreResult<Vec<Team>> {
        self.list_teams_impl(org_id).await
    }
    async fn root_causes(&self, org_id: &str) -> StoreResult<Vec<String>> {
        self.root_causes_impl(org_id).await
    }
    async fn set_root_causes(&self, org_id: &str, names: &[String]) -> StoreResult<()> {
        self.set_root_causes_impl(org_id, names).await
    }
    async fn loop_settings(&self, org_id: &str) -> StoreResult<LoopSettings> {
        self.loop_settings_impl(org_id).await
    }
    async fn set_loop_settings(&self, org_id: &str, settings: &LoopSettings) -> StoreResult<()> {
        self.set_loop_settings_impl(org_id, settings).await
    }
    async fn template(
        &self,
        org_id: &str,
        kind: &str,
        language: &str,
    ) -> StoreResult<Option<Template>> {
        self.template_impl(org_id, kind, language).await
    }
    async fn set_template(
        &self,
        org_id: &str,
        kind: &str,
        language: &str,
        template: &Template,
    ) -> StoreResult<()> {
        self.set_template_impl(org_id, kind, language, template)
            .await
    }
    async fn cases(&self, org_id: &str, query: &CaseQuery) -> StoreResult<Vec<Case>> {
        self.cases_impl(org_id, query).await
    }
    async fn case(&self, org_id: &str, case_id: &str) -> StoreResult<Case> {
        self.case_impl(org_id, case_id).await
    }
    async fn case_events(&self, org_id: &str, case_id: &str) -> StoreResult<Vec<CaseEvent>> {
        self.case_events_impl(org_id, case_id).await
    }
    async fn update_case(
        &self,
        org_id: &str,
        case_id: &str,
        actor_user_id: Option<&str>,
        patch: &CasePatch,
        now_ms: i64,
    ) -> StoreResult<Case> {
        self.update_case_impl(org_id, case_id, actor_user_id, patch, now_ms)
            .await
    }
    async fn add_case_note(
        &self,
        org_id: &str,
        case_id: &str,
        actor_user_id: &str,
        text: &str,
        now_ms: i64,
    ) -> StoreResult<Case> {
        self.add_case_note_impl(org_id, case_id, actor_user_id, text, now_ms)
            .await
    }
    async fn sla_step(&self, org_id: &str, case_id: &str, now_ms: i64) -> StoreResult<SlaStep> {
        self.sla_step_impl(org_id, case_id, now_ms).await
    }
    async fn set_case_resurvey(
        &self,
        org_id: &str,
        case_id: &str,
        invitation_id: &str,
    ) -> StoreResult<()> {
        self.set_case_resurvey_impl(org_id, case_id, invitation_id)
            .await
    }
    async fn loop_cases(
        &self,
        org_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<LoopCase>> {
        self.loop_cases_impl(org_id, from_ms, to_ms).await
    }
    async fn account_root_causes(
        &self,
        org_id: &str,
        since_ms: i64,
    ) -> StoreResult<Vec<(String, String, i64)>> {
        self.account_root_causes_impl(org_id, since_ms).await
    }
    async fn enqueue_jobs(&self, jobs: &[NewJob], now_ms: i64) -> StoreResult<()> {
        self.enqueue_jobs_impl(jobs, now_ms).await
    }
    async fn claim_job(&self, worker: &str, now_ms: i64) -> StoreResult<Option<Job>> {
        self.claim_job_impl(worker, now_ms).await
    }
    async fn finish_job(&self, job: &Job, outcome: &JobOutcome, now_ms: i64) -> StoreResult<()> {
        self.finish_job_impl(job, outcome, now_ms).await
    }
    async fn list_jobs(&self, state: Option<&str>, limit: u32) -> StoreResult<Vec<Job>> {
        self.list_jobs_impl(state, limit).await
    }
    async fn purge_done_jobs(&self, before_ms: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_at < $1")
            .bind(before_ms)
            .execute(&self.pool)
            .await
            .context("purging finished jobs")?;
        Ok(done.rows_affected())
    }
    async fn digest_schedule(&self) -> StoreResult<Vec<(String, i64)>> {
        self.orgs_needing_digest_impl().await
    }
    async fn create_webhook(
        &self,
        org_id: &str,
        url: &str,
        secret: &str,
        events: &[String],
        now_ms: i64,
    ) -> StoreResult<Webhook> {
        self.create_webhook_impl(org_id, url, secret, events, now_ms)
            .await
    }
    async fn list_webhooks(&self, org_id: &str) -> StoreResult<Vec<Webhook>> {
        self.list_webhooks_impl(org_id).await
    }
    async fn delete_webhook(&self, org_id: &str, webhook_id: &str) -> StoreResult<()> {
        self.delete_webhook_impl(org_id, webhook_id).await
    }
    async fn webhook_target(
        &self,
        org_id: &str,
        webhook_id: &str,
    ) -> StoreResult<(Webhook, String)> {
        self.webhook_target_impl(org_id, webhook_id).await
    }
    async fn record_delivery(&self, org_id: &str, delivery: &WebhookDelivery) -> StoreResult<()> {
        self.record_delivery_impl(org_id, delivery).await
    }
    async fn deliveries(
        &self,
        org_id: &str,
        webhook_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        self.deliveries_impl(org_id, webhook_id, limit).await
    }
    async fn record_email(
        &self,
        org_id: Option<&str>,
        kind: &str,
        case_id: Option<&str>,
        to: &str,
        subject: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.record_email_impl(org_id, kind, case_id, to, subject, now_ms)
            .await
    }
    async fn emit_event(
        &self,
        org_id: &str,
        event: &str,
        data: serde_json::Value,
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.context("connecting")?;
        closed_loop::emit(&mut conn, self.dialect, org_id, event, data, now_ms).await
    }
    async fn import_subscriptions(
        &self,
        org_id: &str,
        rows: &[crate::retention::NewSubscription],
        now_ms: i64,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<crate::model::ImportOutcome> {
        self.import_subscriptions_impl(org_id, rows, now_ms, progress)
            .await
    }
    async fn import_activity(
        &self,
        org_id: &str,
        rows: &[crate::retention::NewActivity],
        now_ms: i64,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<crate::model::ImportOutcome> {
        self.import_activity_impl(org_id, rows, now_ms, progress)
            .await
    }
    async fn import_accounts(
        &self,
        org_id: &str,
        rows: &[crate::model::AccountUpsert],
        now_ms: i64,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<crate::model::ImportOutcome> {
        self.import_accounts_impl(org_id, rows, now_ms, progress)
            .await
    }
    async fn retention_refresh(&self, org_id: Option<&str>) -> StoreResult<u64> {
        self.retention_refresh_impl(org_id).await
    }
    async fn retention_rows(
        &self,
        org_id: &str,
        source: crate::retention::RetentionSource,
    ) -> StoreResult<crate::retention::RetentionRows> {
        self.retention_rows_impl(org_id, source).await
    }
    async fn retention_attributes(
        &self,
        org_id: &str,
        names: &[String],
        n_accounts: usize,
    ) -> StoreResult<Vec<attune_retention::AttributeColumn>> {
        self.retention_attributes_impl(org_id, names, n_accounts)
            .await
    }
    async fn retention_attribute_names(&self, org_id: &str) -> StoreResult<Vec<String>> {
        self.retention_attribute_names_impl(org_id).await
    }
    async fn retention_accounts(
        &self,
        org_id: &str,
        idxs: &[u32],
    ) -> StoreResult<Vec<crate::retention::RetentionAccount>> {
        self.retention_accounts_impl(org_id, idxs).await
    }
}
