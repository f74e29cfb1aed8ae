//! Invariants that must hold for any data.

use attune_domain::metrics::Z95;
use attune_retention::stats::{chi2_sf, fisher_exact};
use attune_retention::{
    ActivityEvent, AttributeColumn, CiKind, Day, Grid, KaplanMeier, Ledger, Member, Outcome,
    PeriodUnit, Subscription, churn_audit,
};
use proptest::prelude::*;

const EPS: f64 = 1e-12;

/// Accounts, rows over roughly 1970–1971 (some empty or reversed, some open), as_of, grace.
fn book() -> impl Strategy<Value = (usize, Vec<Subscription>, Day, u32)> {
    (1usize..25).prop_flat_map(|n| {
        (
            Just(n),
            prop::collection::vec(
                (
                    0..n as u32,
                    0i32..500,
                    prop::option::weighted(0.85, -5i32..160),
                    0i64..5_000,
                ),
                0..80,
            ),
            150i32..650,
            0u32..20,
        )
            .prop_map(|(n, rows, as_of, grace)| {
                let rows = rows
                    .into_iter()
                    .map(|(account, start, len, mrr_cents)| Subscription {
                        account,
                        start,
                        end: len.map(|l| start + l),
                        mrr_cents,
                    })
                    .collect();
                (n, rows, as_of, grace)
            })
    })
}

fn months() -> Grid {
    Grid::calendar(PeriodUnit::Month, 0, 700)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn summary_identities_hold((n, rows, as_of, grace) in book()) {
        let ledger = Ledger::from_subscriptions(n, &rows, as_of, grace).unwrap();
        let summary = ledger.summary(&months());
        for p in &summary {
            prop_assert_eq!(p.s - p.lost + p.n - p.lost_new, p.e, "S − lost + N − lost_new = E");
            prop_assert_eq!(p.retained, p.s - p.lost);
            prop_assert_eq!(p.crr.is_none(), p.s == 0, "undefined exactly when S = 0");
            if let (Some(crr), Some(share), Some(churn)) = (p.crr, p.retained_share, p.churn_rate) {
                prop_assert!((0.0..=1.0).contains(&share));
                prop_assert!((share + churn - 1.0).abs() < EPS);
                prop_assert!(crr <= share + EPS, "the seed formula never exceeds the retained share");
                if p.lost_new == 0 {
                    prop_assert!((crr - share).abs() < EPS, "equal when no new customer churns inside");
                }
                prop_assert!((share - crr - p.lost_new as f64 / p.s as f64).abs() < EPS);
            }
            prop_assert_eq!(p.grr.is_none(), p.mrr0_cents == 0);
            if let (Some(grr), Some(nrr)) = (p.grr, p.nrr) {
                prop_assert!((0.0..=1.0).contains(&grr), "GRR never above 100%: {}", grr);
                prop_assert!(nrr >= 0.0 && grr <= nrr + EPS);
            }
            prop_assert!(p.churned_mrr_cents <= p.mrr0_cents);
        }
        for w in summary.windows(2) {
            if w[0].complete {
                prop_assert_eq!(w[0].e, w[1].s, "E of one month is S of the next");
                prop_assert_eq!(w[0].mrr_end_cents, w[1].mrr0_cents);
            }
        }
    }

    #[test]
    fn every_number_is_the_size_of_its_drill_down((n, rows, as_of, grace) in book()) {
        let ledger = Ledger::from_subscriptions(n, &rows, as_of, grace).unwrap();
        for p in ledger.summary(&months()) {
            let ids = |m| ledger.period_members(p.period, m);
            prop_assert_eq!(ids(Member::Start).len() as u64, p.s);
            prop_assert_eq!(ids(Member::End).len() as u64, p.e);
            prop_assert_eq!(ids(Member::New).len() as u64, p.n);
            prop_assert_eq!(ids(Member::Lost).len() as u64, p.lost);
            prop_assert_eq!(ids(Member::LostNew).len() as u64, p.lost_new);
            prop_assert_eq!(ids(Member::Retained).len() as u64, p.retained);
            prop_assert_eq!(ids(Member::Reactivated).len() as u64, p.reactivated);
            let (sd, ed) = (p.period.start - 1, p.period.last_day().min(as_of));
            let gain: i64 = ids(Member::Expanded).iter().map(|&a| ledger.mrr_on(a, ed) - ledger.mrr_on(a, sd)).sum();
            let loss: i64 = ids(Member::Contracted).iter().map(|&a| ledger.mrr_on(a, sd) - ledger.mrr_on(a, ed)).sum();
            prop_assert_eq!(gain, p.expansion_cents);
            prop_assert_eq!(loss, p.contraction_cents);
        }
    }

    #[test]
    fn active_days_follow_the_grace_rule((n, rows, as_of, grace) in book()) {
        // Day by day from the definition: a day is covered by a known row, or lies in a run of
        // uncovered days shorter than the grace period with covered days on both sides.
        let ledger = Ledger::from_subscriptions(n, &rows, as_of, grace).unwrap();
        let horizon = as_of as usize + 2;
        for a in 0..n as u32 {
            let mut covered = vec![false; horizon];
            for r in rows.iter().filter(|r| r.account == a && r.start <= as_of) {
                let end = r.end.unwrap_or(Day::MAX).min(horizon as Day);
                for d in r.start.max(0)..end {
                    covered[d as usize] = true;
                }
            }
            let mut active = covered.clone();
            let mut d = 0;
            while d < horizon {
                if covered[d] {
                    d += 1;
                    continue;
                }
                let run_start = d;
                while d < horizon && !covered[d] {
                    d += 1;
                }
                let bounded = run_start > 0 && d < horizon && d <= as_of as usize;
                if bounded && ((d - run_start) as u32) < grace {
                    active[run_start..d].fill(true);
                }
            }
            for day in 0..=as_of {
                prop_assert_eq!(ledger.is_active(a, day), active[day as usize], "account {} day {}", a, day);
            }
        }
    }

    #[test]
    fn rows_after_as_of_change_nothing((n, rows, as_of, grace) in book(), later in 1i32..100) {
        let before = Ledger::from_subscriptions(n, &rows, as_of, grace).unwrap();
        let mut more = rows.clone();
        more.push(Subscription { account: 0, start: as_of + later, end: None, mrr_cents: 7 });
        let after = Ledger::from_subscriptions(n, &more, as_of, grace).unwrap();
        prop_assert_eq!(before.summary(&months()), after.summary(&months()));
        prop_assert_eq!(before.cohorts(&months()), after.cohorts(&months()));
    }

    #[test]
    fn cohort_shares_are_proportions((n, rows, as_of, grace) in book()) {
        let ledger = Ledger::from_subscriptions(n, &rows, as_of, grace).unwrap();
        let grid = months();
        let table = ledger.cohorts(&grid);
        let mut members = 0;
        for (c, row) in table.rows.iter().enumerate() {
            members += row.size;
            for (k, (a, s)) in row.active.iter().zip(&row.share).enumerate() {
                if let Some(a) = a {
                    prop_assert!(*a <= row.size);
                    prop_assert_eq!(ledger.cohort_members(&grid, c, k).len() as u64, *a);
                }
                if let Some(s) = s {
                    prop_assert!((0.0..=1.0).contains(s));
                }
            }
            if let Some(first) = row.active.first().copied().flatten() {
                prop_assert_eq!(first, row.size, "everyone is active in the period they start");
            }
        }
        prop_assert!(members <= n as u64);
    }

    #[test]
    fn activity_is_an_event_in_the_trailing_window(
        n in 1usize..6,
        events in prop::collection::vec((0u32..6, 0i32..400, 0i64..1_000), 0..40),
        window in 1u32..120,
        as_of in 100i32..450,
    ) {
        let events: Vec<ActivityEvent> = events
            .into_iter()
            .map(|(a, day, value_cents)| ActivityEvent { account: a % n as u32, day, value_cents })
            .collect();
        let ledger = Ledger::from_activity(n, &events, as_of, window).unwrap();
        for a in 0..n as u32 {
            for day in 0..=as_of {
                let want = events.iter().any(|e| {
                    e.account == a && e.day <= day && day < e.day + window as i32 && e.day <= as_of
                });
                prop_assert_eq!(ledger.is_active(a, day), want);
            }
        }
        let table = ledger.cohorts(&months());
        for row in &table.rows {
            if let Some(first) = row.active.first().copied().flatten() {
                prop_assert_eq!(first, row.size);
            }
        }
    }

    #[test]
    fn kaplan_meier_is_a_survival_curve(
        data in prop::collection::vec((0u32..60, any::<bool>()), 0..200),
        horizon in 0.0f64..80.0,
    ) {
        let km = KaplanMeier::fit(data.iter().map(|&(t, e)| (f64::from(t), e)));
        let mut prev = 1.0;
        let mut risk = u64::MAX;
        for s in &km.steps {
            prop_assert!(s.survival <= prev && s.survival >= 0.0, "non-increasing in [0, 1]");
            prop_assert!(s.at_risk <= risk);
            if let Some((lo, hi)) = s.interval(CiKind::Log, Z95) {
                prop_assert!(lo <= s.survival + EPS && s.survival <= hi + EPS && hi <= 1.0);
            }
            if let Some((lo, hi)) = s.interval(CiKind::LogLog, Z95) {
                prop_assert!(0.0 <= lo && lo <= s.survival + EPS && s.survival <= hi + EPS && hi <= 1.0);
            }
            prev = s.survival;
            risk = s.at_risk;
        }
        let rm = km.restricted_mean(horizon);
        prop_assert!(rm <= horizon + EPS && rm >= 0.0);
        prop_assert!(km.restricted_mean(horizon + 1.0) >= rm);
        prop_assert_eq!(km.n, data.len() as u64);
    }

    #[test]
    fn audit_counts_partition_the_population(
        values in prop::collection::vec((prop::option::of(0u8..5), 0u8..3), 0..120),
        min_support in 0u64..10,
    ) {
        let names = ["a", "b", "c", "d", "e"];
        let column = AttributeColumn::from_pairs(
            "x",
            values.len(),
            values.iter().enumerate().filter_map(|(i, (v, _))| v.map(|v| (i as u32, names[v as usize]))),
        );
        let outcomes: Vec<Outcome> = values
            .iter()
            .map(|(_, o)| [Outcome::Excluded, Outcome::Retained, Outcome::Churned][*o as usize])
            .collect();
        let rows = churn_audit(&column, &outcomes, min_support);
        let churned = outcomes.iter().filter(|o| **o == Outcome::Churned).count() as u64;
        let retained = outcomes.iter().filter(|o| **o == Outcome::Retained).count() as u64;
        prop_assert_eq!(rows.iter().map(|r| r.churned).sum::<u64>(), churned);
        prop_assert_eq!(rows.iter().map(|r| r.retained).sum::<u64>(), retained);
        for r in &rows {
            if let Some(p) = r.test.map(|t| t.p_value()) {
                prop_assert!((0.0..=1.0).contains(&p));
            }
            prop_assert_eq!(r.below_support, r.churned + r.retained < min_support.max(1));
            if let Some((lo, hi)) = r.churn_rate_ci {
                let rate = r.churn_rate.unwrap();
                prop_assert!(lo <= rate + EPS && rate <= hi + EPS);
            }
        }
    }

    #[test]
    fn test_p_values_are_probabilities(a in 0u64..40, b in 0u64..40, c in 0u64..40, d in 0u64..40, x in 0.0f64..50.0) {
        let p = fisher_exact(a, b, c, d);
        prop_assert!(p > 0.0 && p <= 1.0);
        prop_assert!(chi2_sf(x, 1.0) >= chi2_sf(x + 0.5, 1.0));
    }
}
