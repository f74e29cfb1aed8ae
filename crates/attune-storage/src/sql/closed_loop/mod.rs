//! The closed loop in SQL, by concern: `config` (rules, SLA policies, loop settings,
//! templates: `LoopConfigStore`), `teams` (teams and root causes: `TeamStore`), `opening`
//! (cases opened in the same transaction as the responses behind them), `cases` (`CaseStore`:
//! reading and changing cases, their timeline, the SLA job's step and what loop metrics read),
//! `sla` (the step's helpers), `loop_counts` (the loop metrics' counts, kept current by every
//! change of a case), `timeline` (writing case events) and `outbox` (`OutboxStore`:
//! webhooks, deliveries, e-mails sent, events as jobs). The decisions are the domain's
//! (`attune_domain::closed_loop`): these modules load, call it, and write what it returns in
//! one transaction.

mod cases;
mod config;
mod loop_counts;
mod opening;
mod outbox;
mod sla;
mod teams;
mod timeline;

pub(crate) use config::insert_defaults;
pub(crate) use loop_counts::{
    build_missing as build_missing_loop_counts, mark_built as mark_loop_counts_built,
};
pub(crate) use opening::{LoopState, link_resurvey, on_new_responses};

use sqlx::{AnyConnection, Row};

use crate::error::{Context, StoreResult};

/// A user's e-mail, when the user is in the organisation.
pub(super) async fn user_email(
    conn: &mut AnyConnection,
    org_id: &str,
    user: &str,
) -> StoreResult<Option<String>> {
    sqlx::query("SELECT email FROM users WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(user)
        .fetch_optional(&mut *conn)
        .await
        .context("reading a user")?
        .map(|r| r.try_get("email").context("reading user"))
        .transpose()
}
