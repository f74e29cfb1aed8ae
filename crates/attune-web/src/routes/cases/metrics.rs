//! `GET /api/v1/loop/metrics`: the loop metrics of a period.

use attune_domain::closed_loop::metrics::{ParetoRow, Share};
use axum::extract::State;
use serde::{Deserialize, Serialize};
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
    #[param(value_type = Option<crate::routes::schema::InstantFilter>, example = "2026-01-01")]
    pub from: Option<String>,
    /// Cases opened before this day or instant (default: now).
    #[param(value_type = Option<crate::routes::schema::InstantFilter>, example = "2026-02-01")]
    pub to: Option<String>,
}

/// The loop metrics of a period.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LoopMetricsBody {
    /// Cases opened in the period.
    pub(crate) cases: u64,
    /// Cases whose first response came within its deadline.
    #[schema(value_type = schema::Share)]
    pub(crate) first_response_within_deadline: Share,
    pub(crate) median_first_response_ms: Option<i64>,
    pub(crate) median_resolution_ms: Option<i64>,
    /// `[owner, breaches]`, most first.
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub(crate) breaches_by_owner: Vec<(String, u64)>,
    /// `[team, breaches]`, most first.
    #[schema(value_type = Vec<Vec<serde_json::Value>>)]
    pub(crate) breaches_by_team: Vec<(String, u64)>,
    /// The root-cause Pareto.
    #[schema(value_type = Vec<schema::ParetoRow>)]
    pub(crate) root_causes: Vec<ParetoRow>,
    /// Accounts with a second case of the same root cause.
    #[schema(value_type = schema::Share)]
    pub(crate) recurrence: Share,
    /// Re-surveyed customers whose score rose.
    #[schema(value_type = schema::Share)]
    pub(crate) recovery: Share,
    #[schema(format = DateTime)]
    pub(crate) from: String,
    #[schema(format = DateTime)]
    pub(crate) to: String,
}

/// The loop metrics of cases opened in `[from, to)` (default: the last 30 days), through the
/// application's use case.
pub(crate) async fn loop_metrics(
    state: &AppState,
    org: &str,
    params: &LoopParams,
) -> Result<LoopMetricsBody, ApiError> {
    let r = attune_app::cases::loop_metrics::loop_report(
        state.store.as_ref(),
        org,
        params.from.as_deref(),
        params.to.as_deref(),
        state.now_ms(),
    )
    .await?;
    let m = r.metrics;
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
        from: r.from,
        to: r.to,
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
