//! One timeline per account and per person: responses, cases opened and resolved,
//! interactions, subscriptions started and ended, people joining and leaving; newest first,
//! filtered by kind, a page at a time.

use attune_domain::period::format_ms;
use attune_storage::model::{
    TimelineCursor, TimelineDetail, TimelineEntry, TimelineKind, TimelineQuery,
};
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::ApiCaller;
use crate::extract::Query;
use crate::{ApiError, AppState};

/// Which page, of which kinds.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct TimelineParams {
    /// Comma-separated kinds: `response`, `case_opened`, `case_resolved`, `interaction`,
    /// `subscription_started`, `subscription_ended`, `membership_started`,
    /// `membership_ended`, `owner_changed`, `merged`, `merge_undone` (default: all).
    #[param(value_type = Option<crate::routes::schema::TimelineKinds>)]
    kinds: Option<String>,
    /// The `next` of the previous page (a cursor this server issued).
    after: Option<String>,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// One timeline entry.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = TimelineEntry)]
pub(crate) struct EntryBody {
    /// RFC 3339 (day-dated entries at the day's start, UTC).
    at: String,
    /// What happened (see the `kinds` parameter).
    kind: String,
    /// The response, case or interaction id; for subscriptions and memberships a key of the row.
    id: String,
    account_id: Option<String>,
    person_id: Option<String>,
    /// The details, by `type`: `response`, `case`, `interaction`, `subscription`, `membership`,
    /// `owner`, `merge`.
    #[schema(value_type = Object)]
    detail: TimelineDetail,
}

impl From<TimelineEntry> for EntryBody {
    fn from(e: TimelineEntry) -> Self {
        Self {
            at: format_ms(e.at),
            kind: e.kind.as_str().to_owned(),
            id: e.id,
            account_id: e.account_id,
            person_id: e.person_id,
            detail: e.detail,
        }
    }
}

/// A page of a timeline.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TimelinePage {
    items: Vec<EntryBody>,
    /// Pass as `after` for the next page; absent on the last.
    next: Option<String>,
}

pub(crate) fn cursor_text(c: &TimelineCursor) -> String {
    format!("{}~{}~{}", c.at, c.kind.as_str(), c.id)
}

pub(crate) fn parse_cursor(raw: &str) -> Option<TimelineCursor> {
    let mut parts = raw.splitn(3, '~');
    let at = parts.next()?.parse().ok()?;
    let kind = TimelineKind::parse(parts.next()?)?;
    let id = parts.next()?.to_owned();
    Some(TimelineCursor { at, kind, id })
}

fn query(params: TimelineParams) -> Result<TimelineQuery, ApiError> {
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::field("limit", "must be from 1 to 200"));
    }
    let mut kinds = Vec::new();
    for k in params
        .kinds
        .iter()
        .flat_map(|k| k.split(','))
        .map(str::trim)
    {
        match TimelineKind::parse(k) {
            Some(kind) => kinds.push(kind),
            None if k.is_empty() => {}
            None => {
                let known: Vec<&str> = TimelineKind::ALL.iter().map(|k| k.as_str()).collect();
                return Err(ApiError::field(
                    "kinds",
                    format!("`{k}` is not a kind; kinds are {}", known.join(", ")),
                ));
            }
        }
    }
    let after = match params.after.as_deref() {
        Some(raw) => Some(
            parse_cursor(raw)
                .ok_or_else(|| ApiError::field("after", "is not the `next` of a timeline page"))?,
        ),
        None => None,
    };
    Ok(TimelineQuery {
        account_id: None,
        person_id: None,
        kinds,
        after,
        limit: limit + 1,
    })
}

async fn page(state: &AppState, org: &str, mut q: TimelineQuery) -> Result<TimelinePage, ApiError> {
    let limit = q.limit as usize - 1;
    q.limit = limit as u32 + 1;
    let mut items = state.store.timeline(org, &q).await?;
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|e| cursor_text(&e.cursor()))
    } else {
        None
    };
    Ok(TimelinePage {
        items: items.into_iter().map(EntryBody::from).collect(),
        next,
    })
}

/// `GET /api/v1/accounts/{id}/timeline`
#[utoipa::path(get, path = "/api/v1/accounts/{id}/timeline", tag = "accounts",
    summary = "Everything that happened with an account, newest first",
    params(("id" = String, Path, description = "account id or external id"), TimelineParams),
    responses((status = 200, body = TimelinePage), (status = 404, description = "no such account")))]
pub(crate) async fn account(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Query(params): Query<TimelineParams>,
) -> Result<axum::Json<TimelinePage>, ApiError> {
    let mut q = query(params)?;
    q.account_id = Some(state.store.account(caller.org(), &id).await?.id);
    Ok(axum::Json(page(&state, caller.org(), q).await?))
}

/// `GET /api/v1/people/{id}/timeline`
#[utoipa::path(get, path = "/api/v1/people/{id}/timeline", tag = "accounts",
    summary = "Everything that happened with a person, newest first",
    params(("id" = String, Path, description = "person id"), TimelineParams),
    responses((status = 200, body = TimelinePage), (status = 404, description = "no such person")))]
pub(crate) async fn person(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Query(params): Query<TimelineParams>,
) -> Result<axum::Json<TimelinePage>, ApiError> {
    let mut q = query(params)?;
    q.person_id = Some(state.store.person(caller.org(), &id).await?.id);
    Ok(axum::Json(page(&state, caller.org(), q).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_even_with_separators_in_the_id() {
        let c = TimelineCursor {
            at: -86_400_000,
            kind: TimelineKind::SubscriptionEnded,
            id: "Pro ~ annual/20100/0".into(),
        };
        assert_eq!(parse_cursor(&cursor_text(&c)), Some(c));
        for bad in ["", "x~response~1", "1~nope~1", "1~response"] {
            assert_eq!(parse_cursor(bad), None, "{bad}");
        }
    }
}
