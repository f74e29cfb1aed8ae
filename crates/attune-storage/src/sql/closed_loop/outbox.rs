//! The outbox: webhook events become `webhook` jobs in the transaction that caused them, one
//! per active webhook subscribed to the event.

use attune_domain::jobs::{BackgroundJob, NewJob, WebhookCall};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::super::jobs::enqueue;
use super::super::{Dialect, SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{Case, Webhook, WebhookDelivery};
use crate::store::OutboxStore;
use async_trait::async_trait;

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

/// Tables an organisation's webhook rows live in.
fn webhook_of(row: &AnyRow) -> StoreResult<Webhook> {
    let events: String = row.try_get("events").context("reading webhook")?;
    let active: i64 = row.try_get("active").context("reading webhook")?;
    Ok(Webhook {
        id: row.try_get("id").context("reading webhook")?,
        url: row.try_get("url").context("reading webhook")?,
        events: serde_json::from_str(&events).context("decoding webhook events")?,
        active: active != 0,
    })
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn create_webhook(
        &self,
        org_id: &str,
        url: &str,
        secret: &str,
        events: &[String],
        now_ms: i64,
    ) -> StoreResult<Webhook> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO webhooks (id, org_id, url, secret, events, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(url)
        .bind(secret)
        .bind(serde_json::to_string(events).context("encoding events")?)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .context("creating a webhook")?;
        Ok(Webhook {
            id,
            url: url.to_owned(),
            events: events.to_vec(),
            active: true,
        })
    }

    async fn list_webhooks(&self, org_id: &str) -> StoreResult<Vec<Webhook>> {
        let rows = sqlx::query(
            "SELECT id, url, events, active FROM webhooks WHERE org_id = $1 ORDER BY created_at, id",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await
        .context("listing webhooks")?;
        rows.iter().map(webhook_of).collect()
    }

    async fn delete_webhook(&self, org_id: &str, id: &str) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM webhooks WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(id)
            .execute(&self.pool)
            .await
            .context("deleting a webhook")?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn webhook_target(&self, org_id: &str, id: &str) -> StoreResult<(Webhook, String)> {
        let row = sqlx::query(
            "SELECT id, url, events, active, secret FROM webhooks WHERE org_id = $1 AND id = $2",
        )
        .bind(org_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .context("reading a webhook")?
        .ok_or(StoreError::NotFound)?;
        Ok((
            webhook_of(&row)?,
            row.try_get("secret").context("reading webhook")?,
        ))
    }

    async fn record_delivery(&self, org_id: &str, d: &WebhookDelivery) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, org_id, webhook_id, event, event_id, attempt, \
             status_code, error, duration_ms, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&d.id)
        .bind(org_id)
        .bind(&d.webhook_id)
        .bind(&d.event)
        .bind(&d.event_id)
        .bind(d.attempt)
        .bind(d.status_code)
        .bind(d.error.clone())
        .bind(d.duration_ms)
        .bind(d.at)
        .execute(&self.pool)
        .await
        .context("recording a delivery")?;
        Ok(())
    }

    async fn deliveries(
        &self,
        org_id: &str,
        webhook_id: &str,
        limit: u32,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        let rows = sqlx::query(
            "SELECT id, webhook_id, event, event_id, attempt, status_code, error, duration_ms, at \
             FROM webhook_deliveries WHERE org_id = $1 AND webhook_id = $2 \
             ORDER BY at DESC, id DESC LIMIT $3",
        )
        .bind(org_id)
        .bind(webhook_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .context("listing deliveries")?;
        rows.iter()
            .map(|row| {
                Ok(WebhookDelivery {
                    id: row.try_get("id").context("reading delivery")?,
                    webhook_id: row.try_get("webhook_id").context("reading delivery")?,
                    event: row.try_get("event").context("reading delivery")?,
                    event_id: row.try_get("event_id").context("reading delivery")?,
                    attempt: row.try_get("attempt").context("reading delivery")?,
                    status_code: row.try_get("status_code").context("reading delivery")?,
                    error: row.try_get("error").context("reading delivery")?,
                    duration_ms: row.try_get("duration_ms").context("reading delivery")?,
                    at: row.try_get("at").context("reading delivery")?,
                })
            })
            .collect()
    }

    async fn record_email(
        &self,
        org_id: Option<&str>,
        kind: &str,
        case_id: Option<&str>,
        to: &str,
        subject: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO email_log (id, org_id, kind, case_id, to_addr, subject, sent_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(org_id)
        .bind(kind)
        .bind(case_id)
        .bind(to)
        .bind(subject)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .context("logging an e-mail")?;
        Ok(())
    }

    async fn emit_event(
        &self,
        org_id: &str,
        event: &str,
        data: serde_json::Value,
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.context("connecting")?;
        emit(&mut conn, self.dialect, org_id, event, data, now_ms).await
    }
}
