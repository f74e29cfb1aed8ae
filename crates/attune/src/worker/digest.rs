//! The daily digest job's effects: the typed digest (`attune_app::cases::Digest`) by e-mail to
//! the organisation's recipients and as the `digest.daily` webhook event.

use attune_app::cases::Digest;
use attune_domain::closed_loop::timeline::HookEvent;
use attune_domain::jobs::{BackgroundJob, DailyDigest, Email, EmailKind};
use attune_storage::model::{JobOutcome, NewJob};

use super::{Failure, Worker};

impl From<attune_app::AppError> for Failure {
    fn from(e: attune_app::AppError) -> Self {
        match e {
            attune_app::AppError::Store(s) => s.into(),
            attune_app::AppError::NotFound => Failure::from(attune_storage::StoreError::NotFound),
            other => Failure::permanent(other.to_string()),
        }
    }
}

pub(super) async fn run(w: &Worker, p: &DailyDigest, now_ms: i64) -> Result<JobOutcome, Failure> {
    let org_id = p.org_id.as_str();
    let digest = Digest::build(w.store.as_ref(), org_id, p.at).await?;
    let org = w.store.org_by_id(org_id).await?;
    let settings = w.store.loop_settings(org_id).await?;
    let body = digest.text(&org.name);
    let day = p.day();
    let jobs: Vec<NewJob> = settings
        .digest_emails
        .iter()
        .map(|to| {
            let mut e = Email::new(
                EmailKind::Digest,
                to,
                Digest::subject(&org.name),
                body.clone(),
            );
            e.dedup = Some(format!("digest-mail:{org_id}:{day}:{to}"));
            e.into_new(Some(org_id), now_ms)
        })
        .collect();
    w.store.enqueue_jobs(&jobs, now_ms).await?;
    let data = serde_json::to_value(&digest).map_err(|e| Failure::permanent(e.to_string()))?;
    w.store
        .emit_event(org_id, HookEvent::DigestDaily.as_str(), data, now_ms)
        .await?;
    Ok(JobOutcome::Done)
}
