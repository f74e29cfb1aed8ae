//! `GET /api/v1/metrics/{nps,csat,ces}`.

use attune_domain::survey::QuestionType;
use axum::extract::State;
use serde_json::Value;

use crate::auth::ApiCaller;
use crate::extract::Query;
use crate::metrics::{MetricParams, compute};
use crate::{ApiError, AppState};

/// NPS with Tango's 95% interval.
pub(crate) async fn nps(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<MetricParams>,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(
        compute(&state, caller.org(), QuestionType::Nps, &p).await?,
    ))
}

/// CSAT (top-2 box) with Wilson's 95% interval.
pub(crate) async fn csat(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<MetricParams>,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(
        compute(&state, caller.org(), QuestionType::Csat, &p).await?,
    ))
}

/// CES: mean and share of easy answers.
pub(crate) async fn ces(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<MetricParams>,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(
        compute(&state, caller.org(), QuestionType::Ces, &p).await?,
    ))
}
