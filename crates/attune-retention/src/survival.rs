//! Kaplan–Meier survival over customer lifetimes, with Greenwood's variance, 95% intervals on
//! the log scale (R survival's default) or the log-log scale (lifelines' default), the median
//! and the restricted mean lifetime.

use serde::Serialize;

use crate::calendar::{Day, whole_months};
use crate::ledger::{Ledger, OPEN};

/// The unit lifetimes are measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    /// Days.
    Day,
    /// Whole calendar months (a tenure: Jan 11 → Feb 10 is 0, → Feb 11 is 1).
    Month,
}

/// One customer's lifetime: from the start of their first active period to its end (churned),
/// or to the day after `as_of` (still active: censored).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Lifetime {
    /// The account.
    pub account: u32,
    /// The length in the chosen unit.
    pub duration: f64,
    /// Whether it ended in churn (`false`: censored).
    pub churned: bool,
}

impl Ledger {
    /// One lifetime per account that was ever active: its first active period after grace
    /// merging (a later reactivation does not extend it).
    pub fn lifetimes(&self, unit: TimeUnit) -> Vec<Lifetime> {
        let horizon: Day = self.as_of + 1;
        (0..self.n_accounts())
            .filter_map(|a| {
                let s = self.spells_of(a).first()?;
                let churned = s.end != OPEN;
                let end = if churned { s.end } else { horizon };
                let duration = match unit {
                    TimeUnit::Day => f64::from(end - s.start),
                    TimeUnit::Month => f64::from(whole_months(s.start, end)),
                };
                Some(Lifetime {
                    account: a as u32,
                    duration,
                    churned,
                })
            })
            .collect()
    }
}

/// Which scale the confidence interval is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CiKind {
    /// exp(log S ± z·σ), upper end capped at 1: R survival's `conf.type = "log"`, the default.
    Log,
    /// S^exp(± z·σ / log S): the "exponential Greenwood" interval, lifelines' default.
    LogLog,
}

/// The estimate at one distinct observed time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KmStep {
    /// The time.
    pub time: f64,
    /// Lifetimes at least this long (those censored at this time included).
    pub at_risk: u64,
    /// Churns at this time.
    pub events: u64,
    /// Lifetimes censored at this time.
    pub censored: u64,
    /// S(t), from this time until the next step.
    pub survival: f64,
    /// Greenwood's sum Σ d / (n (n − d)) up to this time: the variance of log S(t).
    /// Infinite once S reaches 0.
    pub greenwood: f64,
}

impl KmStep {
    /// Greenwood's variance of S(t): S² · Σ d / (n (n − d)); `None` once S reaches 0.
    pub fn variance(&self) -> Option<f64> {
        self.greenwood
            .is_finite()
            .then_some(self.survival * self.survival * self.greenwood)
    }

    /// The confidence interval at normal quantile `z` (e.g. [`attune_domain::metrics::Z95`]).
    /// `None` once S = 0; the single point (1, 1) before the first churn.
    pub fn interval(&self, kind: CiKind, z: f64) -> Option<(f64, f64)> {
        let s = self.survival;
        if s <= 0.0 || !self.greenwood.is_finite() {
            return None;
        }
        if self.greenwood == 0.0 {
            return Some((s, s));
        }
        let se = self.greenwood.sqrt();
        match kind {
            CiKind::Log => Some((s * (-z * se).exp(), (s * (z * se).exp()).min(1.0))),
            CiKind::LogLog => {
                let log_s = s.ln();
                if log_s >= 0.0 {
                    return None;
                }
                let w = z * se / log_s.abs();
                Some((s.powf(w.exp()), s.powf((-w).exp())))
            }
        }
    }
}

/// The median lifetime, or the fact that survival never fell to 50%.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Median {
    /// The first time S(t) ≤ 0.5 (lifelines' convention).
    At(f64),
    /// S(t) stayed above 0.5 for the whole follow-up.
    NotReached,
}

/// A fitted Kaplan–Meier estimator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KaplanMeier {
    /// How many lifetimes were used.
    pub n: u64,
    /// One step per distinct time, in increasing order.
    pub steps: Vec<KmStep>,
}

impl KaplanMeier {
    /// Fits `(duration, churned)` pairs. Durations that are negative or not finite are ignored.
    pub fn fit(data: impl IntoIterator<Item = (f64, bool)>) -> KaplanMeier {
        let mut data: Vec<(f64, bool)> = data
            .into_iter()
            .filter(|(t, _)| t.is_finite() && *t >= 0.0)
            .collect();
        data.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let n = data.len() as u64;
        let mut steps = Vec::new();
        let mut at_risk = n;
        let mut survival = 1.0f64;
        let mut greenwood = 0.0f64;
        let mut i = 0;
        while i < data.len() {
            let time = data[i].0;
            let mut j = i;
            let mut events = 0u64;
            while j < data.len() && data[j].0 == time {
                events += u64::from(data[j].1);
                j += 1;
            }
            let removed = (j - i) as u64;
            if events > 0 {
                survival *= 1.0 - events as f64 / at_risk as f64;
                greenwood += if events < at_risk {
                    events as f64 / (at_risk as f64 * (at_risk - events) as f64)
                } else {
                    f64::INFINITY
                };
            }
            steps.push(KmStep {
                time,
                at_risk,
                events,
                censored: removed - events,
                survival,
                greenwood,
            });
            at_risk -= removed;
            i = j;
        }
        KaplanMeier { n, steps }
    }

    /// Fits the lifetimes of a ledger.
    pub fn from_lifetimes(lifetimes: &[Lifetime]) -> KaplanMeier {
        KaplanMeier::fit(lifetimes.iter().map(|l| (l.duration, l.churned)))
    }

    /// S(t): the share still active after time `t`.
    pub fn survival_at(&self, t: f64) -> f64 {
        let i = self.steps.partition_point(|s| s.time <= t);
        if i == 0 {
            1.0
        } else {
            self.steps[i - 1].survival
        }
    }

    /// The median lifetime.
    pub fn median(&self) -> Median {
        self.steps
            .iter()
            .find(|s| s.survival <= 0.5)
            .map_or(Median::NotReached, |s| Median::At(s.time))
    }

    /// The restricted mean lifetime up to `horizon`: ∫₀^horizon S(t) dt.
    pub fn restricted_mean(&self, horizon: f64) -> f64 {
        let mut area = 0.0;
        let mut from = 0.0f64;
        let mut level = 1.0;
        for s in &self.steps {
            if s.time >= horizon {
                break;
            }
            area += level * (s.time - from).max(0.0);
            from = s.time.max(0.0);
            level = s.survival;
        }
        area + level * (horizon - from).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use attune_domain::metrics::Z95;

    #[test]
    fn textbook_example() {
        // Times 1, 2+, 3, 3, 4+, 5: S drops at 1 (5/6), at 3 (2 of 4 at risk → 5/12), at 5 (0).
        let km = KaplanMeier::fit([
            (1.0, true),
            (2.0, false),
            (3.0, true),
            (3.0, true),
            (4.0, false),
            (5.0, true),
        ]);
        let s: Vec<f64> = km.steps.iter().map(|s| s.survival).collect();
        let expect = [5.0 / 6.0, 5.0 / 6.0, 5.0 / 12.0, 5.0 / 12.0, 0.0];
        for (a, b) in s.iter().zip(expect) {
            assert!((a - b).abs() < 1e-15, "{s:?}");
        }
        let at3 = km.steps[2];
        assert_eq!((at3.at_risk, at3.events, at3.censored), (4, 2, 0));
        let gw = 1.0 / (6.0 * 5.0) + 2.0 / (4.0 * 2.0);
        assert!((at3.greenwood - gw).abs() < 1e-15);
        let (lo, hi) = at3.interval(CiKind::Log, Z95).unwrap();
        assert!((lo - 5.0 / 12.0 * (-Z95 * gw.sqrt()).exp()).abs() < 1e-15);
        assert_eq!(hi, 1.0, "capped at 1");
        assert_eq!(km.steps[4].interval(CiKind::Log, Z95), None);
        assert_eq!(km.median(), Median::At(3.0));
        // 1·1 + 5/6·2 + 5/12·2 = 3.5.
        assert!((km.restricted_mean(5.0) - 3.5).abs() < 1e-12);
        assert!((km.restricted_mean(0.5) - 0.5).abs() < 1e-15);
        assert_eq!(km.survival_at(0.9), 1.0);
        assert_eq!(km.survival_at(3.0), 5.0 / 12.0);
    }

    #[test]
    fn censored_only_never_reaches_the_median() {
        let km = KaplanMeier::fit([(1.0, false), (2.0, false)]);
        assert_eq!(km.median(), Median::NotReached);
        assert_eq!(km.steps[0].interval(CiKind::LogLog, Z95), Some((1.0, 1.0)));
        assert_eq!(km.steps[0].interval(CiKind::Log, Z95), Some((1.0, 1.0)));
        assert_eq!(KaplanMeier::fit([]).median(), Median::NotReached);
    }
}
