//! Teams: list, create (admin).

use attune_domain::text::parse_name;
use attune_storage::model::Team;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cases::owner_id;
use super::schema::Items;
use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

/// A team as received: members and lead by user id or e-mail.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TeamInput {
    #[schema(value_type = super::schema::Name)]
    name: String,
    /// Receives escalations: a user id or e-mail.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false)]
    lead: Option<String>,
    /// Share cases round-robin: user ids or e-mails.
    #[serde(default)]
    members: Vec<String>,
}

/// A team as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Team)]
pub(crate) struct TeamBody {
    id: String,
    name: String,
    lead_user_id: Option<String>,
    /// User ids in round-robin order.
    members: Vec<String>,
}

impl From<Team> for TeamBody {
    fn from(t: Team) -> Self {
        Self {
            id: t.id,
            name: t.name,
            lead_user_id: t.lead_user_id,
            members: t.members,
        }
    }
}

/// `GET /api/v1/teams`
#[utoipa::path(get, path = "/api/v1/teams", tag = "settings", summary = "Teams",
    responses((status = 200, body = Items<TeamBody>)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Items<TeamBody>>, ApiError> {
    let t = state.store.list_teams(caller.org()).await?;
    Ok(axum::Json(Items {
        items: t.into_iter().map(TeamBody::from).collect(),
    }))
}

/// `POST /api/v1/teams`
#[utoipa::path(post, path = "/api/v1/teams", tag = "settings",
    summary = "Create a team: members share cases round-robin, the lead receives escalations (admin)",
    request_body = TeamInput,
    responses((status = 201, body = TeamBody), (status = 403, description = "not an admin's token"),
        (status = 409, description = "a team with that name exists")))]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<TeamInput>,
) -> Result<(StatusCode, axum::Json<TeamBody>), ApiError> {
    let actor = caller.admin()?;
    let name = parse_name("name", &input.name, 200)?;
    let lead = match &input.lead {
        Some(l) => Some(owner_id(&state, &actor.org_id, l).await?),
        None => None,
    };
    let mut members = Vec::new();
    for m in &input.members {
        let id = owner_id(&state, &actor.org_id, m).await?;
        if !members.contains(&id) {
            members.push(id);
        }
    }
    let team = state
        .store
        .create_team(
            &actor.org_id,
            &name,
            lead.as_deref(),
            &members,
            state.now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(TeamBody::from(team))))
}
