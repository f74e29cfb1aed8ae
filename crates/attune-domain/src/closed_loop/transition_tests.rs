use proptest::prelude::*;

use super::*;
use crate::closed_loop::case::CasePatchInput;
use crate::closed_loop::record::sample;
use crate::closed_loop::rules::Priority;
use crate::closed_loop::sla::SlaPolicy;

const H: i64 = 3_600_000;
const T0: i64 = 1_764_000_000_000;

fn taxonomy() -> Vec<String> {
    vec!["pricing".into()]
}

fn patch(state: &str) -> CasePatch {
    CasePatch::parse(CasePatchInput {
        state: Some(state.into()),
        root_cause: (state == "resolved").then(|| "pricing".into()),
        resolution: (state == "resolved").then(|| "Refunded".into()),
        ..Default::default()
    })
    .unwrap()
}

fn apply(c: &Case, state: &str, now: i64) -> Transition {
    let tax = taxonomy();
    let ctx = UpdateContext {
        taxonomy: &tax,
        owner_is_user: true,
    };
    update(c, &patch(state), ctx, Some("u1"), now).unwrap()
}

fn kinds(t: &Transition) -> Vec<&'static str> {
    t.events.iter().map(|e| e.kind.as_str()).collect()
}

#[test]
fn a_pause_shifts_the_deadlines_by_its_length() {
    let c = sample(T0, &SlaPolicy::default());
    let waiting = apply(&c, "waiting", T0 + H).case;
    assert_eq!(waiting.paused_at, Some(T0 + H));
    let back = apply(&waiting, "in_progress", T0 + 6 * H);
    assert_eq!(back.case.paused_at, None);
    assert_eq!(back.case.resolution_due_at, c.resolution_due_at + 5 * H);
    assert_eq!(kinds(&back), ["state", "clock_resumed"]);
    assert_eq!(back.events[1].detail["paused_ms"], 5 * H);
}

#[test]
fn reopening_gives_a_fresh_resolution_deadline_and_forgets_its_milestones() {
    let c = sample(T0, &SlaPolicy::default());
    let mut resolved = apply(&c, "resolved", T0 + 100 * H).case;
    assert_eq!(resolved.resolution_breached_at, Some(c.resolution_due_at));
    resolved.resolution_warned_at = Some(T0 + 60 * H);
    let t = apply(&resolved, "open", T0 + 200 * H);
    assert_eq!(t.case.resolution_due_at, T0 + 200 * H + 72 * H);
    assert_eq!(t.case.resolution_warn_at, T0 + 200 * H + 54 * H);
    assert_eq!(
        (
            t.case.resolved_at,
            t.case.resolution_warned_at,
            t.case.resolution_breached_at
        ),
        (None, None, None)
    );
    assert_eq!(t.hooks, [HookEvent::CaseReopened]);
    // The first-response breach stays: it happened.
    assert!(t.case.breached);
}

#[test]
fn a_late_first_answer_records_the_breach_the_worker_missed() {
    let c = sample(T0, &SlaPolicy::default());
    let t = apply(&c, "in_progress", T0 + 30 * H);
    assert_eq!(kinds(&t), ["state", "first_response", "breached"]);
    assert_eq!(t.case.first_breached_at, Some(c.first_response_due_at));
    assert_eq!(t.events[2].detail["late_by_ms"], 6 * H);
    assert_eq!(t.events[2].actor, None);
    assert!(t.case.breached);
    // In time: no breach.
    let t = apply(&c, "in_progress", T0 + H);
    assert_eq!(kinds(&t), ["state", "first_response"]);
    assert_eq!(t.events[1].detail["within_deadline"], true);
}

#[test]
fn a_first_note_is_the_first_response() {
    let c = sample(T0, &SlaPolicy::default());
    let t = note(&c, "u1", "Called them", T0 + 25 * H);
    assert_eq!(kinds(&t), ["note", "breached", "first_response"]);
    assert_eq!(t.case.first_responded_at, Some(T0 + 25 * H));
    assert!(!t.reschedule);
    let again = note(&t.case, "u1", "Again", T0 + 26 * H);
    assert_eq!(kinds(&again), ["note"]);
    assert_eq!(again.case.updated_at, T0 + 26 * H);
}

#[test]
fn resolving_queues_the_customer_message_unless_silent() {
    let c = sample(T0, &SlaPolicy::default());
    let t = apply(&c, "resolved", T0 + H);
    assert_eq!(t.hooks, [HookEvent::CaseResolved]);
    let job: ResolutionMessage = t.jobs[0].payload_as().unwrap();
    assert_eq!(job.case_id, "c1");
    let mut p = patch("resolved");
    p.silent = true;
    let tax = taxonomy();
    let ctx = UpdateContext {
        taxonomy: &tax,
        owner_is_user: true,
    };
    assert!(update(&c, &p, ctx, None, T0 + H).unwrap().jobs.is_empty());
}

#[test]
fn assignment_priority_and_notes_on_the_timeline() {
    let c = sample(T0, &SlaPolicy::default());
    let p = CasePatch::parse(CasePatchInput {
        owner: Some("u2".into()),
        priority: Some("urgent".into()),
        ..Default::default()
    })
    .unwrap();
    let tax = taxonomy();
    let ok = UpdateContext {
        taxonomy: &tax,
        owner_is_user: true,
    };
    let t = update(&c, &p, ok, Some("u1"), T0 + H).unwrap();
    assert_eq!(kinds(&t), ["assigned", "priority"]);
    assert_eq!(
        (t.case.owner.as_deref(), t.case.priority),
        (Some("u2"), Priority::Urgent)
    );
    assert_eq!(
        t.events[0].detail,
        serde_json::json!({"from": "u1", "to": "u2"})
    );
    // Not a first response: only state changes and notes are.
    assert_eq!(t.case.first_responded_at, None);
    let stranger = UpdateContext {
        taxonomy: &tax,
        owner_is_user: false,
    };
    let err = update(&c, &p, stranger, Some("u1"), T0 + H).unwrap_err();
    assert_eq!(err.0[0].field, "owner");
}

#[test]
fn moves_the_state_machine_forbids_are_refused() {
    let c = sample(T0, &SlaPolicy::default());
    let tax = taxonomy();
    let ctx = UpdateContext {
        taxonomy: &tax,
        owner_is_user: true,
    };
    assert!(update(&c, &patch("closed"), ctx, None, T0).is_err());
}

fn state_name() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("open"),
        Just("in_progress"),
        Just("waiting"),
        Just("resolved"),
        Just("closed"),
    ]
}

proptest! {
    /// Whatever moves are made, a deadline is never before the case was opened, and the
    /// time spent waiting never counts: every deadline is at least the unpaused one.
    #[test]
    fn paused_time_never_counts_and_deadlines_follow_the_opening(
        steps in proptest::collection::vec((state_name(), 1..50 * H), 1..12),
    ) {
        let c0 = sample(T0, &SlaPolicy::default());
        let (mut c, mut now) = (c0.clone(), T0);
        let tax = taxonomy();
        let ctx = UpdateContext { taxonomy: &tax, owner_is_user: true };
        let mut reopened = false;
        for (state, gap) in steps {
            now += gap;
            if let Ok(t) = update(&c, &patch(state), ctx, None, now) {
                reopened |= t.hooks.contains(&HookEvent::CaseReopened);
                c = t.case;
            }
            for at in [c.first_response_warn_at, c.first_response_due_at,
                       c.resolution_warn_at, c.resolution_due_at] {
                prop_assert!(at >= c.opened_at);
            }
            prop_assert!(c.first_response_warn_at <= c.first_response_due_at);
            prop_assert!(c.resolution_warn_at <= c.resolution_due_at);
            if !reopened {
                prop_assert!(c.first_response_due_at >= c0.first_response_due_at);
                prop_assert!(c.resolution_due_at >= c0.resolution_due_at);
            }
        }
    }

    /// Reopening always yields deadlines in the future of the reopening.
    #[test]
    fn reopening_always_yields_fresh_deadlines(gap in 1..500 * H, late in 0..500 * H) {
        let c = sample(T0, &SlaPolicy::default());
        let resolved = apply(&c, "resolved", T0 + gap).case;
        let now = T0 + gap + late + 1;
        let t = apply(&resolved, "in_progress", now);
        prop_assert!(t.case.resolution_due_at > now);
        prop_assert!(t.case.resolution_warn_at > now);
        prop_assert_eq!(t.case.resolution_breached_at, None);
        prop_assert!(t.case.next_check().is_some_and(|at| at > now));
    }
}
