//! The scale target: 1,000,000 accounts with 5,000,000 subscription rows, the full
//! report for 36 monthly periods (summary, cohorts, survival, audit over 5 attributes).
//!
//! Run with `cargo run --release -p attune-retention --example scale [accounts]`.

use std::time::{Duration, Instant};

use attune_domain::metrics::Z95;
use attune_retention::{
    AttributeColumn, CiKind, Grid, KaplanMeier, Ledger, PeriodUnit, Subscription, TimeUnit,
    churn_audit, parse_day,
};

/// xorshift64*: deterministic synthetic data without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) % n
    }
}

fn timed<T>(label: &str, total: &mut Duration, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    let dt = t.elapsed();
    *total += dt;
    println!("{label:<34} {:>8.1} ms", dt.as_secs_f64() * 1e3);
    out
}

fn main() {
    let accounts: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let rows_per_account = 5;
    let from = parse_day("2023-01-01").unwrap_or(19_358);
    let to = parse_day("2026-01-01").unwrap_or(20_454);
    let as_of = to - 1;

    let t = Instant::now();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut rows = Vec::with_capacity(accounts * rows_per_account);
    for a in 0..accounts as u32 {
        // Start anywhere from a year before the window to its end; five contracts of one to
        // twelve months, mostly back to back, sometimes with a gap, an overlap or no end.
        let mut start = from - 365 + rng.below((to - from + 365) as u64) as i32;
        let mut mrr = 1_000 + rng.below(50_000) as i64;
        for i in 0..rows_per_account {
            let len = 30 * (1 + rng.below(12) as i32);
            let open = i == rows_per_account - 1 && rng.below(3) == 0;
            rows.push(Subscription {
                account: a,
                start,
                end: (!open).then_some(start + len),
                mrr_cents: mrr,
            });
            start += len + [0, 0, 0, 3, 10, 45, -15][rng.below(7) as usize];
            mrr = (mrr + rng.below(4_001) as i64 - 2_000).max(0);
        }
    }
    let names = ["plan", "size", "region", "industry", "owner"];
    let cardinality = [4u64, 6, 20, 30, 200];
    let labels: Vec<Vec<String>> = names
        .iter()
        .zip(cardinality)
        .map(|(n, k)| (0..k).map(|i| format!("{n}-{i}")).collect())
        .collect();
    let columns: Vec<AttributeColumn> = names
        .iter()
        .zip(&labels)
        .map(|(name, values)| {
            let k = values.len() as u64;
            AttributeColumn::from_pairs(
                *name,
                accounts,
                (0..accounts as u32).map(|a| (a, values[rng.below(k) as usize].as_str())),
            )
        })
        .collect();
    println!(
        "generated {accounts} accounts, {} rows, 5 attributes in {:.1} s (not timed below)",
        rows.len(),
        t.elapsed().as_secs_f64()
    );

    let mut total = Duration::ZERO;
    let ledger = timed("index + merge (Ledger)", &mut total, || {
        Ledger::from_subscriptions(accounts, &rows, as_of, 7)
    });
    let ledger = match ledger {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return;
        }
    };
    let grid = Grid::calendar(PeriodUnit::Month, from, to);
    let summary = timed("summary, 36 months", &mut total, || ledger.summary(&grid));
    let cohorts = timed("cohorts, 36 x 36", &mut total, || ledger.cohorts(&grid));
    let km = timed("survival (lifetimes + KM)", &mut total, || {
        KaplanMeier::from_lifetimes(&ledger.lifetimes(TimeUnit::Day))
    });
    let audits = timed("audit, 5 attributes", &mut total, || {
        let outcomes = ledger.outcomes_at_as_of();
        columns
            .iter()
            .map(|c| churn_audit(c, &outcomes, 30))
            .collect::<Vec<_>>()
    });
    println!("{:<34} {:>8.1} ms", "total", total.as_secs_f64() * 1e3);

    let last = summary.last();
    println!(
        "last month: S {} E {} N {} lost {} crr {:?} nrr {:?}; cohort rows {}; KM steps {} median {:?} CI at 365 d {:?}; audit rows {}",
        last.map_or(0, |p| p.s),
        last.map_or(0, |p| p.e),
        last.map_or(0, |p| p.n),
        last.map_or(0, |p| p.lost),
        last.and_then(|p| p.crr),
        last.and_then(|p| p.nrr),
        cohorts.rows.len(),
        km.steps.len(),
        km.median(),
        km.steps
            .iter()
            .find(|s| s.time >= 365.0)
            .and_then(|s| s.interval(CiKind::Log, Z95)),
        audits.iter().map(Vec::len).sum::<usize>(),
    );
}
