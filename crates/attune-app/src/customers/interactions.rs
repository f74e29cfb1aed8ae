//! Logging an interaction with a customer. Feedback heard in it (a score and a comment on a
//! call) becomes a response on the `staff` channel through the same write path as every other
//! answer, so it counts in the metrics, opens cases and appears in the feed.
//!
//! The interaction is written first, keeping the feedback; the response follows with the dedup
//! key `interaction:{id}`, and then the interaction is linked to it. A process that dies in
//! between leaves the feedback kept: [`finish_pending`] (run at start) stores it, and the dedup
//! key makes a second try a no-op, so what was heard is stored exactly once.

use attune_domain::response::{AccountRef, Channel, ContactRef, NewResponse, ResponseInput};
use attune_storage::Store;
use attune_storage::StoreError;
use attune_storage::model::{Interaction, NewInteraction, StoredResponse};
use serde::{Deserialize, Serialize};

use crate::{AppError, AppResult};

/// What a customer said in an interaction, to store as a response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    /// The survey whose questions the answers are for.
    pub survey_id: String,
    /// Answers by question key, as the API takes them.
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// The language the customer spoke.
    pub language: Option<String>,
}

/// What logging gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    /// The interaction.
    pub interaction: Interaction,
    /// The response its feedback became.
    pub response: Option<StoredResponse>,
}

/// The kept form of the feedback: the survey and the response input as it will be stored.
#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    survey_id: String,
    input: ResponseInput,
}

fn dedup_key(interaction_id: &str) -> String {
    format!("interaction:{interaction_id}")
}

/// The response input for `feedback` heard in an interaction with these participants.
async fn response_input(
    store: &dyn Store,
    org_id: &str,
    new: &NewInteraction,
    feedback: &Feedback,
) -> AppResult<ResponseInput> {
    let contact = match new.people.first() {
        Some(id) => store
            .person(org_id, id)
            .await?
            .email
            .map(|email| ContactRef {
                email: Some(email),
                name: None,
            }),
        None => None,
    };
    let account = match &new.account_id {
        Some(id) => store
            .account(org_id, id)
            .await?
            .external_id
            .map(|x| AccountRef {
                external_id: Some(x),
                name: None,
            }),
        None => None,
    };
    Ok(ResponseInput {
        answers: Some(feedback.answers.clone()),
        language: feedback.language.clone(),
        channel: Some("staff".into()),
        contact,
        account,
        submitted_at: Some(attune_domain::period::format_ms(new.occurred_at)),
        metadata: None,
        external_id: None,
    })
}

/// Logs `new`, storing `feedback` (checked against its survey before anything is written) as
/// a response on the `staff` channel. An internal note cannot carry feedback.
pub async fn log(
    store: &dyn Store,
    org_id: &str,
    mut new: NewInteraction,
    feedback: Option<Feedback>,
    now_ms: i64,
) -> AppResult<Logged> {
    let kept = match &feedback {
        Some(_) if new.internal => {
            return Err(AppError::invalid(
                "feedback",
                "an internal note is not a conversation with the customer: log it as a call, meeting, e-mail or visit",
            ));
        }
        Some(f) => {
            let survey = store
                .survey(org_id, &f.survey_id)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => AppError::invalid("feedback.survey", "no such survey"),
                    e => e.into(),
                })?;
            let input = response_input(store, org_id, &new, f).await?;
            // Checked now, so bad answers leave nothing behind.
            NewResponse::parse(&survey.definition, input.clone(), Channel::Staff, now_ms).map_err(
                |mut invalid| {
                    for e in &mut invalid.0 {
                        e.field = format!("feedback.{}", e.field);
                    }
                    AppError::Invalid(invalid)
                },
            )?;
            Some(Kept {
                survey_id: survey.id,
                input,
            })
        }
        None => None,
    };
    new.feedback = kept
        .as_ref()
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| AppError::Internal(format!("keeping feedback: {e}")))?;
    let interaction = store.insert_interaction(org_id, &new, now_ms).await?;
    let response = match kept {
        Some(k) => Some(store_feedback(store, org_id, &interaction.id, k, now_ms).await?),
        None => None,
    };
    let interaction = store.interaction(org_id, &interaction.id).await?;
    Ok(Logged {
        interaction,
        response,
    })
}

/// Stores the kept feedback of one interaction as its response (once: a second try finds the
/// first by its dedup key) and links the two.
async fn store_feedback(
    store: &dyn Store,
    org_id: &str,
    interaction_id: &str,
    kept: Kept,
    now_ms: i64,
) -> AppResult<StoredResponse> {
    let survey = store.survey(org_id, &kept.survey_id).await?;
    let mut response = NewResponse::parse(&survey.definition, kept.input, Channel::Staff, now_ms)?;
    let key = dedup_key(interaction_id);
    response.dedup_key = Some(key.clone());
    let stored = match store
        .insert_response(org_id, &survey, &response, None, now_ms)
        .await
    {
        Ok(stored) => stored,
        Err(StoreError::Conflict(_)) => {
            let id = store
                .response_by_dedup_key(org_id, &key)
                .await?
                .ok_or(AppError::NotFound)?;
            store.response(org_id, &id).await?
        }
        Err(e) => return Err(e.into()),
    };
    store
        .link_interaction_response(org_id, interaction_id, &stored.id)
        .await?;
    Ok(stored)
}

/// Stores the feedback of interactions logged before `before_ms` whose process died before
/// their response was stored. Returns how many were finished; one that cannot be (its survey
/// was deleted) is logged by the caller and left for a person to see.
pub async fn finish_pending(store: &dyn Store, before_ms: i64, now_ms: i64) -> AppResult<u64> {
    let mut done = 0;
    for p in store.pending_feedback(before_ms, 1_000).await? {
        let kept: Kept = serde_json::from_value(p.feedback)
            .map_err(|e| AppError::Internal(format!("reading kept feedback: {e}")))?;
        store_feedback(store, &p.org_id, &p.interaction.id, kept, now_ms).await?;
        done += 1;
    }
    Ok(done)
}
