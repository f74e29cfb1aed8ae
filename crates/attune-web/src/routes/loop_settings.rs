//! The organisation's loop settings: digest recipients and hour, the case window.

use attune_domain::customer::HandoverRule;
use attune_domain::error::Problems;
use attune_domain::text::Email;
use attune_storage::model::LoopSettings;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

/// The loop settings as the API shows them.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = LoopSettings)]
pub(crate) struct SettingsBody {
    /// Who receives the daily digest.
    digest_emails: Vec<String>,
    /// The UTC hour the digest is sent at.
    #[schema(minimum = 0, maximum = 23)]
    digest_hour: i64,
    /// Rules act only on responses submitted at most this many days before they arrive
    /// (0: any age).
    #[schema(minimum = 0, maximum = 3650)]
    case_window_days: i64,
    /// What an account's open cases do when its owner changes: `move` to the new owner,
    /// `stay`, or `round_robin` in the account's team.
    #[schema(value_type = super::schema::HandoverRule)]
    handover_cases: HandoverRule,
}

impl From<LoopSettings> for SettingsBody {
    fn from(s: LoopSettings) -> Self {
        Self {
            digest_emails: s.digest_emails,
            digest_hour: s.digest_hour,
            case_window_days: s.case_window_days,
            handover_cases: s.handover_cases,
        }
    }
}

/// `GET /api/v1/loop/settings`
#[utoipa::path(get, path = "/api/v1/loop/settings", tag = "settings",
    summary = "Daily digest recipients and hour (UTC), and the case window",
    responses((status = 200, body = SettingsBody)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<SettingsBody>, ApiError> {
    Ok(axum::Json(SettingsBody::from(
        state.store.loop_settings(caller.org()).await?,
    )))
}

/// Loop settings as received (`case_window_days` may be left out: it keeps its value).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = LoopSettingsInput)]
pub(crate) struct SettingsInput {
    #[schema(value_type = Vec<String>, format = Email)]
    digest_emails: Vec<String>,
    #[schema(minimum = 0, maximum = 23)]
    digest_hour: i64,
    /// Rules act only on responses submitted at most this many days before they arrive
    /// (0: any age); default 7. Left out: unchanged.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, minimum = 0, maximum = 3650)]
    case_window_days: Option<i64>,
    /// `move` (default), `stay` or `round_robin`. Left out: unchanged.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<super::schema::HandoverRule>)]
    handover_cases: Option<String>,
}

/// `PUT /api/v1/loop/settings`
#[utoipa::path(put, path = "/api/v1/loop/settings", tag = "settings",
    summary = "Set digest recipients and hour, and the case window (admin)",
    request_body = SettingsInput,
    responses((status = 200, body = SettingsBody), (status = 403, description = "not an admin's token")))]
pub(crate) async fn replace(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<SettingsInput>,
) -> Result<axum::Json<SettingsBody>, ApiError> {
    let actor = caller.admin()?;
    let mut p = Problems::default();
    let mut emails = Vec::new();
    for (i, e) in input.digest_emails.iter().enumerate() {
        match Email::parse(e) {
            Ok(e) => emails.push(e.as_str().to_owned()),
            Err(_) => p.push(format!("digest_emails[{i}]"), "must be an e-mail address"),
        }
    }
    if !(0..=23).contains(&input.digest_hour) {
        p.push("digest_hour", "must be an hour from 0 to 23 (UTC)");
    }
    let current = state.store.loop_settings(&actor.org_id).await?;
    let window = input.case_window_days.unwrap_or(current.case_window_days);
    let handover = match input.handover_cases.as_deref() {
        Some(h) => HandoverRule::parse(h).unwrap_or_else(|| {
            p.push("handover_cases", "must be one of move, stay, round_robin");
            current.handover_cases
        }),
        None => current.handover_cases,
    };
    if !(0..=LoopSettings::MAX_CASE_WINDOW_DAYS).contains(&window) {
        p.push(
            "case_window_days",
            format!(
                "must be a number of days from 0 (any age) to {}",
                LoopSettings::MAX_CASE_WINDOW_DAYS
            ),
        );
    }
    p.finish(())?;
    let s = LoopSettings {
        digest_emails: emails,
        digest_hour: input.digest_hour,
        case_window_days: window,
        handover_cases: handover,
    };
    state.store.set_loop_settings(&actor.org_id, &s).await?;
    Ok(axum::Json(SettingsBody::from(s)))
}
