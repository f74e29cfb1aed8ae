//! `GET /accounts/{id}/handover`: what a new owner reads to take an account over — health and
//! who knows whom, the last 90 days of conversations and answers, open cases, promises not
//! yet kept, and each person's preferences; `POST /accounts/{id}/owner`: give the account to
//! someone else, the previous owner's open cases following the rule chosen (by default the
//! organisation's), then show the handover.

use askama::Template;
use attune_app::customers::handover;
use attune_domain::customer::HandoverRule;
use attune_domain::period::format_day;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::accounts::{
    CaseRow, MapView, PersonRow, display_names, email_of, map_rows, people_rows, verdict,
};
use super::page_form::PageForm;
use super::timeline_rows::{TimelineRow, rows};
use super::{names, render};
use crate::auth::PageUser;
use crate::i18n::{Msg, Tr};
use crate::{ApiError, AppState};

/// One option of a select.
pub(crate) struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A person with how to reach them and, for staff who may write, their preferences.
pub(crate) struct PersonBrief {
    row: PersonRow,
    contact: Vec<String>,
    preferences: Vec<String>,
}

#[derive(Template)]
#[template(path = "handover.html")]
struct HandoverPage {
    t: Tr,
    user_email: String,
    csrf: String,
    id: String,
    name: String,
    owner: String,
    can_write: bool,
    flagged: bool,
    verdict: String,
    reasons: Vec<String>,
    map: Vec<MapView>,
    conversations: Vec<TimelineRow>,
    cases: Vec<CaseRow>,
    promises: Vec<(String, String)>,
    people: Vec<PersonBrief>,
    owners: Vec<Choice>,
    rules: Vec<Choice>,
}

fn brief(
    t: &Tr,
    user: &PageUser,
    account_id: &str,
    p: &attune_storage::model::Person,
) -> Option<PersonBrief> {
    let row = people_rows(t, account_id, std::slice::from_ref(p)).pop()?;
    let preferences = if user.actor.role.can_write() {
        let mut lines: Vec<String> = p
            .accessibility
            .iter()
            .map(|n| names::access_need(t, *n))
            .collect();
        lines.extend(p.preferences.iter().map(|(k, v)| {
            format!(
                "{k}: {}",
                v.as_str().map_or_else(|| v.to_string(), str::to_owned)
            )
        }));
        lines
    } else {
        Vec::new()
    };
    Some(PersonBrief {
        row,
        contact: super::person::contact_lines(t, &p.contact_rules),
        preferences,
    })
}

fn owner_choices(
    t: &Tr,
    users: &[attune_storage::model::User],
    current: Option<&str>,
) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: t.get(Msg::AccountNoOwner),
        selected: current.is_none(),
    }];
    out.extend(users.iter().map(|u| Choice {
        value: u.id.clone(),
        label: u.email.clone(),
        selected: current == Some(u.id.as_str()),
    }));
    out
}

fn rule_choices(t: &Tr) -> Vec<Choice> {
    [
        ("", Msg::HandoverRuleDefault),
        ("move", Msg::HandoverRuleMove),
        ("stay", Msg::HandoverRuleStay),
        ("round_robin", Msg::HandoverRuleRoundRobin),
    ]
    .into_iter()
    .map(|(value, m)| Choice {
        value: value.into(),
        label: t.get(m),
        selected: value.is_empty(),
    })
    .collect()
}

async fn page(state: &AppState, user: &PageUser, id: &str) -> Result<HandoverPage, ApiError> {
    let org = &user.actor.org_id;
    let h = handover::handover(state.store.as_ref(), org, id, state.now_ms()).await?;
    let users = state.store.list_users(org).await?;
    let t = user.tr.clone();
    let names_by_id = display_names(&t, &h.people);
    let (flagged, verdict, reasons) = verdict(&t, &h.relationship, &names_by_id, &users);
    Ok(HandoverPage {
        user_email: user.email.clone(),
        csrf: user.csrf_token.clone(),
        id: h.account.id.clone(),
        name: h.account.name.clone(),
        owner: email_of(&users, h.account.owner_user_id.as_deref())
            .unwrap_or_else(|| t.get(Msg::AccountNoOwner)),
        can_write: user.actor.role.can_write(),
        flagged,
        verdict,
        reasons,
        map: map_rows(&t, &h.relationship, &users),
        conversations: rows(&t, &h.conversations, &names_by_id),
        cases: h
            .open_cases
            .iter()
            .map(|c| CaseRow {
                link: format!("/cases/{}", c.id),
                title: c.title.clone(),
                state: names::state(&t, c.state),
                priority: names::priority(&t, c.priority),
            })
            .collect(),
        promises: h
            .promises
            .iter()
            .map(|(_, f)| {
                (
                    f.text.clone(),
                    f.due_day.map(format_day).unwrap_or_default(),
                )
            })
            .collect(),
        people: h
            .people
            .iter()
            .filter_map(|p| brief(&t, user, &h.account.id, p))
            .collect(),
        owners: owner_choices(&t, &users, h.account.owner_user_id.as_deref()),
        rules: rule_choices(&t),
        t,
    })
}

/// `GET /accounts/{id}/handover`
pub(crate) async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Response {
    match page(&state, &user, &id).await {
        Ok(p) => render(&p),
        Err(e) => e.into_response(),
    }
}

/// The owner form: a user id (empty: nobody) and the rule for open cases (empty: the
/// organisation's).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OwnerForm {
    #[serde(default)]
    owner: String,
    #[serde(default)]
    rule: String,
    #[serde(default, rename = "csrf")]
    _token: String,
}

/// `POST /accounts/{id}/owner`
pub(crate) async fn change_owner(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { user, fields }: PageForm<OwnerForm>,
) -> Response {
    let f = match fields {
        Ok(f) => f,
        Err(e) => return crate::nul::page_refusal(&e, &user.tr),
    };
    if !user.actor.role.can_write() {
        return ApiError::Forbidden("viewers cannot change an account's owner".into())
            .into_response();
    }
    let org = user.actor.org_id.clone();
    let owner = match f.owner.trim() {
        "" => None,
        o => match state.store.list_users(&org).await {
            Ok(users) if users.iter().any(|u| u.id == o) => Some(o.to_owned()),
            Ok(_) => return ApiError::field("owner", "no such user").into_response(),
            Err(e) => return ApiError::from(e).into_response(),
        },
    };
    let rule = match f.rule.trim() {
        "" => None,
        r => match HandoverRule::parse(r) {
            Some(r) => Some(r),
            None => {
                return ApiError::field("rule", "must be move, stay or round_robin")
                    .into_response();
            }
        },
    };
    let change = handover::change_owner(
        state.store.as_ref(),
        &org,
        &id,
        owner.as_deref(),
        rule,
        user.actor.user_id.as_deref(),
        state.now_ms(),
    )
    .await;
    match change {
        Ok(c) => Redirect::to(&format!("/accounts/{}/handover", c.account.id)).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The page as the text test renders it: every message, data without letters.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    let page = HandoverPage {
        t: t.clone(),
        user_email: "①".into(),
        csrf: "①".into(),
        id: "①".into(),
        name: "①".into(),
        owner: "①".into(),
        can_write: true,
        flagged: true,
        verdict: t.get(Msg::AccountSingleThreaded),
        reasons: vec!["①".into()],
        map: Vec::new(),
        conversations: super::accounts::timeline_samples(t),
        cases: Vec::new(),
        promises: vec![("①".into(), "①".into())],
        people: Vec::new(),
        owners: owner_choices(t, &[], None),
        rules: rule_choices(t),
    }
    .render()
    .expect("renders");
    vec![("handover", page)]
}
