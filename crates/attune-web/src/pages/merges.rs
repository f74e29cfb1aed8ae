//! Merging duplicates from the account and person pages, and the merge page: what moved, what
//! undoing it would leave with the survivor, and the undo button.

use askama::Template;
use attune_storage::model::{MergeKind, MergePreview};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::page_form::{NoFields, PageForm};
use super::{minute, render};
use crate::auth::PageUser;
use crate::i18n::{Msg, Tr};
use crate::{ApiError, AppState};

/// The merge form of an account or person page, and the banner of a merged one.
pub(crate) struct MergeBox {
    /// Whether the form is shown (members and admins, on a record not merged itself).
    pub shown: bool,
    /// Where it posts.
    pub action: String,
    /// Its field's label.
    pub label: Msg,
    /// The page of the record this one was merged into.
    pub merged_into: Option<String>,
}

impl MergeBox {
    /// The box of the account or person `id`, merged into `into` if it was.
    pub(crate) fn of(user: &PageUser, kind: MergeKind, id: &str, into: Option<&str>) -> Self {
        let (base, label) = match kind {
            MergeKind::Account => ("accounts", Msg::MergeFormAccount),
            MergeKind::Person => ("people", Msg::MergeFormPerson),
        };
        Self {
            shown: user.actor.role.can_write() && into.is_none(),
            action: format!("/{base}/{id}/merge"),
            label,
            merged_into: into.map(|i| format!("/{base}/{i}")),
        }
    }

    #[cfg(test)]
    pub(crate) fn sample(shown: bool) -> Self {
        Self {
            shown,
            action: "/".into(),
            label: Msg::MergeFormAccount,
            merged_into: (!shown).then(|| "/".into()),
        }
    }
}

/// The merge form: the duplicate to fold into the page's record.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MergeForm {
    #[serde(default)]
    merge: String,
    /// Checked by [`PageForm`] before this form is read.
    #[serde(default, rename = "csrf")]
    _token: String,
}

#[derive(Template)]
#[template(path = "merge.html")]
struct MergePage {
    t: Tr,
    user_email: String,
    csrf: String,
    id: String,
    heading: String,
    survivor: (String, String),
    merged: (String, String),
    when: String,
    undone: Option<String>,
    moved: Vec<(String, u64, u64)>,
    staying: Vec<(String, u64)>,
    can_undo: bool,
    blocked: Option<String>,
}

/// The name and page of an account or person (the id when it cannot be read).
async fn named(state: &AppState, org: &str, kind: MergeKind, id: &str, t: &Tr) -> (String, String) {
    match kind {
        MergeKind::Account => {
            let name = state.store.account(org, id).await.map(|a| a.name);
            (
                name.unwrap_or_else(|_| id.to_owned()),
                format!("/accounts/{id}"),
            )
        }
        MergeKind::Person => {
            let name = state.store.person(org, id).await.map(|p| {
                p.name
                    .or(p.email)
                    .unwrap_or_else(|| t.get(Msg::PersonUnnamed))
            });
            (
                name.unwrap_or_else(|_| id.to_owned()),
                format!("/people/{id}"),
            )
        }
    }
}

fn what(t: &Tr, what: &str) -> String {
    let key = match what {
        "responses" => Msg::MergeWhatResponses,
        "cases" => Msg::MergeWhatCases,
        "interactions" => Msg::MergeWhatInteractions,
        "memberships" => Msg::MergeWhatMemberships,
        "team" => Msg::MergeWhatTeam,
        "emails" => Msg::MergeWhatEmails,
        "domains" => Msg::MergeWhatDomains,
        "external_ids" => Msg::MergeWhatIds,
        "owner_changes" => Msg::MergeWhatOwnerChanges,
        "invitations" => Msg::MergeWhatInvitations,
        _ => Msg::MergeWhatOther,
    };
    t.get(key)
}

async fn page(state: &AppState, user: &PageUser, p: MergePreview) -> MergePage {
    let t = user.tr.clone();
    let org = &user.actor.org_id;
    let m = p.merge;
    MergePage {
        user_email: user.email.clone(),
        csrf: user.csrf_token.clone(),
        heading: t.get(match m.kind {
            MergeKind::Account => Msg::MergeAccountsHeading,
            MergeKind::Person => Msg::MergePeopleHeading,
        }),
        survivor: named(state, org, m.kind, &m.survivor_id, &t).await,
        merged: named(state, org, m.kind, &m.merged_id, &t).await,
        when: minute(m.at),
        undone: m.undone_at.map(minute),
        moved: m
            .moved
            .iter()
            .map(|c| (what(&t, &c.what), c.moved, c.dropped))
            .collect(),
        staying: p
            .staying
            .iter()
            .map(|s| (what(&t, &s.what), s.count))
            .collect(),
        can_undo: p.blocked.is_none() && user.actor.role.can_write(),
        blocked: (p.blocked == Some("survivor_merged")).then(|| t.get(Msg::MergeBlocked)),
        id: m.id,
        t,
    }
}

/// `GET /merges/{id}`
pub(crate) async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Response {
    match state.store.merge_preview(&user.actor.org_id, &id).await {
        Ok(p) => render(&page(&state, &user, p).await),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `POST /merges/{id}/undo`
pub(crate) async fn undo(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { user, fields }: PageForm<NoFields>,
) -> Response {
    if let Err(e) = fields {
        return crate::nul::page_refusal(&e, &user.tr);
    }
    if !user.actor.role.can_write() {
        return ApiError::Forbidden("viewers cannot undo merges".into()).into_response();
    }
    let now = state.now_ms();
    let org = &user.actor.org_id;
    match state
        .store
        .undo_merge(org, &id, user.actor.user_id.as_deref(), now)
        .await
    {
        Ok(_) | Err(attune_storage::StoreError::Conflict(_)) => {
            Redirect::to(&format!("/merges/{id}")).into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Folds the form's duplicate into `survivor`: the merge page, or the problem.
async fn merge(
    state: &AppState,
    user: &PageUser,
    kind: MergeKind,
    survivor: &str,
    form: Result<MergeForm, ApiError>,
) -> Result<Response, String> {
    let form = match form {
        Ok(f) => f,
        Err(ApiError::Invalid(fields)) => {
            return Err(super::problems(&attune_domain::Invalid(fields)));
        }
        Err(e) => return Ok(crate::nul::page_refusal(&e, &user.tr)),
    };
    if !user.actor.role.can_write() {
        return Ok(ApiError::Forbidden("viewers cannot merge".into()).into_response());
    }
    let duplicate = form.merge.trim();
    if duplicate.is_empty() {
        return Err(user.tr.get(Msg::MergeNeedsDuplicate));
    }
    let done = state
        .store
        .merge(
            &user.actor.org_id,
            kind,
            survivor,
            duplicate,
            user.actor.user_id.as_deref(),
            state.now_ms(),
        )
        .await;
    match done {
        Ok(m) => Ok(Redirect::to(&format!("/merges/{}", m.id)).into_response()),
        Err(attune_storage::StoreError::Invalid(invalid)) => Err(super::problems(&invalid)),
        Err(e) => Ok(ApiError::from(e).into_response()),
    }
}

/// `POST /accounts/{id}/merge`
pub(crate) async fn merge_account(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { user, fields }: PageForm<MergeForm>,
) -> Response {
    match merge(&state, &user, MergeKind::Account, &id, fields).await {
        Ok(r) => r,
        Err(problem) => super::accounts::page_with_error(&state, &user, &id, problem).await,
    }
}

/// `POST /people/{id}/merge`
pub(crate) async fn merge_person(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { user, fields }: PageForm<MergeForm>,
) -> Response {
    match merge(&state, &user, MergeKind::Person, &id, fields).await {
        Ok(r) => r,
        Err(problem) => super::person::page_with_error(&state, &user, &id, problem).await,
    }
}

/// The page as the text test renders it.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    let page = |blocked: bool| MergePage {
        t: t.clone(),
        user_email: "①".into(),
        csrf: "①".into(),
        id: "①".into(),
        heading: t.get(if blocked {
            Msg::MergePeopleHeading
        } else {
            Msg::MergeAccountsHeading
        }),
        survivor: ("①".into(), "/".into()),
        merged: ("①".into(), "/".into()),
        when: "①".into(),
        undone: blocked.then(|| "①".into()),
        moved: [
            "responses",
            "cases",
            "interactions",
            "memberships",
            "team",
            "emails",
            "domains",
            "external_ids",
            "owner_changes",
            "invitations",
            "merged_accounts",
        ]
        .iter()
        .map(|w| (what(t, w), 1, 1))
        .collect(),
        staying: vec![("①".into(), 1)],
        can_undo: !blocked,
        blocked: blocked.then(|| t.get(Msg::MergeBlocked)),
    };
    vec![
        ("merge", page(false).render().expect("renders")),
        ("merge undone", page(true).render().expect("renders")),
    ]
}
