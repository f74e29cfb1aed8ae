//! A follow-up case as it is stored: what the transitions in [`super::transition`] and
//! [`super::escalation`] read and return.

use serde::Serialize;

use super::case::CaseState;
use super::rules::Priority;
use super::sla::SlaPolicy;

/// A follow-up case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    /// Opaque id.
    pub id: String,
    /// The lead rule: of the rules that matched its response, the one whose team, SLA policy
    /// and priority the case took.
    pub rule_id: String,
    /// Every case-opening rule that matched its response, the lead first (one response opens
    /// one case, however many rules match it).
    pub rule_ids: Vec<String>,
    /// The feedback behind it.
    pub response_id: Option<String>,
    /// The customer's account.
    pub account_id: Option<String>,
    /// The customer.
    pub contact_id: Option<String>,
    /// Owner's user id.
    pub owner: Option<String>,
    /// Team.
    pub team_id: Option<String>,
    /// Priority.
    pub priority: Priority,
    /// State.
    pub state: CaseState,
    /// Short title (the start of the comment, or the score).
    pub title: String,
    /// Opened, epoch ms.
    pub opened_at: i64,
    /// Owner is warned at.
    pub first_response_warn_at: i64,
    /// First response due.
    pub first_response_due_at: i64,
    /// Owner is warned at.
    pub resolution_warn_at: i64,
    /// Resolution due.
    pub resolution_due_at: i64,
    /// First response given.
    pub first_responded_at: Option<i64>,
    /// Resolved.
    pub resolved_at: Option<i64>,
    /// Closed.
    pub closed_at: Option<i64>,
    /// Clock paused since (waiting on the customer).
    pub paused_at: Option<i64>,
    /// First-response warning sent.
    pub first_warned_at: Option<i64>,
    /// Resolution warning sent.
    pub resolution_warned_at: Option<i64>,
    /// First-response deadline missed.
    pub first_breached_at: Option<i64>,
    /// Resolution deadline missed.
    pub resolution_breached_at: Option<i64>,
    /// Any deadline missed.
    pub breached: bool,
    /// Who the breach was escalated to.
    pub escalated_to: Option<String>,
    /// Root-cause category.
    pub root_cause: Option<String>,
    /// What was done.
    pub resolution: Option<String>,
    /// Re-survey invitation sent on resolution.
    pub resurvey_invitation_id: Option<String>,
    /// The re-survey's answer.
    pub resurvey_response_id: Option<String>,
    /// The SLA policy the deadlines came from (a copy: later edits do not move them).
    pub sla: SlaPolicy,
    /// Last change.
    pub updated_at: i64,
}

impl Case {
    /// Whether its deadlines run (active and not waiting on the customer).
    pub fn clock_runs(&self) -> bool {
        self.state.is_active() && self.paused_at.is_none()
    }

    /// Whether a deadline it still has to meet has passed at `now_ms`.
    pub fn is_overdue(&self, now_ms: i64) -> bool {
        self.clock_runs()
            && ((self.first_responded_at.is_none() && now_ms >= self.first_response_due_at)
                || now_ms >= self.resolution_due_at)
    }

    /// The next instant the SLA job must look at it, given what is already recorded; `None`
    /// when nothing is left to watch.
    pub fn next_check(&self) -> Option<i64> {
        if !self.clock_runs() {
            return None;
        }
        let mut due = Vec::new();
        if self.first_responded_at.is_none() {
            due.extend(
                self.first_warned_at
                    .is_none()
                    .then_some(self.first_response_warn_at),
            );
            due.extend(
                self.first_breached_at
                    .is_none()
                    .then_some(self.first_response_due_at),
            );
        }
        if self.resolved_at.is_none() {
            due.extend(
                self.resolution_warned_at
                    .is_none()
                    .then_some(self.resolution_warn_at),
            );
            due.extend(
                self.resolution_breached_at
                    .is_none()
                    .then_some(self.resolution_due_at),
            );
        }
        due.into_iter().min()
    }

    /// Recomputes `breached` from the two breach instants.
    pub(crate) fn refresh_breached(&mut self) {
        self.breached = self.first_breached_at.is_some() || self.resolution_breached_at.is_some();
    }
}

/// A case opened at `opened_ms` under `policy`, for tests.
#[cfg(test)]
pub(crate) fn sample(opened_ms: i64, policy: &SlaPolicy) -> Case {
    super::opening::open(
        super::opening::NewCase {
            id: "c1".into(),
            rule: ("r1", "Detractors"),
            also: Vec::new(),
            response_id: "resp1",
            account_id: None,
            contact_id: None,
            owner: Some("u1".into()),
            team_id: None,
            priority: Priority::Normal,
            title: "Too slow".into(),
            policy,
        },
        opened_ms,
    )
    .case
}
