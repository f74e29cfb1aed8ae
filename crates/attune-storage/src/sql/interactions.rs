//! Interactions with customers and their participants.

use std::collections::HashMap;

use async_trait::async_trait;
use attune_domain::Invalid;
use attune_domain::customer::InteractionKind;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::{SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{Interaction, NewInteraction, PendingFeedback};
use crate::store::InteractionStore;

pub(crate) const INTERACTION_COLUMNS: &str = "id, org_id, account_id, kind, occurred_at, \
     duration_minutes, summary, internal, follow_ups, feedback, response_id, created_by, created_at";

pub(crate) fn interaction_of(row: &AnyRow) -> StoreResult<Interaction> {
    let kind: String = row.try_get("kind").context("reading an interaction")?;
    let follow_ups: String = row
        .try_get("follow_ups")
        .context("reading an interaction")?;
    let internal: i64 = row.try_get("internal").context("reading an interaction")?;
    let feedback: Option<String> = row.try_get("feedback").context("reading an interaction")?;
    let response_id: Option<String> = row
        .try_get("response_id")
        .context("reading an interaction")?;
    Ok(Interaction {
        id: row.try_get("id").context("reading an interaction")?,
        account_id: row
            .try_get("account_id")
            .context("reading an interaction")?,
        kind: InteractionKind::parse(&kind).unwrap_or(InteractionKind::Note),
        occurred_at: row
            .try_get("occurred_at")
            .context("reading an interaction")?,
        duration_minutes: row
            .try_get("duration_minutes")
            .context("reading an interaction")?,
        summary: row.try_get("summary").context("reading an interaction")?,
        internal: internal != 0,
        follow_ups: serde_json::from_str(&follow_ups).unwrap_or_default(),
        feedback_pending: feedback.is_some() && response_id.is_none(),
        response_id,
        people: Vec::new(),
        staff: Vec::new(),
        created_by: row
            .try_get("created_by")
            .context("reading an interaction")?,
        created_at: row
            .try_get("created_at")
            .context("reading an interaction")?,
    })
}

/// Checks that every id is a row of `table` in the organisation (`field` names the input).
async fn all_of_org(
    conn: &mut AnyConnection,
    org_id: &str,
    table: &'static str,
    ids: &[String],
    field: &str,
) -> StoreResult<()> {
    for id in ids {
        let sql = format!("SELECT 1 FROM {table} WHERE org_id = $1 AND id = $2");
        let found: Option<i32> = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .context("checking a participant")?;
        if found.is_none() {
            return Err(StoreError::Invalid(Invalid::one(
                field,
                format!("`{id}` is not one of this organisation's"),
            )));
        }
    }
    Ok(())
}

/// Fills the participants of these interactions (all of one organisation).
pub(crate) async fn load_participants(
    conn: &mut AnyConnection,
    org_id: &str,
    items: &mut [Interaction],
) -> StoreResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = (0..items.len()).map(|i| format!("${}", i + 2)).collect();
    let list = list.join(", ");
    let mut found: [HashMap<String, Vec<String>>; 2] = Default::default();
    for (i, (table, column)) in [
        ("interaction_people", "person_id"),
        ("interaction_staff", "user_id"),
    ]
    .into_iter()
    .enumerate()
    {
        let sql = format!(
            "SELECT interaction_id, {column} FROM {table} \
             WHERE org_id = $1 AND interaction_id IN ({list}) ORDER BY {column}"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(org_id);
        for it in items.iter() {
            q = q.bind(&it.id);
        }
        for row in q
            .fetch_all(&mut *conn)
            .await
            .context("reading participants")?
        {
            let id: String = row.try_get(0).context("reading a participant")?;
            found[i]
                .entry(id)
                .or_default()
                .push(row.try_get(1).context("reading a participant")?);
        }
    }
    for it in items {
        it.people = found[0].remove(&it.id).unwrap_or_default();
        it.staff = found[1].remove(&it.id).unwrap_or_default();
    }
    Ok(())
}

async fn interaction_in(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
) -> StoreResult<Option<Interaction>> {
    let sql =
        format!("SELECT {INTERACTION_COLUMNS} FROM interactions WHERE org_id = $1 AND id = $2");
    let Some(row) = sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context("reading an interaction")?
    else {
        return Ok(None);
    };
    let mut it = interaction_of(&row)?;
    load_participants(conn, org_id, std::slice::from_mut(&mut it)).await?;
    Ok(Some(it))
}

#[async_trait]
impl InteractionStore for SqlStore {
    async fn insert_interaction(
        &self,
        org_id: &str,
        n: &NewInteraction,
        now_ms: i64,
    ) -> StoreResult<Interaction> {
        let mut tx = self.begin_write().await?;
        if let Some(a) = &n.account_id {
            all_of_org(
                &mut tx,
                org_id,
                "accounts",
                std::slice::from_ref(a),
                "account",
            )
            .await?;
        }
        all_of_org(&mut tx, org_id, "people", &n.people, "people").await?;
        all_of_org(&mut tx, org_id, "users", &n.staff, "staff").await?;
        let id = new_id();
        let follow_ups = serde_json::to_string(&n.follow_ups).context("encoding follow-ups")?;
        let feedback = n
            .feedback
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .context("encoding feedback")?;
        sqlx::query(
            "INSERT INTO interactions (id, org_id, account_id, kind, occurred_at, duration_minutes, \
             summary, internal, follow_ups, feedback, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&id)
        .bind(org_id)
        .bind(&n.account_id)
        .bind(n.kind.as_str())
        .bind(n.occurred_at)
        .bind(n.duration_minutes)
        .bind(&n.summary)
        .bind(i64::from(n.internal))
        .bind(follow_ups)
        .bind(feedback)
        .bind(&n.created_by)
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .context("logging an interaction")?;
        if let Some(account) = &n.account_id {
            super::account_flags::mark_dirty(&mut tx, org_id, account).await?;
        }
        for (table, column, ids) in [
            ("interaction_people", "person_id", &n.people),
            ("interaction_staff", "user_id", &n.staff),
        ] {
            let mut ids = ids.clone();
            ids.sort();
            ids.dedup();
            for who in ids {
                let sql = format!(
                    "INSERT INTO {table} (org_id, interaction_id, {column}) VALUES ($1, $2, $3)"
                );
                sqlx::query(AssertSqlSafe(sql))
                    .bind(org_id)
                    .bind(&id)
                    .bind(&who)
                    .execute(&mut *tx)
                    .await
                    .context("saving a participant")?;
            }
        }
        let saved = interaction_in(&mut tx, org_id, &id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await.context("logging an interaction")?;
        Ok(saved)
    }

    async fn interaction(&self, org_id: &str, id: &str) -> StoreResult<Interaction> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .context("reading an interaction")?;
        interaction_in(&mut conn, org_id, id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn link_interaction_response(
        &self,
        org_id: &str,
        id: &str,
        response_id: &str,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE interactions SET response_id = $3 WHERE org_id = $1 AND id = $2 \
             AND EXISTS (SELECT 1 FROM responses WHERE org_id = $1 AND id = $3)",
        )
        .bind(org_id)
        .bind(id)
        .bind(response_id)
        .execute(&self.pool)
        .await
        .context("linking an interaction's response")?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn pending_feedback(
        &self,
        before_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<PendingFeedback>> {
        let sql = format!(
            "SELECT {INTERACTION_COLUMNS} FROM interactions \
             WHERE feedback IS NOT NULL AND response_id IS NULL AND created_at < $1 \
             ORDER BY created_at LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(before_ms)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .context("finding unfinished feedback")?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let org_id: String = row.try_get("org_id").context("reading an interaction")?;
            let raw: String = row.try_get("feedback").context("reading an interaction")?;
            let mut interaction = interaction_of(&row)?;
            let mut conn = self.pool.acquire().await.context("reading participants")?;
            load_participants(&mut conn, &org_id, std::slice::from_mut(&mut interaction)).await?;
            out.push(PendingFeedback {
                org_id,
                interaction,
                feedback: serde_json::from_str(&raw).context("reading kept feedback")?,
            });
        }
        Ok(out)
    }

    async fn response_by_dedup_key(&self, org_id: &str, key: &str) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT id FROM responses WHERE org_id = $1 AND dedup_key = $2")
            .bind(org_id)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .context("finding a response")
    }
}
