//! `PATCH /api/v1/cases/{id}`: state, owner, priority, root cause, resolution.

use attune_domain::closed_loop::case::CasePatchInput;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{CaseDetail, actor_label, detail};
use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::routes::schema;
use crate::{ApiError, AppState};

/// A change to a case (the schema of the domain's `CasePatchInput`, which refuses unknown
/// fields); every field is optional, and null is the same as leaving it out. At least one of
/// state, owner, priority, root_cause and resolution (else a 422).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CasePatch)]
#[expect(
    dead_code,
    reason = "a schema: the handler reads the domain's CasePatchInput"
)]
pub(crate) struct CasePatchDoc {
    state: Option<schema::CaseState>,
    /// A user id or e-mail of the organisation (another is a 422).
    #[schema(pattern = r"[^\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
    owner: Option<String>,
    priority: Option<schema::Priority>,
    /// From the organisation's taxonomy; resolving needs one.
    #[schema(value_type = Option<schema::Name>)]
    root_cause: Option<String>,
    /// What was done; resolving needs it.
    #[schema(value_type = Option<schema::Text>)]
    resolution: Option<String>,
    /// Send a re-survey link with the resolution message.
    resurvey: Option<bool>,
}

/// `PATCH /api/v1/cases/{id}`: state, owner, priority, root cause, resolution.
#[utoipa::path(patch, path = "/api/v1/cases/{id}", tag = "cases",
    summary = "Change state, owner, priority, root cause or resolution; resolving needs a root cause from the taxonomy and a resolution (422 otherwise)",
    params(("id" = String, Path, description = "case id")),
    request_body = CasePatchDoc,
    responses((status = 200, body = CaseDetail), (status = 403, description = "a viewer's token"),
        (status = 404, description = "no such case"),
        (status = 409, description = "the change does not apply to the case's state")))]
pub(crate) async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<CasePatchInput>,
) -> Result<axum::Json<CaseDetail>, ApiError> {
    let actor = caller.writer()?;
    attune_app::cases::update(
        state.store.as_ref(),
        &actor.org_id,
        &id,
        Some(&actor_label(actor)),
        input,
        state.now_ms(),
    )
    .await?;
    Ok(axum::Json(detail(&state, &actor.org_id, &id).await?))
}
