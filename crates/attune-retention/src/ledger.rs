//! The input rows, and the per-account index every report sweeps: rows sorted by account and
//! start, and each account's merged active intervals ("spells").

use serde::{Deserialize, Serialize};

use crate::calendar::Day;

/// The end of an interval that has not ended by `as_of`.
pub(crate) const OPEN: Day = Day::MAX;

/// One subscription or contract row: active on day d when `start <= d < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Dense account index, `0..n_accounts`.
    pub account: u32,
    /// First active day.
    pub start: Day,
    /// First day no longer active (end-exclusive); `None` while it runs.
    pub end: Option<Day>,
    /// Monthly recurring revenue in cents (integers keep sums exact and order-independent).
    pub mrr_cents: i64,
}

/// One purchase or usage event, for businesses without subscriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEvent {
    /// Dense account index, `0..n_accounts`.
    pub account: u32,
    /// The day it happened.
    pub day: Day,
    /// Its value in cents (0 when there is none).
    pub value_cents: i64,
}

/// What makes a customer active on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "basis")]
pub enum Basis {
    /// A running subscription; gaps shorter than `grace_days` do not count as churn.
    Subscription {
        /// Gaps of fewer days than this merge into one active period.
        grace_days: u32,
    },
    /// An event on the day or in the `window_days - 1` days before it.
    Activity {
        /// Length of the trailing window, at least 1.
        window_days: u32,
    },
}

impl Basis {
    /// The default grace period for subscriptions: a gap of under a week is not churn.
    pub const DEFAULT_GRACE_DAYS: u32 = 7;
    /// The default activity window: a purchase keeps a customer active for 90 days.
    pub const DEFAULT_WINDOW_DAYS: u32 = 90;
}

/// Why a ledger could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// A row names an account outside `0..n_accounts`.
    #[error("row {row} names account {account}, but there are only {n_accounts} accounts")]
    AccountOutOfRange {
        /// Position of the row.
        row: usize,
        /// The account it names.
        account: u32,
        /// The number of accounts given.
        n_accounts: usize,
    },
    /// The activity window must be at least one day.
    #[error("the activity window must be at least one day")]
    EmptyWindow,
    /// More rows than the index can address.
    #[error("too many rows ({0}); the limit is 4,294,967,295")]
    TooManyRows(usize),
    /// `as_of` must leave room for "the day after".
    #[error("as_of is beyond the last representable day")]
    AsOfTooLate,
}

/// A stored row: `end` is [`OPEN`] when it had not ended by `as_of`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Row {
    pub start: Day,
    pub end: Day,
    pub mrr: i64,
}

/// A maximal active interval of one account after grace merging; `end` may be [`OPEN`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Spell {
    pub start: Day,
    pub end: Day,
}

/// Everything the reports need, indexed by account, as known on `as_of`.
///
/// Rows starting after `as_of` are not known yet and are dropped; rows ending after `as_of`
/// count as still running. So a report over the same rows and `as_of` always gives the same
/// answer, whatever happened later.
#[derive(Debug, Clone)]
pub struct Ledger {
    pub(crate) basis: Basis,
    pub(crate) as_of: Day,
    pub(crate) row_off: Vec<u32>,
    pub(crate) rows: Vec<Row>,
    pub(crate) spell_off: Vec<u32>,
    pub(crate) spells: Vec<Spell>,
    /// Raw events by account and day (activity basis only: its cohorts count events, not windows).
    pub(crate) event_off: Vec<u32>,
    pub(crate) events: Vec<(Day, i64)>,
}

impl Ledger {
    /// Indexes subscription rows of `n_accounts` accounts as known on `as_of`.
    pub fn from_subscriptions(
        n_accounts: usize,
        subscriptions: &[Subscription],
        as_of: Day,
        grace_days: u32,
    ) -> Result<Ledger, LedgerError> {
        check(n_accounts, subscriptions.len(), as_of)?;
        if let Some((row, s)) = subscriptions
            .iter()
            .enumerate()
            .find(|(_, s)| s.account as usize >= n_accounts)
        {
            return Err(out_of_range(row, s.account, n_accounts));
        }
        let known = subscriptions.iter().filter_map(|s| {
            let end = match s.end {
                Some(e) if e <= as_of => e,
                _ => OPEN,
            };
            // A row that ends when it starts was never active on any day.
            (s.start <= as_of && s.start < end).then_some((
                s.account,
                Row {
                    start: s.start,
                    end,
                    mrr: s.mrr_cents,
                },
            ))
        });
        let (row_off, mut rows) = bucket(n_accounts, known);
        for a in 0..n_accounts {
            rows[row_off[a] as usize..row_off[a + 1] as usize].sort_unstable_by_key(|r| r.start);
        }
        let (spell_off, spells) = merge_spells(&row_off, &rows, grace_days);
        Ok(Ledger {
            basis: Basis::Subscription { grace_days },
            as_of,
            row_off,
            rows,
            spell_off,
            spells,
            event_off: vec![0; n_accounts + 1],
            events: Vec::new(),
        })
    }

    /// Indexes activity events: a customer is active on day d when they had an event on one
    /// of the `window_days` days ending with d. An event's value counts as revenue for the
    /// same window (so "MRR" on the activity basis is the value of the trailing window).
    pub fn from_activity(
        n_accounts: usize,
        events: &[ActivityEvent],
        as_of: Day,
        window_days: u32,
    ) -> Result<Ledger, LedgerError> {
        check(n_accounts, events.len(), as_of)?;
        if window_days == 0 {
            return Err(LedgerError::EmptyWindow);
        }
        if let Some((row, e)) = events
            .iter()
            .enumerate()
            .find(|(_, e)| e.account as usize >= n_accounts)
        {
            return Err(out_of_range(row, e.account, n_accounts));
        }
        let known = events
            .iter()
            .filter(|e| e.day <= as_of)
            .map(|e| (e.account, (e.day, e.value_cents)));
        let (event_off, mut evs) = bucket(n_accounts, known);
        let mut rows = Vec::with_capacity(evs.len());
        for a in 0..n_accounts {
            let evs = &mut evs[event_off[a] as usize..event_off[a + 1] as usize];
            evs.sort_unstable_by_key(|e| e.0);
            rows.extend(evs.iter().map(|&(day, mrr)| {
                let end = i64::from(day) + i64::from(window_days);
                let end = if end > i64::from(as_of) {
                    OPEN
                } else {
                    end as Day
                };
                Row {
                    start: day,
                    end,
                    mrr,
                }
            }));
        }
        // Windows merge when they touch or overlap; the window itself is the grace.
        let (spell_off, spells) = merge_spells(&event_off, &rows, 0);
        Ok(Ledger {
            basis: Basis::Activity { window_days },
            as_of,
            row_off: event_off.clone(),
            rows,
            spell_off,
            spells,
            event_off,
            events: evs,
        })
    }

    /// The number of accounts.
    pub fn n_accounts(&self) -> usize {
        self.spell_off.len() - 1
    }

    /// The day the ledger is as of.
    pub fn as_of(&self) -> Day {
        self.as_of
    }

    /// What makes a customer active in this ledger.
    pub fn basis(&self) -> Basis {
        self.basis
    }

    /// An account's active periods after grace merging, as `[start, end)` with `None` for
    /// "still active on `as_of`".
    pub fn spells(&self, account: u32) -> impl Iterator<Item = (Day, Option<Day>)> + '_ {
        self.spells_of(account as usize)
            .iter()
            .map(|s| (s.start, (s.end != OPEN).then_some(s.end)))
    }

    /// Whether the account is active on `day` (days after `as_of` are unknown: `false`).
    pub fn is_active(&self, account: u32, day: Day) -> bool {
        day <= self.as_of && active_on(self.spells_of(account as usize), day)
    }

    /// The account's recurring revenue in cents on `day`: the sum over its rows running that day.
    pub fn mrr_on(&self, account: u32, day: Day) -> i64 {
        if day > self.as_of {
            return 0;
        }
        self.rows_of(account as usize)
            .iter()
            .take_while(|r| r.start <= day)
            .filter(|r| day < r.end)
            .map(|r| r.mrr)
            .sum()
    }

    pub(crate) fn spells_of(&self, a: usize) -> &[Spell] {
        &self.spells[self.spell_off[a] as usize..self.spell_off[a + 1] as usize]
    }

    pub(crate) fn rows_of(&self, a: usize) -> &[Row] {
        &self.rows[self.row_off[a] as usize..self.row_off[a + 1] as usize]
    }

    pub(crate) fn events_of(&self, a: usize) -> &[(Day, i64)] {
        &self.events[self.event_off[a] as usize..self.event_off[a + 1] as usize]
    }
}

fn check(n_accounts: usize, rows: usize, as_of: Day) -> Result<(), LedgerError> {
    if rows > u32::MAX as usize || n_accounts > u32::MAX as usize {
        return Err(LedgerError::TooManyRows(rows.max(n_accounts)));
    }
    if as_of >= OPEN - 1 {
        return Err(LedgerError::AsOfTooLate);
    }
    Ok(())
}

fn out_of_range(row: usize, account: u32, n_accounts: usize) -> LedgerError {
    LedgerError::AccountOutOfRange {
        row,
        account,
        n_accounts,
    }
}

/// Whether sorted, disjoint `spells` cover `day`.
pub(crate) fn active_on(spells: &[Spell], day: Day) -> bool {
    let i = spells.partition_point(|s| s.start <= day);
    i > 0 && day < spells[i - 1].end
}

/// Groups items by account with a counting sort: offsets (`n + 1`) and the items in account
/// order, stable within an account. Linear, where a comparison sort of millions of rows is not.
fn bucket<T: Copy + Default>(
    n: usize,
    items: impl Iterator<Item = (u32, T)> + Clone,
) -> (Vec<u32>, Vec<T>) {
    let mut off = vec![0u32; n + 1];
    for (a, _) in items.clone() {
        off[a as usize + 1] += 1;
    }
    for i in 0..n {
        off[i + 1] += off[i];
    }
    let mut next = off.clone();
    let mut out = vec![T::default(); off[n] as usize];
    for (a, item) in items {
        let slot = &mut next[a as usize];
        out[*slot as usize] = item;
        *slot += 1;
    }
    (off, out)
}

/// Merges each account's rows (sorted by start) into maximal active spells. Two intervals
/// merge when they overlap, touch, or leave a gap of fewer than `grace_days` days.
fn merge_spells(row_off: &[u32], rows: &[Row], grace_days: u32) -> (Vec<u32>, Vec<Spell>) {
    let min_gap = i64::from(grace_days.max(1));
    let mut off = Vec::with_capacity(row_off.len());
    let mut spells = Vec::with_capacity(row_off.len());
    off.push(0u32);
    for w in row_off.windows(2) {
        let mut cur: Option<Spell> = None;
        for r in &rows[w[0] as usize..w[1] as usize] {
            match cur.as_mut() {
                Some(c) if c.end == OPEN || i64::from(r.start) - i64::from(c.end) < min_gap => {
                    c.end = c.end.max(r.end);
                }
                _ => {
                    spells.extend(cur);
                    cur = Some(Spell {
                        start: r.start,
                        end: r.end,
                    });
                }
            }
        }
        spells.extend(cur);
        off.push(spells.len() as u32);
    }
    (off, spells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(account: u32, start: Day, end: Option<Day>, mrr: i64) -> Subscription {
        Subscription {
            account,
            start,
            end,
            mrr_cents: mrr,
        }
    }

    #[test]
    fn gaps_shorter_than_the_grace_period_merge() {
        let rows = [
            sub(0, 0, Some(10), 1),
            sub(0, 16, Some(20), 1), // gap of 6 days: merged with grace 7
            sub(0, 27, Some(30), 1), // gap of exactly 7 days: a churn and a reactivation
            sub(0, 29, Some(40), 1), // overlap
        ];
        let l = Ledger::from_subscriptions(1, &rows, 100, 7).unwrap();
        assert_eq!(
            l.spells(0).collect::<Vec<_>>(),
            [(0, Some(20)), (27, Some(40))]
        );
        assert!(
            l.is_active(0, 12),
            "inside a bridged gap the customer is still active"
        );
        assert!(!l.is_active(0, 20) && !l.is_active(0, 26));
        assert_eq!(l.mrr_on(0, 12), 0, "but brings no revenue there");
        assert_eq!(l.mrr_on(0, 29), 2);
        let strict = Ledger::from_subscriptions(1, &rows, 100, 0).unwrap();
        assert_eq!(
            strict.spells(0).count(),
            3,
            "touching intervals still merge"
        );
    }

    #[test]
    fn as_of_hides_the_future() {
        let rows = [
            sub(0, 0, Some(50), 5),
            sub(1, 60, None, 5),
            sub(2, 10, Some(10), 5),
        ];
        let l = Ledger::from_subscriptions(3, &rows, 40, 7).unwrap();
        assert_eq!(l.spells(0).collect::<Vec<_>>(), [(0, None)]);
        assert_eq!(l.spells(1).count(), 0);
        assert_eq!(l.spells(2).count(), 0, "an empty interval is never active");
        assert!(!l.is_active(0, 41), "after as_of nothing is known");
        assert_eq!(
            Ledger::from_subscriptions(1, &rows, 40, 7).unwrap_err(),
            LedgerError::AccountOutOfRange {
                row: 1,
                account: 1,
                n_accounts: 1
            }
        );
    }

    #[test]
    fn activity_windows_include_the_event_day() {
        let ev = |day| ActivityEvent {
            account: 0,
            day,
            value_cents: 100,
        };
        let l = Ledger::from_activity(1, &[ev(100), ev(0), ev(10)], 1000, 90).unwrap();
        assert_eq!(
            l.spells(0).collect::<Vec<_>>(),
            [(0, Some(190))],
            "sorted, and windows [0,90) [10,100) [100,190) touch"
        );
        assert!(l.is_active(0, 189) && !l.is_active(0, 190));
        assert_eq!(l.mrr_on(0, 80), 200, "two events in the trailing window");
        assert_eq!(l.mrr_on(0, 95), 100, "the first one has left it");
        assert_eq!(l.events_of(0), [(0, 100), (10, 100), (100, 100)]);
        assert_eq!(
            Ledger::from_activity(1, &[], 0, 0).unwrap_err(),
            LedgerError::EmptyWindow
        );
    }
}
