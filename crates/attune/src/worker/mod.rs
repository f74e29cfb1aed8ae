//! The job worker: claims due jobs from the database and runs them — SLA warnings and
//! escalations, e-mail over SMTP, signed webhook deliveries, resolution messages to customers,
//! daily digests. Several workers (in several processes) can share one database; time comes
//! from the caller so tests and `attune jobs run-once --now` can move it.

mod digest;
pub mod jobs;
mod mail;
mod webhook;

use std::collections::BTreeMap;
use std::sync::Arc;

use attune_domain::jobs::BackgroundJob;
use attune_domain::period::DAY_MS;
use attune_storage::model::{Job, JobOutcome};
use attune_storage::{Store, StoreError};

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
                        tracing::warn!(job.id = %job.id, job.kind = %job.kind, attempt = job.attempts, %error, "job failed; will retry");
                    } else {
                        tracing::debug!(job.id = %job.id, job.kind = %job.kind, %error, "job failed for good");
                        *report.errors.entry(error.clone()).or_default() += 1;
                    }
                    &mut report.failed
                }
                _ => &mut report.done,
            };
            *bucket.entry(job.kind.to_string()).or_default() += 1;
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
            let digest = jobs::digest::Payload {
                org_id: org.clone(),
                at: at(day),
            };
            jobs.push(digest.into_new(Some(&org), at(day)));
        }
        self.store.enqueue_jobs(&jobs, now_ms).await?;
        Ok(())
    }

    async fn handle(&self, job: &Job, now_ms: i64) -> JobOutcome {
        let result = jobs::run(self, job, now_ms).await;
        match result {
            Ok(outcome) => outcome,
            Err(f) => JobOutcome::Failed {
                retry_at: f.retry.then(|| now_ms + backoff_ms(job.attempts)),
                error: f.message,
            },
        }
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
