//! Survey metric arithmetic: NPS, CSAT and CES summaries with their confidence intervals.
//!
//! Everything here is pure and total: empty inputs give `None` ("no data"), never 0 or NaN,
//! so callers cannot mistake an absent metric for a bad one.

pub mod ces;
pub mod csat;
pub mod gamma;
pub mod nps;
pub mod tango;
pub mod wilson;

use serde::{Deserialize, Serialize};

pub use ces::CesSummary;
pub use csat::{CsatCounts, CsatSummary};
pub use nps::{NpsBand, NpsCounts, NpsSummary};
pub use tango::tango_interval;
pub use wilson::{Z95, wilson_interval};

/// An inclusive answer scale of a rating question, e.g. 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    /// Lowest selectable score.
    pub min: i64,
    /// Highest selectable score.
    pub max: i64,
}

impl Scale {
    /// The usual CSAT scale, 1–5.
    pub const CSAT_DEFAULT: Scale = Scale { min: 1, max: 5 };
    /// The usual CES scale, 1–7.
    pub const CES_DEFAULT: Scale = Scale { min: 1, max: 7 };
    /// The NPS scale, 0–10.
    pub const NPS: Scale = Scale { min: 0, max: 10 };

    /// A scale from `min` to `max`, or `None` unless `min < max`.
    pub const fn new(min: i64, max: i64) -> Option<Scale> {
        if min < max {
            Some(Scale { min, max })
        } else {
            None
        }
    }

    /// Whether `score` is a selectable answer on this scale.
    pub const fn contains(self, score: i64) -> bool {
        self.min <= score && score <= self.max
    }

    /// Whether `score` is on the scale and among its top `k` points.
    // Saturating so that a hand-built extreme scale (fields are public) cannot overflow.
    pub(crate) const fn in_top(self, score: i64, k: i64) -> bool {
        self.contains(score) && score >= self.max.saturating_sub(k - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_contains() {
        assert_eq!(Scale::CSAT_DEFAULT, Scale { min: 1, max: 5 });
        assert_eq!(Scale::CES_DEFAULT, Scale { min: 1, max: 7 });
        assert_eq!(Scale::NPS, Scale { min: 0, max: 10 });
        assert!(Scale::CSAT_DEFAULT.contains(1) && Scale::CSAT_DEFAULT.contains(5));
        assert!(!Scale::CSAT_DEFAULT.contains(0) && !Scale::CSAT_DEFAULT.contains(6));
        assert_eq!(Scale::new(3, 3), None);
        assert_eq!(Scale::new(1, 10), Some(Scale { min: 1, max: 10 }));
    }

    #[test]
    fn top_box_membership() {
        let s = Scale::CSAT_DEFAULT;
        let top2: Vec<i64> = (0..=6).filter(|&x| s.in_top(x, 2)).collect();
        assert_eq!(top2, vec![4, 5]);
        let top3: Vec<i64> = (0..=8)
            .filter(|&x| Scale::CES_DEFAULT.in_top(x, 3))
            .collect();
        assert_eq!(top3, vec![5, 6, 7]);
        let extreme = Scale {
            min: i64::MIN,
            max: i64::MIN + 1,
        };
        assert!(extreme.in_top(i64::MIN, 2));
    }

    #[test]
    fn scale_serde_round_trip() {
        let json = serde_json::to_string(&Scale::CES_DEFAULT).unwrap();
        assert_eq!(json, r#"{"min":1,"max":7}"#);
        let back: Scale = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Scale::CES_DEFAULT);
    }
}
