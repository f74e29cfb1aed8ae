//! Cases: reading them, and changing them through the domain's transitions
//! (`attune_domain::closed_loop::transition`), written back with their timeline, jobs and
//! webhook events in one transaction.

use attune_domain::closed_loop::case::{CasePatch, CaseState};
use attune_domain::closed_loop::rules::Priority;
use attune_domain::closed_loop::timeline::HookEvent;
use attune_domain::closed_loop::transition::{self, Transition, UpdateContext};
use attune_domain::jobs::{BackgroundJob, SlaCheck};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::super::jobs::{enqueue, schedule};
use super::super::{Binds, Dialect, SqlStore};
use super::loop_counts;
use super::outbox::{case_payload, emit};
use super::sla;
use super::teams::taxonomy_of;
use super::timeline::add_events;
use super::user_email;
use crate::error::{Context, StoreError, StoreResult, decode};
use crate::model::{Case, CaseEvent, CaseQuery, LoopCase, LoopSums, SlaStep};
use crate::store::CaseStore;
use async_trait::async_trait;
use attune_domain::closed_loop::timeline::EventKind;

pub(super) const CASE_COLUMNS: &str = "c.id, c.rule_id, c.rule_ids, c.response_id, c.account_id, \
     c.contact_id, c.owner_user_id, c.team_id, c.priority, c.state, c.title, c.sla, c.opened_at, \
     c.first_response_warn_at, c.first_response_due_at, c.resolution_warn_at, \
     c.resolution_due_at, c.first_responded_at, c.resolved_at, c.closed_at, c.paused_at, \
     c.first_warned_at, c.resolution_warned_at, c.first_breached_at, c.resolution_breached_at, \
     c.escalated_to, c.root_cause, c.resolution, c.resurvey_invitation_id, \
     c.resurvey_response_id, c.updated_at";

pub(super) fn case_of(row: &AnyRow) -> StoreResult<Case> {
    let get_opt = |c: &str| -> StoreResult<Option<i64>> { row.try_get(c).context("reading case") };
    let text = |c: &str| -> StoreResult<String> { row.try_get(c).context("reading case") };
    let sla = text("sla")?;
    let first_breached_at = get_opt("first_breached_at")?;
    let resolution_breached_at = get_opt("resolution_breached_at")?;
    Ok(Case {
        id: row.try_get("id").context("reading case")?,
        rule_id: row.try_get("rule_id").context("reading case")?,
        rule_ids: text("rule_ids")?
            .split(' ')
            .filter(|id| !id.is_empty())
            .map(str::to_owned)
            .collect(),
        response_id: row.try_get("response_id").context("reading case")?,
        account_id: row.try_get("account_id").context("reading case")?,
        contact_id: row.try_get("contact_id").context("reading case")?,
        owner: row.try_get("owner_user_id").context("reading case")?,
        team_id: row.try_get("team_id").context("reading case")?,
        priority: decode("case priority", text("priority")?, |s| {
            Priority::parse(s).ok()
        })?,
        state: decode("case state", text("state")?, |s| CaseState::parse(s).ok())?,
        title: row.try_get("title").context("reading case")?,
        opened_at: row.try_get("opened_at").context("reading case")?,
        first_response_warn_at: row
            .try_get("first_response_warn_at")
            .context("reading case")?,
        first_response_due_at: row
            .try_get("first_response_due_at")
            .context("reading case")?,
        resolution_warn_at: row.try_get("resolution_warn_at").context("reading case")?,
        resolution_due_at: row.try_get("resolution_due_at").context("reading case")?,
        first_responded_at: get_opt("first_responded_at")?,
        resolved_at: get_opt("resolved_at")?,
        closed_at: get_opt("closed_at")?,
        paused_at: get_opt("paused_at")?,
        first_warned_at: get_opt("first_warned_at")?,
        resolution_warned_at: get_opt("resolution_warned_at")?,
        first_breached_at,
        resolution_breached_at,
        breached: first_breached_at.is_some() || resolution_breached_at.is_some(),
        escalated_to: row.try_get("escalated_to").context("reading case")?,
        root_cause: row.try_get("root_cause").context("reading case")?,
        resolution: row.try_get("resolution").context("reading case")?,
        resurvey_invitation_id: row
            .try_get("resurvey_invitation_id")
            .context("reading case")?,
        resurvey_response_id: row
            .try_get("resurvey_response_id")
            .context("reading case")?,
        sla: serde_json::from_str(&sla).context("decoding case SLA")?,
        updated_at: row.try_get("updated_at").context("reading case")?,
    })
}

/// A case of the organisation; `lock` takes its row for the transaction (PostgreSQL).
pub(super) async fn case_in(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    case_id: &str,
    lock: bool,
) -> StoreResult<Case> {
    let lock = if lock && dialect == Dialect::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let sql = format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.org_id = $1 AND c.id = $2{lock}");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(org_id)
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await
        .context("reading a case")?
        .ok_or(StoreError::NotFound)?;
    case_of(&row)
}

/// Moves the loop's counts by what a change of case `case_id` did (`before`: its line before
/// the change); a changed root cause re-decides recurrence at its account.
pub(super) async fn counted(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    case_id: &str,
    before: Option<loop_counts::Line>,
) -> StoreResult<()> {
    let after = loop_counts::line(conn, org_id, case_id).await?;
    if before == after {
        return Ok(());
    }
    let pair = [(
        before.as_ref().map(|l| &l.line),
        after.as_ref().map(|l| &l.line),
    )];
    loop_counts::apply(conn, dialect, org_id, &pair).await?;
    if let (Some(b), Some(a)) = (&before, &after)
        && b.line.root_cause != a.line.root_cause
        && let Some(account) = &a.account_id
    {
        loop_counts::refresh_recurrence(conn, dialect, org_id, account, a.line.opened_at).await?;
    }
    Ok(())
}

/// Writes a transition: the case's changed columns, its timeline, its jobs and webhook events,
/// and (when asked) its SLA job moved to the next milestone. Returns the case as stored.
async fn write(
    conn: &mut AnyConnection,
    dialect: Dialect,
    org_id: &str,
    t: &Transition,
    now_ms: i64,
) -> StoreResult<Case> {
    let c = &t.case;
    let before = loop_counts::line(conn, org_id, &c.id).await?;
    sqlx::query(
        "UPDATE cases SET owner_user_id = $1, priority = $2, root_cause = $3, resolution = $4, \
         state = $5, first_responded_at = $6, paused_at = $7, resolved_at = $8, closed_at = $9, \
         first_response_warn_at = $10, first_response_due_at = $11, resolution_warn_at = $12, \
         resolution_due_at = $13, resolution_warned_at = $14, resolution_breached_at = $15, \
         updated_at = $16, first_breached_at = $19 WHERE org_id = $17 AND id = $18",
    )
    .bind(c.owner.clone())
    .bind(c.priority.as_str())
    .bind(c.root_cause.clone())
    .bind(c.resolution.clone())
    .bind(c.state.as_str())
    .bind(c.first_responded_at)
    .bind(c.paused_at)
    .bind(c.resolved_at)
    .bind(c.closed_at)
    .bind(c.first_response_warn_at)
    .bind(c.first_response_due_at)
    .bind(c.resolution_warn_at)
    .bind(c.resolution_due_at)
    .bind(c.resolution_warned_at)
    .bind(c.resolution_breached_at)
    .bind(c.updated_at)
    .bind(org_id)
    .bind(&c.id)
    .bind(c.first_breached_at)
    .execute(&mut *conn)
    .await
    .context("updating a case")?;
    counted(conn, dialect, org_id, &c.id, before).await?;
    add_events(conn, dialect, org_id, &c.id, &t.events).await?;
    let stored = case_in(conn, dialect, org_id, &c.id, false).await?;
    if t.reschedule
        && let Some(at) = stored.next_check()
    {
        let job = SlaCheck {
            case_id: c.id.clone(),
        };
        schedule(conn, &job.into_new(Some(org_id), at), now_ms).await?;
    }
    let jobs: Vec<_> = t.jobs.iter().map(|j| j.clone().in_org(org_id)).collect();
    enqueue(conn, dialect, &jobs, now_ms).await?;
    // Reopened before resolved, as the events happened.
    for event in [HookEvent::CaseReopened, HookEvent::CaseResolved] {
        if t.hooks.contains(&event) {
            let data = case_payload(&stored);
            emit(conn, dialect, org_id, event.as_str(), data, now_ms).await?;
        }
    }
    Ok(stored)
}

#[async_trait]
impl CaseStore for SqlStore {
    async fn cases(&self, org_id: &str, q: &CaseQuery) -> StoreResult<Vec<Case>> {
        let mut b = Binds::default();
        let org = b.text(org_id);
        let mut sql = format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.org_id = {org}");
        if let Some(s) = q.state {
            sql += &format!(" AND c.state = {}", b.text(s.as_str()));
        }
        if q.active {
            sql += " AND c.state IN ('open', 'in_progress', 'waiting')";
        }
        if let Some(o) = &q.owner {
            sql += &format!(" AND c.owner_user_id = {}", b.text(o.clone()));
        }
        if let Some(a) = &q.account_id {
            sql += &format!(" AND c.account_id = {}", b.text(a.clone()));
        }
        if let Some(r) = &q.response_id {
            sql += &format!(" AND c.response_id = {}", b.text(r.clone()));
        }
        match q.breached {
            Some(true) => {
                sql +=
                    " AND (c.first_breached_at IS NOT NULL OR c.resolution_breached_at IS NOT NULL)"
            }
            Some(false) => {
                sql += " AND c.first_breached_at IS NULL AND c.resolution_breached_at IS NULL"
            }
            None => {}
        }
        if let Some((due, id)) = &q.after {
            let due = b.int(*due);
            let id = b.text(id.clone());
            sql += &format!(
                " AND (c.first_response_due_at > {due} OR (c.first_response_due_at = {due} AND c.id > {id}))"
            );
        }
        sql += &format!(
            " ORDER BY c.first_response_due_at, c.id LIMIT {}",
            b.int(i64::from(q.limit.clamp(1, 1000)))
        );
        let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
            .fetch_all(&self.pool)
            .await
            .context("listing cases")?;
        rows.iter().map(case_of).collect()
    }

    async fn case(&self, org_id: &str, case_id: &str) -> StoreResult<Case> {
        let mut conn = self.pool.acquire().await.context("connecting")?;
        case_in(&mut conn, self.dialect, org_id, case_id, false).await
    }

    async fn case_events(&self, org_id: &str, case_id: &str) -> StoreResult<Vec<CaseEvent>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, kind, detail FROM case_events \
             WHERE org_id = $1 AND case_id = $2 ORDER BY at, id",
        )
        .bind(org_id)
        .bind(case_id)
        .fetch_all(&self.pool)
        .await
        .context("reading a timeline")?;
        rows.iter()
            .map(|r| {
                let detail: String = r.try_get("detail").context("reading event")?;
                let kind: String = r.try_get("kind").context("reading event")?;
                Ok(CaseEvent {
                    id: r.try_get("id").context("reading event")?,
                    at: r.try_get("at").context("reading event")?,
                    actor: r.try_get("actor").context("reading event")?,
                    kind: decode("timeline event kind", kind, EventKind::parse)?,
                    detail: serde_json::from_str(&detail).unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn update_case(
        &self,
        org_id: &str,
        case_id: &str,
        actor: Option<&str>,
        patch: &CasePatch,
        now_ms: i64,
    ) -> StoreResult<Case> {
        let mut tx = self.begin_write().await?;
        let c = case_in(&mut tx, self.dialect, org_id, case_id, true).await?;
        let taxonomy = taxonomy_of(&mut tx, org_id).await?;
        let owner_is_user = match &patch.owner {
            Some(o) if c.owner.as_ref() != Some(o) => {
                user_email(&mut tx, org_id, o).await?.is_some()
            }
            _ => true,
        };
        let ctx = UpdateContext {
            taxonomy: &taxonomy,
            owner_is_user,
        };
        let t = transition::update(&c, patch, ctx, actor, now_ms)?;
        let c = write(&mut tx, self.dialect, org_id, &t, now_ms).await?;
        tx.commit().await.context("updating a case")?;
        Ok(c)
    }

    async fn add_case_note(
        &self,
        org_id: &str,
        case_id: &str,
        actor: &str,
        text: &str,
        now_ms: i64,
    ) -> StoreResult<Case> {
        let mut tx = self.begin_write().await?;
        let c = case_in(&mut tx, self.dialect, org_id, case_id, true).await?;
        let t = transition::note(&c, actor, text, now_ms);
        let c = write(&mut tx, self.dialect, org_id, &t, now_ms).await?;
        tx.commit().await.context("adding a note")?;
        Ok(c)
    }

    /// Records the warnings and breaches that are due at `now_ms`, once each.
    async fn sla_step(&self, org_id: &str, case_id: &str, now_ms: i64) -> StoreResult<SlaStep> {
        let d = self.dialect;
        let mut tx = self.begin_write().await?;
        let mut c = match case_in(&mut tx, d, org_id, case_id, true).await {
            Ok(c) => c,
            Err(StoreError::NotFound) => return Ok(SlaStep::default()),
            Err(e) => return Err(e),
        };
        let mut step = SlaStep::default();
        let due = sla::due_milestones(&c, now_ms);
        // Only a milestone changes what the loop counts (a breach); none due, nothing to count.
        let before = if due.is_empty() {
            None
        } else {
            Some(loop_counts::line(&mut tx, org_id, case_id).await?)
        };
        if !due.is_empty() {
            let owner_email = match &c.owner {
                Some(o) => user_email(&mut tx, org_id, o).await?,
                None => None,
            };
            let mut jobs = Vec::new();
            for m in &due {
                if !sla::mark_once(&mut tx, org_id, case_id, sla::column(m), now_ms).await? {
                    continue;
                }
                let mut target = (None, None);
                if m.step == sla::Step::Breached {
                    sla::mark_once(&mut tx, org_id, case_id, sla::warn_column(m), now_ms).await?;
                    target = sla::breach_target(&mut tx, org_id, &c).await?;
                }
                let to = sla::Recipients {
                    owner_email: owner_email.as_deref(),
                    target: target.0.as_deref(),
                    target_email: target.1.as_deref(),
                };
                let effect = sla::apply_milestone(&mut c, m, to, now_ms);
                if effect.escalated {
                    sla::escalate(&mut tx, org_id, case_id, to.target).await?;
                }
                add_events(&mut tx, d, org_id, case_id, &effect.events).await?;
                jobs.extend(
                    effect
                        .emails
                        .into_iter()
                        .map(|e| e.into_new(Some(org_id), now_ms)),
                );
                if effect.escalated {
                    jobs.extend(sla::escalated_event(&mut tx, org_id, &c, m, now_ms).await?);
                }
                step.recorded.push(m.label());
            }
            enqueue(&mut tx, d, &jobs, now_ms).await?;
        }
        if let Some(before) = before {
            counted(&mut tx, d, org_id, case_id, before).await?;
        }
        let after = case_in(&mut tx, d, org_id, case_id, false).await?;
        step.next_check = after.next_check();
        tx.commit().await.context("recording SLA milestones")?;
        Ok(step)
    }

    async fn set_case_resurvey(
        &self,
        org_id: &str,
        case_id: &str,
        invitation_id: &str,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE cases SET resurvey_invitation_id = $1 WHERE org_id = $2 AND id = $3")
            .bind(invitation_id)
            .bind(org_id)
            .bind(case_id)
            .execute(&self.pool)
            .await
            .context("recording a re-survey")?;
        Ok(())
    }

    async fn loop_cases(
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

    async fn loop_sums(
        &self,
        org_id: &str,
        from_ms: i64,
        to_ms: i64,
        now_ms: i64,
    ) -> StoreResult<Option<LoopSums>> {
        // One view: every case is counted once, from the counters or from its row.
        let mut tx = self.begin_read().await?;
        let sums = loop_counts::sums(&mut tx, org_id, from_ms, to_ms, now_ms).await?;
        tx.commit().await.context("reading the loop's counts")?;
        Ok(sums)
    }

    async fn case_activity(
        &self,
        org_id: &str,
        since_ms: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<(u64, u64, u64)> {
        let ctx = "counting the day's cases";
        let within = |c: &str| format!("CASE WHEN {c} >= $3 AND {c} < $4 THEN 1 ELSE 0 END");
        let sql = format!(
            "SELECT CAST(COALESCE(SUM({}), 0) AS BIGINT) AS opened, \
               CAST(COALESCE(SUM({}), 0) AS BIGINT) AS resolved, \
               CAST(COALESCE(SUM(CASE WHEN {} + {} > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS breached \
             FROM cases WHERE org_id = $1 AND opened_at >= $2",
            within("opened_at"),
            within("resolved_at"),
            within("first_breached_at"),
            within("resolution_breached_at"),
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(since_ms)
            .bind(from_ms)
            .bind(to_ms)
            .fetch_one(&self.pool)
            .await
            .context(ctx)?;
        let n = |c: &str| -> StoreResult<u64> {
            Ok(u64::try_from(row.try_get::<i64, _>(c).context(ctx)?).unwrap_or(0))
        };
        Ok((n("opened")?, n("resolved")?, n("breached")?))
    }

    /// Earlier cases of the same account with the same root cause, for recurrence.
    async fn account_root_causes(
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
}
