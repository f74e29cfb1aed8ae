//! Loop metrics: how well the organisation closes the loop — first responses within the
//! deadline, median times, breaches by team and owner, the root-cause Pareto, recurrence of a
//! root cause at the same account, and recovery (the re-survey scored higher).
//!
//! [`loop_metrics`] over every case is the definition; the report reads the same [`Tally`]
//! summed from counters kept current as cases change (`super::loop_counts`), and a test holds
//! the two equal.

use std::collections::BTreeMap;

use serde::Serialize;

use super::durations::Durations;
use crate::period::DAY_MS;

/// Window in which the same root cause at the same account counts as a recurrence.
pub const RECURRENCE_WINDOW_MS: i64 = 90 * DAY_MS;

/// What the metrics need to know of one case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFacts {
    /// Opened, epoch ms.
    pub opened_at: i64,
    /// First response due.
    pub first_response_due_at: i64,
    /// First response given.
    pub first_responded_at: Option<i64>,
    /// Resolved.
    pub resolved_at: Option<i64>,
    /// Any deadline missed.
    pub breached: bool,
    /// Owner (display form).
    pub owner: Option<String>,
    /// Team (display form).
    pub team: Option<String>,
    /// Root cause.
    pub root_cause: Option<String>,
    /// Account id.
    pub account: Option<String>,
    /// Score that opened the case.
    pub score_before: Option<i64>,
    /// Score of the re-survey.
    pub score_after: Option<i64>,
}

/// A share with its parts; `share` is `None` when nothing is counted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Share {
    /// Numerator.
    pub count: u64,
    /// Denominator.
    pub of: u64,
    /// count / of.
    pub share: Option<f64>,
}

impl Share {
    fn new(count: u64, of: u64) -> Self {
        Self {
            count,
            of,
            share: (of > 0).then(|| count as f64 / of as f64),
        }
    }
}

/// One root cause in the Pareto.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParetoRow {
    /// Root cause.
    pub root_cause: String,
    /// Cases.
    pub count: u64,
    /// Share of cases with a root cause.
    pub share: f64,
    /// Running total of shares, largest cause first.
    pub cumulative_share: f64,
}

/// The loop metrics of a set of cases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoopMetrics {
    /// Cases.
    pub cases: u64,
    /// Cases first-responded within the deadline, among those responded to or already due.
    pub first_response_within_deadline: Share,
    /// Median time to first response, ms.
    pub median_first_response_ms: Option<i64>,
    /// Median time to resolution, ms.
    pub median_resolution_ms: Option<i64>,
    /// Breached cases per owner (`unassigned` when none), most first.
    pub breaches_by_owner: Vec<(String, u64)>,
    /// Breached cases per team (`no team`), most first.
    pub breaches_by_team: Vec<(String, u64)>,
    /// Root causes, most frequent first.
    pub root_causes: Vec<ParetoRow>,
    /// Cases whose account had the same root cause within the previous 90 days.
    pub recurrence: Share,
    /// Re-surveyed cases whose score improved.
    pub recovery: Share,
}

/// The median of durations (mean of the middle two for an even count, rounded down), in
/// linear time: the values are reordered, not sorted.
pub fn median(values: &mut [i64]) -> Option<i64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (left, mid, _) = values.select_nth_unstable(n / 2);
    let mid = *mid;
    Some(if n % 2 == 1 {
        mid
    } else {
        let below = left.iter().copied().max().unwrap_or(mid);
        (below + mid).div_euclid(2)
    })
}

fn ranked(counts: BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Whether a case opened at `opened_at` recurs after one of the same account and root cause
/// opened at `earlier`: strictly before it, at most [`RECURRENCE_WINDOW_MS`] before.
pub fn recurs_after(opened_at: i64, earlier: i64) -> bool {
    earlier < opened_at && opened_at - earlier <= RECURRENCE_WINDOW_MS
}

/// The counts the metrics are made of, however they were gathered: by [`loop_metrics`] from
/// every case, or summed from maintained counters (`super::loop_counts`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Cases.
    pub cases: u64,
    /// Cases responded to or already due.
    pub due: u64,
    /// Of those, first-responded within the deadline.
    pub within: u64,
    /// Times to first response, ms.
    pub first: Durations,
    /// Times to resolution, ms.
    pub resolution: Durations,
    /// Breached cases per owner (display form).
    pub by_owner: BTreeMap<String, u64>,
    /// Breached cases per team (display form).
    pub by_team: BTreeMap<String, u64>,
    /// Cases per root cause.
    pub causes: BTreeMap<String, u64>,
    /// Cases with an account and a root cause.
    pub eligible: u64,
    /// Of those, recurrences.
    pub recurring: u64,
    /// Re-surveyed cases.
    pub resurveyed: u64,
    /// Of those, improved.
    pub improved: u64,
}

impl Tally {
    /// The metrics.
    pub fn finish(self) -> LoopMetrics {
        let with_cause: u64 = self.causes.values().sum();
        let mut cumulative = 0.0;
        let root_causes = ranked(self.causes)
            .into_iter()
            .map(|(root_cause, count)| {
                let share = count as f64 / with_cause as f64;
                cumulative += share;
                ParetoRow {
                    root_cause,
                    count,
                    share,
                    cumulative_share: cumulative,
                }
            })
            .collect();
        LoopMetrics {
            cases: self.cases,
            first_response_within_deadline: Share::new(self.within, self.due),
            median_first_response_ms: self.first.median(),
            median_resolution_ms: self.resolution.median(),
            breaches_by_owner: ranked(self.by_owner),
            breaches_by_team: ranked(self.by_team),
            root_causes,
            recurrence: Share::new(self.recurring, self.eligible),
            recovery: Share::new(self.improved, self.resurveyed),
        }
    }
}

/// Computes the metrics of `cases` at `now_ms`. `history` lists (account, root cause, opened
/// at) of every case that could precede them, for recurrence (it may include `cases`).
pub fn loop_metrics(
    cases: &[CaseFacts],
    history: &[(String, String, i64)],
    now_ms: i64,
) -> LoopMetrics {
    let mut t = Tally {
        cases: cases.len() as u64,
        ..Tally::default()
    };
    for c in cases {
        if c.first_responded_at.is_some() || c.first_response_due_at <= now_ms {
            t.due += 1;
        }
        if c.first_responded_at
            .is_some_and(|at| at <= c.first_response_due_at)
        {
            t.within += 1;
        }
        t.first
            .extend(c.first_responded_at.map(|at| at - c.opened_at));
        t.resolution
            .extend(c.resolved_at.map(|at| at - c.opened_at));
        if c.breached {
            *t.by_owner
                .entry(c.owner.clone().unwrap_or_else(|| "unassigned".into()))
                .or_insert(0) += 1;
            *t.by_team
                .entry(c.team.clone().unwrap_or_else(|| "no team".into()))
                .or_insert(0) += 1;
        }
        if let Some(rc) = &c.root_cause {
            *t.causes.entry(rc.clone()).or_insert(0) += 1;
        }
        if let (Some(acc), Some(rc)) = (&c.account, &c.root_cause) {
            t.eligible += 1;
            if history
                .iter()
                .any(|(a, r, at)| a == acc && r == rc && recurs_after(c.opened_at, *at))
            {
                t.recurring += 1;
            }
        }
        if let (Some(before), Some(after)) = (c.score_before, c.score_after) {
            t.resurveyed += 1;
            if after > before {
                t.improved += 1;
            }
        }
    }
    t.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn case(opened: i64, responded: Option<i64>, resolved: Option<i64>) -> CaseFacts {
        CaseFacts {
            opened_at: opened,
            first_response_due_at: opened + 24 * H,
            first_responded_at: responded,
            resolved_at: resolved,
            ..Default::default()
        }
    }

    #[test]
    fn a_worked_example() {
        let now = 100 * 24 * H;
        let mut cases = vec![
            // Responded after 2 h, resolved after 10 h.
            case(0, Some(2 * H), Some(10 * H)),
            // Responded after 30 h: late. Resolved after 40 h.
            case(0, Some(30 * H), Some(40 * H)),
            // Never responded, long overdue.
            case(0, None, None),
            // Opened an hour ago: not yet due, not counted in the deadline share.
            case(now - H, None, None),
        ];
        cases[1].breached = true;
        cases[1].owner = Some("ana@example.com".into());
        cases[2].breached = true;
        cases[0].root_cause = Some("pricing".into());
        cases[0].account = Some("acme".into());
        cases[1].root_cause = Some("pricing".into());
        cases[1].account = Some("acme".into());
        cases[1].opened_at = 10 * 24 * H; // 10 days after the first pricing case
        cases[1].first_response_due_at = cases[1].opened_at + 24 * H;
        cases[1].first_responded_at = Some(cases[1].opened_at + 30 * H);
        cases[1].resolved_at = Some(cases[1].opened_at + 40 * H);
        cases[2].root_cause = Some("billing error".into());
        cases[0].score_before = Some(3);
        cases[0].score_after = Some(8);
        cases[1].score_before = Some(5);
        cases[1].score_after = Some(5);
        let history = vec![
            ("acme".to_owned(), "pricing".to_owned(), 0),
            ("acme".to_owned(), "pricing".to_owned(), 10 * 24 * H),
        ];
        let m = loop_metrics(&cases, &history, now);
        assert_eq!(m.cases, 4);
        // Due or responded: the first three; within the deadline: only the first.
        assert_eq!(
            (
                m.first_response_within_deadline.count,
                m.first_response_within_deadline.of
            ),
            (1, 3)
        );
        // Median of 2 h and 30 h = 16 h; of 10 h and 40 h = 25 h.
        assert_eq!(m.median_first_response_ms, Some(16 * H));
        assert_eq!(m.median_resolution_ms, Some(25 * H));
        assert_eq!(
            m.breaches_by_owner,
            vec![
                ("ana@example.com".to_owned(), 1),
                ("unassigned".to_owned(), 1)
            ]
        );
        assert_eq!(m.breaches_by_team, vec![("no team".to_owned(), 2)]);
        assert_eq!(m.root_causes[0].root_cause, "pricing");
        assert_eq!(m.root_causes[0].count, 2);
        assert!((m.root_causes[0].share - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.root_causes[1].cumulative_share - 1.0).abs() < 1e-12);
        // The second pricing case at acme came 10 days after the first: one recurrence of two.
        assert_eq!((m.recurrence.count, m.recurrence.of), (1, 2));
        // Re-surveyed twice; one improved (3 → 8), one did not (5 → 5).
        assert_eq!((m.recovery.count, m.recovery.of), (1, 2));
    }

    #[test]
    fn the_median_in_linear_time_is_the_median_of_the_sorted_values() {
        for n in 0..40_i64 {
            let values: Vec<i64> = (0..n).map(|i| (i * 7919 + 13) % 101 - 50).collect();
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let len = sorted.len();
            let expected = (len > 0).then(|| {
                if len % 2 == 1 {
                    sorted[len / 2]
                } else {
                    (sorted[len / 2 - 1] + sorted[len / 2]).div_euclid(2)
                }
            });
            assert_eq!(median(&mut values.clone()), expected, "n = {n}");
        }
    }

    #[test]
    fn nothing_to_count_gives_none_not_zero() {
        let m = loop_metrics(&[], &[], 0);
        assert_eq!(m.first_response_within_deadline.share, None);
        assert_eq!(m.median_first_response_ms, None);
        assert_eq!(m.recovery.share, None);
        assert!(m.root_causes.is_empty());
    }

    #[test]
    fn recurrence_ignores_causes_older_than_90_days() {
        let mut c = case(200 * 24 * H, None, None);
        c.account = Some("a".into());
        c.root_cause = Some("pricing".into());
        let history = vec![("a".to_owned(), "pricing".to_owned(), 100 * 24 * H)];
        let m = loop_metrics(&[c], &history, 300 * 24 * H);
        assert_eq!((m.recurrence.count, m.recurrence.of), (0, 1));
    }
}
