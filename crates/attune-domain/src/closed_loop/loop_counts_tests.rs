use proptest::prelude::*;

use super::*;
use crate::closed_loop::metrics::{CaseFacts, loop_metrics};

const H: i64 = 3_600_000;

/// A random case: (account, owner, team, root cause, opened hour, due after, responded after,
/// resolved after, breached, scores).
fn case_strategy() -> impl Strategy<Value = (CaseLine, Option<u8>)> {
    (
        (
            prop::option::of(0_u8..3),
            prop::option::of(0_u8..3),
            prop::option::of(0_u8..2),
            prop::option::of(0_u8..3),
        ),
        (
            0_i64..(400 * 24),
            1_i64..48,
            prop::option::of(0_i64..100),
            prop::option::of(0_i64..300),
            any::<bool>(),
        ),
        (prop::option::of(0_i64..11), prop::option::of(0_i64..11)),
    )
        .prop_map(
            |((acc, owner, team, cause), (hour, due, resp, res, breached), (b, a))| {
                let opened_at = hour * H;
                let line = CaseLine {
                    opened_at,
                    first_response_due_at: opened_at + due * H,
                    first_responded_at: resp.map(|r| opened_at + r * H + 17),
                    resolved_at: res.map(|r| opened_at + r * H + 3),
                    breached,
                    owner_id: owner.map(|o| format!("u{o}")),
                    team_id: team.map(|t| format!("t{t}")),
                    root_cause: cause.map(|c| format!("cause {c}")),
                    has_account: acc.is_some(),
                    recurs: false,
                    score_before: b,
                    score_after: a.filter(|_| b.is_some()),
                };
                (line, acc)
            },
        )
}

fn facts(l: &CaseLine, acc: Option<u8>) -> CaseFacts {
    CaseFacts {
        opened_at: l.opened_at,
        first_response_due_at: l.first_response_due_at,
        first_responded_at: l.first_responded_at,
        resolved_at: l.resolved_at,
        breached: l.breached,
        // Owner u2 has left: the definition shows the id; team t1 was deleted: "no team".
        owner: l.owner_id.as_ref().map(|o| {
            if o == "u2" {
                o.clone()
            } else {
                format!("{o}@example.com")
            }
        }),
        team: l
            .team_id
            .clone()
            .filter(|t| t != "t1")
            .map(|t| format!("Team {t}")),
        root_cause: l.root_cause.clone(),
        account: acc.map(|a| format!("a{a}")),
        score_before: l.score_before,
        score_after: l.score_after,
    }
}

fn owner(id: &str) -> Option<String> {
    (id != "u2").then(|| format!("{id}@example.com"))
}

fn team(id: &str) -> Option<String> {
    (id != "t1").then(|| format!("Team {id}"))
}

proptest! {
    /// Counting per day and summing equals the definition over every case, for any period and
    /// any moment of the report: the days wholly inside from counters, the partial ones from
    /// their cases.
    #[test]
    fn counted_metrics_equal_the_definition(
        cases in prop::collection::vec(case_strategy(), 0..60),
        from_h in 0_i64..(400 * 24),
        len_h in 1_i64..(200 * 24),
        now_h in 0_i64..(500 * 24),
    ) {
        let (from, to, now) = (from_h * H + 5, (from_h + len_h) * H, now_h * H);
        let ids: Vec<String> = (0..cases.len()).map(|i| format!("c{i}")).collect();
        let history: Vec<(String, String, i64)> = cases
            .iter()
            .filter_map(|(l, acc)| Some((format!("a{}", (*acc)?), l.root_cause.clone()?, l.opened_at)))
            .collect();
        let mut lines = Vec::new();
        for (i, (l, acc)) in cases.iter().enumerate() {
            let same: Vec<(String, String, i64)> = cases
                .iter()
                .enumerate()
                .filter(|(_, (_, a))| acc.is_some() && a == acc)
                .filter_map(|(j, (o, _))| Some((ids[j].clone(), o.root_cause.clone()?, o.opened_at)))
                .collect();
            let mut l = l.clone();
            l.recurs = recurs(&ids[i], l.root_cause.as_deref(), l.opened_at, &same);
            lines.push(l);
        }
        let in_period = |l: &CaseLine| l.opened_at >= from && l.opened_at < to;
        let expected = loop_metrics(
            &cases
                .iter()
                .filter(|(l, _)| in_period(l))
                .map(|(l, acc)| facts(l, *acc))
                .collect::<Vec<_>>(),
            &history,
            now,
        );
        // Counters per day, as storage keeps them.
        let mut per_day: HashMap<(i64, Counter, String), i64> = HashMap::new();
        let mut times: HashMap<(i64, Duration), Vec<i64>> = HashMap::new();
        for l in &lines {
            for (k, n) in delta(None, Some(l)) {
                *per_day.entry(k).or_insert(0) += n;
            }
            for d in Duration::ALL {
                times.entry((day_of(l.opened_at), d)).or_default().extend(d.of(l));
            }
        }
        let (first_day, end_day) = (day_of(from - 1) + 1, day_of(to));
        let mut sums = Sums::default();
        for ((day, c, key), n) in &per_day {
            if *day >= first_day && *day < end_day {
                *sums.counts.entry((*c, key.clone())).or_insert(0) += n;
            }
        }
        for ((day, d), v) in &times {
            if *day >= first_day && *day < end_day {
                match d {
                    Duration::FirstResponse => sums.first.add_sorted(v.clone()),
                    Duration::Resolution => sums.resolution.add_sorted(v.clone()),
                }
            }
        }
        for l in lines.iter().filter(|l| in_period(l)) {
            let day = day_of(l.opened_at);
            if day < first_day || day >= end_day {
                sums.add(l);
            }
            if l.first_responded_at.is_none() && l.first_response_due_at > now {
                sums.not_yet_due += 1;
            }
        }
        let got = sums.tally(&owner, &team).finish();
        prop_assert_eq!(got, expected);
    }

    /// A change moves the counters by the difference of what the case adds before and after.
    #[test]
    fn delta_of_a_change_is_after_minus_before(
        (a, _) in case_strategy(),
        (b, _) in case_strategy(),
    ) {
        let mut total: HashMap<(i64, Counter, String), i64> = delta(None, Some(&a));
        for (k, n) in delta(Some(&a), Some(&b)) {
            *total.entry(k).or_insert(0) += n;
        }
        total.retain(|_, n| *n != 0);
        prop_assert_eq!(total, delta(None, Some(&b)));
    }
}

#[test]
fn a_worked_example_counts_what_the_definition_counts() {
    let line = CaseLine {
        opened_at: 10 * DAY_MS,
        first_response_due_at: 10 * DAY_MS + 24 * H,
        first_responded_at: Some(10 * DAY_MS + 30 * H),
        resolved_at: None,
        breached: true,
        owner_id: None,
        team_id: Some("t9".into()),
        root_cause: Some("pricing".into()),
        has_account: true,
        recurs: true,
        score_before: Some(3),
        score_after: Some(8),
    };
    let got: Vec<(Counter, String)> = counters(&line);
    assert_eq!(
        got,
        vec![
            (Counter::Cases, String::new()),
            (Counter::Responded, String::new()),
            (Counter::OwnerBreach, String::new()),
            (Counter::TeamBreach, "t9".into()),
            (Counter::Cause, "pricing".into()),
            (Counter::Eligible, String::new()),
            (Counter::Recurring, String::new()),
            (Counter::Resurveyed, String::new()),
            (Counter::Improved, String::new()),
        ]
    );
    assert_eq!(Duration::FirstResponse.of(&line), Some(30 * H));
    assert_eq!(day_of(line.opened_at), 10);
    assert_eq!(day_of(-1), -1);
    for c in Counter::ALL {
        assert_eq!(Counter::parse(c.as_str()), Some(c));
    }
}

#[test]
fn a_case_recurs_after_its_accounts_earlier_case_of_the_same_cause_only() {
    let same = vec![
        ("c1".to_owned(), "pricing".to_owned(), 0),
        ("c2".to_owned(), "pricing".to_owned(), 10 * DAY_MS),
        ("c3".to_owned(), "billing".to_owned(), 5 * DAY_MS),
    ];
    assert!(!recurs("c1", Some("pricing"), 0, &same));
    assert!(recurs("c2", Some("pricing"), 10 * DAY_MS, &same));
    assert!(!recurs("c3", Some("billing"), 5 * DAY_MS, &same));
    assert!(!recurs("c4", Some("pricing"), 101 * DAY_MS, &same));
    assert!(recurs("c4", Some("pricing"), 100 * DAY_MS, &same));
    assert!(!recurs("c4", None, 11 * DAY_MS, &same));
}
