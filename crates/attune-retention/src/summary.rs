//! Per-period retention: S, E, N, losses, the retention rate by the seed formula beside the
//! retained share, churn, reactivations, and revenue retention.
//!
//! Days, not instants: a join is dated by its start day and a loss by its end day (the first
//! day without a subscription), and each counts in the period holding that day. So S is the
//! customers active on the day before the period (before any of its changes) and E those active
//! on its last day (after all of them). E of one month is then S of the next, and
//! `E = S − lost + N − lost_new` holds for every period.

use serde::Serialize;

use crate::calendar::{Day, Grid, Period};
use crate::ledger::{Ledger, active_on};
use crate::par::map_chunks;

/// One period of the retention summary. Ratios are fractions (0.95 = 95%); `None` = undefined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodSummary {
    /// The period.
    pub period: Period,
    /// Whether the period was over by `as_of`; if not, E is measured on `as_of`.
    pub complete: bool,
    /// S: customers active on the day before the period.
    #[serde(rename = "S")]
    pub s: u64,
    /// E: customers active on its last day (or on `as_of`).
    #[serde(rename = "E")]
    pub e: u64,
    /// N: customers not in S who started (or restarted) a subscription in the period.
    #[serde(rename = "N")]
    pub n: u64,
    /// Customers in S and not in E.
    pub lost: u64,
    /// Customers in N and not in E: they joined and left inside the period.
    pub lost_new: u64,
    /// Customers in S and in E (S − lost).
    pub retained: u64,
    /// Customers who came back in the period after a gap longer than the grace period.
    pub reactivated: u64,
    /// CRR = (E − N) / S, the seed formula; below `retained_share` by `lost_new / S`.
    pub crr: Option<f64>,
    /// retained / S.
    pub retained_share: Option<f64>,
    /// lost / S.
    pub churn_rate: Option<f64>,
    /// MRR₀: recurring revenue of S on the day before the period, in cents.
    pub mrr0_cents: i64,
    /// Recurring revenue of E at the end, in cents.
    pub mrr_end_cents: i64,
    /// Recurring revenue at the end from customers in N, in cents.
    pub new_mrr_cents: i64,
    /// Growth of the retained customers' MRR, in cents.
    pub expansion_cents: i64,
    /// Shrinkage of the retained customers' MRR, in cents.
    pub contraction_cents: i64,
    /// MRR₀ of the lost customers, in cents.
    pub churned_mrr_cents: i64,
    /// Revenue churn: churned MRR / MRR₀ (logo churn weighted by MRR).
    pub revenue_churn_rate: Option<f64>,
    /// GRR = (MRR₀ − churned − contraction) / MRR₀, in [0, 1].
    pub grr: Option<f64>,
    /// NRR = (MRR₀ + expansion − contraction − churned) / MRR₀.
    pub nrr: Option<f64>,
}

/// Which customers behind a period's numbers to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Member {
    /// S.
    Start,
    /// E.
    End,
    /// N.
    New,
    /// In S, not in E.
    Lost,
    /// In N, not in E.
    LostNew,
    /// In S and in E.
    Retained,
    /// Restarted after a gap longer than the grace period.
    Reactivated,
    /// Retained with a higher MRR at the end.
    Expanded,
    /// Retained with a lower MRR at the end.
    Contracted,
}

/// The days a period's S and E are measured on, as known on `as_of`.
fn check_days(p: Period, as_of: Day) -> (Day, Day) {
    (p.start - 1, p.last_day().min(as_of))
}

#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    s: u64,
    e: u64,
    n: u64,
    lost: u64,
    lost_new: u64,
    reactivated: u64,
    mrr0: i64,
    mrr_end: i64,
    new_mrr: i64,
    expansion: i64,
    contraction: i64,
    churned: i64,
}

impl Acc {
    fn add(&mut self, o: &Acc) {
        self.s += o.s;
        self.e += o.e;
        self.n += o.n;
        self.lost += o.lost;
        self.lost_new += o.lost_new;
        self.reactivated += o.reactivated;
        self.mrr0 += o.mrr0;
        self.mrr_end += o.mrr_end;
        self.new_mrr += o.new_mrr;
        self.expansion += o.expansion;
        self.contraction += o.contraction;
        self.churned += o.churned;
    }
}

/// `num / den` when `den > 0`.
pub(crate) fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

impl Ledger {
    /// The summary of every period of `grid` that had started by `as_of`.
    pub fn summary(&self, grid: &Grid) -> Vec<PeriodSummary> {
        let as_of = self.as_of;
        let grid_in = grid.started_by(as_of);
        let periods = grid_in.periods();
        let np = periods.len();
        // All the days S and E are measured on, sorted and unique; each period points into it.
        let mut days: Vec<Day> = periods
            .iter()
            .flat_map(|&p| {
                let (s, e) = check_days(p, as_of);
                [s, e]
            })
            .collect();
        days.sort_unstable();
        days.dedup();
        let at = |d: Day| days.partition_point(|&x| x < d);
        let idx: Vec<(usize, usize)> = periods
            .iter()
            .map(|&p| {
                let (s, e) = check_days(p, as_of);
                (at(s), at(e))
            })
            .collect();

        let parts = map_chunks(self.n_accounts(), |range| {
            let mut acc = vec![Acc::default(); np];
            // Stamps instead of clearing per account: slot j belongs to the current account
            // only when its stamp matches.
            let mut active = vec![0u32; days.len()];
            let mut mrr = vec![0i64; days.len()];
            let mut mrr_stamp = vec![0u32; days.len()];
            let mut started = vec![0u32; np];
            let mut restarted = vec![0u32; np];
            for (k, a) in range.enumerate() {
                let stamp = k as u32 + 1;
                let spells = self.spells_of(a);
                if spells.is_empty() {
                    continue;
                }
                for (i, sp) in spells.iter().enumerate() {
                    for slot in &mut active[at(sp.start)..at(sp.end)] {
                        *slot = stamp;
                    }
                    if let Some(p) = grid_in.find(sp.start) {
                        started[p] = stamp;
                        if i > 0 {
                            restarted[p] = stamp;
                        }
                    }
                }
                for r in self.rows_of(a) {
                    for j in at(r.start)..at(r.end) {
                        if mrr_stamp[j] != stamp {
                            mrr_stamp[j] = stamp;
                            mrr[j] = 0;
                        }
                        mrr[j] += r.mrr;
                    }
                }
                let mrr_at = |j: usize| if mrr_stamp[j] == stamp { mrr[j] } else { 0 };
                for (p, &(js, je)) in idx.iter().enumerate() {
                    let in_s = active[js] == stamp;
                    let in_e = active[je] == stamp;
                    let new = !in_s && started[p] == stamp;
                    let c = &mut acc[p];
                    c.reactivated += u64::from(restarted[p] == stamp);
                    if in_e {
                        c.e += 1;
                        c.mrr_end += mrr_at(je);
                    }
                    if new {
                        c.n += 1;
                        if in_e {
                            c.new_mrr += mrr_at(je);
                        } else {
                            c.lost_new += 1;
                        }
                    }
                    if in_s {
                        let m0 = mrr_at(js);
                        c.s += 1;
                        c.mrr0 += m0;
                        if in_e {
                            let m1 = mrr_at(je);
                            if m1 > m0 {
                                c.expansion += m1 - m0;
                            } else {
                                c.contraction += m0 - m1;
                            }
                        } else {
                            c.lost += 1;
                            c.churned += m0;
                        }
                    }
                }
            }
            acc
        });
        let mut total = vec![Acc::default(); np];
        for part in &parts {
            for (t, p) in total.iter_mut().zip(part) {
                t.add(p);
            }
        }
        periods
            .iter()
            .zip(&total)
            .map(|(&period, c)| finish(period, period.last_day() <= as_of, c))
            .collect()
    }

    /// The accounts behind one number of `period`'s summary, in account order.
    ///
    /// Computed account by account from the definitions, independently of [`Ledger::summary`]'s
    /// sweep, so the two can check each other.
    pub fn period_members(&self, period: Period, which: Member) -> Vec<u32> {
        let (sd, ed) = check_days(period, self.as_of);
        let last = ed.min(period.last_day());
        (0..self.n_accounts() as u32)
            .filter(|&a| {
                let spells = self.spells_of(a as usize);
                let in_s = active_on(spells, sd);
                let in_e = active_on(spells, ed);
                let in_period = |d: Day| period.start <= d && d <= last;
                let new = !in_s && spells.iter().any(|s| in_period(s.start));
                let retained = in_s && in_e;
                match which {
                    Member::Start => in_s,
                    Member::End => in_e,
                    Member::New => new,
                    Member::Lost => in_s && !in_e,
                    Member::LostNew => new && !in_e,
                    Member::Retained => retained,
                    Member::Reactivated => spells.iter().skip(1).any(|s| in_period(s.start)),
                    Member::Expanded => retained && self.mrr_on(a, ed) > self.mrr_on(a, sd),
                    Member::Contracted => retained && self.mrr_on(a, ed) < self.mrr_on(a, sd),
                }
            })
            .collect()
    }
}

fn finish(period: Period, complete: bool, c: &Acc) -> PeriodSummary {
    let s = c.s as f64;
    let m0 = c.mrr0 as f64;
    PeriodSummary {
        period,
        complete,
        s: c.s,
        e: c.e,
        n: c.n,
        lost: c.lost,
        lost_new: c.lost_new,
        retained: c.s - c.lost,
        reactivated: c.reactivated,
        crr: crr(c.s, c.e, c.n),
        retained_share: ratio((c.s - c.lost) as f64, s),
        churn_rate: ratio(c.lost as f64, s),
        mrr0_cents: c.mrr0,
        mrr_end_cents: c.mrr_end,
        new_mrr_cents: c.new_mrr,
        expansion_cents: c.expansion,
        contraction_cents: c.contraction,
        churned_mrr_cents: c.churned,
        revenue_churn_rate: ratio(c.churned as f64, m0),
        grr: ratio((c.mrr0 - c.churned - c.contraction) as f64, m0),
        nrr: ratio(
            (c.mrr0 + c.expansion - c.contraction - c.churned) as f64,
            m0,
        ),
    }
}

/// The seed formula CRR = (E − N) / S as a fraction; `None` when S = 0.
pub fn crr(s: u64, e: u64, n: u64) -> Option<f64> {
    ratio(e as f64 - n as f64, s as f64)
}

/// GRR = (MRR₀ − churned − contraction) / MRR₀; `None` when MRR₀ ≤ 0.
pub fn grr(mrr0: i64, churned: i64, contraction: i64) -> Option<f64> {
    ratio((mrr0 - churned - contraction) as f64, mrr0 as f64)
}

/// NRR = (MRR₀ + expansion − contraction − churned) / MRR₀; `None` when MRR₀ ≤ 0.
pub fn nrr(mrr0: i64, expansion: i64, contraction: i64, churned: i64) -> Option<f64> {
    ratio(
        (mrr0 + expansion - contraction - churned) as f64,
        mrr0 as f64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_formula_worked_examples() {
        // S = 20, N = 5, one lost, E = 24.
        assert_eq!(crr(20, 24, 5), Some(0.95));
        // S = 44, N = 12, 13 lost, E = 43.
        let v = crr(44, 43, 12).unwrap();
        assert_eq!(v, 31.0 / 44.0);
        assert!((100.0 * v - 70.454_545_454_545_45).abs() < 1e-12);
        assert_eq!((100.0 * v).round(), 70.0);
    }

    #[test]
    fn empty_start_is_undefined() {
        assert_eq!(crr(0, 5, 5), None);
        assert_eq!(grr(0, 0, 0), None);
        assert_eq!(nrr(0, 10, 0, 0), None);
    }

    #[test]
    fn revenue_retention_from_its_parts() {
        assert_eq!(grr(1000, 100, 50), Some(0.85));
        assert_eq!(nrr(1000, 300, 50, 100), Some(1.15));
    }
}
