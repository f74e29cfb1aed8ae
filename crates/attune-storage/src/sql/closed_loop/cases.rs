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
use super::outbox::{case_payload, emit};
use super::teams::taxonomy_of;
use super::timeline::add_events;
use super::user_email;
use crate::error::{Context, StoreError, StoreResult, decode};
use crate::model::{Case, CaseQuery};

pub(super) const CASE_COLUMNS: &str = "c.id, c.rule_id, c.response_id, c.account_id, \
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

impl SqlStore {
    pub(crate) async fn cases_impl(&self, org_id: &str, q: &CaseQuery) -> StoreResult<Vec<Case>> {
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

    pub(crate) async fn case_impl(&self, org_id: &str, case_id: &str) -> StoreResult<Case> {
        let mut conn = self.pool.acquire().await.context("connecting")?;
        case_in(&mut conn, self.dialect, org_id, case_id, false).await
    }

    pub(crate) async fn set_case_resurvey_impl(
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

    pub(crate) async fn add_case_note_impl(
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

    pub(crate) async fn update_case_impl(
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
}
