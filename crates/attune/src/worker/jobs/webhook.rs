//! `webhook`: delivers one signed event to one webhook (`worker/webhook.rs` holds the
//! address guard and the client).

use attune_domain::jobs::{BackgroundJob, JobKind};
use attune_storage::model::{Job, JobOutcome};

use super::super::{Failure, Worker, org_of};

/// The payload.
pub use attune_domain::jobs::WebhookCall as Payload;

/// The stored kind.
pub const KIND: JobKind = <Payload as BackgroundJob>::KIND;

/// Delivers the event.
pub(crate) async fn run(
    w: &Worker,
    job: &Job,
    p: Payload,
    now_ms: i64,
) -> Result<JobOutcome, Failure> {
    super::super::webhook::deliver(w, org_of(job)?, job.attempts, &p, now_ms).await
}
