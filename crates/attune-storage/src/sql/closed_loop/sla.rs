//! The SLA job's step: the domain says which warnings and breaches are due
//! (`attune_domain::closed_loop::escalation`); each is recorded with `UPDATE … WHERE column IS
//! NULL`, and its timeline entries, e-mails and `case.escalated` event are written only when
//! that update changed the row, so every milestone happens once however many workers run.

use attune_domain::closed_loop::escalation::{
    Milestone, Recipients, Step, apply_milestone, due_milestones,
};
use attune_domain::closed_loop::timeline::{Deadline, HookEvent};
use attune_domain::jobs::{BackgroundJob, NewJob};
use serde_json::json;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::super::SqlStore;
use super::super::jobs::enqueue;
use super::cases::case_in;
use super::outbox::{case_payload, event_jobs, hooks_of};
use super::timeline::add_events;
use super::user_email;
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{Case, SlaStep};

/// The case columns a milestone sets.
fn column(m: &Milestone) -> &'static str {
    match (m.deadline, m.step) {
        (Deadline::FirstResponse, Step::Warned) => "first_warned_at",
        (Deadline::FirstResponse, Step::Breached) => "first_breached_at",
        (Deadline::Resolution, Step::Warned) => "resolution_warned_at",
        (Deadline::Resolution, Step::Breached) => "resolution_breached_at",
    }
}

/// The warning column of a milestone's deadline.
fn warn_column(m: &Milestone) -> &'static str {
    column(&Milestone {
        step: Step::Warned,
        ..*m
    })
}

impl SqlStore {
    /// Records the warnings and breaches that are due at `now_ms`, once each.
    pub(crate) async fn sla_step_impl(
        &self,
        org_id: &str,
        case_id: &str,
        now_ms: i64,
    ) -> StoreResult<SlaStep> {
        let d = self.dialect;
        let mut tx = self.begin_write().await?;
        let mut c = match case_in(&mut tx, d, org_id, case_id, true).await {
            Ok(c) => c,
            Err(StoreError::NotFound) => return Ok(SlaStep::default()),
            Err(e) => return Err(e),
        };
        let mut step = SlaStep::default();
        let due = due_milestones(&c, now_ms);
        if !due.is_empty() {
            let owner_email = match &c.owner {
                Some(o) => user_email(&mut tx, org_id, o).await?,
                None => None,
            };
            let mut jobs = Vec::new();
            for m in &due {
                if !mark_once(&mut tx, org_id, case_id, column(m), now_ms).await? {
                    continue;
                }
                let mut target = (None, None);
                if m.step == Step::Breached {
                    mark_once(&mut tx, org_id, case_id, warn_column(m), now_ms).await?;
                    target = breach_target(&mut tx, org_id, &c).await?;
                }
                let to = Recipients {
                    owner_email: owner_email.as_deref(),
                    target: target.0.as_deref(),
                    target_email: target.1.as_deref(),
                };
                let effect = apply_milestone(&mut c, m, to, now_ms);
                if effect.escalated {
                    escalate(&mut tx, org_id, case_id, to.target).await?;
                }
                add_events(&mut tx, d, org_id, case_id, &effect.events).await?;
                jobs.extend(
                    effect
                        .emails
                        .into_iter()
                        .map(|e| e.into_new(Some(org_id), now_ms)),
                );
                if effect.escalated {
                    jobs.extend(escalated_event(&mut tx, org_id, &c, m, now_ms).await?);
                }
                step.recorded.push(m.label());
            }
            enqueue(&mut tx, d, &jobs, now_ms).await?;
        }
        let after = case_in(&mut tx, d, org_id, case_id, false).await?;
        step.next_check = after.next_check();
        tx.commit().await.context("recording SLA milestones")?;
        Ok(step)
    }
}

/// The `case.escalated` webhook jobs: the case as it now stands, with the deadline.
async fn escalated_event(
    conn: &mut AnyConnection,
    org_id: &str,
    c: &Case,
    m: &Milestone,
    now_ms: i64,
) -> StoreResult<Vec<NewJob>> {
    let mut payload = case_payload(c);
    payload["deadline"] = json!(m.deadline.as_str());
    let event = HookEvent::CaseEscalated.as_str();
    let hooks = hooks_of(conn, org_id).await?;
    Ok(event_jobs(&hooks, org_id, event, &payload, now_ms))
}

async fn escalate(
    conn: &mut AnyConnection,
    org_id: &str,
    case_id: &str,
    target: Option<&str>,
) -> StoreResult<()> {
    sqlx::query("UPDATE cases SET escalated_to = $1 WHERE org_id = $2 AND id = $3")
        .bind(target)
        .bind(org_id)
        .bind(case_id)
        .execute(&mut *conn)
        .await
        .context("escalating a case")?;
    Ok(())
}

/// Who hears of a breach, with their e-mail.
async fn breach_target(
    conn: &mut AnyConnection,
    org_id: &str,
    c: &Case,
) -> StoreResult<(Option<String>, Option<String>)> {
    let target = escalation_target(conn, org_id, c.team_id.as_deref()).await?;
    let email = match &target {
        Some(t) => user_email(conn, org_id, t).await?,
        None => None,
    };
    Ok((target, email))
}

/// Who hears of a breach: the team lead, else the organisation's first admin.
async fn escalation_target(
    conn: &mut AnyConnection,
    org_id: &str,
    team_id: Option<&str>,
) -> StoreResult<Option<String>> {
    if let Some(team) = team_id {
        let lead: Option<String> =
            sqlx::query("SELECT lead_user_id FROM teams WHERE org_id = $1 AND id = $2")
                .bind(org_id)
                .bind(team)
                .fetch_optional(&mut *conn)
                .await
                .context("reading a team")?
                .map(|r| r.try_get("lead_user_id"))
                .transpose()
                .context("reading team")?
                .flatten();
        if lead.is_some() {
            return Ok(lead);
        }
    }
    sqlx::query(
        "SELECT id FROM users WHERE org_id = $1 AND role = 'admin' ORDER BY created_at, id LIMIT 1",
    )
    .bind(org_id)
    .fetch_optional(&mut *conn)
    .await
    .context("finding an admin")?
    .map(|r| r.try_get("id").context("reading user"))
    .transpose()
}

/// Sets a milestone column once: true when this call set it.
async fn mark_once(
    conn: &mut AnyConnection,
    org_id: &str,
    case_id: &str,
    column: &str,
    now_ms: i64,
) -> StoreResult<bool> {
    // `column` is one of four literals chosen in this module, never user input.
    let sql = format!(
        "UPDATE cases SET {column} = $1, updated_at = $1 \
         WHERE org_id = $2 AND id = $3 AND {column} IS NULL"
    );
    let done = sqlx::query(AssertSqlSafe(sql))
        .bind(now_ms)
        .bind(org_id)
        .bind(case_id)
        .execute(&mut *conn)
        .await
        .context("recording an SLA milestone")?;
    Ok(done.rows_affected() == 1)
}
