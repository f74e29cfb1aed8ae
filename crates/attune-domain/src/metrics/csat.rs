//! Customer satisfaction: the share of answers in the top-2 box of the question's scale.

use serde::Serialize;

use super::Scale;
use super::wilson::{Z95, wilson_interval};

/// How many answers there were on a CSAT question and how many were in the top-2 box.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CsatCounts {
    /// Answers on the scale.
    pub n: u64,
    /// Answers scoring max − 1 or max (4 and 5 on a 1–5 scale).
    pub satisfied: u64,
}

impl CsatCounts {
    /// Counts a `(score, count)` histogram; scores outside `scale` are ignored.
    pub fn from_histogram(scale: Scale, histogram: &[(i64, u64)]) -> CsatCounts {
        let mut counts = CsatCounts::default();
        for &(score, count) in histogram {
            counts.add(scale, score, count);
        }
        counts
    }

    /// Adds `count` answers of `score`; a score outside `scale` is ignored.
    // Saturating rather than panicking: u64::MAX answers is not a reachable state.
    pub fn add(&mut self, scale: Scale, score: i64, count: u64) {
        if !scale.contains(score) {
            return;
        }
        self.n = self.n.saturating_add(count);
        if scale.in_top(score, 2) {
            self.satisfied = self.satisfied.saturating_add(count);
        }
    }

    /// Adds another set of counts (for the same scale) into this one.
    pub fn merge(&mut self, other: &CsatCounts) {
        self.n = self.n.saturating_add(other.n);
        self.satisfied = self.satisfied.saturating_add(other.satisfied);
    }

    /// CSAT with its Wilson 95% interval; `None` when there are no answers (or `satisfied > n`).
    pub fn summary(&self) -> Option<CsatSummary> {
        let (lo, hi) = wilson_interval(self.satisfied, self.n, Z95)?;
        Some(CsatSummary {
            n: self.n,
            satisfied: self.satisfied,
            csat: 100.0 * self.satisfied as f64 / self.n as f64,
            ci95: (100.0 * lo, 100.0 * hi),
        })
    }
}

/// A CSAT result: counts, the top-2-box share in percent and its 95% interval in percent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CsatSummary {
    /// Answers on the scale.
    pub n: u64,
    /// Answers in the top-2 box.
    pub satisfied: u64,
    /// 100 × satisfied / n, in [0, 100].
    pub csat: f64,
    /// Wilson score 95% interval (z = Φ⁻¹(0.975)), in percent.
    pub ci95: (f64, f64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scale_top_two_box() {
        let counts = CsatCounts::from_histogram(
            Scale::CSAT_DEFAULT,
            &[(1, 3), (2, 2), (3, 5), (4, 20), (5, 10)],
        );
        assert_eq!(
            counts,
            CsatCounts {
                n: 40,
                satisfied: 30
            }
        );
        let s = counts.summary().unwrap();
        assert_eq!(s.csat, 75.0);
        // statsmodels proportion_confint(30, 40, method="wilson"), in percent.
        assert!(
            (s.ci95.0 - 59.806_038_579_231_966).abs() < 1e-9,
            "{:?}",
            s.ci95
        );
        assert!(
            (s.ci95.1 - 85.812_881_360_903_7).abs() < 1e-9,
            "{:?}",
            s.ci95
        );
    }

    #[test]
    fn out_of_scale_scores_are_ignored() {
        let counts =
            CsatCounts::from_histogram(Scale::CSAT_DEFAULT, &[(0, 9), (6, 9), (-4, 1), (5, 2)]);
        assert_eq!(counts, CsatCounts { n: 2, satisfied: 2 });
    }

    #[test]
    fn empty_is_no_data() {
        assert_eq!(CsatCounts::default().summary(), None);
        assert_eq!(
            CsatCounts::from_histogram(Scale::CSAT_DEFAULT, &[(9, 4)]).summary(),
            None
        );
        assert_eq!(CsatCounts { n: 1, satisfied: 2 }.summary(), None);
    }

    #[test]
    fn merge_adds() {
        let mut a = CsatCounts { n: 3, satisfied: 1 };
        a.merge(&CsatCounts { n: 4, satisfied: 4 });
        assert_eq!(a, CsatCounts { n: 7, satisfied: 5 });
    }
}
