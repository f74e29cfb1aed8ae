//! One module per job kind, in the manner of a registry server's background jobs: each names
//! its kind (`KIND`), its serde payload (`Payload`, defined in `attune_domain::jobs` because
//! the domain's decisions queue them) and how it runs. [`run`] dispatches a claimed job by
//! its kind after reading its payload.

pub mod digest;
pub mod email;
pub mod resolution_message;
pub mod sla;
pub mod webhook;

use attune_domain::jobs::{BackgroundJob, JobKind};
use attune_storage::model::{Job, JobOutcome};

use super::{Failure, Worker};

/// Reads a claimed job's payload as its kind's type.
pub(crate) fn payload<J: BackgroundJob>(job: &Job) -> Result<J, Failure> {
    serde_json::from_value(job.payload.clone())
        .map_err(|e| Failure::permanent(format!("job payload of kind `{}`: {e}", job.kind)))
}

/// Runs a claimed job, in a span naming the job and its organisation.
#[tracing::instrument(name = "job", skip_all, fields(job.id = %job.id, job.kind = %job.kind, org.id = job.org_id.as_deref()))]
pub(crate) async fn run(w: &Worker, job: &Job, now_ms: i64) -> Result<JobOutcome, Failure> {
    match job.kind {
        JobKind::Sla => sla::run(w, job, payload(job)?, now_ms).await,
        JobKind::Email => email::run(w, job, payload(job)?, now_ms).await,
        JobKind::Webhook => webhook::run(w, job, payload(job)?, now_ms).await,
        JobKind::ResolutionMessage => resolution_message::run(w, job, payload(job)?, now_ms).await,
        JobKind::Digest => digest::run(w, job, payload(job)?, now_ms).await,
    }
}
