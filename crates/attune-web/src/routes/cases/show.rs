//! `GET /api/v1/cases/{id}`: a case with its timeline.

use axum::extract::{Path, State};

use super::{CaseDetail, detail};
use crate::auth::ApiCaller;
use crate::{ApiError, AppState};

/// `GET /api/v1/cases/{id}`
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    summary = "A case with its timeline and the feedback behind it",
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseDetail), (status = 404, description = "no such case")))]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<CaseDetail>, ApiError> {
    Ok(axum::Json(detail(&state, caller.org(), &id).await?))
}
