//! The SLA job's step: the domain says which warnings and breaches are due
//! (`attune_domain::closed_loop::escalation`); each is recorded with `UPDATE … WHERE column IS
//! NULL`, and its timeline entries, e-mails and `case.escalated` event are written only when
//! that update changed the row, so every milestone happens once however many workers run.

use attune_domain::closed_loop::escalation::Milestone;
pub(super) use attune_domain::closed_loop::escalation::{
    Recipients, Step, apply_milestone, due_milestones,
};
use attune_domain::closed_loop::timeline::{Deadline, HookEvent};
use attune_domain::jobs::NewJob;
use serde_json::json;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::outbox::{case_payload, event_jobs, hooks_of};
use super::user_email;
use crate::error::{Context, StoreResult};
use crate::model::Case;

/// The case columns a milestone sets.
pub(super) fn column(m: &Milestone) -> &'static str {
    match (m.deadline, m.step) {
        (Deadline::FirstResponse, Step::Warned) => "first_warned_at",
        (Deadline::FirstResponse, Step::Breached) => "first_breached_at",
        (Deadline::Resolution, Step::Warned) => "resolution_warned_at",
        (Deadline::Resolution, Step::Breached) => "resolution_breached_at",
    }
}

/// The warning column of a milestone's deadline.
pub(super) fn warn_column(m: &Milestone) -> &'static str {
    column(&Milestone {
        step: Step::Warned,
        ..*m
    })
}

/// The `case.escalated` webhook jobs: the case as it now stands, with the deadline.
pub(super) async fn escalated_event(
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

pub(super) async fn escalate(
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
pub(super) async fn breach_target(
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
pub(super) async fn mark_once(
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
