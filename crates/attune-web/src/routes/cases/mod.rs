//! Follow-up cases: the queue (`list`), one case with its timeline (`show`), changes
//! (`update`), notes (`note`) and the loop metrics (`metrics`). What they share lives here: the
//! case as the API shows it, the list's parameters, owners by id or e-mail.

pub(crate) mod list;
pub(crate) mod metrics;
pub(crate) mod note;
pub(crate) mod show;
pub(crate) mod update;

use attune_domain::closed_loop::case::CaseState;
use attune_domain::period::format_ms;
use attune_storage::model::{Case, CaseEvent, CaseQuery};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::feedback::decode_after;
use super::responses::ResponseBody;
use super::schema;
use crate::{ApiError, AppState};

/// Query parameters of the case list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CaseParams {
    #[param(value_type = Option<schema::CaseStateFilter>)]
    pub state: Option<String>,
    /// `active` = open, in progress or waiting.
    #[param(value_type = Option<schema::StatusFilter>)]
    pub status: Option<String>,
    /// A user id or e-mail.
    pub owner: Option<String>,
    /// Account id.
    pub account: Option<String>,
    /// Response id.
    pub response: Option<String>,
    pub breached: Option<bool>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// Resolves `owner=` given as a user id or an e-mail.
pub(crate) async fn owner_id(state: &AppState, org: &str, owner: &str) -> Result<String, ApiError> {
    Ok(attune_app::cases::actions::resolve_owner(state.store.as_ref(), org, owner).await?)
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

/// A case as the API shows it: times as RFC 3339, plus `overdue` at the time of the answer.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Case)]
pub(crate) struct CaseBody {
    id: String,
    #[schema(value_type = schema::CaseState)]
    state: String,
    /// The owner's user id.
    owner: Option<String>,
    team_id: Option<String>,
    #[schema(value_type = schema::Priority)]
    priority: String,
    title: String,
    /// The lead rule: the matching rule whose team, SLA policy and priority the case took.
    rule_id: String,
    /// Every case-opening rule that matched the response, the lead first: one response opens
    /// one case.
    rule_ids: Vec<String>,
    response_id: Option<String>,
    account_id: Option<String>,
    contact_id: Option<String>,
    #[schema(format = DateTime)]
    opened_at: String,
    #[schema(format = DateTime)]
    first_response_due_at: String,
    #[schema(format = DateTime)]
    resolution_due_at: String,
    #[schema(format = DateTime)]
    first_responded_at: Option<String>,
    #[schema(format = DateTime)]
    resolved_at: Option<String>,
    #[schema(format = DateTime)]
    closed_at: Option<String>,
    /// The clock is paused (waiting on the customer) since.
    #[schema(format = DateTime)]
    paused_at: Option<String>,
    #[schema(format = DateTime)]
    first_warned_at: Option<String>,
    #[schema(format = DateTime)]
    resolution_warned_at: Option<String>,
    #[schema(format = DateTime)]
    first_breached_at: Option<String>,
    #[schema(format = DateTime)]
    resolution_breached_at: Option<String>,
    breached: bool,
    overdue: bool,
    escalated_to: Option<String>,
    root_cause: Option<String>,
    resolution: Option<String>,
    resurvey_invitation_id: Option<String>,
    resurvey_response_id: Option<String>,
    /// The policy the deadlines came from (a copy: later edits do not move them).
    #[schema(value_type = schema::SlaPolicy)]
    sla: attune_domain::closed_loop::sla::SlaPolicy,
    #[schema(format = DateTime)]
    updated_at: String,
}

impl CaseBody {
    /// The case as shown at `now_ms`.
    pub(crate) fn new(c: &Case, now_ms: i64) -> Self {
        let t = |v: Option<i64>| v.map(format_ms);
        let overdue = c.is_overdue(now_ms);
        Self {
            id: c.id.clone(),
            state: c.state.as_str().to_owned(),
            owner: c.owner.clone(),
            team_id: c.team_id.clone(),
            priority: c.priority.to_string(),
            title: c.title.clone(),
            rule_id: c.rule_id.clone(),
            rule_ids: c.rule_ids.clone(),
            response_id: c.response_id.clone(),
            account_id: c.account_id.clone(),
            contact_id: c.contact_id.clone(),
            opened_at: format_ms(c.opened_at),
            first_response_due_at: format_ms(c.first_response_due_at),
            resolution_due_at: format_ms(c.resolution_due_at),
            first_responded_at: t(c.first_responded_at),
            resolved_at: t(c.resolved_at),
            closed_at: t(c.closed_at),
            paused_at: t(c.paused_at),
            first_warned_at: t(c.first_warned_at),
            resolution_warned_at: t(c.resolution_warned_at),
            first_breached_at: t(c.first_breached_at),
            resolution_breached_at: t(c.resolution_breached_at),
            breached: c.breached,
            overdue,
            escalated_to: c.escalated_to.clone(),
            root_cause: c.root_cause.clone(),
            resolution: c.resolution.clone(),
            resurvey_invitation_id: c.resurvey_invitation_id.clone(),
            resurvey_response_id: c.resurvey_response_id.clone(),
            sla: c.sla.clone(),
            updated_at: format_ms(c.updated_at),
        }
    }
}

/// One entry of a case's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TimelineEntry {
    #[schema(format = DateTime)]
    at: String,
    /// A user id, `api-token`, or null for the system.
    actor: Option<String>,
    /// What happened, e.g. `opened`, `state`, `note`, `warned`, `breached`.
    kind: String,
    /// Details of the kind.
    #[schema(value_type = Object)]
    detail: Value,
}

impl From<&CaseEvent> for TimelineEntry {
    fn from(e: &CaseEvent) -> Self {
        Self {
            at: format_ms(e.at),
            actor: e.actor.clone(),
            kind: e.kind.as_str().to_owned(),
            detail: e.detail.clone(),
        }
    }
}

/// A case with its timeline and the feedback behind it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CaseDetail {
    #[serde(flatten)]
    case: CaseBody,
    timeline: Vec<TimelineEntry>,
    /// The response that opened it (absent when it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    response: Option<ResponseBody>,
}

/// A case with its timeline and the feedback behind it.
pub(crate) async fn detail(state: &AppState, org: &str, id: &str) -> Result<CaseDetail, ApiError> {
    let c = state.store.case(org, id).await?;
    let events = state.store.case_events(org, id).await?;
    let response = match &c.response_id {
        Some(r) => Some(ResponseBody::from(&state.store.response(org, r).await?)),
        None => None,
    };
    Ok(CaseDetail {
        case: CaseBody::new(&c, state.now_ms()),
        timeline: events.iter().map(TimelineEntry::from).collect(),
        response,
    })
}

/// Who a change is attributed to on the timeline.
pub(crate) fn actor_label(actor: &attune_domain::org::Actor) -> String {
    actor.user_id.clone().unwrap_or_else(|| "api-token".into())
}
