//! Closed-loop pages: my queue, a case with its timeline and actions, loop metrics, and the
//! rules and SLA settings.

use askama::Template;
use attune_domain::Invalid;
use attune_domain::closed_loop::case::{CasePatch, CasePatchInput, CaseState, MAX_TEXT};
use attune_domain::closed_loop::rules::{Cmp, Condition, Priority, RuleDefinition, RuleInput};
use attune_domain::closed_loop::sla::{SlaPolicy, SlaPolicyInput};
use attune_domain::metrics::NpsBand;
use attune_domain::period::DAY_MS;
use attune_domain::text::parse_text;
use attune_storage::model::{Case, CaseQuery, LoopSettings};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;

use super::{problems, render};
use crate::auth::{PageUser, constant_time_eq};
use crate::extract::{Form, Query};
use crate::routes::cases::metrics::{LoopParams, loop_metrics_json};
use crate::{ApiError, AppState};

use super::minute as when;

fn check_csrf(user: &PageUser, sent: &str) -> Result<(), ApiError> {
    if constant_time_eq(user.csrf_token.as_bytes(), sent.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "the form's CSRF token does not match your session".into(),
        ))
    }
}

/// One row of the queue.
pub(crate) struct CaseRow {
    id: String,
    title: String,
    state: String,
    priority: String,
    owner: String,
    due: String,
    overdue: bool,
    breached: bool,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct QueuePage {
    lang: &'static str,
    dir: &'static str,
    user_email: String,
    csrf: String,
    mine: bool,
    rows: Vec<CaseRow>,
}

/// Queue filter.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueueParams {
    all: Option<String>,
}

fn is_overdue(c: &Case, now: i64) -> bool {
    CaseState::parse(&c.state).is_ok_and(CaseState::is_active)
        && c.paused_at.is_none()
        && ((c.first_responded_at.is_none() && now >= c.first_response_due_at)
            || now >= c.resolution_due_at)
}

/// The next deadline that matters for a case.
fn next_due(c: &Case) -> i64 {
    if c.first_responded_at.is_none() {
        c.first_response_due_at
    } else {
        c.resolution_due_at
    }
}

/// `GET /cases`: active cases by deadline, overdue first; mine unless `?all=1`.
pub(crate) async fn queue(
    State(state): State<AppState>,
    user: PageUser,
    Query(params): Query<QueueParams>,
) -> Response {
    let mine = params.all.is_none();
    let q = CaseQuery {
        active: true,
        owner: if mine {
            user.actor.user_id.clone()
        } else {
            None
        },
        limit: 500,
        ..Default::default()
    };
    let (cases, users) = match (
        state.store.cases(&user.actor.org_id, &q).await,
        state.store.list_users(&user.actor.org_id).await,
    ) {
        (Ok(c), Ok(u)) => (c, u),
        (Err(e), _) | (_, Err(e)) => return ApiError::from(e).into_response(),
    };
    let now = state.now_ms();
    let email_of = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| users.iter().find(|u| &u.id == id))
            .map_or_else(|| "unassigned".to_owned(), |u| u.email.clone())
    };
    let mut rows: Vec<(bool, i64, CaseRow)> = cases
        .iter()
        .map(|c| {
            let overdue = is_overdue(c, now);
            (
                !overdue,
                next_due(c),
                CaseRow {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    state: c.state.replace('_', " "),
                    priority: c.priority.clone(),
                    owner: email_of(&c.owner),
                    due: when(next_due(c)),
                    overdue,
                    breached: c.breached,
                },
            )
        })
        .collect();
    rows.sort_by_key(|r| (r.0, r.1));
    render(&QueuePage {
        lang: "en",
        dir: "ltr",
        user_email: user.email,
        csrf: user.csrf_token,
        mine,
        rows: rows.into_iter().map(|(_, _, r)| r).collect(),
    })
}

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
    lang: &'static str,
    dir: &'static str,
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
    customer: Option<String>,
    account: Option<String>,
    next_states: Vec<Choice>,
    root_causes: Vec<Choice>,
    users: Vec<Choice>,
    events: Vec<EventRow>,
    error: Option<String>,
    can_write: bool,
}

async fn case_page(state: &AppState, user: PageUser, id: &str, error: Option<String>) -> Response {
    let org = user.actor.org_id.clone();
    let c = match state.store.case(&org, id).await {
        Ok(c) => c,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let loaded = async {
        let events = state.store.case_events(&org, id).await?;
        let users = state.store.list_users(&org).await?;
        let causes = state.store.root_causes(&org).await?;
        let response = match &c.response_id {
            Some(r) => Some(state.store.response(&org, r).await?),
            None => None,
        };
        let contact = match &c.contact_id {
            Some(k) => Some(state.store.contact(&org, k).await?),
            None => None,
        };
        let account = match &c.account_id {
            Some(a) => Some(state.store.account(&org, a).await?),
            None => None,
        };
        Ok::<_, attune_storage::StoreError>((events, users, causes, response, contact, account))
    }
    .await;
    let (events, users, causes, response, contact, account) = match loaded {
        Ok(x) => x,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let email_of = |id: Option<&str>| {
        id.and_then(|id| users.iter().find(|u| u.id == id))
            .map_or_else(|| id.unwrap_or("system").to_owned(), |u| u.email.clone())
    };
    let current = CaseState::parse(&c.state).unwrap_or(CaseState::Open);
    let next_states = CaseState::ALL
        .into_iter()
        .filter(|s| *s == current || current.can_move_to(*s))
        .map(|s| Choice {
            value: s.as_str().into(),
            label: s.as_str().replace('_', " "),
            selected: s == current,
        })
        .collect();
    let root_causes = causes
        .iter()
        .map(|r| Choice {
            value: r.clone(),
            label: r.clone(),
            selected: c.root_cause.as_ref() == Some(r),
        })
        .collect();
    let user_choices = users
        .iter()
        .map(|u| Choice {
            value: u.id.clone(),
            label: u.email.clone(),
            selected: c.owner.as_ref() == Some(&u.id),
        })
        .collect();
    let scores = response
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
    let detail = |e: &Value| -> String {
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
                        other => other.to_string(),
                    };
                    format!("{k}: {v}")
                })
                .collect::<Vec<_>>()
                .join(" · "),
            _ => String::new(),
        }
    };
    let now = state.now_ms();
    let page = CasePage {
        lang: "en",
        dir: "ltr",
        user_email: user.email.clone(),
        csrf: user.csrf_token.clone(),
        id: c.id.clone(),
        title: c.title.clone(),
        state: c.state.replace('_', " "),
        priority: c.priority.clone(),
        owner: email_of(c.owner.as_deref()),
        opened: when(c.opened_at),
        first_due: when(c.first_response_due_at),
        resolution_due: when(c.resolution_due_at),
        overdue: is_overdue(&c, now),
        breached: c.breached,
        paused: c.paused_at.is_some(),
        root_cause: c.root_cause.clone().unwrap_or_default(),
        resolution: c.resolution.clone().unwrap_or_default(),
        comment: response.as_ref().and_then(|r| r.comment.clone()),
        scores,
        customer: contact.map(|k| match (k.name, k.email) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (n, e) => n.or(e).unwrap_or_default(),
        }),
        account: account.map(|a| a.name),
        next_states,
        root_causes,
        users: user_choices,
        events: events
            .iter()
            .map(|e| EventRow {
                at: when(e.at),
                who: email_of(e.actor.as_deref()),
                kind: e.kind.replace('_', " "),
                detail: detail(&e.detail),
            })
            .collect(),
        error,
        can_write: user.actor.role.can_write(),
    };
    render(&page)
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
    csrf: String,
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
    user: PageUser,
    Path(id): Path<String>,
    form: Result<Form<CaseForm>, ApiError>,
) -> Response {
    let f = match form {
        Ok(Form(f)) => f,
        Err(ApiError::Invalid(fields)) => {
            return case_page(&state, user, &id, Some(problems(&Invalid(fields)))).await;
        }
        Err(e) => return crate::nul::page_refusal(&e),
    };
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return e.into_response();
    }
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
                state: nonempty(f.state).filter(|s| *s != case.state),
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

pub(crate) struct Bar {
    label: String,
    count: u64,
    width: u32,
    cumulative: String,
}

#[derive(Template)]
#[template(path = "loop.html")]
struct LoopPage {
    lang: &'static str,
    dir: &'static str,
    user_email: String,
    csrf: String,
    from: String,
    to: String,
    cases: u64,
    within: String,
    median_first: String,
    median_resolution: String,
    recurrence: String,
    recovery: String,
    causes: Vec<Bar>,
    by_owner: Vec<(String, u64)>,
    by_team: Vec<(String, u64)>,
    error: Option<String>,
}

fn share(v: &Value) -> String {
    match v["share"].as_f64() {
        Some(s) => format!("{:.0}% ({} of {})", s * 100.0, v["count"], v["of"]),
        None => "no data".into(),
    }
}

fn duration(v: &Value) -> String {
    match v.as_i64() {
        Some(ms) if ms >= DAY_MS => format!("{:.1} days", ms as f64 / DAY_MS as f64),
        Some(ms) => format!("{:.1} hours", ms as f64 / 3_600_000.0),
        None => "no data".into(),
    }
}

fn pairs(v: &Value) -> Vec<(String, u64)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| Some((p[0].as_str()?.to_owned(), p[1].as_u64()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// `GET /loop`: loop metrics for a period (default the last 30 days).
pub(crate) async fn metrics(
    State(state): State<AppState>,
    user: PageUser,
    Query(params): Query<LoopParams>,
) -> Response {
    let mut page = LoopPage {
        lang: "en",
        dir: "ltr",
        user_email: user.email.clone(),
        csrf: user.csrf_token.clone(),
        from: params.from.clone().unwrap_or_default(),
        to: params.to.clone().unwrap_or_default(),
        cases: 0,
        within: String::new(),
        median_first: String::new(),
        median_resolution: String::new(),
        recurrence: String::new(),
        recovery: String::new(),
        causes: Vec::new(),
        by_owner: Vec::new(),
        by_team: Vec::new(),
        error: None,
    };
    let m = match loop_metrics_json(&state, &user.actor.org_id, &params).await {
        Ok(m) => m,
        Err(ApiError::Invalid(f)) => {
            page.error = Some(problems(&Invalid(f)));
            return render(&page);
        }
        Err(e) => return e.into_response(),
    };
    page.from = m["from"].as_str().unwrap_or("").chars().take(10).collect();
    page.to = m["to"].as_str().unwrap_or("").chars().take(10).collect();
    page.cases = m["cases"].as_u64().unwrap_or(0);
    page.within = share(&m["first_response_within_deadline"]);
    page.median_first = duration(&m["median_first_response_ms"]);
    page.median_resolution = duration(&m["median_resolution_ms"]);
    page.recurrence = share(&m["recurrence"]);
    page.recovery = share(&m["recovery"]);
    let causes = m["root_causes"].as_array().cloned().unwrap_or_default();
    let top = causes
        .first()
        .and_then(|c| c["count"].as_u64())
        .unwrap_or(1)
        .max(1);
    page.causes = causes
        .iter()
        .map(|c| {
            let count = c["count"].as_u64().unwrap_or(0);
            Bar {
                label: c["root_cause"].as_str().unwrap_or("").to_owned(),
                count,
                width: u32::try_from(count * 300 / top).unwrap_or(300),
                cumulative: format!(
                    "{:.0}%",
                    c["cumulative_share"].as_f64().unwrap_or(0.0) * 100.0
                ),
            }
        })
        .collect();
    page.by_owner = pairs(&m["breaches_by_owner"]);
    page.by_team = pairs(&m["breaches_by_team"]);
    render(&page)
}

pub(crate) struct RuleRow {
    id: String,
    name: String,
    enabled: bool,
    conditions: String,
    actions: String,
}

pub(crate) struct PolicyRow {
    id: String,
    name: String,
    first_hours: String,
    resolution_hours: String,
    business_hours: bool,
    is_default: bool,
}

#[derive(Template)]
#[template(path = "loop_settings.html")]
struct SettingsPage {
    lang: &'static str,
    dir: &'static str,
    user_email: String,
    csrf: String,
    rules: Vec<RuleRow>,
    policies: Vec<PolicyRow>,
    root_causes: String,
    digest_emails: String,
    digest_hour: i64,
    case_window_days: i64,
    is_admin: bool,
    can_write: bool,
    error: Option<String>,
}

fn describe(c: &Condition) -> String {
    match c {
        Condition::Score {
            qtype,
            question,
            op,
            value,
        } => {
            let what = question
                .clone()
                .or_else(|| qtype.clone())
                .unwrap_or_default();
            let op = match op {
                Cmp::Lte => "≤",
                Cmp::Gte => "≥",
                Cmp::Eq => "=",
            };
            format!("{what} {op} {value}")
        }
        Condition::Band { band } => format!("NPS {}", band.as_str()),
        Condition::Survey { any } => format!("survey in {}", any.join(", ")),
        Condition::Channel { any } => format!(
            "channel in {}",
            any.iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Condition::Language { any } => format!("language in {}", any.join(", ")),
        Condition::Account { attribute, any } => {
            format!("account {attribute} in {}", any.join(", "))
        }
        Condition::Comment { any } => format!("comment mentions {}", any.join(" / ")),
    }
}

async fn settings_page(state: &AppState, user: PageUser, error: Option<String>) -> Response {
    let org = user.actor.org_id.clone();
    let loaded = async {
        Ok::<_, attune_storage::StoreError>((
            state.store.list_rules(&org).await?,
            state.store.list_sla_policies(&org).await?,
            state.store.root_causes(&org).await?,
            state.store.loop_settings(&org).await?,
        ))
    }
    .await;
    let (rules, policies, causes, settings) = match loaded {
        Ok(x) => x,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let hours = |m: u32| {
        let h = f64::from(m) / 60.0;
        if h.fract() == 0.0 {
            format!("{h:.0}")
        } else {
            format!("{h:.2}")
        }
    };
    render(&SettingsPage {
        lang: "en",
        dir: "ltr",
        user_email: user.email.clone(),
        csrf: user.csrf_token.clone(),
        rules: rules
            .iter()
            .map(|r| {
                let a = &r.definition.actions;
                let mut actions = Vec::new();
                if a.open_case {
                    actions.push(format!("open a {} case", a.priority.as_str()));
                }
                if !a.notify_emails.is_empty() {
                    actions.push(format!("e-mail {}", a.notify_emails.join(", ")));
                }
                if a.notify_webhooks {
                    actions.push("webhooks".into());
                }
                RuleRow {
                    id: r.id.clone(),
                    name: r.definition.name.clone(),
                    enabled: r.definition.enabled,
                    conditions: if r.definition.conditions.is_empty() {
                        "every response".into()
                    } else {
                        r.definition
                            .conditions
                            .iter()
                            .map(describe)
                            .collect::<Vec<_>>()
                            .join(" and ")
                    },
                    actions: actions.join(", "),
                }
            })
            .collect(),
        policies: policies
            .iter()
            .map(|p| PolicyRow {
                id: p.id.clone(),
                name: p.policy.name.clone(),
                first_hours: hours(p.policy.first_response_minutes),
                resolution_hours: hours(p.policy.resolution_minutes),
                business_hours: p.policy.business_hours.is_some(),
                is_default: p.is_default,
            })
            .collect(),
        root_causes: causes.join("\n"),
        digest_emails: settings.digest_emails.join(", "),
        digest_hour: settings.digest_hour,
        case_window_days: settings.case_window_days,
        is_admin: user.actor.role == attune_domain::org::Role::Admin,
        can_write: user.actor.role.can_write(),
        error,
    })
}

/// `GET /settings/loop`
pub(crate) async fn settings(State(state): State<AppState>, user: PageUser) -> Response {
    settings_page(&state, user, None).await
}

/// The settings forms.
#[derive(Debug, Deserialize)]
pub(crate) struct SettingsForm {
    csrf: String,
    action: String,
    rule_id: Option<String>,
    name: Option<String>,
    kind: Option<String>,
    value: Option<String>,
    priority: Option<String>,
    policy_id: Option<String>,
    first_hours: Option<String>,
    resolution_hours: Option<String>,
    root_causes: Option<String>,
    digest_emails: Option<String>,
    digest_hour: Option<String>,
    case_window_days: Option<String>,
}

fn hours_to_minutes(field: &str, raw: Option<&str>) -> Result<u32, Invalid> {
    raw.unwrap_or("")
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && *h > 0.0 && *h <= 366.0 * 24.0)
        .map(|h| (h * 60.0).round() as u32)
        .ok_or_else(|| Invalid::one(field, "must be a number of hours, e.g. 24 or 0.5"))
}

async fn apply_settings(
    state: &AppState,
    user: &PageUser,
    f: SettingsForm,
) -> Result<(), ApiError> {
    let org = &user.actor.org_id;
    let now = state.now_ms();
    let admin = user.actor.role == attune_domain::org::Role::Admin;
    let need_admin = || {
        if admin {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "only an admin may change this setting".into(),
            ))
        }
    };
    match f.action.as_str() {
        "add_rule" => {
            let value = f.value.unwrap_or_default();
            let condition = match f.kind.as_deref() {
                Some("comment") => Condition::Comment {
                    any: value
                        .split(',')
                        .map(|w| w.trim().to_owned())
                        .filter(|w| !w.is_empty())
                        .collect(),
                },
                Some("band") => Condition::Band {
                    band: NpsBand::parse(value.trim()).ok_or_else(|| {
                        ApiError::field("value", "must be detractor, passive or promoter")
                    })?,
                },
                Some(q @ ("csat_lte" | "ces_lte" | "nps_lte")) => Condition::Score {
                    qtype: Some(q.trim_end_matches("_lte").to_owned()),
                    question: None,
                    op: Cmp::Lte,
                    value: value
                        .trim()
                        .parse()
                        .map_err(|_| ApiError::field("value", "must be a whole number"))?,
                },
                _ => return Err(ApiError::field("kind", "choose a condition")),
            };
            let priority = Priority::parse(f.priority.as_deref().unwrap_or("normal"))?;
            let def = RuleDefinition::parse(RuleInput {
                name: f.name.unwrap_or_default(),
                enabled: true,
                conditions: vec![condition],
                actions: attune_domain::closed_loop::rules::Actions {
                    priority,
                    ..Default::default()
                },
            })?;
            state.store.save_rule(org, None, &def, now).await?;
        }
        "toggle_rule" => {
            let id = f.rule_id.unwrap_or_default();
            let rule = state
                .store
                .list_rules(org)
                .await?
                .into_iter()
                .find(|r| r.id == id)
                .ok_or(ApiError::NotFound)?;
            let mut def = rule.definition;
            def.enabled = !def.enabled;
            state.store.save_rule(org, Some(&id), &def, now).await?;
        }
        "delete_rule" => {
            state
                .store
                .delete_rule(org, &f.rule_id.unwrap_or_default())
                .await?;
        }
        "policy" => {
            need_admin()?;
            let id = f.policy_id.unwrap_or_default();
            let current = state
                .store
                .list_sla_policies(org)
                .await?
                .into_iter()
                .find(|p| p.id == id)
                .ok_or(ApiError::NotFound)?;
            let mut p = attune_domain::error::Problems::default();
            let first = p.take(hours_to_minutes("first_hours", f.first_hours.as_deref()));
            let resolution = p.take(hours_to_minutes(
                "resolution_hours",
                f.resolution_hours.as_deref(),
            ));
            p.finish(())?;
            let policy = SlaPolicy::parse(SlaPolicyInput {
                name: f.name.unwrap_or(current.policy.name.clone()),
                first_response_minutes: first.unwrap_or_default(),
                resolution_minutes: resolution.unwrap_or_default(),
                business_hours: None,
            })?;
            let policy = SlaPolicy {
                business_hours: current.policy.business_hours.clone(),
                ..policy
            };
            state
                .store
                .save_sla_policy(org, Some(&id), &policy, current.is_default, now)
                .await?;
        }
        "root_causes" => {
            need_admin()?;
            let mut names: Vec<String> = Vec::new();
            for line in f.root_causes.unwrap_or_default().lines() {
                let n = line.trim();
                if !n.is_empty() && !names.iter().any(|x| x == n) {
                    names.push(attune_domain::text::parse_name("root_causes", n, 200)?);
                }
            }
            if names.is_empty() {
                return Err(ApiError::field(
                    "root_causes",
                    "give at least one root cause",
                ));
            }
            state.store.set_root_causes(org, &names).await?;
        }
        "digest" => {
            need_admin()?;
            let mut emails = Vec::new();
            for e in f.digest_emails.unwrap_or_default().split([',', '\n']) {
                if !e.trim().is_empty() {
                    emails.push(attune_domain::text::Email::parse(e)?.as_str().to_owned());
                }
            }
            let hour: i64 = f
                .digest_hour
                .unwrap_or_default()
                .trim()
                .parse()
                .ok()
                .filter(|h| (0..=23).contains(h))
                .ok_or_else(|| {
                    ApiError::field("digest_hour", "must be an hour from 0 to 23 (UTC)")
                })?;
            let current = state.store.loop_settings(org).await?;
            state
                .store
                .set_loop_settings(
                    org,
                    &LoopSettings {
                        digest_emails: emails,
                        digest_hour: hour,
                        ..current
                    },
                )
                .await?;
        }
        "window" => {
            need_admin()?;
            let max = LoopSettings::MAX_CASE_WINDOW_DAYS;
            let days: i64 = f
                .case_window_days
                .unwrap_or_default()
                .trim()
                .parse()
                .ok()
                .filter(|d| (0..=max).contains(d))
                .ok_or_else(|| {
                    ApiError::field(
                        "case_window_days",
                        format!("must be a number of days from 0 (any age) to {max}"),
                    )
                })?;
            let current = state.store.loop_settings(org).await?;
            state
                .store
                .set_loop_settings(
                    org,
                    &LoopSettings {
                        case_window_days: days,
                        ..current
                    },
                )
                .await?;
        }
        _ => return Err(ApiError::BadRequest("unknown action".into())),
    }
    Ok(())
}

/// `POST /settings/loop`
pub(crate) async fn save_settings(
    State(state): State<AppState>,
    user: PageUser,
    form: Result<Form<SettingsForm>, ApiError>,
) -> Response {
    let f = match form {
        Ok(Form(f)) => f,
        Err(ApiError::Invalid(fields)) => {
            return settings_page(&state, user, Some(problems(&Invalid(fields)))).await;
        }
        Err(e) => return crate::nul::page_refusal(&e),
    };
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return e.into_response();
    }
    if !user.actor.role.can_write() {
        return ApiError::Forbidden("viewers cannot change settings".into()).into_response();
    }
    match apply_settings(&state, &user, f).await {
        Ok(()) => Redirect::to("/settings/loop").into_response(),
        Err(ApiError::Invalid(fields)) => {
            settings_page(&state, user, Some(problems(&Invalid(fields)))).await
        }
        Err(e) => e.into_response(),
    }
}
