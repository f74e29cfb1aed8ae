//! SLA policies: list, create, replace (admin).

use attune_domain::closed_loop::sla::{BusinessHoursInput, SlaPolicy, SlaPolicyInput};
use attune_storage::model::SlaPolicyRow;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::{self, Items};
use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

/// An SLA policy as received, with its default flag.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SlaPolicyInput)]
pub(crate) struct PolicyInput {
    #[schema(value_type = schema::Name)]
    name: String,
    #[schema(minimum = 1, maximum = 527040)]
    first_response_minutes: u32,
    /// At least `first_response_minutes`.
    #[schema(minimum = 1, maximum = 527040)]
    resolution_minutes: u32,
    /// Opening hours; left out: deadlines run on wall-clock time.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<BusinessHoursDoc>)]
    business_hours: Option<BusinessHoursInput>,
    /// Whether cases use it when their rule names none.
    #[serde(default)]
    is_default: bool,
}

impl PolicyInput {
    /// The policy, checked.
    fn parse(self) -> Result<(SlaPolicy, bool), ApiError> {
        let policy = SlaPolicy::parse(SlaPolicyInput {
            name: self.name,
            first_response_minutes: self.first_response_minutes,
            resolution_minutes: self.resolution_minutes,
            business_hours: self.business_hours,
        })?;
        Ok((policy, self.is_default))
    }
}

/// Opening hours as received (the schema of the domain's `BusinessHoursInput`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = BusinessHoursInput)]
#[expect(
    dead_code,
    reason = "a schema: the handler reads the domain's BusinessHoursInput"
)]
pub(crate) struct BusinessHoursDoc {
    /// Offset of local time from UTC (e.g. 330 for India).
    #[schema(nullable = false, minimum = -840, maximum = 840)]
    utc_offset_minutes: Option<i32>,
    /// `mon` … `sun` → `["09:00", "17:00"]` (opening before closing); days left out are
    /// closed; at least one day is open.
    #[schema(value_type = schema::OpeningDays, example = json!({"mon": ["09:00", "17:00"]}))]
    days: (),
    /// Local holidays.
    #[schema(nullable = false, value_type = Option<Vec<String>>, format = Date)]
    holidays: Option<()>,
}

/// An SLA policy as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = SlaPolicy)]
pub(crate) struct PolicyBody {
    id: String,
    /// Whether cases use it when their rule names none.
    is_default: bool,
    #[serde(flatten)]
    #[schema(value_type = schema::SlaPolicy)]
    policy: SlaPolicy,
}

impl From<SlaPolicyRow> for PolicyBody {
    fn from(r: SlaPolicyRow) -> Self {
        Self {
            id: r.id,
            is_default: r.is_default,
            policy: r.policy,
        }
    }
}

/// `GET /api/v1/sla-policies`
#[utoipa::path(get, path = "/api/v1/sla-policies", tag = "settings", summary = "SLA policies",
    responses((status = 200, body = Items<PolicyBody>)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Items<PolicyBody>>, ApiError> {
    let p = state.store.list_sla_policies(caller.org()).await?;
    Ok(axum::Json(Items {
        items: p.into_iter().map(PolicyBody::from).collect(),
    }))
}

/// `POST /api/v1/sla-policies`
#[utoipa::path(post, path = "/api/v1/sla-policies", tag = "settings",
    summary = "Create an SLA policy (admin)",
    request_body = PolicyInput,
    responses((status = 201, body = PolicyBody), (status = 403, description = "not an admin's token")))]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(body): Json<PolicyInput>,
) -> Result<(StatusCode, axum::Json<PolicyBody>), ApiError> {
    let actor = caller.admin()?;
    let (policy, is_default) = body.parse()?;
    let row = state
        .store
        .save_sla_policy(&actor.org_id, None, &policy, is_default, state.now_ms())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(PolicyBody::from(row))))
}

/// `PUT /api/v1/sla-policies/{id}`: new cases use the new targets; open ones keep theirs.
#[utoipa::path(put, path = "/api/v1/sla-policies/{id}", tag = "settings",
    summary = "Replace an SLA policy; open cases keep their deadlines (admin)",
    params(("id" = String, Path, description = "policy id")),
    request_body = PolicyInput,
    responses((status = 200, body = PolicyBody), (status = 403, description = "not an admin's token"),
        (status = 404, description = "no such policy")))]
pub(crate) async fn replace(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(body): Json<PolicyInput>,
) -> Result<axum::Json<PolicyBody>, ApiError> {
    let actor = caller.admin()?;
    let (policy, is_default) = body.parse()?;
    let row = state
        .store
        .save_sla_policy(
            &actor.org_id,
            Some(&id),
            &policy,
            is_default,
            state.now_ms(),
        )
        .await?;
    Ok(axum::Json(PolicyBody::from(row)))
}
