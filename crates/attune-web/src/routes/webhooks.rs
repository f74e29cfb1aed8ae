//! Outbound webhooks (admin): list, create (the signing secret is shown once), delete, and
//! the delivery log.

use attune_domain::error::Problems;
use attune_storage::model::{Webhook, WebhookDelivery};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::Items;
use crate::auth::ApiCaller;
use crate::extract::Json;
use crate::{ApiError, AppState};

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
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookInput {
    /// Where events are POSTed: http or https, a public address (no credentials; an address
    /// of this network or the loopback is a 422).
    #[schema(
        max_length = 2000,
        pattern = r"^[Hh][Tt][Tt][Pp][Ss]?://(([A-Za-z0-9_-]+\.)*[A-Za-z][A-Za-z0-9_-]*|(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3})(:([0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?([/?#][!-~]*)?$"
    )]
    url: String,
    /// At least one.
    #[schema(value_type = Vec<WebhookEvent>, min_items = 1)]
    events: Vec<String>,
}

/// An event a webhook can subscribe to (`*`: all).
#[derive(Deserialize, ToSchema)]
pub(crate) enum WebhookEvent {
    #[serde(rename = "response.created")]
    ResponseCreated,
    #[serde(rename = "case.opened")]
    CaseOpened,
    #[serde(rename = "case.escalated")]
    CaseEscalated,
    #[serde(rename = "case.resolved")]
    CaseResolved,
    #[serde(rename = "case.reopened")]
    CaseReopened,
    #[serde(rename = "rule.matched")]
    RuleMatched,
    #[serde(rename = "digest.daily")]
    DigestDaily,
    #[serde(rename = "*")]
    All,
}

/// A webhook as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Webhook)]
pub(crate) struct WebhookBody {
    id: String,
    url: String,
    #[schema(value_type = Vec<WebhookEvent>)]
    events: Vec<String>,
    active: bool,
}

impl From<Webhook> for WebhookBody {
    fn from(w: Webhook) -> Self {
        Self {
            id: w.id,
            url: w.url,
            events: w.events,
            active: w.active,
        }
    }
}

/// A new webhook with its signing secret (shown this once).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WebhookCreated {
    #[serde(flatten)]
    webhook: WebhookBody,
    /// `whsec_…`: deliveries are signed with it.
    secret: String,
}

/// One delivery attempt.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WebhookDelivery)]
pub(crate) struct DeliveryBody {
    id: String,
    webhook_id: String,
    event: String,
    /// The same over retries.
    event_id: String,
    attempt: i64,
    /// The HTTP status, if an answer came.
    status_code: Option<i64>,
    error: Option<String>,
    duration_ms: i64,
    /// Epoch milliseconds.
    at: i64,
}

impl From<WebhookDelivery> for DeliveryBody {
    fn from(d: WebhookDelivery) -> Self {
        Self {
            id: d.id,
            webhook_id: d.webhook_id,
            event: d.event,
            event_id: d.event_id,
            attempt: d.attempt,
            status_code: d.status_code,
            error: d.error,
            duration_ms: d.duration_ms,
            at: d.at,
        }
    }
}

/// `GET /api/v1/webhooks`
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", summary = "Outbound webhooks (admin)",
    responses((status = 200, body = Items<WebhookBody>), (status = 403, description = "not an admin's token")))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Items<WebhookBody>>, ApiError> {
    let actor = caller.admin()?;
    let hooks = state.store.list_webhooks(&actor.org_id).await?;
    Ok(axum::Json(Items {
        items: hooks.into_iter().map(WebhookBody::from).collect(),
    }))
}

/// `POST /api/v1/webhooks`: the signing secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks",
    summary = "Create a webhook; the signing secret is returned once (admin)",
    request_body = WebhookInput,
    responses((status = 201, body = WebhookCreated), (status = 403, description = "not an admin's token")))]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(input): Json<WebhookInput>,
) -> Result<(StatusCode, axum::Json<WebhookCreated>), ApiError> {
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
    Ok((
        StatusCode::CREATED,
        axum::Json(WebhookCreated {
            webhook: WebhookBody::from(hook),
            secret,
        }),
    ))
}

/// `DELETE /api/v1/webhooks/{id}`
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", summary = "Delete a webhook (admin)",
    params(("id" = String, Path, description = "webhook id")),
    responses((status = 204, description = "deleted"), (status = 403, description = "not an admin's token"),
        (status = 404, description = "no such webhook")))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = caller.admin()?;
    state.store.delete_webhook(&actor.org_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/webhooks/{id}/deliveries`
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    summary = "Delivery log, newest first, the last 100 (admin)",
    params(("id" = String, Path, description = "webhook id")),
    responses((status = 200, body = Items<DeliveryBody>), (status = 403, description = "not an admin's token"),
        (status = 404, description = "no such webhook")))]
pub(crate) async fn deliveries(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<Items<DeliveryBody>>, ApiError> {
    let actor = caller.admin()?;
    state.store.webhook_target(&actor.org_id, &id).await?;
    let d = state.store.deliveries(&actor.org_id, &id, 100).await?;
    Ok(axum::Json(Items {
        items: d.into_iter().map(DeliveryBody::from).collect(),
    }))
}
