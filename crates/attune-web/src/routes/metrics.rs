//! `GET /api/v1/metrics/{nps,csat,ces}`: NPS with Tango's 95% interval, CSAT (top-2 box) with
//! Wilson's, CES mean and share of easy answers.

use attune_app::metrics::output::MetricReport;
use attune_app::metrics::{self, MetricParams, MetricQuery};
use attune_domain::survey::QuestionType;
use axum::extract::{Path, State};

use crate::auth::ApiCaller;
use crate::extract::Query;
use crate::{ApiError, AppState};

/// One handler for the three metrics; the path names which.
pub(crate) async fn metric(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(kind): Path<String>,
    Query(p): Query<MetricParams>,
) -> Result<axum::Json<MetricReport>, ApiError> {
    let kind = match kind.as_str() {
        "nps" => QuestionType::Nps,
        "csat" => QuestionType::Csat,
        "ces" => QuestionType::Ces,
        _ => return Err(ApiError::NotFound),
    };
    let query = MetricQuery::parse(&p)?;
    let report = metrics::compute(state.store.as_ref(), caller.org(), kind, &query).await?;
    Ok(axum::Json(report))
}
