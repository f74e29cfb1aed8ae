//! Closed-loop settings: alert rules, SLA policies, teams, the root-cause taxonomy, digest
//! recipients, the resolution message templates and outbound webhooks.

use attune_domain::closed_loop::rules::{RuleDefinition, RuleInput};
use attune_domain::closed_loop::sla::{SlaPolicy, SlaPolicyInput};
use attune_domain::closed_loop::template::{Template, default_resolution_template};
use attune_domain::error::Problems;
use attune_domain::text::{Email, LanguageTag, parse_name};
use attune_storage::model::LoopSettings;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

/// `GET /api/v1/rules`
pub(crate) async fn list_rules(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Value>, ApiError> {
    let rules = state.store.list_rules(caller.org()).await?;
    Ok(axum::Json(json!({"items": rules})))
}

/// `POST /api/v1/rules`
pub(crate) async fn create_rule(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<RuleInput>,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    let actor = caller.writer()?;
    let def = RuleDefinition::parse(input)?;
    let rule = state
        .store
        .save_rule(&actor.org_id, None, &def, state.now_ms())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(json!(rule))))
}

/// `PUT /api/v1/rules/{id}`
pub(crate) async fn replace_rule(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<RuleInput>,
) -> Result<axum::Json<Value>, ApiError> {
    let actor = caller.writer()?;
    let def = RuleDefinition::parse(input)?;
    let rule = state
        .store
        .save_rule(&actor.org_id, Some(&id), &def, state.now_ms())
        .await?;
    Ok(axum::Json(json!(rule)))
}

/// `DELETE /api/v1/rules/{id}`
pub(crate) async fn delete_rule(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = caller.writer()?;
    state.store.delete_rule(&actor.org_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An SLA policy with its default flag.
#[derive(Debug, Deserialize)]
pub(crate) struct PolicyBody {
    #[serde(flatten)]
    policy: SlaPolicyInput,
    #[serde(default)]
    is_default: bool,
}

/// `GET /api/v1/sla-policies`
pub(crate) async fn list_policies(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Value>, ApiError> {
    let p = state.store.list_sla_policies(caller.org()).await?;
    Ok(axum::Json(json!({"items": p})))
}

/// `POST /api/v1/sla-policies`
pub(crate) async fn create_policy(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(body): Json<PolicyBody>,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    let actor = caller.admin()?;
    let policy = SlaPolicy::parse(body.policy)?;
    let row = state
        .store
        .save_sla_policy(
            &actor.org_id,
            None,
            &policy,
            body.is_default,
            state.now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(json!(row))))
}

/// `PUT /api/v1/sla-policies/{id}`: new cases use the new targets; open ones keep theirs.
pub(crate) async fn replace_policy(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(body): Json<PolicyBody>,
) -> Result<axum::Json<Value>, ApiError> {
    let actor = caller.admin()?;
    let policy = SlaPolicy::parse(body.policy)?;
    let row = state
        .store
        .save_sla_policy(
            &actor.org_id,
            Some(&id),
            &policy,
            body.is_default,
            state.now_ms(),
        )
        .await?;
    Ok(axum::Json(json!(row)))
}

/// A team as received: members and lead by user id or e-mail.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TeamInput {
    name: String,
    lead: Option<String>,
    #[serde(default)]
    members: Vec<String>,
}

/// `GET /api/v1/teams`
pub(crate) async fn list_teams(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Value>, ApiError> {
    let t = state.store.list_teams(caller.org()).await?;
    Ok(axum::Json(json!({"items": t})))
}

/// `POST /api/v1/teams`
pub(crate) async fn create_team(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<TeamInput>,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    let actor = caller.admin()?;
    let name = parse_name("name", &input.name, 200)?;
    let lead = match &input.lead {
        Some(l) => Some(super::cases::owner_id(&state, &actor.org_id, l).await?),
        None => None,
    };
    let mut members = Vec::new();
    for m in &input.members {
        let id = super::cases::owner_id(&state, &actor.org_id, m).await?;
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
    Ok((StatusCode::CREATED, axum::Json(json!(team))))
}

/// `GET /api/v1/root-causes`
pub(crate) async fn root_causes(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Value>, ApiError> {
    let r = state.store.root_causes(caller.org()).await?;
    Ok(axum::Json(json!({"items": r})))
}

/// Body replacing the taxonomy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RootCausesInput {
    items: Vec<String>,
}

/// `PUT /api/v1/root-causes`
pub(crate) async fn set_root_causes(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<RootCausesInput>,
) -> Result<axum::Json<Value>, ApiError> {
    let actor = caller.admin()?;
    let mut p = Problems::default();
    let mut names = Vec::new();
    if input.items.is_empty() || input.items.len() > 200 {
        p.push("items", "give from 1 to 200 root causes");
    }
    for (i, n) in input.items.iter().enumerate() {
        if let Some(n) = p.take(parse_name(&format!("items[{i}]"), n, 200))
            && !names.contains(&n)
        {
            names.push(n);
        }
    }
    p.finish(())?;
    state.store.set_root_causes(&actor.org_id, &names).await?;
    Ok(axum::Json(
        json!({"items": state.store.root_causes(&actor.org_id).await?}),
    ))
}

/// `GET /api/v1/loop/settings`
pub(crate) async fn settings(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Value>, ApiError> {
    Ok(axum::Json(json!(
        state.store.loop_settings(caller.org()).await?
    )))
}

/// Loop settings as received (`case_window_days` may be left out: it keeps its value).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SettingsInput {
    digest_emails: Vec<String>,
    digest_hour: i64,
    case_window_days: Option<i64>,
}

/// `PUT /api/v1/loop/settings`
pub(crate) async fn set_settings(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<SettingsInput>,
) -> Result<axum::Json<Value>, ApiError> {
    let actor = caller.admin()?;
    let mut p = Problems::default();
    let mut emails = Vec::new();
    for (i, e) in input.digest_emails.iter().enumerate() {
        match Email::parse(e) {
            Ok(e) => emails.push(e.as_str().to_owned()),
            Err(_) => p.push(format!("digest_emails[{i}]"), "must be an e-mail address"),
        }
    }
    if !(0..=23).contains(&input.digest_hour) {
        p.push("digest_hour", "must be an hour from 0 to 23 (UTC)");
    }
    let window = match input.case_window_days {
        Some(w) => w,
        None => {
            state
                .store
                .loop_settings(&actor.org_id)
                .await?
                .case_window_days
        }
    };
    if !(0..=LoopSettings::MAX_CASE_WINDOW_DAYS).contains(&window) {
        p.push(
            "case_window_days",
            format!(
                "must be a number of days from 0 (any age) to {}",
                LoopSettings::MAX_CASE_WINDOW_DAYS
            ),
        );
    }
    p.finish(())?;
    let s = LoopSettings {
        digest_emails: emails,
        digest_hour: input.digest_hour,
        case_window_days: window,
    };
    state.store.set_loop_settings(&actor.org_id, &s).await?;
    Ok(axum::Json(json!(s)))
}

/// `GET /api/v1/templates/resolution/{lang}`: the organisation's template, else the built-in.
pub(crate) async fn template(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(lang): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    let lang = LanguageTag::parse(&lang)?.primary().to_owned();
    let (t, custom) = match state
        .store
        .template(caller.org(), "resolution", &lang)
        .await?
    {
        Some(t) => (t, true),
        None => (default_resolution_template(&lang), false),
    };
    Ok(axum::Json(
        json!({"language": lang, "subject": t.subject, "body": t.body, "custom": custom}),
    ))
}

/// A template as received.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateInput {
    subject: String,
    body: String,
}

/// `PUT /api/v1/templates/resolution/{lang}`
pub(crate) async fn set_template(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(lang): Path<String>,
    Json(input): Json<TemplateInput>,
) -> Result<axum::Json<Value>, ApiError> {
    let actor = caller.admin()?;
    let lang = LanguageTag::parse(&lang)?.primary().to_owned();
    let t = Template::parse(&input.subject, &input.body)?;
    state
        .store
        .set_template(&actor.org_id, "resolution", &lang, &t)
        .await?;
    Ok(axum::Json(
        json!({"language": lang, "subject": t.subject, "body": t.body, "custom": true}),
    ))
}

/// Events a webhook can subscribe to.
pub const WEBHOOK_EVENTS: [&str; 7] = [
    "response.created",
    "case.opened",
    "case.escalated",
    "case.resolved",
    "case.reopened",
    "rule.matched",
    "digest.daily",
];

/// A webhook as received.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookInput {
    url: String,
    events: Vec<String>,
}

/// `GET /api/v1/webhooks`
pub(crate) async fn list_webhooks(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Value>, ApiError> {
    let actor = caller.admin()?;
    Ok(axum::Json(
        json!({"items": state.store.list_webhooks(&actor.org_id).await?}),
    ))
}

/// `POST /api/v1/webhooks`: the signing secret is in this answer only.
pub(crate) async fn create_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<WebhookInput>,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    let actor = caller.admin()?;
    let mut p = Problems::default();
    let url = input.url.trim();
    // Parsed as the delivering client parses it, and checked for internal targets without DNS;
    // the worker checks the resolved and connected addresses again at delivery.
    // The URL is stored as the parser writes it, so the list shows what will be called.
    let url = match attune_domain::net::outgoing_url(url, state.config.webhook_allow_internal) {
        Ok(parsed) => String::from(parsed),
        Err(refusal) => {
            p.push("url", refusal.to_string());
            String::new()
        }
    };
    if input.events.is_empty() {
        p.push(
            "events",
            format!("name at least one of: {}", WEBHOOK_EVENTS.join(", ")),
        );
    }
    for (i, e) in input.events.iter().enumerate() {
        if e != "*" && !WEBHOOK_EVENTS.contains(&e.as_str()) {
            p.push(
                format!("events[{i}]"),
                format!(
                    "unknown event; use one of {} or *",
                    WEBHOOK_EVENTS.join(", ")
                ),
            );
        }
    }
    p.finish(())?;
    let secret = format!("whsec_{}", crate::auth::random_token(24));
    let hook = state
        .store
        .create_webhook(
            &actor.org_id,
            &url,
            &state.config.sealer.seal(
                &attune_seal::purpose::webhook_secret(&actor.org_id),
                &secret,
            ),
            &input.events,
            state.now_ms(),
        )
        .await?;
    let mut v = json!(hook);
    v["secret"] = json!(secret);
    Ok((StatusCode::CREATED, axum::Json(v)))
}

/// `DELETE /api/v1/webhooks/{id}`
pub(crate) async fn delete_webhook(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = caller.admin()?;
    state.store.delete_webhook(&actor.org_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/webhooks/{id}/deliveries`
pub(crate) async fn deliveries(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    let actor = caller.admin()?;
    state.store.webhook_target(&actor.org_id, &id).await?;
    let d = state.store.deliveries(&actor.org_id, &id, 100).await?;
    Ok(axum::Json(json!({"items": d})))
}
