//! What the SLA job decides about a case at a given instant: which warnings and breaches are
//! due ([`due_milestones`]), what each records on the case and its timeline, and the e-mails it
//! sends ([`apply_milestone`], [`warning_email`], [`escalation_email`]). Storage guards each
//! milestone with `UPDATE … WHERE column IS NULL`, so every one happens once.

use serde_json::json;

use super::record::Case;
use super::timeline::{Deadline, EventKind, NewEvent};
use crate::jobs::{Email, EmailKind};
use crate::period::format_ms;

/// Warned or breached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// 75 % of the target has passed.
    Warned,
    /// The deadline has passed.
    Breached,
}

/// A warning or breach due now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Milestone {
    /// Which deadline.
    pub deadline: Deadline,
    /// Warned or breached.
    pub step: Step,
    /// The deadline's instant.
    pub due_at: i64,
}

impl Milestone {
    /// How the worker logs it, e.g. `first_response.warned`.
    pub fn label(&self) -> String {
        let step = match self.step {
            Step::Warned => "warned",
            Step::Breached => "breached",
        };
        format!("{}.{step}", self.deadline.as_str())
    }
}

/// The milestones due at `now_ms` that are not yet recorded, first response first. None while
/// the case is inactive or waiting on the customer.
pub fn due_milestones(c: &Case, now_ms: i64) -> Vec<Milestone> {
    if !c.clock_runs() {
        return Vec::new();
    }
    let deadlines = [
        (
            Deadline::FirstResponse,
            c.first_responded_at.is_none(),
            c.first_response_warn_at,
            c.first_response_due_at,
            c.first_warned_at,
            c.first_breached_at,
        ),
        (
            Deadline::Resolution,
            c.resolved_at.is_none(),
            c.resolution_warn_at,
            c.resolution_due_at,
            c.resolution_warned_at,
            c.resolution_breached_at,
        ),
    ];
    let mut out = Vec::new();
    for (deadline, pending, warn_at, due_at, warned, breached) in deadlines {
        if !pending {
            continue;
        }
        let step = if now_ms >= due_at {
            breached.is_none().then_some(Step::Breached)
        } else if now_ms >= warn_at {
            warned.is_none().then_some(Step::Warned)
        } else {
            None
        };
        out.extend(step.map(|step| Milestone {
            deadline,
            step,
            due_at,
        }));
    }
    out
}

/// Who hears of a milestone.
#[derive(Debug, Clone, Copy, Default)]
pub struct Recipients<'a> {
    /// The owner's e-mail.
    pub owner_email: Option<&'a str>,
    /// Who a breach is escalated to (the team lead, else the first admin).
    pub target: Option<&'a str>,
    /// The target's e-mail.
    pub target_email: Option<&'a str>,
}

/// What recording one milestone does besides changing the case.
#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneEffect {
    /// Timeline entries, in order.
    pub events: Vec<NewEvent>,
    /// E-mails to queue (without organisation).
    pub emails: Vec<Email>,
    /// Whether `case.escalated` goes to the webhooks.
    pub escalated: bool,
}

/// Records `m` on the case at `now_ms`. A breach also records a warning skipped because the
/// worker ran late, and escalates.
pub fn apply_milestone(
    c: &mut Case,
    m: &Milestone,
    to: Recipients<'_>,
    now_ms: i64,
) -> MilestoneEffect {
    let (warned, breached) = match m.deadline {
        Deadline::FirstResponse => (&mut c.first_warned_at, &mut c.first_breached_at),
        Deadline::Resolution => (&mut c.resolution_warned_at, &mut c.resolution_breached_at),
    };
    let detail = json!({"deadline": m.deadline.as_str(), "due_at": m.due_at});
    let mut effect = MilestoneEffect {
        events: Vec::new(),
        emails: Vec::new(),
        escalated: false,
    };
    match m.step {
        Step::Warned => {
            *warned = Some(now_ms);
            effect
                .events
                .push(NewEvent::new(now_ms, None, EventKind::Warned, detail));
            effect.emails.extend(
                to.owner_email
                    .map(|e| warning_email(c, m.deadline, m.due_at, e)),
            );
        }
        Step::Breached => {
            *breached = Some(now_ms);
            warned.get_or_insert(now_ms);
            c.escalated_to = to.target.map(str::to_owned);
            effect
                .events
                .push(NewEvent::new(now_ms, None, EventKind::Breached, detail));
            effect.events.push(NewEvent::new(
                now_ms,
                None,
                EventKind::Escalated,
                json!({"deadline": m.deadline.as_str(), "to": to.target}),
            ));
            let mut recipients: Vec<&str> = to.target_email.into_iter().collect();
            recipients.extend(to.owner_email.filter(|e| !recipients.contains(e)));
            effect.emails = recipients
                .into_iter()
                .map(|e| escalation_email(c, m.deadline, m.due_at, e))
                .collect();
            effect.escalated = true;
        }
    }
    c.updated_at = now_ms;
    c.refresh_breached();
    effect
}

/// The owner's warning that a deadline is near.
pub fn warning_email(c: &Case, deadline: Deadline, due_at: i64, to: &str) -> Email {
    Email::new(
        EmailKind::Warning,
        to,
        format!("Due soon: {}", c.title),
        format!(
            "The {} deadline of case {} is at {}.\n\n{}",
            deadline.words(),
            c.id,
            format_ms(due_at),
            c.title
        ),
    )
    .about(&c.id)
}

/// The escalation of a passed deadline.
pub fn escalation_email(c: &Case, deadline: Deadline, due_at: i64, to: &str) -> Email {
    Email::new(
        EmailKind::Escalation,
        to,
        format!("Escalated: {}", c.title),
        format!(
            "The {} deadline of case {} passed at {} without action.\n\n{}",
            deadline.words(),
            c.id,
            format_ms(due_at),
            c.title
        ),
    )
    .about(&c.id)
}

#[cfg(test)]
#[path = "escalation_tests.rs"]
mod tests;
