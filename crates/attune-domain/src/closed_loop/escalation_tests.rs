use super::*;
use crate::closed_loop::record::sample;
use crate::closed_loop::sla::SlaPolicy;

const H: i64 = 3_600_000;
const T0: i64 = 1_764_000_000_000;

#[test]
fn nothing_is_due_before_the_warning() {
    let c = sample(T0, &SlaPolicy::default());
    assert!(due_milestones(&c, T0 + 17 * H).is_empty());
    assert_eq!(c.next_check(), Some(T0 + 18 * H));
}

#[test]
fn the_warning_falls_at_75_percent_and_mails_the_owner() {
    let mut c = sample(T0, &SlaPolicy::default());
    let due = due_milestones(&c, T0 + 18 * H);
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].label(), "first_response.warned");
    let to = Recipients {
        owner_email: Some("owner@acme.test"),
        ..Default::default()
    };
    let e = apply_milestone(&mut c, &due[0], to, T0 + 18 * H);
    assert_eq!(c.first_warned_at, Some(T0 + 18 * H));
    assert_eq!(e.emails[0].subject, "Due soon: Too slow");
    assert_eq!(
        e.emails[0].body,
        "The first response deadline of case c1 is at 2025-11-25T16:00:00Z.\n\nToo slow"
    );
    assert!(!e.escalated);
    // Recorded once: not due again.
    assert!(due_milestones(&c, T0 + 19 * H).is_empty());
    assert_eq!(c.next_check(), Some(c.first_response_due_at));
}

#[test]
fn a_breach_escalates_to_the_target_and_the_owner_once_each() {
    let mut c = sample(T0, &SlaPolicy::default());
    // The worker was down for the warning: the breach records it too.
    let due = due_milestones(&c, T0 + 25 * H);
    assert_eq!(due[0].step, Step::Breached);
    let to = Recipients {
        owner_email: Some("boss@acme.test"),
        target: Some("u9"),
        target_email: Some("boss@acme.test"),
    };
    let e = apply_milestone(&mut c, &due[0], to, T0 + 25 * H);
    assert_eq!(c.first_warned_at, Some(T0 + 25 * H));
    assert_eq!(c.escalated_to.as_deref(), Some("u9"));
    assert!(c.breached);
    let kinds: Vec<_> = e.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["breached", "escalated"]);
    assert_eq!(e.emails.len(), 1, "the same address once");
    assert!(e.emails[0].subject.starts_with("Escalated: "));
    assert!(e.escalated);
}

#[test]
fn a_waiting_case_has_nothing_due() {
    let mut c = sample(T0, &SlaPolicy::default());
    c.state = crate::closed_loop::case::CaseState::Waiting;
    c.paused_at = Some(T0 + H);
    assert!(due_milestones(&c, T0 + 500 * H).is_empty());
    assert_eq!(c.next_check(), None);
}
