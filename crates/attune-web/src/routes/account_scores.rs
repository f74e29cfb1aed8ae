//! `GET /api/v1/accounts/{id}/scores`: the account's NPS and CSAT over the last 365 days, per
//! survey question, with 95 % intervals.

use attune_app::customers::scores::{AccountScore, account_scores};
use axum::extract::{Path, State};

use super::schema::Items;
use crate::auth::ApiCaller;
use crate::{ApiError, AppState};

/// `GET /api/v1/accounts/{id}/scores`
#[utoipa::path(get, path = "/api/v1/accounts/{id}/scores", tag = "accounts",
    summary = "An account's NPS and CSAT over the last 365 days, with 95 % intervals",
    params(("id" = String, Path, description = "account id or external id")),
    responses((status = 200, body = Items<AccountScore>), (status = 404, description = "no such account")))]
pub(crate) async fn scores(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<Items<AccountScore>>, ApiError> {
    let account = state.store.account(caller.org(), &id).await?;
    let today = state.now_ms().div_euclid(86_400_000);
    let items = account_scores(state.store.as_ref(), caller.org(), &account.id, today).await?;
    Ok(axum::Json(Items { items }))
}
