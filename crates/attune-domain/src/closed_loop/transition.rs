//! A case transition as a pure function: the case as stored, an action and the clock give the
//! new case, its timeline entries, the jobs to queue and the webhook events to send. Storage
//! loads the case (locked), calls [`update`] or [`note`], and writes what comes back in the
//! same transaction.

use serde_json::json;

use super::case::{CasePatch, CaseState};
use super::record::Case;
use super::timeline::{Deadline, EventKind, HookEvent, NewEvent};
use crate::error::Invalid;
use crate::jobs::{BackgroundJob, NewJob, ResolutionMessage};

/// What a transition decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The case after it.
    pub case: Case,
    /// Timeline entries, in order.
    pub events: Vec<NewEvent>,
    /// Jobs to queue (without organisation: storage gives them the case's).
    pub jobs: Vec<NewJob>,
    /// Webhook events to send with the new case as data.
    pub hooks: Vec<HookEvent>,
    /// Whether the case's SLA job must be moved to [`Case::next_check`].
    pub reschedule: bool,
}

/// What storage knows that a change is checked against.
#[derive(Debug, Clone, Copy)]
pub struct UpdateContext<'a> {
    /// The organisation's root-cause taxonomy.
    pub taxonomy: &'a [String],
    /// Whether the new owner (if the patch names one) is a user of the organisation.
    pub owner_is_user: bool,
}

/// An entry for a first response given late: the breach the worker did not see in time.
fn late_breach(deadline: Deadline, due_at: i64, now_ms: i64) -> NewEvent {
    NewEvent::new(
        now_ms,
        None,
        EventKind::Breached,
        json!({"deadline": deadline.as_str(), "due_at": due_at, "late_by_ms": now_ms - due_at}),
    )
}

/// A note on the case. The first action on a case is its first response; given after the
/// deadline, it records the breach too.
pub fn note(case: &Case, actor: &str, text: &str, now_ms: i64) -> Transition {
    let mut c = case.clone();
    let mut events = vec![NewEvent::new(
        now_ms,
        Some(actor),
        EventKind::Note,
        json!({"text": text}),
    )];
    if c.first_responded_at.is_none() {
        c.first_responded_at = Some(now_ms);
        if now_ms > c.first_response_due_at && c.first_breached_at.is_none() {
            c.first_breached_at = Some(c.first_response_due_at);
            events.push(late_breach(
                Deadline::FirstResponse,
                c.first_response_due_at,
                now_ms,
            ));
        }
        events.push(NewEvent::new(
            now_ms,
            Some(actor),
            EventKind::FirstResponse,
            json!({"within_deadline": now_ms <= c.first_response_due_at}),
        ));
    }
    c.updated_at = now_ms;
    c.refresh_breached();
    Transition {
        case: c,
        events,
        jobs: Vec::new(),
        hooks: Vec::new(),
        reschedule: false,
    }
}

/// Applies a checked patch: owner, priority, root cause and resolution (each change on the
/// timeline), then the state change with what it implies for the clock.
pub fn update(
    case: &Case,
    patch: &CasePatch,
    ctx: UpdateContext<'_>,
    actor: Option<&str>,
    now_ms: i64,
) -> Result<Transition, Invalid> {
    let current = case.state;
    patch.check(
        current,
        case.root_cause.is_some(),
        case.resolution.is_some(),
        ctx.taxonomy,
    )?;
    let mut c = case.clone();
    let mut events = Vec::new();
    let event = |kind, detail| NewEvent::new(now_ms, actor, kind, detail);
    if let Some(owner) = &patch.owner
        && c.owner.as_deref() != Some(owner)
    {
        if !ctx.owner_is_user {
            return Err(Invalid::one("owner", "no such user in this organisation"));
        }
        events.push(event(
            EventKind::Assigned,
            json!({"from": c.owner, "to": owner}),
        ));
        c.owner = Some(owner.clone());
    }
    if let Some(p) = patch.priority.filter(|p| *p != c.priority) {
        events.push(event(
            EventKind::Priority,
            json!({"from": c.priority, "to": p}),
        ));
        c.priority = p;
    }
    if let Some(rc) = &patch.root_cause
        && c.root_cause.as_ref() != Some(rc)
    {
        events.push(event(
            EventKind::RootCause,
            json!({"from": c.root_cause, "to": rc}),
        ));
        c.root_cause = Some(rc.clone());
    }
    if let Some(res) = &patch.resolution
        && c.resolution.as_ref() != Some(res)
    {
        events.push(event(EventKind::Resolution, json!({"text": res})));
        c.resolution = Some(res.clone());
    }
    let mut t = Transition {
        case: c,
        events,
        jobs: Vec::new(),
        hooks: Vec::new(),
        reschedule: true,
    };
    if let Some(to) = patch.state.filter(|to| *to != current) {
        change_state(&mut t, patch, to, actor, now_ms);
    }
    t.case.updated_at = now_ms;
    t.case.refresh_breached();
    if t.case.state == CaseState::Resolved && current != CaseState::Resolved {
        t.hooks.push(HookEvent::CaseResolved);
    }
    Ok(t)
}

/// The state change of [`update`]: the first response, the clock's resumption, and what the
/// new state itself records.
fn change_state(
    t: &mut Transition,
    patch: &CasePatch,
    to: CaseState,
    actor: Option<&str>,
    now_ms: i64,
) {
    let c = &mut t.case;
    let from = c.state;
    t.events.push(NewEvent::new(
        now_ms,
        actor,
        EventKind::State,
        json!({"from": from, "to": to}),
    ));
    if c.first_responded_at.is_none() {
        c.first_responded_at = Some(now_ms);
        t.events.push(NewEvent::new(
            now_ms,
            actor,
            EventKind::FirstResponse,
            json!({"within_deadline": now_ms <= c.first_response_due_at}),
        ));
        if now_ms > c.first_response_due_at && c.first_breached_at.is_none() {
            // Answered late while no worker noticed: the breach is still recorded.
            c.first_breached_at = Some(c.first_response_due_at);
            t.events.push(late_breach(
                Deadline::FirstResponse,
                c.first_response_due_at,
                now_ms,
            ));
        }
    }
    if let Some(paused) = c.paused_at.take() {
        resume(c, paused, now_ms);
        t.events.push(NewEvent::new(
            now_ms,
            actor,
            EventKind::ClockResumed,
            json!({"paused_ms": now_ms - paused, "resolution_due_at": c.resolution_due_at}),
        ));
    }
    match to {
        CaseState::Waiting => c.paused_at = Some(now_ms),
        CaseState::Resolved => {
            c.resolved_at = Some(now_ms);
            if now_ms > c.resolution_due_at && c.resolution_breached_at.is_none() {
                c.resolution_breached_at = Some(c.resolution_due_at);
                t.events.push(late_breach(
                    Deadline::Resolution,
                    c.resolution_due_at,
                    now_ms,
                ));
            }
            if !patch.silent {
                let job = ResolutionMessage {
                    case_id: c.id.clone(),
                    resurvey: patch.resurvey,
                };
                t.jobs.push(job.into_new(None, now_ms));
            }
        }
        CaseState::Closed => c.closed_at = Some(now_ms),
        CaseState::Open | CaseState::InProgress
            if matches!(from, CaseState::Resolved | CaseState::Closed) =>
        {
            reopen(c, now_ms);
            t.hooks.push(HookEvent::CaseReopened);
        }
        CaseState::Open | CaseState::InProgress => {}
    }
    c.state = to;
}

/// Leaving `waiting` after a pause from `paused`: each deadline not yet passed when the pause
/// began moves by the working time the pause took.
pub fn resume(c: &mut Case, paused: i64, now_ms: i64) {
    let s = &c.sla;
    c.first_response_warn_at = s.shift(c.first_response_warn_at, paused, now_ms);
    c.first_response_due_at = s.shift(c.first_response_due_at, paused, now_ms);
    c.resolution_warn_at = s.shift(c.resolution_warn_at, paused, now_ms);
    c.resolution_due_at = s.shift(c.resolution_due_at, paused, now_ms);
}

/// A reopened case gets a fresh resolution deadline (and warning), counted from `now_ms`, and
/// forgets its resolution milestones.
pub fn reopen(c: &mut Case, now_ms: i64) {
    let full = i64::from(c.sla.resolution_minutes) * 60_000;
    c.resolution_warn_at = c.sla.add(now_ms, full * 3 / 4);
    c.resolution_due_at = c.sla.add(now_ms, full);
    c.resolved_at = None;
    c.closed_at = None;
    c.resolution_warned_at = None;
    c.resolution_breached_at = None;
}

#[cfg(test)]
#[path = "transition_tests.rs"]
mod tests;
