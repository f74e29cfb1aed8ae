//! Merging duplicate accounts and people, and undoing a merge.

use attune_domain::period::format_ms;
use attune_storage::model::{Merge, MergeKind, MergePreview, MovedCount, StayingRecords};
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::Name;
use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

/// Which record to fold into the one in the path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MergeInput {
    /// The duplicate: for accounts an id or external id, for people an id or e-mail address.
    /// Everything it has moves to the record in the path; it is kept, pointing at it.
    #[schema(value_type = Name)]
    merge: String,
}

/// How many records of one kind moved.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MergeMoved)]
pub(crate) struct MovedBody {
    /// `responses`, `cases`, `interactions`, `memberships`, `team`, `emails`, …
    what: String,
    moved: u64,
    /// Dropped because the survivor already had an equal one (undo brings them back).
    dropped: u64,
}

impl From<MovedCount> for MovedBody {
    fn from(m: MovedCount) -> Self {
        Self {
            what: m.what,
            moved: m.moved,
            dropped: m.dropped,
        }
    }
}

/// A merge.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Merge)]
pub(crate) struct MergeBody {
    id: String,
    /// `account` or `person`.
    kind: String,
    /// The record that kept everything.
    survivor_id: String,
    /// The record folded in.
    merged_id: String,
    /// RFC 3339.
    at: String,
    /// The user who merged, when a person did.
    by: Option<String>,
    /// RFC 3339, when it was undone.
    undone_at: Option<String>,
    undone_by: Option<String>,
    moved: Vec<MovedBody>,
}

impl From<Merge> for MergeBody {
    fn from(m: Merge) -> Self {
        Self {
            id: m.id,
            kind: m.kind.as_str().to_owned(),
            survivor_id: m.survivor_id,
            merged_id: m.merged_id,
            at: format_ms(m.at),
            by: m.actor_user_id,
            undone_at: m.undone_at.map(format_ms),
            undone_by: m.undone_by,
            moved: m.moved.into_iter().map(MovedBody::from).collect(),
        }
    }
}

/// Records created on the survivor since the merge: they stay with it on undo.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MergeStaying)]
pub(crate) struct StayingBody {
    /// `responses`, `cases` or `interactions`.
    what: String,
    count: u64,
    /// The first 50 ids, in id order.
    ids: Vec<String>,
}

impl From<StayingRecords> for StayingBody {
    fn from(s: StayingRecords) -> Self {
        Self {
            what: s.what,
            count: s.count,
            ids: s.ids,
        }
    }
}

/// A merge and what undoing it would do.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MergePreview)]
pub(crate) struct PreviewBody {
    merge: MergeBody,
    /// Whether undo is possible now.
    can_undo: bool,
    /// Why not: `undone`, or `survivor_merged` (undo the survivor's own merge first).
    blocked: Option<String>,
    /// What stays with the survivor on undo.
    staying: Vec<StayingBody>,
}

impl From<MergePreview> for PreviewBody {
    fn from(p: MergePreview) -> Self {
        Self {
            merge: MergeBody::from(p.merge),
            can_undo: p.blocked.is_none(),
            blocked: p.blocked.map(str::to_owned),
            staying: p.staying.into_iter().map(StayingBody::from).collect(),
        }
    }
}

async fn merge(
    state: &AppState,
    caller: &ApiCaller,
    kind: MergeKind,
    survivor: &str,
    input: MergeInput,
) -> Result<axum::Json<MergeBody>, ApiError> {
    let actor = caller.writer()?;
    let merged = input.merge.trim();
    if merged.is_empty() {
        return Err(ApiError::field("merge", "must not be empty"));
    }
    let saved = state
        .store
        .merge(
            &actor.org_id,
            kind,
            survivor,
            merged,
            actor.user_id.as_deref(),
            state.now_ms(),
        )
        .await?;
    Ok(axum::Json(MergeBody::from(saved)))
}

/// `POST /api/v1/accounts/{id}/merge`
#[utoipa::path(post, path = "/api/v1/accounts/{id}/merge", tag = "accounts",
    summary = "Merge a duplicate account into this one",
    description = "Moves everything of the duplicate (responses, cases, interactions, people, \
        team, ids, domains, child accounts, subscriptions, owner changes) to this account in \
        one transaction; where both had the same person or team member this account's is kept. \
        Empty plan, size band, industry and region take the duplicate's. The duplicate is kept \
        and left out of lists; answers and imports naming it land here. Undo with \
        `POST /api/v1/merges/{id}/undo`.",
    params(("id" = String, Path, description = "the surviving account: id or external id")),
    request_body = MergeInput,
    responses((status = 200, body = MergeBody), (status = 404, description = "no such account"),
        (status = 422, description = "unknown duplicate, the same account, an account already merged, or one in the other's group")))]
pub(crate) async fn merge_accounts(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<MergeInput>,
) -> Result<axum::Json<MergeBody>, ApiError> {
    merge(&state, &caller, MergeKind::Account, &id, input).await
}

/// `POST /api/v1/people/{id}/merge`
#[utoipa::path(post, path = "/api/v1/people/{id}/merge", tag = "people",
    summary = "Merge a duplicate person into this one",
    description = "Moves the duplicate's e-mail addresses, memberships, responses, cases, \
        invitations and interactions to this person in one transaction; where both belonged \
        to the same account or took part in the same interaction this person's is kept. Empty \
        name, phone, language and time zone take the duplicate's; preferences stay this \
        person's. Undo with `POST /api/v1/merges/{id}/undo`.",
    params(("id" = String, Path, description = "the surviving person: id or e-mail")),
    request_body = MergeInput,
    responses((status = 200, body = MergeBody), (status = 404, description = "no such person"),
        (status = 422, description = "unknown duplicate, the same person or one already merged")))]
pub(crate) async fn merge_people(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<MergeInput>,
) -> Result<axum::Json<MergeBody>, ApiError> {
    merge(&state, &caller, MergeKind::Person, &id, input).await
}

/// `GET /api/v1/merges/{id}`
#[utoipa::path(get, path = "/api/v1/merges/{id}", tag = "accounts",
    summary = "A merge, with what undoing it would do",
    params(("id" = String, Path, description = "merge id")),
    responses((status = 200, body = PreviewBody), (status = 404, description = "no such merge")))]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<PreviewBody>, ApiError> {
    let preview = state.store.merge_preview(caller.org(), &id).await?;
    Ok(axum::Json(PreviewBody::from(preview)))
}

/// `POST /api/v1/merges/{id}/undo`
#[utoipa::path(post, path = "/api/v1/merges/{id}/undo", tag = "accounts",
    summary = "Undo a merge",
    description = "Moves every record the merge moved back to the duplicate and restores the \
        ones it dropped; records created on the survivor since stay with it (the preview lists \
        them).",
    params(("id" = String, Path, description = "merge id")),
    responses((status = 200, body = MergeBody), (status = 404, description = "no such merge"),
        (status = 409, description = "already undone, or the survivor has been merged since")))]
pub(crate) async fn undo(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<MergeBody>, ApiError> {
    let actor = caller.writer()?;
    let undone = state
        .store
        .undo_merge(&actor.org_id, &id, actor.user_id.as_deref(), state.now_ms())
        .await?;
    Ok(axum::Json(MergeBody::from(undone)))
}
