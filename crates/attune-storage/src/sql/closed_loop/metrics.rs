//! What the loop metrics and the digest read: cases of a period with the scores before and
//! after, root causes by account, and the organisations' digest hours.

use sqlx::{AssertSqlSafe, Row};

use super::super::SqlStore;
use super::cases::{CASE_COLUMNS, case_of};
use crate::error::{Context, StoreResult};
use crate::model::LoopCase;

impl SqlStore {
    pub(crate) async fn loop_cases_impl(
        &self,
        org_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<LoopCase>> {
        let sql = format!(
            "SELECT {CASE_COLUMNS}, u.email AS owner_email, t.name AS team_name, \
             (SELECT rs.qtype FROM response_scores rs WHERE rs.response_id = c.response_id \
                AND rs.qtype IN ('nps', 'csat', 'ces') ORDER BY CASE rs.qtype WHEN 'nps' THEN 0 \
                WHEN 'csat' THEN 1 ELSE 2 END, rs.question_key LIMIT 1) AS before_qtype \
             FROM cases c LEFT JOIN users u ON u.id = c.owner_user_id \
             LEFT JOIN teams t ON t.id = c.team_id \
             WHERE c.org_id = $1 AND c.opened_at >= $2 AND c.opened_at < $3 \
             ORDER BY c.opened_at, c.id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(from_ms)
            .bind(to_ms)
            .fetch_all(&self.pool)
            .await
            .context("reading loop cases")?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let case = case_of(r)?;
            let qtype: Option<String> = r.try_get("before_qtype").context("reading loop case")?;
            let mut score_before = None;
            let mut score_after = None;
            if let Some(q) = qtype {
                let score_of = |response: String| {
                    let q = q.clone();
                    async move {
                        sqlx::query(
                            "SELECT score FROM response_scores WHERE org_id = $1 AND response_id = $2 \
                             AND qtype = $3 ORDER BY question_key LIMIT 1",
                        )
                        .bind(org_id)
                        .bind(response)
                        .bind(q)
                        .fetch_optional(&self.pool)
                        .await
                        .context("reading a score")?
                        .map(|r| r.try_get::<i64, _>("score").context("reading score"))
                        .transpose()
                    }
                };
                if let Some(resp) = case.response_id.clone() {
                    score_before = score_of(resp).await?.map(|s| (q.clone(), s));
                }
                if let Some(resp) = case.resurvey_response_id.clone() {
                    score_after = score_of(resp).await?;
                }
            }
            out.push(LoopCase {
                owner_email: r.try_get("owner_email").context("reading loop case")?,
                team_name: r.try_get("team_name").context("reading loop case")?,
                case,
                score_before,
                score_after,
            });
        }
        Ok(out)
    }

    /// Earlier cases of the same account with the same root cause, for recurrence.
    pub(crate) async fn account_root_causes_impl(
        &self,
        org_id: &str,
        since_ms: i64,
    ) -> StoreResult<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT account_id, root_cause, opened_at FROM cases WHERE org_id = $1 \
             AND account_id IS NOT NULL AND root_cause IS NOT NULL AND opened_at >= $2 \
             ORDER BY opened_at",
        )
        .bind(org_id)
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await
        .context("reading root causes by account")?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("account_id").context("reading case")?,
                    r.try_get("root_cause").context("reading case")?,
                    r.try_get("opened_at").context("reading case")?,
                ))
            })
            .collect()
    }

    pub(crate) async fn orgs_needing_digest_impl(&self) -> StoreResult<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT o.id, COALESCE(l.digest_hour, 8) AS hour FROM orgs o \
             LEFT JOIN loop_settings l ON l.org_id = o.id ORDER BY o.id",
        )
        .fetch_all(&self.pool)
        .await
        .context("listing organisations for digests")?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("id").context("reading org")?,
                    r.try_get("hour").context("reading org")?,
                ))
            })
            .collect()
    }
}
