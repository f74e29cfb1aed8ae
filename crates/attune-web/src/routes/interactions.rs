//! Interactions with customers: log a call, meeting, e-mail, note or visit (with feedback
//! heard in it), show one.

use attune_app::customers::interactions::{self, Feedback};
use attune_domain::customer::{FollowUp, InteractionKind};
use attune_domain::error::Problems;
use attune_domain::period::{format_day, format_ms, parse_day, parse_instant};
use attune_domain::text::{Email, parse_text};
use attune_storage::model::{Interaction, NewInteraction};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::schema;
use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

/// The longest summary kept, in characters.
const MAX_SUMMARY: usize = 10_000;
/// The most participants on either side, and the most follow-ups.
const MAX_LIST: usize = 50;

/// A follow-up as the API shows and takes it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FollowUpBody {
    #[schema(value_type = schema::ShortText)]
    text: String,
    /// By when, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<schema::Day>)]
    due: Option<String>,
    #[serde(default)]
    done: bool,
}

/// An interaction as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Interaction)]
pub(crate) struct InteractionBody {
    id: String,
    account_id: Option<String>,
    #[schema(value_type = schema::InteractionKind)]
    kind: InteractionKind,
    /// When it happened, RFC 3339.
    occurred_at: String,
    duration_minutes: Option<i64>,
    summary: String,
    /// An internal note never counts as a touch with the customer.
    internal: bool,
    follow_ups: Vec<FollowUpBody>,
    /// The response the feedback heard became.
    response_id: Option<String>,
    /// Person ids.
    people: Vec<String>,
    /// User ids.
    staff: Vec<String>,
    created_by: Option<String>,
    created_at: String,
}

impl From<Interaction> for InteractionBody {
    fn from(i: Interaction) -> Self {
        Self {
            id: i.id,
            account_id: i.account_id,
            kind: i.kind,
            occurred_at: format_ms(i.occurred_at),
            duration_minutes: i.duration_minutes,
            summary: i.summary,
            internal: i.internal,
            follow_ups: i
                .follow_ups
                .into_iter()
                .map(|f| FollowUpBody {
                    text: f.text,
                    due: f.due_day.map(format_day),
                    done: f.done,
                })
                .collect(),
            response_id: i.response_id,
            people: i.people,
            staff: i.staff,
            created_by: i.created_by,
            created_at: format_ms(i.created_at),
        }
    }
}

/// Feedback heard: answers to a survey's questions, stored as a response on the `staff`
/// channel from the first of `people`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FeedbackInput {
    /// A survey of the organisation.
    survey: String,
    /// Answers by question key, checked against the survey's questions, e.g.
    /// `{"nps": 4, "why": "…"}`.
    #[schema(value_type = Object)]
    answers: Map<String, Value>,
    /// The language the customer spoke.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<schema::LanguageTag>)]
    language: Option<String>,
}

/// An interaction as received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InteractionInput {
    /// An account of the organisation, by id or external id.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false)]
    account: Option<String>,
    #[schema(value_type = schema::InteractionKind)]
    kind: String,
    /// When it happened (`2026-11-30` or RFC 3339); default now. It may be long ago, but
    /// not more than a day in the future.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<schema::Instant>)]
    occurred_at: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, minimum = 0, maximum = 10080)]
    duration_minutes: Option<i64>,
    #[schema(value_type = schema::Text)]
    summary: String,
    /// An internal note: never a touch with the customer, and cannot carry feedback.
    #[serde(default)]
    internal: bool,
    /// The customer's people who took part, by person id or e-mail (people of the
    /// organisation).
    #[serde(default)]
    #[schema(max_items = 50)]
    people: Vec<String>,
    /// Our staff who took part, by e-mail (users of the organisation).
    #[serde(default)]
    #[schema(value_type = Vec<String>, format = Email, max_items = 50)]
    staff: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 50)]
    follow_ups: Vec<FollowUpBody>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false)]
    feedback: Option<FeedbackInput>,
}

/// What logging answered.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LoggedBody {
    interaction: InteractionBody,
    /// The response the feedback became (it counts in the metrics and may have opened a case).
    response_id: Option<String>,
}

/// Checks the fields that need no look-up.
fn checked(
    p: &mut Problems,
    input: &InteractionInput,
    now_ms: i64,
) -> Option<(InteractionKind, i64, String, Vec<FollowUp>)> {
    let kind = InteractionKind::parse(&input.kind);
    if kind.is_none() {
        p.push("kind", "must be one of call, meeting, email, note, visit");
    }
    let occurred_at = match &input.occurred_at {
        Some(t) => p.take(parse_instant("occurred_at", t)),
        None => Some(now_ms),
    };
    if occurred_at.is_some_and(|t| t > now_ms + 86_400_000) {
        p.push("occurred_at", "is more than a day in the future");
    }
    if input
        .duration_minutes
        .is_some_and(|d| !(0..=10_080).contains(&d))
    {
        p.push("duration_minutes", "must be from 0 to 10080 (a week)");
    }
    let summary = p.take(parse_text("summary", &input.summary, MAX_SUMMARY));
    if summary.as_ref().is_some_and(String::is_empty) {
        p.push("summary", "is required");
    }
    for (field, n) in [
        ("people", input.people.len()),
        ("staff", input.staff.len()),
        ("follow_ups", input.follow_ups.len()),
    ] {
        if n > MAX_LIST {
            p.push(field, format!("at most {MAX_LIST}"));
        }
    }
    let follow_ups: Vec<FollowUp> = input
        .follow_ups
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let text = p.take(parse_text(&format!("follow_ups[{i}].text"), &f.text, 1_000))?;
            let due_day = match &f.due {
                Some(d) => Some(p.take(parse_day(&format!("follow_ups[{i}].due"), d))?),
                None => None,
            };
            Some(FollowUp {
                text,
                due_day,
                done: f.done,
            })
        })
        .collect();
    Some((kind?, occurred_at?, summary?, follow_ups))
}

/// The person ids of `people` (ids or addresses); unknown ones are problems.
async fn people_ids(
    state: &AppState,
    org: &str,
    p: &mut Problems,
    people: &[String],
) -> Result<Vec<String>, ApiError> {
    let mut ids = Vec::new();
    for (i, key) in people.iter().enumerate() {
        let found = if key.contains('@') {
            match Email::parse(key) {
                Ok(e) => state.store.person_by_email(org, e.as_str()).await,
                Err(_) => Err(attune_storage::StoreError::NotFound),
            }
        } else {
            state.store.person(org, key).await
        };
        match found {
            Ok(person) => ids.push(person.id),
            Err(attune_storage::StoreError::NotFound) => {
                p.push(format!("people[{i}]"), "no person with that id or e-mail");
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(ids)
}

/// `POST /api/v1/interactions`: log a call, meeting, e-mail, note or visit.
#[utoipa::path(post, path = "/api/v1/interactions", tag = "accounts",
    summary = "Log an interaction with a customer (feedback heard becomes a response)",
    request_body = InteractionInput,
    responses((status = 201, body = LoggedBody), (status = 403, description = "a viewer's token")))]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<InteractionInput>,
) -> Result<(StatusCode, axum::Json<LoggedBody>), ApiError> {
    let actor = caller.writer()?;
    let org = actor.org_id.as_str();
    let now = state.now_ms();
    let mut p = Problems::default();
    let fields = checked(&mut p, &input, now);
    let account_id = match &input.account {
        Some(a) => match state.store.account(org, a).await {
            Ok(found) => Some(found.id),
            Err(attune_storage::StoreError::NotFound) => {
                p.push("account", "no account with that id or external id");
                None
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let people = people_ids(&state, org, &mut p, &input.people).await?;
    let users = state.store.list_users(org).await?;
    let mut staff = Vec::new();
    for (i, email) in input.staff.iter().enumerate() {
        match users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email.trim()))
        {
            Some(u) => staff.push(u.id.clone()),
            None => p.push(
                format!("staff[{i}]"),
                "no user of this organisation has that e-mail",
            ),
        }
    }
    let Some((kind, occurred_at, summary, follow_ups)) = p.finish(fields)? else {
        return Err(ApiError::field("kind", "is invalid"));
    };
    let new = NewInteraction {
        account_id,
        kind,
        occurred_at,
        duration_minutes: input.duration_minutes,
        summary,
        internal: input.internal,
        follow_ups,
        people,
        staff,
        created_by: actor.user_id.clone(),
        feedback: None,
    };
    let feedback = input.feedback.map(|f| Feedback {
        survey_id: f.survey,
        answers: f.answers,
        language: f.language,
    });
    let logged = interactions::log(state.store.as_ref(), org, new, feedback, now).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(LoggedBody {
            response_id: logged.response.map(|r| r.id),
            interaction: InteractionBody::from(logged.interaction),
        }),
    ))
}

/// `GET /api/v1/interactions/{id}`
#[utoipa::path(get, path = "/api/v1/interactions/{id}", tag = "accounts",
    summary = "An interaction",
    params(("id" = String, Path, description = "interaction id")),
    responses((status = 200, body = InteractionBody), (status = 404, description = "no such interaction")))]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<InteractionBody>, ApiError> {
    let found = state.store.interaction(caller.org(), &id).await?;
    Ok(axum::Json(InteractionBody::from(found)))
}
