//! The outbox: webhook events become `webhook` jobs in the transaction that caused them, one
//! per active webhook subscribed to the event.

use attune_domain::jobs::{BackgroundJob, NewJob, WebhookCall};
use serde_json::json;
use sqlx::{AnyConnection, Row};

use super::super::jobs::enqueue;
use super::super::{Dialect, new_id};
use crate::error::{Context, StoreResult};
use crate::model::Case;

/// Active webhooks of an organisation: (id, events).
pub(super) type Hooks = Vec<(String, Vec<String>)>;

/// Active webhooks of an organisation.
pub(super) async fn hooks_of(conn: &mut AnyConnection, org_id: &str) -> StoreResult<Hooks> {
    let rows = sqlx::query("SELECT id, events FROM webhooks WHERE org_id = $1 AND active = 1")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await
        .context("reading webhooks")?;
    rows.iter()
        .map(|r| {
            let events: String = r.try_get("events").context("reading webhook")?;
            Ok((
                r.try_get("id").context("reading webhook")?,
                serde_json::from_str(&events).context("decoding webhook events")?,
            ))
        })
        .collect()
}

/// One webhook job per active webhook that subscribed to `event`.
pub(super) fn event_jobs(
    hooks: &[(String, Vec<String>)],
    org_id: &str,
    event: &str,
    data: &serde_json::Value,
    now_ms: i64,
) -> Vec<NewJob> {
    let event_id = new_id();
    hooks
        .iter()
        .filter(|(_, events)| events.iter().any(|e| e == event || e == "*"))
        .map(|(id, _)| {
            WebhookCall {
                webhook_id: id.clone(),
                event: event.to_owned(),
                event_id: event_id.clone(),
                body: json!({"id": event_id, "event": event, "created_at": now_ms, "data": data}),
            }
            .into_new(Some(org_id), now_ms)
        })
        .collect()
}

/// Sends an event to the organisation's webhooks (as jobs, in the caller's transaction).
pub(crate) async fn emit(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    event: &str,
    data: serde_json::Value,
    now_ms: i64,
) -> StoreResult<()> {
    let hooks = hooks_of(conn, org_id).await?;
    let jobs = event_jobs(&hooks, org_id, event, &data, now_ms);
    enqueue(conn, dialect, &jobs, now_ms).await
}

/// Payload of a case in events.
pub(super) fn case_payload(c: &Case) -> serde_json::Value {
    serde_json::to_value(c).unwrap_or_default()
}
