//! Follow-up cases: the queue, one case with its timeline, changes and notes; loop metrics.

use attune_domain::closed_loop::case::{CasePatch, CasePatchInput, CaseState, MAX_TEXT};
use attune_domain::closed_loop::metrics::{CaseFacts, loop_metrics};
use attune_domain::period::{DAY_MS, format_ms, parse_instant};
use attune_domain::text::parse_text;
use attune_storage::model::{Case, CaseQuery};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::feedback::{decode_after, encode_cursor};
use crate::auth::ApiCaller;
use crate::extract::{Json, Query};
use crate::{ApiError, AppState};

/// Query parameters of the case list.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CaseParams {
    pub state: Option<String>,
    /// `active` = open, in progress or waiting.
    pub status: Option<String>,
    pub owner: Option<String>,
    pub account: Option<String>,
    pub response: Option<String>,
    pub breached: Option<bool>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// Resolves `owner=` given as a user id or an e-mail.
pub(crate) async fn owner_id(state: &AppState, org: &str, owner: &str) -> Result<String, ApiError> {
    if !owner.contains('@') {
        return Ok(owner.to_owned());
    }
    state
        .store
        .list_users(org)
        .await?
        .into_iter()
        .find(|u| u.email.eq_ignore_ascii_case(owner.trim()))
        .map(|u| u.id)
        .ok_or_else(|| ApiError::field("owner", "no user of this organisation has that e-mail"))
}

impl CaseParams {
    pub(crate) async fn to_query(
        &self,
        state: &AppState,
        org: &str,
    ) -> Result<CaseQuery, ApiError> {
        let nonempty = |o: &Option<String>| o.as_ref().filter(|s| !s.trim().is_empty()).cloned();
        let st = match nonempty(&self.state) {
            Some(s) => Some(CaseState::parse(&s)?),
            None => None,
        };
        let active = match nonempty(&self.status).as_deref() {
            None | Some("all") => false,
            Some("active") => true,
            Some(_) => return Err(ApiError::field("status", "must be active or all")),
        };
        let owner = match nonempty(&self.owner) {
            Some(o) => Some(owner_id(state, org, &o).await?),
            None => None,
        };
        let after = match nonempty(&self.cursor) {
            Some(c) => Some(
                decode_after(&c)
                    .ok_or_else(|| ApiError::field("cursor", "is not a cursor from this list"))?,
            ),
            None => None,
        };
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::field("limit", "must be from 1 to 200"));
        }
        Ok(CaseQuery {
            state: st,
            active,
            owner,
            account_id: nonempty(&self.account),
            response_id: nonempty(&self.response),
            breached: self.breached,
            after,
            limit,
        })
    }
}

/// A case as JSON: times as RFC 3339, plus `overdue` at `now`.
pub(crate) fn case_json(c: &Case, now_ms: i64) -> Value {
    let t = |v: Option<i64>| v.map(format_ms);
    let overdue = c.is_overdue(now_ms);
    json!({
        "id": c.id,
        "state": c.state,
        "owner": c.owner,
        "team_id": c.team_id,
        "priority": c.priority,
        "title": c.title,
        "rule_id": c.rule_id,
        "response_id": c.response_id,
        "account_id": c.account_id,
        "contact_id": c.contact_id,
        "opened_at": format_ms(c.opened_at),
        "first_response_due_at": format_ms(c.first_response_due_at),
        "resolution_due_at": format_ms(c.resolution_due_at),
        "first_responded_at": t(c.first_responded_at),
        "resolved_at": t(c.resolved_at),
        "closed_at": t(c.closed_at),
        "paused_at": t(c.paused_at),
        "first_warned_at": t(c.first_warned_at),
        "resolution_warned_at": t(c.resolution_warned_at),
        "first_breached_at": t(c.first_breached_at),
        "resolution_breached_at": t(c.resolution_breached_at),
        "breached": c.breached,
        "overdue": overdue,
        "escalated_to": c.escalated_to,
        "root_cause": c.root_cause,
        "resolution": c.resolution,
        "resurvey_invitation_id": c.resurvey_invitation_id,
        "resurvey_response_id": c.resurvey_response_id,
        "sla": c.sla,
        "updated_at": format_ms(c.updated_at),
    })
}

/// `GET /api/v1/cases`: by first-response deadline, overdue first.
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<CaseParams>,
) -> Result<axum::Json<Value>, ApiError> {
    let mut q = params.to_query(&state, caller.org()).await?;
    let limit = q.limit;
    q.limit = limit + 1;
    let mut cases = state.store.cases(caller.org(), &q).await?;
    let more = cases.len() > limit as usize;
    cases.truncate(limit as usize);
    let next_cursor = more
        .then(|| {
            cases
                .last()
                .map(|c| encode_cursor(c.first_response_due_at, &c.id))
        })
        .flatten();
    let now = state.now_ms();
    Ok(axum::Json(json!({
        "items": cases.iter().map(|c| case_json(c, now)).collect::<Vec<_>>(),
        "next_cursor": next_cursor,
    })))
}

/// A case with its timeline and the feedback behind it.
pub(crate) async fn detail(state: &AppState, org: &str, id: &str) -> Result<Value, ApiError> {
    let c = state.store.case(org, id).await?;
    let events = state.store.case_events(org, id).await?;
    let mut v = case_json(&c, state.now_ms());
    let timeline: Vec<Value> = events
        .iter()
        .map(|e| json!({"at": format_ms(e.at), "actor": e.actor, "kind": e.kind, "detail": e.detail}))
        .collect();
    v["timeline"] = json!(timeline);
    if let Some(r) = &c.response_id {
        let r = state.store.response(org, r).await?;
        v["response"] = super::responses::response_json(&r);
    }
    Ok(v)
}

/// `GET /api/v1/cases/{id}`
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(detail(&state, caller.org(), &id).await?))
}

/// Who a change is attributed to on the timeline.
pub(crate) fn actor_label(actor: &attune_domain::org::Actor) -> String {
    actor.user_id.clone().unwrap_or_else(|| "api-token".into())
}

/// `PATCH /api/v1/cases/{id}`: state, owner, priority, root cause, resolution.
pub(crate) async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<CasePatchInput>,
) -> Result<axum::Json<Value>, ApiError> {
    let actor = caller.writer()?;
    let mut input = input;
    if let Some(o) = &input.owner {
        input.owner = Some(owner_id(&state, &actor.org_id, o).await?);
    }
    let patch = CasePatch::parse(input)?;
    state
        .store
        .update_case(
            &actor.org_id,
            &id,
            Some(&actor_label(actor)),
            &patch,
            state.now_ms(),
        )
        .await?;
    Ok(axum::Json(detail(&state, &actor.org_id, &id).await?))
}

/// Body of a note.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteInput {
    text: String,
}

/// `POST /api/v1/cases/{id}/notes`
pub(crate) async fn note(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<NoteInput>,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    let actor = caller.writer()?;
    let text = parse_text("text", &input.text, MAX_TEXT)?;
    state
        .store
        .add_case_note(
            &actor.org_id,
            &id,
            &actor_label(actor),
            &text,
            state.now_ms(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(detail(&state, &actor.org_id, &id).await?),
    ))
}

/// Period of the loop metrics.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct LoopParams {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The loop metrics of cases opened in `[from, to)` (default: the last 30 days).
pub(crate) async fn loop_metrics_json(
    state: &AppState,
    org: &str,
    params: &LoopParams,
) -> Result<Value, ApiError> {
    let now = state.now_ms();
    let nonempty = |o: &Option<String>| o.as_ref().filter(|s| !s.trim().is_empty()).cloned();
    let to = nonempty(&params.to)
        .map(|t| parse_instant("to", &t))
        .transpose()?
        .unwrap_or(now + 1);
    let from = nonempty(&params.from)
        .map(|f| parse_instant("from", &f))
        .transpose()?
        .unwrap_or(to - 30 * DAY_MS);
    if from >= to {
        return Err(ApiError::field("from", "must be before `to`"));
    }
    let cases = state.store.loop_cases(org, from, to).await?;
    let history = state
        .store
        .account_root_causes(
            org,
            from - attune_domain::closed_loop::metrics::RECURRENCE_WINDOW_MS,
        )
        .await?;
    let facts: Vec<CaseFacts> = cases
        .iter()
        .map(|l| CaseFacts {
            opened_at: l.case.opened_at,
            first_response_due_at: l.case.first_response_due_at,
            first_responded_at: l.case.first_responded_at,
            resolved_at: l.case.resolved_at,
            breached: l.case.breached,
            owner: l.owner_email.clone().or_else(|| l.case.owner.clone()),
            team: l.team_name.clone(),
            root_cause: l.case.root_cause.clone(),
            account: l.case.account_id.clone(),
            score_before: l.score_before.as_ref().map(|(_, s)| *s),
            score_after: l.score_after,
        })
        .collect();
    let m = loop_metrics(&facts, &history, now);
    let mut v = serde_json::to_value(&m).map_err(|e| ApiError::Internal(e.to_string()))?;
    v["from"] = json!(format_ms(from));
    v["to"] = json!(format_ms(to));
    Ok(v)
}

/// `GET /api/v1/loop/metrics?from=&to=`
pub(crate) async fn metrics(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<LoopParams>,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(
        loop_metrics_json(&state, caller.org(), &params).await?,
    ))
}
