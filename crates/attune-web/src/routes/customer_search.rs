//! Finding a customer by name, e-mail address, domain or id in another system.

use attune_storage::model::CustomerHit;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::ApiCaller;
use crate::extract::Query;
use crate::{ApiError, AppState};

/// What to look for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchParams {
    /// The start of a name (any script; case is ignored), an e-mail address, a domain or an
    /// id in another system; 1–200 characters.
    #[param(min_length = 1, max_length = 200, pattern = "\\S")]
    q: String,
    /// 1–50, default 20.
    #[param(minimum = 1, maximum = 50)]
    limit: Option<u32>,
}

/// One customer found.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = CustomerHit)]
pub(crate) struct HitBody {
    /// `account` or `person`.
    kind: String,
    id: String,
    name: String,
    /// What matched: `name`, `external_id`, `domain` or `email`.
    matched: String,
    /// The value that matched.
    value: String,
}

impl From<CustomerHit> for HitBody {
    fn from(h: CustomerHit) -> Self {
        Self {
            kind: h.kind.as_str().to_owned(),
            id: h.id,
            name: h.name,
            matched: h.matched.to_owned(),
            value: h.value,
        }
    }
}

/// Customers found, exact matches first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SearchResults {
    items: Vec<HitBody>,
}

/// `GET /api/v1/customers/search`
#[utoipa::path(get, path = "/api/v1/customers/search", tag = "accounts",
    summary = "Find an account or a person",
    description = "Accounts and people whose name, e-mail address, web domain or id in \
        another system starts with `q` (names ignoring case: every letter on PostgreSQL, ASCII \
        letters on SQLite), exact matches first, then ids, addresses, domains and names. \
        Merged records are left out.",
    params(SearchParams),
    responses((status = 200, body = SearchResults), (status = 422, description = "no `q`, or a limit out of range")))]
pub(crate) async fn search(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(p): Query<SearchParams>,
) -> Result<axum::Json<SearchResults>, ApiError> {
    let q = p.q.trim();
    if q.is_empty() || q.chars().count() > 200 {
        return Err(ApiError::field("q", "must hold 1 to 200 characters"));
    }
    let limit = p.limit.unwrap_or(20);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::field("limit", "must be from 1 to 50"));
    }
    let hits = state.store.search_customers(caller.org(), q, limit).await?;
    Ok(axum::Json(SearchResults {
        items: hits.into_iter().map(HitBody::from).collect(),
    }))
}
