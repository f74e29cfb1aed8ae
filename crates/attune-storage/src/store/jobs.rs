//! The job queue and the outbox.

use crate::StoreResult;
use crate::model::{Job, JobOutcome, NewJob, Webhook, WebhookDelivery};

store_trait! {
    /// The job queue.
    pub trait JobStore {
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
    }
}

store_trait! {
    /// What goes out: webhooks and their deliveries, e-mails sent, events emitted.
    pub trait OutboxStore {
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
    }
}
