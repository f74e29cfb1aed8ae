use super::*;
use crate::survey::QuestionType;

#[test]
fn the_case_window_keeps_old_feedback_out() {
    let day = crate::period::DAY_MS;
    assert!(in_case_window(10 * day, 10 * day, 7 * day));
    assert!(in_case_window(3 * day, 10 * day, 7 * day));
    assert!(!in_case_window(3 * day - 1, 10 * day, 7 * day));
    assert!(in_case_window(0, 10 * day, 0), "0 = any age");
}

#[test]
fn round_robin_takes_turns_from_the_stored_cursor() {
    let mut rr = RoundRobin {
        members: vec!["a".into(), "b".into(), "c".into()],
        next: 4,
    };
    let picks: Vec<_> = (0..4).filter_map(|_| rr.pick()).collect();
    assert_eq!(picks, ["b", "c", "a", "b"]);
    assert_eq!(rr.next, 8);
    assert_eq!(RoundRobin::default().pick(), None);
    let mut neg = RoundRobin {
        members: vec!["a".into(), "b".into()],
        next: -1,
    };
    assert_eq!(neg.pick().as_deref(), Some("b"));
}

#[test]
fn owners_come_from_the_account_then_the_team_then_the_staff() {
    let mut team = RoundRobin {
        members: vec!["t1".into()],
        next: 0,
    };
    let mut empty = RoundRobin::default();
    let mut staff = RoundRobin {
        members: vec!["s1".into(), "s2".into()],
        next: 0,
    };
    assert_eq!(
        choose_owner(Some("ao"), Some(&mut team), &mut staff).as_deref(),
        Some("ao")
    );
    assert_eq!((team.next, staff.next), (0, 0), "no turn taken");
    assert_eq!(
        choose_owner(None, Some(&mut team), &mut staff).as_deref(),
        Some("t1")
    );
    assert_eq!(
        choose_owner(None, Some(&mut empty), &mut staff).as_deref(),
        Some("s1")
    );
    assert_eq!(choose_owner(None, None, &mut staff).as_deref(), Some("s2"));
    assert_eq!(choose_owner(None, None, &mut RoundRobin::default()), None);
}

#[test]
fn titles_prefer_the_comment_and_cut_long_ones_by_grapheme() {
    let scores = [ScoredAnswer {
        question: "n".into(),
        qtype: QuestionType::Nps,
        score: 3,
    }];
    assert_eq!(case_title(None, &scores), "NPS 3");
    assert_eq!(case_title(Some("  "), &[]), "Feedback");
    let t = case_title(Some(&"ਕ".repeat(200)), &scores);
    assert_eq!(grapheme_len(&t), 120);
    assert!(t.ends_with('…'));
}

#[test]
fn an_opened_case_is_due_from_its_opening() {
    let policy = SlaPolicy::default();
    let c = crate::closed_loop::record::sample(1_000, &policy);
    assert_eq!(c.state, CaseState::Open);
    assert_eq!(c.first_response_due_at, 1_000 + 24 * 3_600_000);
    assert_eq!(c.next_check(), Some(c.first_response_warn_at));
    let e = rule_email("Detractors", "NPS 3", None, "r1", "x@y.test");
    assert_eq!(e.subject, "[Detractors] NPS 3");
    assert_eq!(
        e.body,
        "Rule \"Detractors\" matched a response.\n\nNPS 3\n\nResponse r1"
    );
}

#[test]
fn the_highest_priority_rule_leads_and_the_first_wins_a_tie() {
    use Priority::{High, Low, Normal, Urgent};
    assert_eq!(lead_rule(&[]), None);
    assert_eq!(lead_rule(&[Normal]), Some(0));
    assert_eq!(lead_rule(&[Low, High, Normal, High]), Some(1));
    assert_eq!(lead_rule(&[Normal, Low, Urgent]), Some(2));
}

#[test]
fn one_case_lists_every_rule_that_matched_its_response_lead_first() {
    let policy = SlaPolicy::default();
    let opened = open(
        NewCase {
            id: "c1".into(),
            rule: ("r2", "Cancellations"),
            also: vec![
                ("r1".into(), "Detractors".into()),
                ("r3".into(), "Low CES".into()),
            ],
            response_id: "resp1",
            account_id: None,
            contact_id: None,
            owner: None,
            team_id: None,
            priority: Priority::Urgent,
            title: "Cancel".into(),
            policy: &policy,
        },
        5,
    );
    assert_eq!(opened.case.rule_id, "r2");
    assert_eq!(opened.case.rule_ids, ["r2", "r1", "r3"]);
    assert_eq!(
        opened.event.detail["rules"],
        json!(["Cancellations", "Detractors", "Low CES"])
    );
    assert_eq!(opened.hook_data["rule_ids"], json!(["r2", "r1", "r3"]));
}
