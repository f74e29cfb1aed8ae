//! `GET/POST /cases/{id}`: one case with its timeline and actions.

use askama::Template;
use attune_domain::Invalid;
use attune_domain::closed_loop::case::{CasePatch, CasePatchInput, CaseState, MAX_TEXT};
use attune_domain::text::parse_text;
use attune_storage::StoreError;
use attune_storage::model::{Account, Case, CaseEvent, Contact, StoredResponse, User};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;

use super::minute as when;
use super::page_form::PageForm;
use super::queue::is_overdue;
use super::{names, problems, render};
use crate::auth::PageUser;
use crate::i18n::{Msg, Tr};
use crate::{ApiError, AppState};

pub(crate) struct EventRow {
    at: String,
    who: String,
    kind: String,
    detail: String,
}

pub(crate) struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    t: Tr,
    user_email: String,
    csrf: String,
    id: String,
    title: String,
    state: String,
    priority: String,
    owner: String,
    opened: String,
    first_due: String,
    resolution_due: String,
    overdue: bool,
    breached: bool,
    paused: bool,
    root_cause: String,
    resolution: String,
    comment: Option<String>,
    scores: Vec<(String, i64)>,
    /// The person and their page.
    customer: Option<(String, String)>,
    /// The account and its page.
    account: Option<(String, String)>,
    next_states: Vec<Choice>,
    root_causes: Vec<Choice>,
    users: Vec<Choice>,
    events: Vec<EventRow>,
    error: Option<String>,
    can_write: bool,
}

/// Everything a case page shows, as the store gives it.
struct Loaded {
    case: Case,
    events: Vec<CaseEvent>,
    users: Vec<User>,
    causes: Vec<String>,
    response: Option<StoredResponse>,
    contact: Option<Contact>,
    account: Option<Account>,
}

async fn load(state: &AppState, org: &str, id: &str) -> Result<Loaded, StoreError> {
    let case = state.store.case(org, id).await?;
    let events = state.store.case_events(org, id).await?;
    let users = state.store.list_users(org).await?;
    let causes = state.store.root_causes(org).await?;
    let response = match &case.response_id {
        Some(r) => Some(state.store.response(org, r).await?),
        None => None,
    };
    let contact = match &case.contact_id {
        Some(k) => Some(state.store.contact(org, k).await?),
        None => None,
    };
    let account = match &case.account_id {
        Some(a) => Some(state.store.account(org, a).await?),
        None => None,
    };
    Ok(Loaded {
        case,
        events,
        users,
        causes,
        response,
        contact,
        account,
    })
}

/// The name of a timeline detail, in words (an unknown one as stored).
fn detail_name(t: &Tr, key: &str) -> String {
    let m = match key {
        "deadline" => Msg::DetailDeadline,
        "due_at" => Msg::DetailDueAt,
        "late_by_ms" => Msg::DetailLateByMs,
        "to" => Msg::DetailTo,
        "from" => Msg::DetailFrom,
        "text" => Msg::DetailText,
        "within_deadline" => Msg::DetailWithinDeadline,
        "paused_ms" => Msg::DetailPausedMs,
        "resolution_due_at" => Msg::DetailResolutionDueAt,
        "first_response_due_at" => Msg::DetailFirstResponseDueAt,
        "rule_id" => Msg::DetailRuleId,
        "rule" => Msg::DetailRule,
        "rules" => Msg::DetailRules,
        "owner" => Msg::DetailOwner,
        "response_id" => Msg::DetailResponseId,
        other => return other.to_owned(),
    };
    t.get(m)
}

/// A timeline entry's detail as one line: `key: value · …` (instants to the minute).
fn detail(t: &Tr, e: &Value) -> String {
    match e {
        Value::Object(m) => m
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) if k.ends_with("_at") => {
                        n.as_i64().map_or_else(|| n.to_string(), when)
                    }
                    Value::Bool(true) => t.get(Msg::DetailTrue),
                    Value::Bool(false) => t.get(Msg::DetailFalse),
                    Value::Array(items) => items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                };
                format!("{}: {v}", detail_name(t, k))
            })
            .collect::<Vec<_>>()
            .join(" · "),
        _ => String::new(),
    }
}

/// The choices of the case form: the states it may move to, root causes, owners.
fn choices(t: &Tr, l: &Loaded) -> (Vec<Choice>, Vec<Choice>, Vec<Choice>) {
    let c = &l.case;
    let current = c.state;
    let next_states = CaseState::ALL
        .into_iter()
        .filter(|s| *s == current || current.can_move_to(*s))
        .map(|s| Choice {
            value: s.as_str().into(),
            label: names::state(t, s),
            selected: s == current,
        })
        .collect();
    let root_causes = l
        .causes
        .iter()
        .map(|r| Choice {
            value: r.clone(),
            label: r.clone(),
            selected: c.root_cause.as_ref() == Some(r),
        })
        .collect();
    let users = l
        .users
        .iter()
        .map(|u| Choice {
            value: u.id.clone(),
            label: u.email.clone(),
            selected: c.owner.as_ref() == Some(&u.id),
        })
        .collect();
    (next_states, root_causes, users)
}

/// The page, from what was loaded.
fn build(user: &PageUser, l: Loaded, now: i64, error: Option<String>) -> CasePage {
    let t = &user.tr;
    let email_of = |id: Option<&str>| {
        id.and_then(|id| l.users.iter().find(|u| u.id == id))
            .map_or_else(
                || id.map_or_else(|| t.get(Msg::CaseSystem), str::to_owned),
                |u| u.email.clone(),
            )
    };
    let (next_states, root_causes, users) = choices(t, &l);
    let scores = l
        .response
        .as_ref()
        .map(|r| {
            r.answers
                .iter()
                .filter_map(|(k, a)| match a {
                    attune_domain::response::Answer::Score(s) => Some((k.clone(), *s)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let c = &l.case;
    CasePage {
        t: t.clone(),
        user_email: user.email.clone(),
        csrf: user.csrf_token.clone(),
        id: c.id.clone(),
        title: c.title.clone(),
        state: names::state(t, c.state),
        priority: names::priority(t, c.priority),
        owner: email_of(c.owner.as_deref()),
        opened: when(c.opened_at),
        first_due: when(c.first_response_due_at),
        resolution_due: when(c.resolution_due_at),
        overdue: is_overdue(c, now),
        breached: c.breached,
        paused: c.paused_at.is_some(),
        root_cause: c.root_cause.clone().unwrap_or_default(),
        resolution: c.resolution.clone().unwrap_or_default(),
        comment: l.response.as_ref().and_then(|r| r.comment.clone()),
        scores,
        customer: l.contact.clone().map(|k| {
            let label = match (k.name, k.email) {
                (Some(n), Some(e)) => format!("{n} <{e}>"),
                (n, e) => n.or(e).unwrap_or_default(),
            };
            (label, format!("/people/{}", k.id))
        }),
        account: l
            .account
            .as_ref()
            .map(|a| (a.name.clone(), format!("/accounts/{}", a.id))),
        next_states,
        root_causes,
        users,
        events: l
            .events
            .iter()
            .map(|e| EventRow {
                at: when(e.at),
                who: email_of(e.actor.as_deref()),
                kind: names::event(t, e.kind),
                detail: detail(t, &e.detail),
            })
            .collect(),
        error,
        can_write: user.actor.role.can_write(),
    }
}

async fn case_page(state: &AppState, user: PageUser, id: &str, error: Option<String>) -> Response {
    match load(state, &user.actor.org_id, id).await {
        Ok(l) => render(&build(&user, l, state.now_ms(), error)),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// `GET /cases/{id}`
pub(crate) async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Response {
    case_page(&state, user, &id, None).await
}

/// A case form: an update or a note.
#[derive(Debug, Deserialize)]
pub(crate) struct CaseForm {
    action: String,
    state: Option<String>,
    owner: Option<String>,
    root_cause: Option<String>,
    resolution: Option<String>,
    resurvey: Option<String>,
    note: Option<String>,
}

/// `POST /cases/{id}`: change the case or add a note; problems are shown on the page.
pub(crate) async fn act(
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageForm { user, fields }: PageForm<CaseForm>,
) -> Response {
    let f = match fields {
        Ok(f) => f,
        Err(ApiError::Invalid(fields)) => {
            return case_page(&state, user, &id, Some(problems(&Invalid(fields)))).await;
        }
        Err(e) => return crate::nul::page_refusal(&e, &user.tr),
    };
    if !user.actor.role.can_write() {
        return ApiError::Forbidden("viewers cannot change cases".into()).into_response();
    }
    let org = user.actor.org_id.clone();
    let actor = user.actor.user_id.clone();
    let now = state.now_ms();
    let nonempty = |o: Option<String>| o.filter(|s| !s.trim().is_empty());
    let result = match f.action.as_str() {
        "note" => match parse_text("note", f.note.as_deref().unwrap_or(""), MAX_TEXT) {
            Ok(text) => state
                .store
                .add_case_note(&org, &id, actor.as_deref().unwrap_or("unknown"), &text, now)
                .await
                .map(|_| ())
                .map_err(ApiError::from),
            Err(e) => Err(e.into()),
        },
        "update" => {
            let case = match state.store.case(&org, &id).await {
                Ok(c) => c,
                Err(e) => return ApiError::from(e).into_response(),
            };
            // Only what changed is sent, so an untouched select does not count as an action.
            let input = CasePatchInput {
                state: nonempty(f.state).filter(|s| s != case.state.as_str()),
                owner: nonempty(f.owner).filter(|o| Some(o) != case.owner.as_ref()),
                priority: None,
                root_cause: nonempty(f.root_cause).filter(|r| Some(r) != case.root_cause.as_ref()),
                resolution: nonempty(f.resolution).filter(|r| Some(r) != case.resolution.as_ref()),
                resurvey: Some(f.resurvey.is_some()),
            };
            match CasePatch::parse(input) {
                Ok(p) => state
                    .store
                    .update_case(&org, &id, actor.as_deref(), &p, now)
                    .await
                    .map(|_| ())
                    .map_err(ApiError::from),
                Err(e) => Err(e.into()),
            }
        }
        _ => Err(ApiError::BadRequest("unknown action".into())),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/cases/{id}")).into_response(),
        Err(ApiError::Invalid(fields)) => {
            case_page(&state, user, &id, Some(problems(&Invalid(fields)))).await
        }
        Err(e) => e.into_response(),
    }
}

/// A case with everything shown, and a bare one, for the catalogue test.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    use askama::Template;
    use attune_domain::closed_loop::rules::Priority;
    use attune_domain::closed_loop::timeline::EventKind;
    let choice = |label: String| Choice {
        value: "1".into(),
        label,
        selected: true,
    };
    let page = |full: bool| {
        CasePage {
            t: t.clone(),
            user_email: "①".into(),
            csrf: "①".into(),
            id: "1".into(),
            title: "①".into(),
            state: names::state(t, CaseState::Waiting),
            priority: names::priority(t, Priority::Urgent),
            owner: t.get(Msg::CaseSystem),
            opened: when(0),
            first_due: when(0),
            resolution_due: when(0),
            overdue: full,
            breached: full,
            paused: full,
            root_cause: if full { "①".into() } else { String::new() },
            resolution: if full { "①".into() } else { String::new() },
            comment: full.then(|| "①".into()),
            scores: vec![("①".into(), 3)],
            customer: full.then(|| ("①".into(), "/".into())),
            account: full.then(|| ("①".into(), "/".into())),
            next_states: CaseState::ALL
                .into_iter()
                .map(|s| choice(names::state(t, s)))
                .collect(),
            root_causes: vec![choice("①".into())],
            users: vec![choice("①".into())],
            events: EventKind::ALL
                .into_iter()
                .map(|k| EventRow {
                    at: when(0),
                    who: t.get(Msg::CaseSystem),
                    kind: names::event(t, k),
                    detail: detail(
                        t,
                        &serde_json::json!({
                            "deadline": "①", "due_at": 0, "late_by_ms": 1, "to": "①",
                            "from": "①", "text": "①", "within_deadline": true,
                            "paused_ms": 1, "resolution_due_at": 0,
                            "first_response_due_at": 0, "rule_id": "①", "rule": "①",
                            "owner": "①", "response_id": false,
                        }),
                    ),
                })
                .collect(),
            error: Some("①".into()),
            can_write: full,
        }
        .render()
        .expect("renders")
    };
    vec![("case", page(true)), ("bare case", page(false))]
}
