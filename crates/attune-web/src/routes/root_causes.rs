//! The root-cause taxonomy: show, replace (admin).

use attune_domain::error::Problems;
use attune_domain::text::parse_name;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use super::schema::Items;
use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

/// `GET /api/v1/root-causes`
#[utoipa::path(get, path = "/api/v1/root-causes", tag = "settings",
    summary = "The root-cause taxonomy",
    responses((status = 200, body = Items<String>)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Items<String>>, ApiError> {
    let items = state.store.root_causes(caller.org()).await?;
    Ok(axum::Json(Items { items }))
}

/// Body replacing the taxonomy.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RootCausesInput {
    /// From 1 to 200 names.
    #[schema(value_type = Vec<super::schema::Name>, min_items = 1, max_items = 200)]
    items: Vec<String>,
}

/// `PUT /api/v1/root-causes`
#[utoipa::path(put, path = "/api/v1/root-causes", tag = "settings",
    summary = "Replace the root-cause taxonomy (admin)",
    request_body = RootCausesInput,
    responses((status = 200, body = Items<String>), (status = 403, description = "not an admin's token")))]
pub(crate) async fn replace(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<RootCausesInput>,
) -> Result<axum::Json<Items<String>>, ApiError> {
    let actor = caller.admin()?;
    let mut p = Problems::default();
    let mut names = Vec::new();
    if input.items.is_empty() || input.items.len() > 200 {
        p.push("items", "give from 1 to 200 root causes");
    }
    for (i, n) in input.items.iter().enumerate() {
        if let Some(n) = p.take(parse_name(&format!("items[{i}]"), n, 200))
            && !names.contains(&n)
        {
            names.push(n);
        }
    }
    p.finish(())?;
    state.store.set_root_causes(&actor.org_id, &names).await?;
    Ok(axum::Json(Items {
        items: state.store.root_causes(&actor.org_id).await?,
    }))
}
