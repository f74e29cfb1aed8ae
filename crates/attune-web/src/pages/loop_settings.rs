//! `GET/POST /settings/loop`: the closed loop's rules, SLA policies, root causes and digest.

use askama::Template;
use attune_domain::Invalid;
use attune_domain::closed_loop::rules::{Cmp, Condition, Priority, RuleDefinition, RuleInput};
use attune_domain::closed_loop::sla::{SlaPolicy, SlaPolicyInput};
use attune_domain::metrics::NpsBand;
use attune_storage::model::{LoopSettings, Rule};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::page_form::PageForm;
use super::{names, problems, render};
use crate::auth::PageUser;
use crate::i18n::{Msg, Tr};
use crate::{ApiError, AppState};
use fluent_bundle::FluentValue;

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
    t: Tr,
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
    /// The new rule's priorities: value and label.
    priorities: Vec<(&'static str, String)>,
}

/// A list of names as a rule shows it.
fn list(items: &[String], sep: &str) -> FluentValue<'static> {
    items.join(sep).into()
}

/// One condition of a rule, in words.
fn describe(t: &Tr, c: &Condition) -> String {
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
        Condition::Band { band } => t.args(
            Msg::SettingsCondBand,
            [("band", names::band(t, *band).into())],
        ),
        Condition::Survey { any } => t.args(Msg::SettingsCondSurvey, [("list", list(any, ", "))]),
        Condition::Channel { any } => {
            let channels: Vec<String> = any.iter().map(|c| names::channel(t, *c)).collect();
            t.args(Msg::SettingsCondChannel, [("list", list(&channels, ", "))])
        }
        Condition::Language { any } => {
            t.args(Msg::SettingsCondLanguage, [("list", list(any, ", "))])
        }
        Condition::Account { attribute, any } => t.args(
            Msg::SettingsCondAccount,
            [
                ("attribute", attribute.clone().into()),
                ("list", list(any, ", ")),
            ],
        ),
        Condition::Comment { any } => {
            t.args(Msg::SettingsCondComment, [("list", list(any, " / "))])
        }
    }
}

/// A rule as the table shows it.
fn rule_row(t: &Tr, r: &Rule) -> RuleRow {
    let a = &r.definition.actions;
    let mut actions = Vec::new();
    if a.open_case {
        actions.push(t.args(
            Msg::SettingsActionOpen,
            [("priority", names::priority(t, a.priority).into())],
        ));
    }
    if !a.notify_emails.is_empty() {
        actions.push(t.args(
            Msg::SettingsActionEmail,
            [("list", list(&a.notify_emails, ", "))],
        ));
    }
    if a.notify_webhooks {
        actions.push(t.get(Msg::SettingsActionWebhooks));
    }
    let conditions = r
        .definition
        .conditions
        .iter()
        .map(|c| describe(t, c))
        .reduce(|left, right| {
            t.args(
                Msg::SettingsCondAnd,
                [("left", left.into()), ("right", right.into())],
            )
        })
        .unwrap_or_else(|| t.get(Msg::SettingsEveryResponse));
    RuleRow {
        id: r.id.clone(),
        name: r.definition.name.clone(),
        enabled: r.definition.enabled,
        conditions,
        actions: actions.join(", "),
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
        t: user.tr.clone(),
        user_email: user.email.clone(),
        csrf: user.csrf_token.clone(),
        rules: rules.iter().map(|r| rule_row(&user.tr, r)).collect(),
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
        priorities: Priority::ALL
            .into_iter()
            .map(|p| (p.as_str(), names::priority(&user.tr, p)))
            .collect(),
    })
}

/// `GET /settings/loop`
pub(crate) async fn settings(State(state): State<AppState>, user: PageUser) -> Response {
    settings_page(&state, user, None).await
}

/// The settings forms.
#[derive(Debug, Deserialize)]
pub(crate) struct SettingsForm {
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

fn hours_to_minutes(t: &Tr, field: &str, raw: Option<&str>) -> Result<u32, Invalid> {
    raw.unwrap_or("")
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && *h > 0.0 && *h <= 366.0 * 24.0)
        .map(|h| (h * 60.0).round() as u32)
        .ok_or_else(|| Invalid::one(field, t.get(Msg::SettingsNeedHours)))
}

/// A rule with one condition, from the settings form.
async fn add_rule(
    state: &AppState,
    t: &Tr,
    org: &str,
    now: i64,
    f: SettingsForm,
) -> Result<(), ApiError> {
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
            band: NpsBand::parse(value.trim())
                .ok_or_else(|| ApiError::field("value", t.get(Msg::SettingsNeedBand)))?,
        },
        Some(q @ ("csat_lte" | "ces_lte" | "nps_lte")) => Condition::Score {
            qtype: Some(q.trim_end_matches("_lte").to_owned()),
            question: None,
            op: Cmp::Lte,
            value: value
                .trim()
                .parse()
                .map_err(|_| ApiError::field("value", t.get(Msg::SettingsNeedWholeNumber)))?,
        },
        _ => return Err(ApiError::field("kind", t.get(Msg::SettingsNeedKind))),
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
    Ok(())
}

/// Changes an SLA policy's deadlines (admins only).
async fn policy(
    state: &AppState,
    t: &Tr,
    org: &str,
    now: i64,
    f: SettingsForm,
) -> Result<(), ApiError> {
    let id = f.policy_id.unwrap_or_default();
    let current = state
        .store
        .list_sla_policies(org)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(ApiError::NotFound)?;
    let mut p = attune_domain::error::Problems::default();
    let first = p.take(hours_to_minutes(t, "first_hours", f.first_hours.as_deref()));
    let resolution = p.take(hours_to_minutes(
        t,
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
    Ok(())
}

/// The daily digest's recipients and hour (admins only).
async fn digest(state: &AppState, t: &Tr, org: &str, f: SettingsForm) -> Result<(), ApiError> {
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
        .ok_or_else(|| ApiError::field("digest_hour", t.get(Msg::SettingsNeedHour)))?;
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
    Ok(())
}

/// How old a response may be and still open a case (admins only).
async fn window(state: &AppState, t: &Tr, org: &str, f: SettingsForm) -> Result<(), ApiError> {
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
                t.args(Msg::SettingsNeedWindow, [("max", max.into())]),
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
    Ok(())
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
            add_rule(state, &user.tr, org, now, f).await?;
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
            policy(state, &user.tr, org, now, f).await?;
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
                    user.tr.get(Msg::SettingsNeedRootCause),
                ));
            }
            state.store.set_root_causes(org, &names).await?;
        }
        "digest" => {
            need_admin()?;
            digest(state, &user.tr, org, f).await?;
        }
        "window" => {
            need_admin()?;
            window(state, &user.tr, org, f).await?;
        }
        _ => return Err(ApiError::BadRequest("unknown action".into())),
    }
    Ok(())
}

/// `POST /settings/loop`
pub(crate) async fn save_settings(
    State(state): State<AppState>,
    PageForm { user, fields }: PageForm<SettingsForm>,
) -> Response {
    let f = match fields {
        Ok(f) => f,
        Err(ApiError::Invalid(fields)) => {
            return settings_page(&state, user, Some(problems(&Invalid(fields)))).await;
        }
        Err(e) => return crate::nul::page_refusal(&e, &user.tr),
    };
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

/// The settings with rules of every kind, for the catalogue test.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    use askama::Template;
    use attune_domain::closed_loop::rules::Actions;
    use attune_domain::response::Channel;
    let data = || vec!["①".to_owned(), "②".to_owned()];
    let rule = |conditions: Vec<Condition>, enabled: bool| Rule {
        id: "1".into(),
        definition: RuleDefinition {
            name: "①".into(),
            enabled,
            conditions,
            actions: Actions {
                open_case: true,
                priority: Priority::High,
                notify_emails: data(),
                notify_webhooks: true,
                ..Actions::default()
            },
        },
    };
    let every = vec![
        Condition::Score {
            qtype: Some("①".into()),
            question: None,
            op: Cmp::Lte,
            value: 6,
        },
        Condition::Band {
            band: NpsBand::Detractor,
        },
        Condition::Survey { any: data() },
        Condition::Channel {
            any: Channel::ALL.to_vec(),
        },
        Condition::Language { any: data() },
        Condition::Account {
            attribute: "①".into(),
            any: data(),
        },
        Condition::Comment { any: data() },
    ];
    let page = |admin: bool| {
        SettingsPage {
            t: t.clone(),
            user_email: "①".into(),
            csrf: "①".into(),
            rules: [rule(every.clone(), true), rule(Vec::new(), false)]
                .iter()
                .map(|r| rule_row(t, r))
                .collect(),
            policies: vec![PolicyRow {
                id: "1".into(),
                name: "①".into(),
                first_hours: "1".into(),
                resolution_hours: "2".into(),
                business_hours: true,
                is_default: true,
            }],
            root_causes: "①".into(),
            digest_emails: "①".into(),
            digest_hour: 8,
            case_window_days: 30,
            is_admin: admin,
            can_write: admin,
            error: Some("①".into()),
            priorities: Priority::ALL
                .into_iter()
                .map(|p| (p.as_str(), names::priority(t, p)))
                .collect(),
        }
        .render()
        .expect("renders")
    };
    vec![("settings", page(true)), ("settings, viewer", page(false))]
}
