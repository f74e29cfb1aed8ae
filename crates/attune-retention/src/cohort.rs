//! Cohort retention: customers grouped by the period they first started, and for each later
//! period the share of the cohort still active then, by logo and by revenue.
//!
//! "Active in period k": on the subscription basis, active on at least one day of it; on the
//! activity basis, at least one event in it (not the trailing window, so a one-off purchase
//! does not echo into the next three months). Revenue in period k: on the subscription basis the
//! cohort's MRR on the period's last day, on the activity basis the value of its events in it.
//! Periods not over by `as_of` are `None`, not 0.

use serde::Serialize;

use crate::calendar::{Day, Grid, Period};
use crate::ledger::{Basis, Ledger, OPEN};
use crate::par::map_chunks;
use crate::summary::ratio;

/// A cohort table over the periods of a grid that had started by `as_of`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortTable {
    /// The periods, in order; cohort `c`'s cell `k` is period `c + k`.
    pub periods: Vec<Period>,
    /// One row per period, in the same order.
    pub rows: Vec<CohortRow>,
}

/// One cohort: its size and, for k = 0, 1, …, how many of it were active k periods later.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohortRow {
    /// The period its customers first started in.
    pub cohort: Period,
    /// How many customers first started in it.
    pub size: u64,
    /// Customers of the cohort active in period c + k; `None` when that period is unfinished.
    pub active: Vec<Option<u64>>,
    /// `active[k] / size`; `None` when unfinished or the cohort is empty.
    pub share: Vec<Option<f64>>,
    /// The cohort's revenue in period c + k, in cents.
    pub revenue_cents: Vec<Option<i64>>,
    /// `revenue_cents[k] / revenue_cents[0]`; `None` when unfinished or without base revenue.
    pub revenue_share: Vec<Option<f64>>,
}

impl Ledger {
    /// The period index of the account's cohort, if it falls in `grid`.
    fn cohort_of(&self, grid: &Grid, a: usize) -> Option<usize> {
        let first = match self.basis {
            Basis::Activity { .. } => self.events_of(a).first().map(|e| e.0),
            Basis::Subscription { .. } => self.spells_of(a).first().map(|s| s.start),
        }?;
        grid.find(first)
    }

    /// The cohort table of `grid` (only periods started by `as_of`).
    pub fn cohorts(&self, grid: &Grid) -> CohortTable {
        let grid = grid.started_by(self.as_of);
        let periods = grid.periods();
        let np = periods.len();
        let last_days: Vec<Day> = periods.iter().map(|p| p.last_day()).collect();
        let parts = map_chunks(self.n_accounts(), |range| {
            let mut size = vec![0u64; np];
            let mut active = vec![0u64; np * np];
            let mut revenue = vec![0i64; np * np];
            for a in range {
                let Some(c) = self.cohort_of(&grid, a) else {
                    continue;
                };
                size[c] += 1;
                let row = c * np;
                // Cells are counted once per account: the inputs are sorted, so the periods
                // they touch only move forward.
                let mut next = c;
                match self.basis {
                    Basis::Activity { .. } => {
                        for &(day, value) in self.events_of(a) {
                            let Some(p) = grid.find(day) else { continue };
                            if p >= next {
                                active[row + p - c] += 1;
                                next = p + 1;
                            }
                            revenue[row + p - c] += value;
                        }
                    }
                    Basis::Subscription { .. } => {
                        for s in self.spells_of(a) {
                            let range = grid.overlapping(s.start, s.end);
                            for p in range.start.max(next)..range.end {
                                active[row + p - c] += 1;
                            }
                            next = next.max(range.end);
                        }
                        for r in self.rows_of(a) {
                            let lo = last_days.partition_point(|&d| d < r.start).max(c);
                            let hi = if r.end == OPEN {
                                np
                            } else {
                                last_days.partition_point(|&d| d < r.end)
                            };
                            for p in lo..hi.max(lo) {
                                revenue[row + p - c] += r.mrr;
                            }
                        }
                    }
                }
            }
            (size, active, revenue)
        });
        let mut size = vec![0u64; np];
        let mut active = vec![0u64; np * np];
        let mut revenue = vec![0i64; np * np];
        for (s, a, r) in &parts {
            size.iter_mut().zip(s).for_each(|(x, y)| *x += y);
            active.iter_mut().zip(a).for_each(|(x, y)| *x += y);
            revenue.iter_mut().zip(r).for_each(|(x, y)| *x += y);
        }
        let rows = (0..np)
            .map(|c| {
                let done = |k: usize| periods[c + k].last_day() <= self.as_of;
                let cells = np - c;
                let active: Vec<Option<u64>> = (0..cells)
                    .map(|k| done(k).then(|| active[c * np + k]))
                    .collect();
                let revenue: Vec<Option<i64>> = (0..cells)
                    .map(|k| done(k).then(|| revenue[c * np + k]))
                    .collect();
                let base = revenue.first().copied().flatten().unwrap_or(0) as f64;
                CohortRow {
                    cohort: periods[c],
                    size: size[c],
                    share: active
                        .iter()
                        .map(|x| x.and_then(|x| ratio(x as f64, size[c] as f64)))
                        .collect(),
                    revenue_share: revenue
                        .iter()
                        .map(|x| x.and_then(|x| ratio(x as f64, base)))
                        .collect(),
                    active,
                    revenue_cents: revenue,
                }
            })
            .collect();
        CohortTable {
            periods: periods.to_vec(),
            rows,
        }
    }

    /// The accounts of cohort `cohort` (a period index of `grid`) active `k` periods later,
    /// recomputed account by account; `k` beyond the grid gives an empty list.
    pub fn cohort_members(&self, grid: &Grid, cohort: usize, k: usize) -> Vec<u32> {
        let Some(&p) = grid.periods().get(cohort + k) else {
            return Vec::new();
        };
        (0..self.n_accounts())
            .filter(|&a| self.cohort_of(grid, a) == Some(cohort))
            .filter(|&a| match self.basis {
                Basis::Activity { .. } => self.events_of(a).iter().any(|e| p.contains(e.0)),
                Basis::Subscription { .. } => self
                    .spells_of(a)
                    .iter()
                    .any(|s| s.start < p.end && p.start < s.end && s.start <= self.as_of),
            })
            .map(|a| a as u32)
            .collect()
    }
}
