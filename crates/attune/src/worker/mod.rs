//! The job worker: claims due jobs from the database and runs them — SLA warnings and
//! escalations, e-mail over SMTP, signed webhook deliveries, resolution messages to customers,
//! daily digests. Several workers (in several processes) can share one database; time comes
//! from the caller so tests and `attune jobs run-once --now` can move it.

mod digest;
mod mail;
mod webhook;

use std::collections::BTreeMap;
use std::sync::Arc;

use attune_domain::closed_loop::template::{Values, default_resolution_template};
use attune_domain::period::DAY_MS;
use attune_storage::model::{Job, JobOutcome, NewJob};
use attune_storage::{Store, StoreError};
use serde_json::{Value, json};

pub use mail::Mailer;
pub use webhook::{sign, verify};

/// What a worker needs besides the store.
#[derive(Clone)]
pub struct WorkerConfig {
    /// Outgoing mail, if configured.
    pub mailer: Option<Mailer>,
    /// Key that signs invitation links.
    pub signing_key: Arc<[u8]>,
    /// Opens the stored (sealed) webhook secrets and seals queued e-mail bodies.
    pub sealer: Arc<attune_seal::Sealer>,
    /// Base URL for links in messages.
    pub public_url: String,
    /// Whether webhooks may reach internal addresses.
    pub webhook_allow_internal: bool,
}

impl std::fmt::Debug for WorkerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerConfig")
            .field("mailer", &self.mailer.is_some())
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

/// A job worker.
#[derive(Clone)]
pub struct Worker {
    store: Arc<dyn Store>,
    id: String,
    config: WorkerConfig,
    http: reqwest::Client,
}

/// What one pass over the queue did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunReport {
    /// Jobs that finished, by kind.
    pub done: BTreeMap<String, u64>,
    /// Jobs that failed (retried later or given up), by kind.
    pub failed: BTreeMap<String, u64>,
    /// Why jobs were given up, with how many each reason stopped (one line per reason instead
    /// of one per job).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, u64>,
    /// Finished jobs older than 30 days deleted in this pass.
    #[serde(skip_serializing_if = "is_zero")]
    pub purged: u64,
    /// Retention snapshots rebuilt because their organisation's data changed.
    #[serde(skip_serializing_if = "is_zero")]
    pub snapshots: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// How long finished jobs are kept (dead ones are kept until someone looks).
pub const KEEP_DONE_MS: i64 = 30 * DAY_MS;

/// Most jobs one pass runs, so a pass always ends.
const MAX_PER_PASS: usize = 100_000;

/// Retry delay after `attempts` failures: 1, 2, 4 … minutes, at most an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 7) - 1;
    (60_000 * (1_i64 << exp)).min(3_600_000)
}

impl Worker {
    /// A worker with a unique id.
    pub fn new(store: Arc<dyn Store>, config: WorkerConfig) -> anyhow::Result<Self> {
        let http = webhook::client(config.webhook_allow_internal)?;
        Ok(Self {
            store,
            id: format!("worker-{}", uuid::Uuid::new_v4().simple()),
            config,
            http,
        })
    }

    /// Runs every job due at `now_ms` (including the ones those jobs queue for `now_ms`),
    /// then returns.
    pub async fn run_once(&self, now_ms: i64) -> anyhow::Result<RunReport> {
        self.schedule_digests(now_ms).await?;
        let mut report = RunReport::default();
        for _ in 0..MAX_PER_PASS {
            let Some(job) = self.store.claim_job(&self.id, now_ms).await? else {
                break;
            };
            let outcome = self.handle(&job, now_ms).await;
            let bucket = match &outcome {
                JobOutcome::Failed { error, retry_at } => {
                    if retry_at.is_some() {
                        tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed; will retry");
                    } else {
                        tracing::debug!(job = %job.id, kind = %job.kind, %error, "job failed for good");
                        *report.errors.entry(error.clone()).or_default() += 1;
                    }
                    &mut report.failed
                }
                _ => &mut report.done,
            };
            *bucket.entry(job.kind.clone()).or_default() += 1;
            self.store.finish_job(&job, &outcome, now_ms).await?;
        }
        for (error, n) in &report.errors {
            tracing::warn!(jobs = n, %error, "jobs given up");
        }
        report.purged = self.store.purge_done_jobs(now_ms - KEEP_DONE_MS).await?;
        // Data changed since the retention reports' snapshots were built (an API write, an
        // account update): rebuild them here rather than in the next report's request.
        match self.store.retention_refresh(None).await {
            Ok(n) => report.snapshots = n,
            Err(e) => tracing::warn!(error = %e, "could not rebuild retention snapshots"),
        }
        Ok(report)
    }

    /// Polls the queue every `interval` until `shutdown` completes.
    pub async fn run_until(
        self,
        clock: Arc<dyn attune_web::Clock>,
        interval: std::time::Duration,
        shutdown: impl Future<Output = ()>,
    ) {
        tokio::pin!(shutdown);
        loop {
            if let Err(e) = self.run_once(clock.now_ms()).await {
                tracing::error!(error = %format!("{e:#}"), "job worker pass failed");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(interval) => {}
            }
        }
    }

    /// Makes sure each organisation has its next daily digest queued.
    async fn schedule_digests(&self, now_ms: i64) -> anyhow::Result<()> {
        let mut jobs = Vec::new();
        for (org, hour) in self.store.digest_schedule().await? {
            let today = now_ms.div_euclid(DAY_MS);
            let at = |day: i64| day * DAY_MS + hour.clamp(0, 23) * 3_600_000;
            let day = if now_ms < at(today) { today } else { today + 1 };
            jobs.push(NewJob {
                org_id: Some(org.clone()),
                kind: "digest".into(),
                payload: json!({ "org_id": org, "at": at(day) }),
                run_at: at(day),
                max_attempts: 3,
                dedup_key: Some(format!("digest:{org}:{day}")),
            });
        }
        self.store.enqueue_jobs(&jobs, now_ms).await?;
        Ok(())
    }

    async fn handle(&self, job: &Job, now_ms: i64) -> JobOutcome {
        let result = match job.kind.as_str() {
            "sla" => self.sla(job, now_ms).await,
            "email" => self.email(job, now_ms).await,
            "webhook" => self.webhook(job, now_ms).await,
            "resolution_message" => self.resolution_message(job, now_ms).await,
            "digest" => digest::run(self, job, now_ms).await,
            other => Err(Failure::permanent(format!("unknown job kind `{other}`"))),
        };
        match result {
            Ok(outcome) => outcome,
            Err(f) => JobOutcome::Failed {
                retry_at: f.retry.then(|| now_ms + backoff_ms(job.attempts)),
                error: f.message,
            },
        }
    }

    async fn sla(&self, job: &Job, now_ms: i64) -> Result<JobOutcome, Failure> {
        let (org, case_id) = (org_of(job)?, str_field(&job.payload, "case_id")?);
        let step = self.store.sla_step(org, case_id, now_ms).await?;
        for r in &step.recorded {
            tracing::info!(case = case_id, milestone = %r, "SLA milestone");
        }
        Ok(match step.next_check {
            Some(at) => JobOutcome::Again(at.max(now_ms + 1)),
            None => JobOutcome::Done,
        })
    }

    async fn email(&self, job: &Job, now_ms: i64) -> Result<JobOutcome, Failure> {
        let Some(mailer) = &self.config.mailer else {
            return Err(Failure::permanent(
                "e-mail is not configured: set ATTUNE_SMTP_URL (or smtp_url in attune.toml)",
            ));
        };
        let p = &job.payload;
        let (to, subject, body) = (
            str_field(p, "to")?,
            str_field(p, "subject")?,
            str_field(p, "body")?,
        );
        let body = self.with_resurvey_link(p, body);
        mailer
            .send(to, subject, &body)
            .await
            .map_err(|e| Failure::retry(format!("{e:#}")))?;
        self.store
            .record_email(
                job.org_id.as_deref(),
                p.get("kind").and_then(Value::as_str).unwrap_or("email"),
                p.get("case_id").and_then(Value::as_str),
                to,
                subject,
                now_ms,
            )
            .await?;
        Ok(JobOutcome::Done)
    }

    /// The body with its re-survey marker replaced by the signed link, made now.
    fn with_resurvey_link(&self, payload: &Value, body: &str) -> String {
        let Some(link) = payload.get("resurvey_link").filter(|l| !l.is_null()) else {
            return body.to_owned();
        };
        let field = |k: &str| link.get(k).and_then(Value::as_str).unwrap_or("");
        if field("marker").is_empty() {
            return body.to_owned();
        }
        let token =
            attune_web::auth::sign_invitation(&self.config.signing_key, field("invitation_id"));
        let url = format!(
            "{}/s/{}?t={}&lang={}",
            self.config.public_url.trim_end_matches('/'),
            field("survey_id"),
            token,
            field("lang")
        );
        body.replace(field("marker"), &url)
    }

    async fn webhook(&self, job: &Job, now_ms: i64) -> Result<JobOutcome, Failure> {
        webhook::deliver(self, job, now_ms).await
    }

    /// Tells the customer what was done, in their language, with an optional re-survey link.
    async fn resolution_message(&self, job: &Job, now_ms: i64) -> Result<JobOutcome, Failure> {
        let org_id = org_of(job)?;
        let case_id = str_field(&job.payload, "case_id")?;
        let resurvey = job.payload.get("resurvey").and_then(Value::as_bool) == Some(true);
        let case = self.store.case(org_id, case_id).await?;
        let Some(contact_id) = &case.contact_id else {
            tracing::info!(
                case = case_id,
                "resolved case has no contact: no message sent"
            );
            return Ok(JobOutcome::Done);
        };
        let contact = self.store.contact(org_id, contact_id).await?;
        let Some(to) = contact.email.clone() else {
            return Ok(JobOutcome::Done);
        };
        let response = match &case.response_id {
            Some(r) => Some(self.store.response(org_id, r).await?),
            None => None,
        };
        let lang_tag = contact
            .language
            .clone()
            .or_else(|| response.as_ref().and_then(|r| r.language.clone()))
            .unwrap_or_else(|| "en".into());
        let lang = lang_tag
            .split('-')
            .next()
            .unwrap_or("en")
            .to_ascii_lowercase();
        let template = match self.store.template(org_id, "resolution", &lang).await? {
            Some(t) => t,
            None => default_resolution_template(&lang),
        };
        // The queued e-mail holds a marker, not the signed link: the token is a credential, so
        // it is made when the e-mail is sent and never stored.
        let mut link = None;
        if resurvey && let Some(r) = &response {
            let inv = self
                .store
                .create_invitation(org_id, &r.survey_id, Some(contact_id), now_ms)
                .await?;
            self.store
                .set_case_resurvey(org_id, case_id, &inv.id)
                .await?;
            link = Some(json!({
                "marker": format!("[[attune-resurvey:{}]]", inv.id),
                "survey_id": r.survey_id,
                "invitation_id": inv.id,
                "lang": lang,
            }));
        }
        let marker = link
            .as_ref()
            .and_then(|l| l.get("marker"))
            .and_then(Value::as_str);
        let org = self.store.org_by_id(org_id).await?;
        let feedback = response
            .as_ref()
            .and_then(|r| r.comment.clone())
            .unwrap_or_else(|| case.title.clone());
        let (subject, body) = template.render(
            &lang,
            &Values {
                name: contact.name.as_deref().unwrap_or(""),
                feedback: &feedback,
                resolution: case.resolution.as_deref().unwrap_or(""),
                resurvey_link: marker,
                org: &org.name,
            },
        );
        let email = NewJob {
            org_id: Some(org_id.to_owned()),
            kind: "email".into(),
            payload: json!({"kind": "resolution", "to": to, "subject": subject, "body": body,
                            "case_id": case_id, "language": lang, "resurvey_link": link}),
            run_at: now_ms,
            max_attempts: attune_storage::sql::DELIVERY_ATTEMPTS,
            dedup_key: Some(format!(
                "resolution:{case_id}:{}",
                case.resolved_at.unwrap_or(now_ms)
            )),
        };
        self.store.enqueue_jobs(&[email], now_ms).await?;
        Ok(JobOutcome::Done)
    }
}

/// Why a job failed, and whether trying again could help.
#[derive(Debug)]
pub(crate) struct Failure {
    message: String,
    retry: bool,
}

impl Failure {
    pub(crate) fn retry(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retry: true,
        }
    }
    pub(crate) fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retry: false,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::permanent("what the job refers to no longer exists"),
            e => Self::retry(e.to_string()),
        }
    }
}

pub(crate) fn str_field<'a>(v: &'a Value, key: &str) -> Result<&'a str, Failure> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| Failure::permanent(format!("job payload lacks `{key}`")))
}

pub(crate) fn org_of(job: &Job) -> Result<&str, Failure> {
    job.org_id
        .as_deref()
        .ok_or_else(|| Failure::permanent("job has no organisation"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(1), 60_000);
        assert_eq!(backoff_ms(2), 120_000);
        assert_eq!(backoff_ms(6), 1_920_000);
        assert_eq!(backoff_ms(7), 3_600_000);
        assert_eq!(backoff_ms(50), 3_600_000);
    }
}
