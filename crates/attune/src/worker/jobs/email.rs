//! `email`: sends one e-mail over SMTP and logs it; a re-survey marker in the body becomes the
//! signed link only now, so the queue never holds the credential.

use attune_domain::jobs::{BackgroundJob, JobKind};
use attune_storage::model::{Job, JobOutcome};

use super::super::{Failure, Worker};

/// The payload.
pub use attune_domain::jobs::Email as Payload;

/// The stored kind.
pub const KIND: JobKind = <Payload as BackgroundJob>::KIND;

/// Sends the e-mail.
pub(crate) async fn run(
    w: &Worker,
    job: &Job,
    p: Payload,
    now_ms: i64,
) -> Result<JobOutcome, Failure> {
    let Some(mailer) = &w.config.mailer else {
        return Err(Failure::permanent(
            "e-mail is not configured: set ATTUNE_SMTP_URL (or smtp_url in attune.toml)",
        ));
    };
    let body = with_resurvey_link(w, &p);
    mailer
        .send(&p.to, &p.subject, &body)
        .await
        .map_err(|e| Failure::retry(format!("{e:#}")))?;
    w.store
        .record_email(
            job.org_id.as_deref(),
            p.kind_name(),
            p.case_id.as_deref(),
            &p.to,
            &p.subject,
            now_ms,
        )
        .await?;
    Ok(JobOutcome::Done)
}

/// The body with its re-survey marker replaced by the signed link, made now.
fn with_resurvey_link(w: &Worker, p: &Payload) -> String {
    let Some(link) = p.resurvey_link.as_ref().filter(|l| !l.marker.is_empty()) else {
        return p.body.clone();
    };
    let token = attune_web::auth::sign_invitation(&w.config.signing_key, &link.invitation_id);
    let url = format!(
        "{}/s/{}?t={}&lang={}",
        w.config.public_url.trim_end_matches('/'),
        link.survey_id,
        token,
        link.lang
    );
    p.body.replace(&link.marker, &url)
}
