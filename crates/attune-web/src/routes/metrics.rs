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
#[utoipa::path(get, path = "/api/v1/metrics/{kind}", tag = "metrics",
    summary = "NPS with Tango's 95% interval, CSAT (top-2 box) with Wilson's, or CES mean and share of easy answers; overall, as a trend (interval) and/or by segment (by)",
    params(("kind" = crate::routes::schema::MetricKind, Path, description = "which metric"),
        ("survey" = Option<String>, Query, description = "survey id"),
        ("question" = Option<String>, Query, description = "question key"),
        ("from" = Option<crate::routes::schema::Instant>, Query, description = "from this day or instant: `2026-01-31` or RFC 3339", example = "2026-01-01"),
        ("to" = Option<crate::routes::schema::Instant>, Query, description = "up to this day or instant", example = "2026-02-01"),
        ("interval" = Option<crate::routes::schema::MetricInterval>, Query, description = "a trend in buckets of this length"),
        ("by" = Option<String>, Query, pattern = "^[A-Za-z0-9_-]{1,64}$", description = "segment by channel, language or an account attribute (plan, size_band, industry, region, owner, or a custom attribute name: letters, digits, _ and -, at most 64); a custom attribute no account has is a 422 listing the ones they have")),
    responses((status = 200, body = MetricReport, description = "the report"),
        (status = 404, description = "no such metric, survey or question")))]
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
