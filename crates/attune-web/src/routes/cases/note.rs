//! `POST /api/v1/cases/{id}/notes`: a note on the timeline.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{CaseDetail, actor_label, detail};
use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

/// Body of a note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteInput {
    #[schema(value_type = crate::routes::schema::Text)]
    text: String,
}

/// `POST /api/v1/cases/{id}/notes`
#[utoipa::path(post, path = "/api/v1/cases/{id}/notes", tag = "cases",
    summary = "Add a note to the timeline",
    params(("id" = String, Path, description = "case id")),
    request_body = NoteInput,
    responses((status = 201, body = CaseDetail), (status = 403, description = "a viewer's token"),
        (status = 404, description = "no such case")))]
pub(crate) async fn note(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<NoteInput>,
) -> Result<(StatusCode, axum::Json<CaseDetail>), ApiError> {
    let actor = caller.writer()?;
    attune_app::cases::add_note(
        state.store.as_ref(),
        &actor.org_id,
        &id,
        &actor_label(actor),
        &input.text,
        state.now_ms(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(detail(&state, &actor.org_id, &id).await?),
    ))
}
