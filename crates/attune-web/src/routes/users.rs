//! Users of the organisation: clearing a login back-off (admin).

use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::ApiCaller;
use crate::{ApiError, AppState};

/// The answer to clearing a back-off.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BackoffCleared {
    /// The user's e-mail, normalised.
    email: String,
    /// Whether failed logins were recorded (and are now forgotten).
    cleared: bool,
}

/// `DELETE /api/v1/users/{email}/login-backoff`: forgets the failed logins of a user of the
/// caller's organisation, so they can log in at once (admin).
#[utoipa::path(delete, path = "/api/v1/users/{email}/login-backoff", tag = "users",
    summary = "Forget the failed logins of a user of the organisation, so they can log in at once (admin)",
    params(("email" = String, Path, description = "the user's e-mail")),
    responses((status = 200, body = BackoffCleared), (status = 403, description = "not an admin's token"),
        (status = 404, description = "the organisation has no user with that e-mail")))]
pub(crate) async fn clear_login_backoff(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(email): Path<String>,
) -> Result<axum::Json<BackoffCleared>, ApiError> {
    let actor = caller.admin()?;
    let cleared = state
        .store
        .clear_login_backoff(&actor.org_id, &email)
        .await?;
    let email = attune_domain::login::normalize_email(&email);
    tracing::info!(org.id = %actor.org_id, cleared, "login back-off cleared by an admin");
    Ok(axum::Json(BackoffCleared { email, cleared }))
}
