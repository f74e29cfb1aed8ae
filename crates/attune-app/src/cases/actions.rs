//! Acting on a case: a change (state, owner, priority, root cause, resolution), a note, an
//! assignment. The transition itself is the domain's; storage applies it in one transaction.

use attune_domain::closed_loop::case::{CasePatch, CasePatchInput, MAX_TEXT};
use attune_domain::text::parse_text;
use attune_storage::Store;
use attune_storage::model::Case;

use crate::{AppError, AppResult};

/// A user id given as an id or an e-mail of the organisation's users.
pub async fn resolve_owner(store: &dyn Store, org_id: &str, owner: &str) -> AppResult<String> {
    if !owner.contains('@') {
        return Ok(owner.to_owned());
    }
    store
        .list_users(org_id)
        .await?
        .into_iter()
        .find(|u| u.email.eq_ignore_ascii_case(owner.trim()))
        .map(|u| u.id)
        .ok_or_else(|| AppError::invalid("owner", "no user of this organisation has that e-mail"))
}

/// Changes a case as the API receives the change (an owner may be an e-mail).
#[tracing::instrument(skip_all, fields(org.id = %org_id, case.id = %case_id, user.id = actor))]
pub async fn update(
    store: &dyn Store,
    org_id: &str,
    case_id: &str,
    actor: Option<&str>,
    mut input: CasePatchInput,
    now_ms: i64,
) -> AppResult<Case> {
    if let Some(o) = &input.owner {
        input.owner = Some(resolve_owner(store, org_id, o).await?);
    }
    let patch = CasePatch::parse(input)?;
    Ok(store
        .update_case(org_id, case_id, actor, &patch, now_ms)
        .await?)
}

/// Gives a case to `owner` (a user id or e-mail).
pub async fn assign(
    store: &dyn Store,
    org_id: &str,
    case_id: &str,
    actor: Option<&str>,
    owner: &str,
    now_ms: i64,
) -> AppResult<Case> {
    let input = CasePatchInput {
        owner: Some(owner.to_owned()),
        ..Default::default()
    };
    update(store, org_id, case_id, actor, input, now_ms).await
}

/// Adds a note (the first action on a case is its first response).
#[tracing::instrument(skip_all, fields(org.id = %org_id, case.id = %case_id, user.id = %actor))]
pub async fn add_note(
    store: &dyn Store,
    org_id: &str,
    case_id: &str,
    actor: &str,
    text: &str,
    now_ms: i64,
) -> AppResult<Case> {
    let text = parse_text("text", text, MAX_TEXT)?;
    Ok(store
        .add_case_note(org_id, case_id, actor, &text, now_ms)
        .await?)
}
