//! `resolution_message`: tells the customer what was done, in their language, with an
//! optional re-survey invitation whose answer is linked back to the case.

use attune_domain::closed_loop::template::{Values, default_resolution_template};
use attune_domain::jobs::{BackgroundJob, Email, EmailKind, JobKind, ResurveyLink};
use attune_storage::model::{Job, JobOutcome};

use super::super::{Failure, Worker, org_of};

/// The payload.
pub use attune_domain::jobs::ResolutionMessage as Payload;

/// The stored kind.
pub const KIND: JobKind = <Payload as BackgroundJob>::KIND;

/// Queues the customer's e-mail.
pub(crate) async fn run(
    w: &Worker,
    job: &Job,
    p: Payload,
    now_ms: i64,
) -> Result<JobOutcome, Failure> {
    let org_id = org_of(job)?;
    let case_id = p.case_id.as_str();
    let case = w.store.case(org_id, case_id).await?;
    let Some(contact_id) = &case.contact_id else {
        tracing::info!(
            case = case_id,
            "resolved case has no contact: no message sent"
        );
        return Ok(JobOutcome::Done);
    };
    let contact = w.store.contact(org_id, contact_id).await?;
    let Some(to) = contact.email.clone() else {
        return Ok(JobOutcome::Done);
    };
    // Someone who withdrew consent to e-mail (or to every contact) gets none.
    let rules = w.store.person(org_id, contact_id).await?.contact_rules;
    if !rules.allows(attune_domain::customer::preferences::ContactChannel::Email) {
        tracing::info!(
            case = case_id,
            "the customer opted out of e-mail: no message sent"
        );
        return Ok(JobOutcome::Done);
    }
    let response = match &case.response_id {
        Some(r) => Some(w.store.response(org_id, r).await?),
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
    let template = match w.store.template(org_id, "resolution", &lang).await? {
        Some(t) => t,
        None => default_resolution_template(&lang),
    };
    // The queued e-mail holds a marker, not the signed link: the token is a credential, so
    // it is made when the e-mail is sent and never stored.
    let mut link = None;
    if p.resurvey
        && let Some(r) = &response
    {
        let inv = w
            .store
            .create_invitation(org_id, &r.survey_id, Some(contact_id), now_ms)
            .await?;
        w.store.set_case_resurvey(org_id, case_id, &inv.id).await?;
        link = Some(ResurveyLink {
            marker: format!("[[attune-resurvey:{}]]", inv.id),
            survey_id: r.survey_id.clone(),
            invitation_id: inv.id,
            lang: lang.clone(),
        });
    }
    let org = w.store.org_by_id(org_id).await?;
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
            resurvey_link: link.as_ref().map(|l| l.marker.as_str()),
            org: &org.name,
        },
    );
    let mut email = Email::new(EmailKind::Resolution, &to, subject, body).about(case_id);
    email.language = Some(lang);
    email.resurvey_link = link;
    email.dedup = Some(format!(
        "resolution:{case_id}:{}",
        case.resolved_at.unwrap_or(now_ms)
    ));
    w.store
        .enqueue_jobs(&[email.into_new(Some(org_id), now_ms)], now_ms)
        .await?;
    Ok(JobOutcome::Done)
}
