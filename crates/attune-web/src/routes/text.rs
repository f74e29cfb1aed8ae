//! `GET /api/v1/text/themes` and `/text/drivers`: the use cases are
//! `attune_app::text::{themes_report, drivers_report}`.

use attune_app::text::{TextParams, TextReport, drivers_report, themes_report};
use axum::extract::State;

use crate::auth::ApiCaller;
use crate::extract::Query;
use crate::{ApiError, AppState};

/// `GET /api/v1/text/themes`
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
pub(crate) async fn drivers_api(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<TextParams>,
) -> Result<axum::Json<TextReport>, ApiError> {
    Ok(axum::Json(
        drivers_report(state.store.as_ref(), caller.org(), &p).await?,
    ))
}
