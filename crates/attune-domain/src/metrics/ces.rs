//! Customer effort: the mean answer and the share in the top three points of the scale.
//!
//! On the standard 1–7 "it was easy to get my issue handled" question the top three points
//! are 5–7; on a configured scale they are max − 2 ..= max.

use serde::Serialize;

use super::Scale;

/// A CES result: answer count, mean score, and the count and percent share of "easy" answers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CesSummary {
    /// Answers on the scale.
    pub n: u64,
    /// Mean score, on the scale's own units.
    pub mean: f64,
    /// 100 × easy / n, in [0, 100].
    pub share_easy: f64,
    /// Answers in the top three points (5–7 on a 1–7 scale).
    pub easy: u64,
}

impl CesSummary {
    /// Summarises a `(score, count)` histogram; scores outside `scale` are ignored.
    ///
    /// `None` when no answer is on the scale.
    pub fn from_histogram(scale: Scale, histogram: &[(i64, u64)]) -> Option<CesSummary> {
        let mut n = 0_u64;
        let mut easy = 0_u64;
        // Summing offsets from the scale minimum keeps every term non-negative (so the mean
        // cannot drift below `min`) and cannot overflow for any i64 scale.
        let mut offset_sum = 0.0_f64;
        for &(score, count) in histogram {
            if !scale.contains(score) {
                continue;
            }
            n = n.saturating_add(count);
            if scale.in_top(score, 3) {
                easy = easy.saturating_add(count);
            }
            let offset = (i128::from(score) - i128::from(scale.min)) as f64;
            offset_sum += offset * count as f64;
        }
        if n == 0 {
            return None;
        }
        let nf = n as f64;
        Some(CesSummary {
            n,
            mean: scale.min as f64 + offset_sum / nf,
            share_easy: 100.0 * easy as f64 / nf,
            easy,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_scale() {
        let hist = [(1, 2), (2, 1), (3, 1), (4, 2), (5, 4), (6, 6), (7, 4)];
        let s = CesSummary::from_histogram(Scale::CES_DEFAULT, &hist).unwrap();
        assert_eq!((s.n, s.easy), (20, 14));
        assert!((s.mean - 4.95).abs() < 1e-12, "mean = {}", s.mean);
        assert!((s.share_easy - 70.0).abs() < 1e-12);
    }

    #[test]
    fn out_of_scale_ignored_and_empty_is_none() {
        assert_eq!(CesSummary::from_histogram(Scale::CES_DEFAULT, &[]), None);
        assert_eq!(
            CesSummary::from_histogram(Scale::CES_DEFAULT, &[(0, 3), (8, 1)]),
            None
        );
        let s = CesSummary::from_histogram(Scale::CES_DEFAULT, &[(0, 3), (4, 1), (8, 1)]).unwrap();
        assert_eq!((s.n, s.easy, s.mean, s.share_easy), (1, 0, 4.0, 0.0));
    }

    #[test]
    fn configured_scale_uses_its_top_three() {
        // On 0–10 the top three points are 8, 9, 10.
        let s = CesSummary::from_histogram(Scale::NPS, &[(7, 1), (8, 1), (10, 2)]).unwrap();
        assert_eq!((s.n, s.easy), (4, 3));
        assert!((s.mean - 8.75).abs() < 1e-12);
    }
}
