//! Alert rules: list, create, replace, delete.

use attune_domain::closed_loop::rules::{Actions, Condition, RuleDefinition, RuleInput};
use attune_storage::model::Rule;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::{self, Items};
use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

/// An alert rule as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Rule)]
pub(crate) struct RuleBody {
    id: String,
    name: String,
    enabled: bool,
    /// All must hold.
    #[schema(value_type = Vec<schema::RuleCondition>)]
    conditions: Vec<Condition>,
    #[schema(value_type = schema::RuleActions)]
    actions: Actions,
}

impl From<Rule> for RuleBody {
    fn from(r: Rule) -> Self {
        Self {
            id: r.id,
            name: r.definition.name,
            enabled: r.definition.enabled,
            conditions: r.definition.conditions,
            actions: r.definition.actions,
        }
    }
}

/// A rule as received (the schema of the domain's `RuleInput`, which refuses unknown fields).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RuleInput)]
#[expect(
    dead_code,
    reason = "a schema: the handler reads the domain's RuleInput"
)]
pub(crate) struct RuleInputDoc {
    #[schema(value_type = schema::Name)]
    name: String,
    #[schema(nullable = false, default = true)]
    enabled: Option<bool>,
    /// All must hold.
    #[schema(nullable = false, max_items = 100, value_type = Option<Vec<schema::RuleCondition>>)]
    conditions: Option<Vec<()>>,
    #[schema(nullable = false, value_type = Option<schema::RuleActions>)]
    actions: Option<()>,
}

/// `GET /api/v1/rules`
#[utoipa::path(get, path = "/api/v1/rules", tag = "settings", summary = "Alert rules",
    responses((status = 200, body = Items<RuleBody>)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Items<RuleBody>>, ApiError> {
    let rules = state.store.list_rules(caller.org()).await?;
    Ok(axum::Json(Items {
        items: rules.into_iter().map(RuleBody::from).collect(),
    }))
}

/// `POST /api/v1/rules`
#[utoipa::path(post, path = "/api/v1/rules", tag = "settings", summary = "Create an alert rule",
    request_body = RuleInputDoc,
    responses((status = 201, body = RuleBody), (status = 403, description = "a viewer's token")))]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<RuleInput>,
) -> Result<(StatusCode, axum::Json<RuleBody>), ApiError> {
    let actor = caller.writer()?;
    let def = RuleDefinition::parse(input)?;
    let rule = state
        .store
        .save_rule(&actor.org_id, None, &def, state.now_ms())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(RuleBody::from(rule))))
}

/// `PUT /api/v1/rules/{id}`
#[utoipa::path(put, path = "/api/v1/rules/{id}", tag = "settings", summary = "Replace an alert rule",
    params(("id" = String, Path, description = "rule id")),
    request_body = RuleInputDoc,
    responses((status = 200, body = RuleBody), (status = 403, description = "a viewer's token"),
        (status = 404, description = "no such rule")))]
pub(crate) async fn replace(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<RuleInput>,
) -> Result<axum::Json<RuleBody>, ApiError> {
    let actor = caller.writer()?;
    let def = RuleDefinition::parse(input)?;
    let rule = state
        .store
        .save_rule(&actor.org_id, Some(&id), &def, state.now_ms())
        .await?;
    Ok(axum::Json(RuleBody::from(rule)))
}

/// `DELETE /api/v1/rules/{id}`
#[utoipa::path(delete, path = "/api/v1/rules/{id}", tag = "settings",
    summary = "Delete an alert rule (its cases stay)",
    params(("id" = String, Path, description = "rule id")),
    responses((status = 204, description = "deleted"), (status = 403, description = "a viewer's token"),
        (status = 404, description = "no such rule")))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = caller.writer()?;
    state.store.delete_rule(&actor.org_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
