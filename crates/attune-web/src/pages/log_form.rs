//! `POST /accounts/{id}/interactions`: "log a call" on the account page. Problems are shown
//! on the page; a logged interaction returns to the page (post, redirect, get), where it is on
//! the timeline.

use std::collections::BTreeMap;

use attune_app::customers::interactions::{self, Feedback};
use attune_domain::Invalid;
use attune_domain::customer::{FollowUp, InteractionKind};
use attune_domain::error::Problems;
use attune_domain::period::parse_instant;
use attune_domain::text::parse_text;
use attune_storage::model::NewInteraction;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::accounts::page_with_error;
use super::page_form::PageForm;
use super::problems;
use crate::{ApiError, AppState};

/// The form. Participants come as checkboxes `person_0`, `person_1`, … (a plain form cannot
/// post a list); any other field is refused.
#[derive(Debug, Deserialize)]
pub(crate) struct LogForm {
    kind: String,
    #[serde(default)]
    when: String,
    #[serde(default)]
    duration: String,
    #[serde(default)]
    summary: String,
    internal: Option<String>,
    #[serde(default)]
    score: String,
    #[serde(default)]
    survey: String,
    #[serde(default)]
    comment: String,
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

/// `2026-11-23T10:30` (what a `datetime-local` input sends) or any form `parse_instant` takes.
fn when(p: &mut Problems, raw: &str, now_ms: i64) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some(now_ms);
    }
    let full = if raw.len() == 16 && raw.as_bytes().get(10) == Some(&b'T') {
        format!("{raw}:00Z")
    } else {
        raw.to_owned()
    };
    p.take(parse_instant("when", &full))
}

fn checked(f: &LogForm, now_ms: i64) -> Result<(NewInteraction, Option<Feedback>), Invalid> {
    let mut p = Problems::default();
    let kind = InteractionKind::parse(&f.kind);
    if kind.is_none() {
        p.push("kind", "must be one of call, meeting, email, note, visit");
    }
    let occurred_at = when(&mut p, &f.when, now_ms);
    let duration = match f.duration.trim() {
        "" => None,
        d => match d.parse::<i64>() {
            Ok(m) if (0..=10_080).contains(&m) => Some(m),
            _ => {
                p.push(
                    "duration",
                    "must be a whole number of minutes from 0 to 10080",
                );
                None
            }
        },
    };
    let summary = p.take(parse_text("summary", &f.summary, 20_000));
    if summary.as_deref() == Some("") {
        p.push("summary", "is required");
    }
    let mut people = Vec::new();
    for (k, v) in &f.rest {
        match k.strip_prefix("person_") {
            Some(n) if n.parse::<u16>().is_ok() => people.push(v.clone()),
            _ if k == "csrf" => {}
            _ => p.push(k.clone(), "is not a field of this form"),
        }
    }
    let feedback = match f.score.trim() {
        "" => None,
        s => match s.parse::<u8>() {
            Ok(score) if score <= 10 => {
                let mut answers = Map::new();
                answers.insert("nps".into(), Value::from(score));
                if !f.comment.trim().is_empty() {
                    answers.insert("why".into(), Value::from(f.comment.trim()));
                }
                Some(Feedback {
                    survey_id: f.survey.clone(),
                    answers,
                    language: None,
                })
            }
            _ => {
                p.push("score", "must be a whole number from 0 to 10");
                None
            }
        },
    };
    let new = NewInteraction {
        account_id: None,
        kind: kind.unwrap_or(InteractionKind::Note),
        occurred_at: occurred_at.unwrap_or(now_ms),
        duration_minutes: duration,
        summary: summary.unwrap_or_default(),
        internal: f.internal.is_some(),
        follow_ups: Vec::<FollowUp>::new(),
        people,
        staff: Vec::new(),
        created_by: None,
        feedback: None,
    };
    p.finish((new, feedback))
}

/// `POST /accounts/{id}/interactions`
pub(crate) async fn log(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { user, fields }: PageForm<LogForm>,
) -> Response {
    let f = match fields {
        Ok(f) => f,
        Err(ApiError::Invalid(fields)) => {
            return page_with_error(&state, &user, &id, problems(&Invalid(fields))).await;
        }
        Err(e) => return crate::nul::page_refusal(&e, &user.tr),
    };
    if !user.actor.role.can_write() {
        return ApiError::Forbidden("viewers cannot log interactions".into()).into_response();
    }
    let org = user.actor.org_id.clone();
    let account = match state.store.account(&org, &id).await {
        Ok(a) => a,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let now = state.now_ms();
    let (mut new, feedback) = match checked(&f, now) {
        Ok(x) => x,
        Err(invalid) => return page_with_error(&state, &user, &id, problems(&invalid)).await,
    };
    new.account_id = Some(account.id.clone());
    new.created_by = user.actor.user_id.clone();
    new.staff = user.actor.user_id.iter().cloned().collect();
    match interactions::log(state.store.as_ref(), &org, new, feedback, now).await {
        Ok(_) => Redirect::to(&format!("/accounts/{}", account.id)).into_response(),
        Err(attune_app::AppError::Invalid(invalid)) => {
            page_with_error(&state, &user, &id, problems(&invalid)).await
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
