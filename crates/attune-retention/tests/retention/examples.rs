//! PRODUCT.md's worked examples, built as real subscription data, and the edge cases of the
//! day conventions.

use attune_retention::{
    ActivityEvent, AttributeColumn, Basis, Grid, KaplanMeier, Ledger, Lifetime, Median, Member,
    Outcome, Period, PeriodUnit, Subscription, TimeUnit, audit_members, churn_audit, parse_day,
};

fn d(s: &str) -> i32 {
    parse_day(s).unwrap()
}

fn sub(account: u32, start: &str, end: Option<&str>, mrr_cents: i64) -> Subscription {
    Subscription {
        account,
        start: d(start),
        end: end.map(d),
        mrr_cents,
    }
}

/// January 2026 of a ledger built from `start` long-standing customers, of whom `lost` leave
/// in January, and `new` customers joining in January, of whom `lost_new` leave again.
fn january(start: u32, lost: u32, new: u32, lost_new: u32) -> attune_retention::PeriodSummary {
    let mut rows = Vec::new();
    for a in 0..start {
        let end = (a < lost).then_some("2026-01-20");
        rows.push(sub(a, "2025-06-01", end, 10_000));
    }
    for i in 0..new {
        let end = (i < lost_new).then_some("2026-01-25");
        rows.push(sub(start + i, "2026-01-05", end, 10_000));
    }
    let ledger = Ledger::from_subscriptions(
        (start + new) as usize,
        &rows,
        d("2026-03-01"),
        Basis::DEFAULT_GRACE_DAYS,
    )
    .unwrap();
    let grid = Grid::calendar(PeriodUnit::Month, d("2026-01-01"), d("2026-02-01"));
    ledger.summary(&grid).remove(0)
}

#[test]
fn first_worked_example_gives_95_percent() {
    let p = january(20, 1, 5, 0);
    assert_eq!((p.s, p.n, p.lost, p.e), (20, 5, 1, 24));
    assert_eq!(p.crr, Some(0.95));
    assert_eq!(p.retained_share, Some(0.95));
    assert_eq!(p.churn_rate, Some(0.05));
}

#[test]
fn second_worked_example_gives_70_45_percent() {
    let p = january(44, 13, 12, 0);
    assert_eq!((p.s, p.n, p.lost, p.e), (44, 12, 13, 43));
    let crr = p.crr.unwrap();
    assert_eq!(crr, 31.0 / 44.0);
    assert_eq!(format!("{:.4}", 100.0 * crr), "70.4545");
}

#[test]
fn joining_and_leaving_inside_the_period_lowers_crr_but_not_retained_share() {
    let p = january(10, 0, 2, 1);
    assert_eq!((p.s, p.n, p.lost, p.lost_new, p.e), (10, 2, 0, 1, 11));
    assert_eq!(p.crr, Some(0.9), "(11 − 2) / 10");
    assert_eq!(p.retained_share, Some(1.0));
    assert_eq!(p.churn_rate, Some(0.0));
}

#[test]
fn no_customers_at_the_start_is_undefined() {
    let p = january(0, 0, 3, 1);
    assert_eq!((p.s, p.n, p.e), (0, 3, 2));
    assert_eq!((p.crr, p.retained_share, p.churn_rate), (None, None, None));
    assert_eq!((p.grr, p.nrr), (None, None));
}

#[test]
fn joins_count_on_the_start_day_and_losses_on_the_end_day() {
    // Exactly January: new in January, still a customer on January 31, lost in February.
    let rows = [sub(0, "2026-01-01", Some("2026-02-01"), 100)];
    let ledger = Ledger::from_subscriptions(1, &rows, d("2026-06-30"), 7).unwrap();
    let grid = Grid::calendar(PeriodUnit::Month, d("2026-01-01"), d("2026-03-01"));
    let [jan, feb] = ledger.summary(&grid).try_into().unwrap();
    assert_eq!((jan.s, jan.n, jan.e, jan.lost), (0, 1, 1, 0));
    assert_eq!((feb.s, feb.n, feb.e, feb.lost), (1, 0, 0, 1));
    assert_eq!(feb.churned_mrr_cents, 100);
    assert_eq!(feb.grr, Some(0.0));
    assert_eq!(feb.revenue_churn_rate, Some(1.0));
}

#[test]
fn a_gap_beyond_the_grace_period_is_a_churn_and_a_reactivation() {
    let rows = [
        sub(0, "2025-12-01", Some("2026-01-10"), 100),
        sub(0, "2026-01-20", None, 150),
        sub(1, "2025-12-01", Some("2026-01-10"), 100),
        sub(1, "2026-01-14", None, 80),
    ];
    let ledger = Ledger::from_subscriptions(2, &rows, d("2026-06-30"), 7).unwrap();
    let grid = Grid::calendar(PeriodUnit::Month, d("2026-01-01"), d("2026-02-01"));
    let jan = ledger.summary(&grid).remove(0);
    // Account 0 left for 10 days (a reactivation), account 1 for 4 (bridged by the grace).
    assert_eq!(
        (jan.s, jan.e, jan.lost, jan.n, jan.reactivated),
        (2, 2, 0, 0, 1)
    );
    assert_eq!(ledger.period_members(jan.period, Member::Reactivated), [0]);
    assert_eq!((jan.expansion_cents, jan.contraction_cents), (50, 20));
    assert_eq!(jan.nrr, Some(230.0 / 200.0));
    assert_eq!(jan.grr, Some(180.0 / 200.0));
    assert_eq!(ledger.period_members(jan.period, Member::Expanded), [0]);
    assert_eq!(ledger.period_members(jan.period, Member::Contracted), [1]);
    // With a 14-day grace both gaps are bridged.
    let lenient = Ledger::from_subscriptions(2, &rows, d("2026-06-30"), 14).unwrap();
    assert_eq!(lenient.summary(&grid)[0].reactivated, 0);
}

#[test]
fn an_unfinished_period_is_measured_on_as_of() {
    let rows = [
        sub(0, "2025-12-01", Some("2026-01-10"), 100),
        sub(1, "2025-12-01", Some("2026-01-25"), 100),
    ];
    let ledger = Ledger::from_subscriptions(2, &rows, d("2026-01-15"), 7).unwrap();
    let grid = Grid::calendar(PeriodUnit::Quarter, d("2026-01-01"), d("2026-07-01"));
    let q = ledger.summary(&grid);
    assert_eq!(q.len(), 1, "Q2 has not started by as_of");
    assert!(!q[0].complete);
    assert_eq!(
        (q[0].s, q[0].e, q[0].lost),
        (2, 1, 1),
        "the later end is not known yet"
    );
    let cohorts = ledger.cohorts(&grid);
    assert_eq!(
        cohorts.rows[0].active,
        [None],
        "unfinished cells are empty, not 0"
    );
}

#[test]
fn custom_grids_and_years() {
    let rows = [sub(0, "2024-03-01", Some("2025-02-01"), 100)];
    let ledger = Ledger::from_subscriptions(1, &rows, d("2026-01-01"), 7).unwrap();
    let years = ledger.summary(&Grid::calendar(
        PeriodUnit::Year,
        d("2024-01-01"),
        d("2026-01-01"),
    ));
    assert_eq!(years.len(), 2);
    assert_eq!(
        (years[0].n, years[0].e, years[1].s, years[1].lost),
        (1, 1, 1, 1)
    );
    let custom = Grid::custom(&[
        (d("2024-02-15"), d("2024-03-15")),
        (d("2025-01-20"), d("2025-02-20")),
    ])
    .unwrap();
    let s = ledger.summary(&custom);
    assert_eq!((s[0].n, s[1].s, s[1].lost), (1, 1, 1));
    assert_eq!(
        s[1].period,
        Period {
            start: d("2025-01-20"),
            end: d("2025-02-20")
        }
    );
}

#[test]
fn activity_cohorts_count_events_in_the_period_not_the_window() {
    let ev = |account, day: &str| ActivityEvent {
        account,
        day: d(day),
        value_cents: 1_000,
    };
    let events = [
        ev(0, "2026-01-05"),
        ev(0, "2026-03-02"),
        ev(1, "2026-01-20"),
    ];
    let ledger = Ledger::from_activity(2, &events, d("2026-04-30"), 90).unwrap();
    let grid = Grid::calendar(PeriodUnit::Month, d("2026-01-01"), d("2026-05-01"));
    let jan = &ledger.cohorts(&grid).rows[0];
    assert_eq!(jan.size, 2);
    assert_eq!(jan.active, [Some(2), Some(0), Some(1), Some(0)]);
    assert_eq!(
        jan.revenue_share,
        [Some(1.0), Some(0.0), Some(0.5), Some(0.0)]
    );
    // But by the 90-day window both stayed active through February.
    let feb = ledger.summary(&grid)[1].clone();
    assert_eq!((feb.s, feb.e, feb.lost), (2, 2, 0));
}

/// A small deterministic generator, so the big test needs no extra dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[test]
fn the_parallel_sweep_agrees_with_account_by_account_drill_down() {
    // Enough accounts that the sweeps split across threads.
    let n = 60_000u32;
    let mut rng = Lcg(42);
    let mut rows = Vec::new();
    for a in 0..n {
        let mut t = 18_000 + rng.next(400) as i32;
        for _ in 0..1 + rng.next(4) {
            let len = 1 + rng.next(200) as i32;
            let end = (rng.next(10) > 0).then_some(t + len);
            rows.push(Subscription {
                account: a,
                start: t,
                end,
                mrr_cents: rng.next(10_000) as i64,
            });
            t += len + rng.next(30) as i32 - 5;
        }
    }
    let ledger = Ledger::from_subscriptions(n as usize, &rows, 18_500, 7).unwrap();
    let grid = Grid::calendar(PeriodUnit::Quarter, 18_000, 18_600);
    let summary = ledger.summary(&grid);
    assert!(summary.len() >= 5);
    for p in &summary {
        let count = |m| ledger.period_members(p.period, m).len() as u64;
        assert_eq!(count(Member::Start), p.s);
        assert_eq!(count(Member::End), p.e);
        assert_eq!(count(Member::New), p.n);
        assert_eq!(count(Member::Lost), p.lost);
        assert_eq!(count(Member::LostNew), p.lost_new);
        assert_eq!(count(Member::Retained), p.retained);
        assert_eq!(count(Member::Reactivated), p.reactivated);
        let mrr = |m| -> i64 {
            ledger
                .period_members(p.period, m)
                .into_iter()
                .map(|a| ledger.mrr_on(a, p.period.start - 1))
                .sum()
        };
        assert_eq!(mrr(Member::Start), p.mrr0_cents);
        assert_eq!(mrr(Member::Lost), p.churned_mrr_cents);
    }
    let cohorts = ledger.cohorts(&grid);
    for (c, row) in cohorts.rows.iter().enumerate() {
        for (k, cell) in row.active.iter().enumerate() {
            if let Some(v) = cell {
                assert_eq!(
                    ledger.cohort_members(&grid, c, k).len() as u64,
                    *v,
                    "cohort {c} k {k}"
                );
            }
        }
    }
}

#[test]
fn lifetimes_run_to_the_first_churn_or_are_censored_on_as_of() {
    let rows = [
        sub(0, "2025-01-11", Some("2025-03-11"), 100),
        sub(0, "2025-06-01", None, 100), // a reactivation does not extend the first lifetime
        sub(1, "2025-01-31", Some("2025-02-28"), 100),
        sub(2, "2025-10-15", None, 100),
    ];
    let ledger = Ledger::from_subscriptions(4, &rows, d("2025-12-31"), 7).unwrap();
    let days = ledger.lifetimes(TimeUnit::Day);
    let life = |account, duration, churned| Lifetime {
        account,
        duration,
        churned,
    };
    assert_eq!(
        days,
        [
            life(0, 59.0, true),
            life(1, 28.0, true),
            life(2, 78.0, false)
        ],
        "account 3 never started: no lifetime"
    );
    let months = ledger.lifetimes(TimeUnit::Month);
    let m: Vec<f64> = months.iter().map(|l| l.duration).collect();
    assert_eq!(
        m,
        [2.0, 0.0, 2.0],
        "whole calendar months; Oct 15 → Jan 1 is 2"
    );
    let km = KaplanMeier::from_lifetimes(&days);
    assert_eq!(km.median(), Median::At(59.0));
}

#[test]
fn audit_outcomes_from_the_ledger() {
    let rows = [
        sub(0, "2025-01-01", Some("2025-03-01"), 100),
        sub(1, "2025-01-01", None, 100),
        sub(2, "2025-02-10", Some("2025-02-20"), 100),
        sub(3, "2025-01-01", Some("2025-12-01"), 100),
    ];
    let ledger = Ledger::from_subscriptions(5, &rows, d("2025-12-31"), 7).unwrap();
    use Outcome::{Churned, Excluded, Retained};
    assert_eq!(
        ledger.outcomes_at_as_of(),
        [Churned, Retained, Churned, Churned, Excluded]
    );
    let q1 = Period {
        start: d("2025-02-01"),
        end: d("2025-05-01"),
    };
    let over = ledger.outcomes_over(q1);
    assert_eq!(
        over,
        [Churned, Retained, Excluded, Retained, Excluded],
        "only customers at the start of the period; the one who joined inside is not audited"
    );
    let plan = AttributeColumn::from_pairs(
        "plan",
        5,
        [(0, "basic"), (1, "pro"), (2, "basic"), (3, "pro")],
    );
    let rows = churn_audit(&plan, &over, 1);
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].churned, rows[0].retained), (1, 0));
    assert_eq!((rows[1].churned, rows[1].retained), (0, 2));
    assert_eq!(audit_members(&plan, &over, Some("pro"), Retained), [1, 3]);
}
