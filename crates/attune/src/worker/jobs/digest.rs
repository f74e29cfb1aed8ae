//! `digest`: the organisation's daily digest, by e-mail to its recipients and as the
//! `digest.daily` webhook event (`worker/digest.rs` writes the text).

use attune_domain::jobs::{BackgroundJob, JobKind};
use attune_storage::model::{Job, JobOutcome};

use super::super::{Failure, Worker};

/// The payload.
pub use attune_domain::jobs::DailyDigest as Payload;

/// The stored kind.
pub const KIND: JobKind = <Payload as BackgroundJob>::KIND;

/// Builds and sends the digest.
pub(crate) async fn run(
    w: &Worker,
    _job: &Job,
    p: Payload,
    now_ms: i64,
) -> Result<JobOutcome, Failure> {
    super::super::digest::run(w, &p, now_ms).await
}
