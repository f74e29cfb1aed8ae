//! Loop metrics from maintained counts. Each case adds to counters of the day it was opened
//! ([`counters`]) and to that day's sorted lists of times to first response and to resolution
//! ([`durations`]); storage keeps both current in the transactions that change cases, by
//! taking out what a case added before a change and adding what it adds after. A report sums
//! whole days from the counters and reads the cases of its partial first and last days, then
//! builds the same [`Tally`] that [`super::metrics::loop_metrics`] builds from every case.
//!
//! Two parts cannot be counted ahead and are looked up at read time: the display names of
//! owners and teams (counters keep ids, so a renamed team is shown by its name of today, as the
//! definition does), and the cases not yet responded to whose deadline is still ahead (whether a
//! case is due depends on the moment of the report).

use std::collections::HashMap;

use super::durations::Durations;
use super::metrics::Tally;
use crate::period::DAY_MS;

/// What a counter counts, per day of opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Counter {
    /// Cases opened.
    Cases,
    /// Cases first-responded to.
    Responded,
    /// Cases first-responded to by the deadline.
    Within,
    /// Breached cases, keyed by owner id (empty: unassigned).
    OwnerBreach,
    /// Breached cases, keyed by team id (empty: no team).
    TeamBreach,
    /// Cases keyed by root cause.
    Cause,
    /// Cases with an account and a root cause.
    Eligible,
    /// Of those, recurrences ([`super::metrics::recurs_after`]).
    Recurring,
    /// Re-surveyed cases.
    Resurveyed,
    /// Re-surveyed cases whose score improved.
    Improved,
}

impl Counter {
    /// Every counter.
    pub const ALL: [Self; 10] = [
        Self::Cases,
        Self::Responded,
        Self::Within,
        Self::OwnerBreach,
        Self::TeamBreach,
        Self::Cause,
        Self::Eligible,
        Self::Recurring,
        Self::Resurveyed,
        Self::Improved,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cases => "cases",
            Self::Responded => "responded",
            Self::Within => "within",
            Self::OwnerBreach => "owner_breach",
            Self::TeamBreach => "team_breach",
            Self::Cause => "cause",
            Self::Eligible => "eligible",
            Self::Recurring => "recurring",
            Self::Resurveyed => "resurveyed",
            Self::Improved => "improved",
        }
    }

    /// The counter of a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// What the counters need of a case: ids rather than names, and whether it recurs as storage
/// keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseLine {
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
    /// Owner's user id.
    pub owner_id: Option<String>,
    /// Team id.
    pub team_id: Option<String>,
    /// Root cause.
    pub root_cause: Option<String>,
    /// Whether it has an account.
    pub has_account: bool,
    /// Whether an earlier case of its account had the same root cause within the window.
    pub recurs: bool,
    /// Score that opened the case.
    pub score_before: Option<i64>,
    /// Score of the re-survey.
    pub score_after: Option<i64>,
}

/// The day a case counts in: days since the epoch, UTC.
pub fn day_of(opened_at: i64) -> i64 {
    opened_at.div_euclid(DAY_MS)
}

/// What one case adds to the counters of its day: (counter, key), each counting one.
pub fn counters(c: &CaseLine) -> Vec<(Counter, String)> {
    let mut out = vec![(Counter::Cases, String::new())];
    if let Some(at) = c.first_responded_at {
        out.push((Counter::Responded, String::new()));
        if at <= c.first_response_due_at {
            out.push((Counter::Within, String::new()));
        }
    }
    if c.breached {
        out.push((Counter::OwnerBreach, c.owner_id.clone().unwrap_or_default()));
        out.push((Counter::TeamBreach, c.team_id.clone().unwrap_or_default()));
    }
    if let Some(rc) = &c.root_cause {
        out.push((Counter::Cause, rc.clone()));
        if c.has_account {
            out.push((Counter::Eligible, String::new()));
            if c.recurs {
                out.push((Counter::Recurring, String::new()));
            }
        }
    }
    if let (Some(before), Some(after)) = (c.score_before, c.score_after) {
        out.push((Counter::Resurveyed, String::new()));
        if after > before {
            out.push((Counter::Improved, String::new()));
        }
    }
    out
}

/// Which list of times a duration belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Duration {
    /// Opening to first response.
    FirstResponse,
    /// Opening to resolution.
    Resolution,
}

impl Duration {
    /// Both lists.
    pub const ALL: [Self; 2] = [Self::FirstResponse, Self::Resolution];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::Resolution => "resolution",
        }
    }

    /// The time a case adds to this list, ms.
    pub fn of(self, c: &CaseLine) -> Option<i64> {
        match self {
            Self::FirstResponse => c.first_responded_at,
            Self::Resolution => c.resolved_at,
        }
        .map(|at| at - c.opened_at)
    }
}

/// Whether case `id` recurs: an earlier case of the same account (in `same_account`, as
/// (id, root cause, opened at)) had its root cause within the window.
pub fn recurs(
    id: &str,
    root_cause: Option<&str>,
    opened_at: i64,
    same_account: &[(String, String, i64)],
) -> bool {
    let Some(rc) = root_cause else {
        return false;
    };
    same_account.iter().any(|(other, r, at)| {
        other != id && r == rc && super::metrics::recurs_after(opened_at, *at)
    })
}

/// Counter deltas of one change: what `after` adds minus what `before` added, per
/// (day, counter, key), zeros left out.
pub fn delta(
    before: Option<&CaseLine>,
    after: Option<&CaseLine>,
) -> HashMap<(i64, Counter, String), i64> {
    let mut d: HashMap<(i64, Counter, String), i64> = HashMap::new();
    for (line, sign) in [(before, -1), (after, 1)] {
        if let Some(l) = line {
            for (c, key) in counters(l) {
                *d.entry((day_of(l.opened_at), c, key)).or_insert(0) += sign;
            }
        }
    }
    d.retain(|_, n| *n != 0);
    d
}

/// Sums of counters and times over a period, as read back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sums {
    /// (counter, key) → count.
    pub counts: HashMap<(Counter, String), i64>,
    /// Times to first response.
    pub first: Durations,
    /// Times to resolution.
    pub resolution: Durations,
    /// Cases not yet responded to whose deadline is after the moment of the report.
    pub not_yet_due: u64,
}

impl Sums {
    /// Adds one case as it is now (a case of a partial day, read from its row).
    pub fn add(&mut self, c: &CaseLine) {
        for key in counters(c) {
            *self.counts.entry(key).or_insert(0) += 1;
        }
        self.first.extend(Duration::FirstResponse.of(c));
        self.resolution.extend(Duration::Resolution.of(c));
    }

    fn get(&self, c: Counter) -> u64 {
        u64::try_from(self.counts.get(&(c, String::new())).copied().unwrap_or(0)).unwrap_or(0)
    }

    /// The tally: owner and team ids shown by `owner` (the id itself when the user is gone)
    /// and `team` (`None` when the team is gone).
    pub fn tally(
        self,
        owner: &dyn Fn(&str) -> Option<String>,
        team: &dyn Fn(&str) -> Option<String>,
    ) -> Tally {
        let cases = self.get(Counter::Cases);
        let responded = self.get(Counter::Responded);
        let mut t = Tally {
            cases,
            due: cases.saturating_sub(self.not_yet_due),
            within: self.get(Counter::Within),
            eligible: self.get(Counter::Eligible),
            recurring: self.get(Counter::Recurring),
            resurveyed: self.get(Counter::Resurveyed),
            improved: self.get(Counter::Improved),
            ..Tally::default()
        };
        debug_assert!(t.due >= responded, "answered cases are never not yet due");
        for ((c, key), n) in &self.counts {
            let Ok(n) = u64::try_from(*n) else { continue };
            if n == 0 {
                continue;
            }
            let name = match c {
                Counter::OwnerBreach if key.is_empty() => "unassigned".to_owned(),
                Counter::OwnerBreach => owner(key).unwrap_or_else(|| key.clone()),
                Counter::TeamBreach => (!key.is_empty())
                    .then(|| team(key))
                    .flatten()
                    .unwrap_or_else(|| "no team".to_owned()),
                Counter::Cause => key.clone(),
                _ => continue,
            };
            let map = match c {
                Counter::OwnerBreach => &mut t.by_owner,
                Counter::TeamBreach => &mut t.by_team,
                _ => &mut t.causes,
            };
            *map.entry(name).or_insert(0) += n;
        }
        t.first = self.first;
        t.resolution = self.resolution;
        t
    }
}

#[cfg(test)]
#[path = "loop_counts_tests.rs"]
mod tests;
