//! Our side of an account: its team, its owner (with the handover of open cases) and the
//! handover view a new owner reads.

use attune_app::customers::handover;
use attune_app::customers::relationship::RelationshipReport;
use attune_domain::customer::{HandoverRule, TeamRole};
use attune_domain::error::Problems;
use attune_domain::period::format_day;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::AccountBody;
use super::people::PersonBody;
use super::schema;
use super::timeline::EntryBody;
use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

/// A member of our team for an account, as received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AccountTeamMemberInput)]
pub(crate) struct TeamMemberInput {
    /// The e-mail of a user of the organisation.
    #[schema(format = Email)]
    user: String,
    #[schema(value_type = schema::TeamRole)]
    role: String,
}

/// Our whole team for an account, replacing the one stored.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AccountTeamInput)]
pub(crate) struct TeamInput {
    #[schema(max_items = 50)]
    team: Vec<TeamMemberInput>,
}

/// The user id of `email` in the organisation, or a problem named `field`.
async fn user_id(
    state: &AppState,
    org: &str,
    p: &mut Problems,
    field: &str,
    email: &str,
) -> Result<Option<String>, ApiError> {
    let users = state.store.list_users(org).await?;
    let found = users
        .into_iter()
        .find(|u| u.email.eq_ignore_ascii_case(email.trim()))
        .map(|u| u.id);
    if found.is_none() {
        p.push(field, "no user of this organisation has that e-mail");
    }
    Ok(found)
}

/// `PUT /api/v1/accounts/{id}/team`
#[utoipa::path(put, path = "/api/v1/accounts/{id}/team", tag = "accounts",
    summary = "Set our team for an account",
    params(("id" = String, Path, description = "account id or external id")),
    request_body = TeamInput,
    responses((status = 200, body = AccountBody), (status = 404, description = "no such account")))]
pub(crate) async fn set_team(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<TeamInput>,
) -> Result<axum::Json<AccountBody>, ApiError> {
    let actor = caller.writer()?;
    let mut p = Problems::default();
    if input.team.len() > 50 {
        p.push("team", "at most 50 members");
    }
    let mut team = Vec::new();
    for (i, m) in input.team.iter().enumerate() {
        let user = user_id(
            &state,
            &actor.org_id,
            &mut p,
            &format!("team[{i}].user"),
            &m.user,
        )
        .await?;
        let role = TeamRole::parse(&m.role);
        if role.is_none() {
            p.push(
                format!("team[{i}].role"),
                "must be one of csm, account_executive, support_lead, executive_sponsor",
            );
        }
        if let (Some(u), Some(r)) = (user, role) {
            team.push((u, r));
        }
    }
    p.finish(())?;
    let saved = state
        .store
        .set_account_team(&actor.org_id, &id, &team, state.now_ms())
        .await?;
    Ok(axum::Json(AccountBody::from(saved)))
}

/// A new owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OwnerInput {
    /// The e-mail of the new owner (a user of the organisation), or `null` for nobody.
    #[schema(format = Email)]
    owner: Option<String>,
    /// What the previous owner's open cases do: `move` to the new owner, `stay`, or
    /// `round_robin` in the account's team. Left out: the organisation's setting.
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    #[schema(nullable = false, value_type = Option<schema::HandoverRule>)]
    cases: Option<String>,
}

/// One case handed to someone else.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Reassigned {
    case_id: String,
    owner_user_id: String,
}

/// What an owner change did.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OwnerChangeBody {
    account: AccountBody,
    previous_owner_user_id: Option<String>,
    /// The rule the open cases followed.
    #[schema(value_type = schema::HandoverRule)]
    cases: HandoverRule,
    reassigned: Vec<Reassigned>,
}

/// `PUT /api/v1/accounts/{id}/owner`
#[utoipa::path(put, path = "/api/v1/accounts/{id}/owner", tag = "accounts",
    summary = "Give an account to a new owner; their open cases follow the handover rule",
    params(("id" = String, Path, description = "account id or external id")),
    request_body = OwnerInput,
    responses((status = 200, body = OwnerChangeBody), (status = 404, description = "no such account")))]
pub(crate) async fn set_owner(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<OwnerInput>,
) -> Result<axum::Json<OwnerChangeBody>, ApiError> {
    let actor = caller.writer()?;
    let mut p = Problems::default();
    let owner = match &input.owner {
        Some(e) => user_id(&state, &actor.org_id, &mut p, "owner", e).await?,
        None => None,
    };
    let rule = input.cases.as_deref().and_then(|c| {
        let r = HandoverRule::parse(c);
        if r.is_none() {
            p.push("cases", "must be one of move, stay, round_robin");
        }
        r
    });
    p.finish(())?;
    let change = handover::change_owner(
        state.store.as_ref(),
        &actor.org_id,
        &id,
        owner.as_deref(),
        rule,
        actor.user_id.as_deref(),
        state.now_ms(),
    )
    .await?;
    Ok(axum::Json(OwnerChangeBody {
        account: AccountBody::from(change.account),
        previous_owner_user_id: change.previous,
        cases: change.rule,
        reassigned: change
            .reassigned
            .into_iter()
            .map(|(case_id, owner_user_id)| Reassigned {
                case_id,
                owner_user_id,
            })
            .collect(),
    }))
}

/// A follow-up promised and not done.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PromiseBody {
    interaction_id: String,
    text: String,
    /// `YYYY-MM-DD`.
    due: Option<String>,
}

/// An open case, briefly.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OpenCaseBody {
    id: String,
    title: String,
    state: String,
    priority: String,
    owner_user_id: Option<String>,
}

/// What a new owner reads to take over an account.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HandoverBody {
    account: AccountBody,
    /// Conversations and answers of the last 90 days, newest first.
    conversations: Vec<EntryBody>,
    open_cases: Vec<OpenCaseBody>,
    promises: Vec<PromiseBody>,
    /// The people, with their preferences.
    people: Vec<PersonBody>,
    /// Health and who knows whom.
    relationship: RelationshipReport,
}

/// `GET /api/v1/accounts/{id}/handover`
#[utoipa::path(get, path = "/api/v1/accounts/{id}/handover", tag = "accounts",
    summary = "Everything a new owner needs to take over an account",
    params(("id" = String, Path, description = "account id or external id")),
    responses((status = 200, body = HandoverBody), (status = 404, description = "no such account")))]
pub(crate) async fn show_handover(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<HandoverBody>, ApiError> {
    let h = handover::handover(state.store.as_ref(), caller.org(), &id, state.now_ms()).await?;
    Ok(axum::Json(HandoverBody {
        account: AccountBody::from(h.account),
        conversations: h.conversations.into_iter().map(EntryBody::from).collect(),
        open_cases: h
            .open_cases
            .into_iter()
            .map(|c| OpenCaseBody {
                id: c.id,
                title: c.title,
                state: c.state.as_str().to_owned(),
                priority: c.priority.as_str().to_owned(),
                owner_user_id: c.owner,
            })
            .collect(),
        promises: h
            .promises
            .into_iter()
            .map(|(interaction_id, f)| PromiseBody {
                interaction_id,
                text: f.text,
                due: f.due_day.map(format_day),
            })
            .collect(),
        people: h
            .people
            .into_iter()
            .map(|p| PersonBody::from(p).for_caller(&caller))
            .collect(),
        relationship: h.relationship,
    }))
}
