//! The background jobs the closed loop queues, typed: each kind has its wire name
//! ([`JobKind`]) and a serde payload implementing [`BackgroundJob`]. The domain's decisions
//! return these, storage writes them in the deciding transaction, and the worker
//! (`attune/src/worker/jobs/`) runs them. The payloads read exactly the JSON earlier versions
//! queued, so jobs already waiting in a database still run after an upgrade.

mod kind;
mod payloads;

pub use kind::{JobKind, UnknownKind};
pub use payloads::{
    DailyDigest, Email, EmailKind, ResolutionMessage, ResurveyLink, SlaCheck, WebhookCall,
};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Attempts for e-mail and webhook jobs (with exponential backoff in the worker).
pub const DELIVERY_ATTEMPTS: i64 = 8;

/// A job kind with its payload, in the manner of a registry server's background jobs.
pub trait BackgroundJob: Serialize + DeserializeOwned {
    /// Its `jobs.kind`.
    const KIND: JobKind;
    /// Attempts before it is given up.
    const MAX_ATTEMPTS: i64 = DELIVERY_ATTEMPTS;

    /// A job with the same key is not stored twice (and `schedule` moves it instead).
    fn dedup_key(&self) -> Option<String> {
        None
    }

    /// The job, due at `run_at`, for the organisation `org_id`.
    fn into_new(self, org_id: Option<&str>, run_at: i64) -> NewJob {
        NewJob {
            org_id: org_id.map(str::to_owned),
            kind: Self::KIND,
            dedup_key: self.dedup_key(),
            // The payloads are plain structs of strings, numbers and JSON values: encoding
            // them cannot fail.
            payload: serde_json::to_value(&self).unwrap_or_default(),
            run_at,
            max_attempts: Self::MAX_ATTEMPTS,
        }
    }
}

/// A job to store (built from a typed job by [`BackgroundJob::into_new`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// Organisation, when the job belongs to one.
    pub org_id: Option<String>,
    /// Kind.
    pub kind: JobKind,
    /// Arguments, as the kind's payload type writes them.
    pub payload: serde_json::Value,
    /// Due at, epoch ms.
    pub run_at: i64,
    /// Attempts before it is given up.
    pub max_attempts: i64,
    /// A job with the same key is not stored twice.
    pub dedup_key: Option<String>,
}

impl NewJob {
    /// The same job, belonging to `org_id` unless it already belongs to an organisation.
    pub fn in_org(mut self, org_id: &str) -> Self {
        self.org_id.get_or_insert_with(|| org_id.to_owned());
        self
    }

    /// Reads the payload as `J`'s, when this job is of `J`'s kind.
    pub fn payload_as<J: BackgroundJob>(&self) -> Option<J> {
        (self.kind == J::KIND)
            .then(|| serde_json::from_value(self.payload.clone()).ok())
            .flatten()
    }
}

#[cfg(test)]
mod tests;
