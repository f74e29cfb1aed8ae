//! `GET /api/v1/loop/metrics`: the loop metrics of a period.

use attune_domain::closed_loop::metrics::{self, CaseFacts, ParetoRow, Share};
use attune_domain::period::{DAY_MS, format_ms, parse_instant};
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::auth::ApiCaller;
use crate::extract::Query;
use crate::routes::schema;
use crate::{ApiError, AppState};

/// Period of the loop metrics.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LoopParams {
    /// Cases opened from this day or instant: `2026-01-31` or RFC 3339 (default: 30 days
    /// before `to`).
    #[param(example = "2026-01-01")]
    pub from: Option<String>,
    /// Cases opened before this day or instant (default: now).
    #[param(example = "2026-02-01")]
    pub to: Option<String>,
}

/// The loop metrics of a period.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LoopMetricsBody {
    /// Cases opened in the period.
    cases: u64,
    /// Cases whose first response came within its deadline.
    #[schema(value_type = schema::Share)]
    first_response_within_deadline: Share,
    median_first_response_ms: Option<i64>,
    median_resolution_ms: Option<i64>,
    /// `[owner, breaches]`, most first.
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    breaches_by_owner: Vec<(String, u64)>,
    /// `[team, breaches]`, most first.
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    breaches_by_team: Vec<(String, u64)>,
    /// The root-cause Pareto.
    #[schema(value_type = Vec<schema::ParetoRow>)]
    root_causes: Vec<ParetoRow>,
    /// Accounts with a second case of the same root cause.
    #[schema(value_type = schema::Share)]
    recurrence: Share,
    /// Re-surveyed customers whose score rose.
    #[schema(value_type = schema::Share)]
    recovery: Share,
    #[schema(format = DateTime)]
    from: String,
    #[schema(format = DateTime)]
    to: String,
}

/// The loop metrics as JSON, for the loop page until it reads [`loop_metrics`].
pub(crate) async fn loop_metrics_json(
    state: &AppState,
    org: &str,
    params: &LoopParams,
) -> Result<Value, ApiError> {
    let m = loop_metrics(state, org, params).await?;
    serde_json::to_value(&m).map_err(|e| ApiError::Internal(e.to_string()))
}

/// The loop metrics of cases opened in `[from, to)` (default: the last 30 days).
pub(crate) async fn loop_metrics(
    state: &AppState,
    org: &str,
    params: &LoopParams,
) -> Result<LoopMetricsBody, ApiError> {
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
    let m = metrics::loop_metrics(&facts, &history, now);
    Ok(LoopMetricsBody {
        cases: m.cases,
        first_response_within_deadline: m.first_response_within_deadline,
        median_first_response_ms: m.median_first_response_ms,
        median_resolution_ms: m.median_resolution_ms,
        breaches_by_owner: m.breaches_by_owner,
        breaches_by_team: m.breaches_by_team,
        root_causes: m.root_causes,
        recurrence: m.recurrence,
        recovery: m.recovery,
        from: format_ms(from),
        to: format_ms(to),
    })
}

/// `GET /api/v1/loop/metrics?from=&to=`
#[utoipa::path(get, path = "/api/v1/loop/metrics", tag = "cases",
    summary = "Loop metrics of cases opened in [from, to): first responses within deadline, median times, breaches by team and owner, root-cause Pareto, recurrence, recovery",
    params(LoopParams),
    responses((status = 200, body = LoopMetricsBody),
        (status = 503, description = "too many heavy reads at once; retry after `Retry-After` seconds")))]
pub(crate) async fn metrics(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<LoopParams>,
) -> Result<axum::Json<LoopMetricsBody>, ApiError> {
    Ok(axum::Json(
        loop_metrics(&state, caller.org(), &params).await?,
    ))
}
