//! `sla`: records the case's warnings and breaches that are due, then comes back at the next
//! milestone.

use attune_domain::jobs::{BackgroundJob, JobKind};
use attune_storage::model::{Job, JobOutcome};

use super::super::{Failure, Worker, org_of};

/// The payload.
pub use attune_domain::jobs::SlaCheck as Payload;

/// The stored kind.
pub const KIND: JobKind = <Payload as BackgroundJob>::KIND;

/// Runs one SLA step.
pub(crate) async fn run(
    w: &Worker,
    job: &Job,
    p: Payload,
    now_ms: i64,
) -> Result<JobOutcome, Failure> {
    let org = org_of(job)?;
    let step = w.store.sla_step(org, &p.case_id, now_ms).await?;
    for r in &step.recorded {
        tracing::info!(case.id = %p.case_id, milestone = %r, "SLA milestone");
    }
    Ok(match step.next_check {
        Some(at) => JobOutcome::Again(at.max(now_ms + 1)),
        None => JobOutcome::Done,
    })
}
