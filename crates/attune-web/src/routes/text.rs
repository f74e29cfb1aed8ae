//! `GET /api/v1/text/themes` and `/text/drivers`: the use cases are
//! `attune_app::text::{themes_report, drivers_report}`.

use attune_app::text::{TextParams, TextReport, drivers_report, themes_report};
use axum::extract::State;

use crate::auth::ApiCaller;
use crate::extract::Query;
use crate::{ApiError, AppState};

/// `GET /api/v1/text/themes`
#[utoipa::path(get, path = "/api/v1/text/themes", tag = "text",
    summary = "Themes: significant words and phrases of the selected comments (survey, language, band) against the rest of the organisation's comments of the period, grouped, with counts, tests and example quotes",
    params(("survey" = Option<String>, Query, description = "survey id"),
        ("question" = Option<String>, Query, description = "question key"),
        ("from" = Option<crate::routes::schema::InstantFilter>, Query, description = "from this day or instant: `2026-01-31` or RFC 3339", example = "2026-01-01"),
        ("to" = Option<crate::routes::schema::InstantFilter>, Query, description = "before this day or instant", example = "2026-02-01"),
        ("language" = Option<crate::routes::schema::LanguageFilter>, Query, description = "language tag of the comments"),
        ("band" = Option<crate::routes::schema::BandFilter>, Query, description = "only comments of this NPS band")),
    responses((status = 200, body = TextReport, description = "the report"),
        (status = 404, description = "no such survey or question"),
        (status = 503, description = "too many heavy reads at once; retry after `Retry-After` seconds")))]
pub(crate) async fn themes_api(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<TextParams>,
) -> Result<axum::Json<TextReport>, ApiError> {
    Ok(axum::Json(
        themes_report(state.store.as_ref(), caller.org(), &p).await?,
    ))
}

/// `GET /api/v1/text/drivers`
#[utoipa::path(get, path = "/api/v1/text/drivers", tag = "text",
    summary = "Key drivers: terms over-represented among NPS detractors against promoters (or low against high CSAT), with log odds ratio, 95% interval, chi-square p and BH q, and example quotes",
    params(("survey" = String, Query, pattern = "[^\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]", description = "survey id (required: drivers compare the bands of one survey's NPS or CSAT question)"),
        ("question" = Option<String>, Query, description = "question key"),
        ("from" = Option<crate::routes::schema::InstantFilter>, Query, description = "from this day or instant: `2026-01-31` or RFC 3339", example = "2026-01-01"),
        ("to" = Option<crate::routes::schema::InstantFilter>, Query, description = "before this day or instant", example = "2026-02-01")),
    responses((status = 200, body = TextReport, description = "the report"),
        (status = 404, description = "no such survey or question"),
        (status = 503, description = "too many heavy reads at once; retry after `Retry-After` seconds")))]
pub(crate) async fn drivers_api(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<TextParams>,
) -> Result<axum::Json<TextReport>, ApiError> {
    Ok(axum::Json(
        drivers_report(state.store.as_ref(), caller.org(), &p).await?,
    ))
}
