//! The loop metrics of the cases opened in a period: summed from the maintained counts
//! (`attune_domain::closed_loop::loop_counts`), or by their definition over every case
//! ([`every_case`], the domain's `loop_metrics`) where the counts are not built.

use attune_domain::closed_loop::metrics::{
    CaseFacts, LoopMetrics, RECURRENCE_WINDOW_MS, loop_metrics,
};
use attune_domain::period::{DAY_MS, format_ms, parse_instant};
use attune_storage::Store;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{AppError, AppResult};

/// Loop metrics with their period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LoopReport {
    /// Start (RFC 3339).
    pub from: String,
    /// End, exclusive (RFC 3339).
    pub to: String,
    /// The metrics.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub metrics: LoopMetrics,
}

/// `None` for a blank parameter.
fn nonempty(o: Option<&str>) -> Option<&str> {
    o.filter(|s| !s.trim().is_empty())
}

/// The loop metrics of cases opened in `[from, to)`; `to` defaults to just after `now_ms`,
/// `from` to 30 days before `to`. Blank parameters count as absent.
#[tracing::instrument(skip_all, fields(org.id = %org_id))]
pub async fn loop_report(
    store: &dyn Store,
    org_id: &str,
    from: Option<&str>,
    to: Option<&str>,
    now_ms: i64,
) -> AppResult<LoopReport> {
    let to = nonempty(to)
        .map(|t| parse_instant("to", t))
        .transpose()?
        .unwrap_or(now_ms + 1);
    let from = nonempty(from)
        .map(|f| parse_instant("from", f))
        .transpose()?
        .unwrap_or(to - 30 * DAY_MS);
    if from >= to {
        return Err(AppError::invalid("from", "must be before `to`"));
    }
    if let Some(counted) = store.loop_sums(org_id, from, to, now_ms).await? {
        let owners = counted.owners;
        let teams = counted.teams;
        let tally = counted
            .sums
            .tally(&|id| owners.get(id).cloned(), &|id| teams.get(id).cloned());
        return Ok(LoopReport {
            from: format_ms(from),
            to: format_ms(to),
            metrics: tally.finish(),
        });
    }
    Ok(LoopReport {
        from: format_ms(from),
        to: format_ms(to),
        metrics: every_case(store, org_id, from, to, now_ms).await?,
    })
}

/// The metrics by their definition, from every case of the period: the fallback where the
/// counts are not built, and what tests hold the counted metrics to.
pub async fn every_case(
    store: &dyn Store,
    org_id: &str,
    from: i64,
    to: i64,
    now_ms: i64,
) -> AppResult<LoopMetrics> {
    let cases = store.loop_cases(org_id, from, to).await?;
    let history = store
        .account_root_causes(org_id, from - RECURRENCE_WINDOW_MS)
        .await?;
    let facts: Vec<CaseFacts> = cases
        .iter()
        .map(|l| CaseFacts {
            opened_at: l.case.opened_at,
            first_response_due_at: l.case.first_response_due_at,
            first_responded_at: l.case.first_responded_at,
            resolved_at: l.case.resolved_at,
            breached: l.case.breached,
            owner: l.owner_email.clone().or_else(|| l.case.owner.clone()),
            team: l.team_name.clone(),
            root_cause: l.case.root_cause.clone(),
            account: l.case.account_id.clone(),
            score_before: l.score_before.as_ref().map(|(_, s)| *s),
            score_after: l.score_after,
        })
        .collect();
    Ok(loop_metrics(&facts, &history, now_ms))
}
