//! The touches of one account over a window, for the relationship rules.

use std::collections::HashMap;

use attune_domain::customer::relationship::Touch;
use sqlx::{AssertSqlSafe, Row};

use super::SqlStore;
use crate::error::{Context, StoreResult};
use crate::model::AccountTouches;

/// The touches of one account since `since_ms` (interactions, then answers) and who answered,
/// on the caller's connection.
pub(crate) async fn window_touches(
    conn: &mut sqlx::AnyConnection,
    org_id: &str,
    account_id: &str,
    since_ms: i64,
) -> StoreResult<AccountTouches> {
    let mut out = AccountTouches::default();
    let window = "FROM interactions i WHERE i.org_id = $1 AND i.account_id = $2 \
                      AND i.internal = 0 AND i.occurred_at >= $3";
    let mut staff: HashMap<String, Vec<String>> = HashMap::new();
    let sql = format!(
        "SELECT s.interaction_id, s.user_id FROM interaction_staff s \
             WHERE s.org_id = $1 AND s.interaction_id IN (SELECT i.id {window}) ORDER BY s.user_id"
    );
    for row in sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(account_id)
        .bind(since_ms)
        .fetch_all(&mut *conn)
        .await
        .context("reading the staff of interactions")?
    {
        let id: String = row.try_get(0).context("reading a participant")?;
        staff
            .entry(id)
            .or_default()
            .push(row.try_get(1).context("reading a participant")?);
    }
    let sql = format!(
        "SELECT i.id, i.occurred_at, p.person_id FROM interaction_people p \
             JOIN interactions i ON i.id = p.interaction_id AND i.org_id = p.org_id \
             WHERE p.org_id = $1 AND p.interaction_id IN (SELECT i.id {window})"
    );
    for row in sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(account_id)
        .bind(since_ms)
        .fetch_all(&mut *conn)
        .await
        .context("reading the people of interactions")?
    {
        let id: String = row.try_get(0).context("reading a touch")?;
        out.touches.push(Touch {
            at_ms: row.try_get(1).context("reading a touch")?,
            person_id: row.try_get(2).context("reading a touch")?,
            staff: staff.get(&id).cloned().unwrap_or_default(),
        });
    }
    let sql = format!(
        "SELECT r.contact_id, r.submitted_at FROM responses r WHERE r.org_id = $1 \
             AND r.account_id = $2 AND r.contact_id IS NOT NULL AND r.submitted_at >= $3 AND {}",
        super::responses::VISIBLE
    );
    for row in sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(account_id)
        .bind(since_ms)
        .fetch_all(&mut *conn)
        .await
        .context("reading the responses of a window")?
    {
        let person: String = row.try_get(0).context("reading a touch")?;
        out.answered.insert(person.clone());
        out.touches.push(Touch {
            person_id: person,
            staff: Vec::new(),
            at_ms: row.try_get(1).context("reading a touch")?,
        });
    }
    Ok(out)
}

impl SqlStore {
    pub(crate) async fn account_touches_impl(
        &self,
        org_id: &str,
        account_id: &str,
        since_ms: i64,
    ) -> StoreResult<AccountTouches> {
        let mut conn = self.pool.acquire().await.context("reading touches")?;
        let mut out = window_touches(&mut conn, org_id, account_id, since_ms).await?;
        let sql = format!(
            "SELECT r.contact_id, r.submitted_at, s.score FROM responses r \
             JOIN response_scores s ON s.response_id = r.id \
             WHERE r.org_id = $1 AND r.account_id = $2 AND r.contact_id IS NOT NULL \
             AND s.qtype = 'nps' AND {}",
            super::responses::VISIBLE
        );
        for row in sqlx::query(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(account_id)
            .fetch_all(&mut *conn)
            .await
            .context("reading the latest scores")?
        {
            let person: String = row.try_get(0).context("reading a score")?;
            let at: i64 = row.try_get(1).context("reading a score")?;
            let score: i64 = row.try_get(2).context("reading a score")?;
            let score = u8::try_from(score).unwrap_or(0);
            let e = out.latest_nps.entry(person).or_insert((at, score));
            if at > e.0 {
                *e = (at, score);
            }
        }
        Ok(out)
    }
}
