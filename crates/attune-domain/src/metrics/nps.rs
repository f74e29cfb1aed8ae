//! Net Promoter Score on a 0–10 question: promoters 9–10, passives 7–8, detractors 0–6.

use serde::{Deserialize, Serialize};

use super::tango::{net_share, tango_interval};
use super::wilson::Z95;

/// Which NPS group a 0–10 answer falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NpsBand {
    /// Scores 0–6.
    Detractor,
    /// Scores 7–8.
    Passive,
    /// Scores 9–10.
    Promoter,
}

impl NpsBand {
    /// Every band, from lowest scores to highest.
    pub const ALL: [NpsBand; 3] = [NpsBand::Detractor, NpsBand::Passive, NpsBand::Promoter];

    /// The band of a 0–10 score, or `None` above 10.
    pub const fn of(score: u8) -> Option<NpsBand> {
        match score {
            0..=6 => Some(NpsBand::Detractor),
            7..=8 => Some(NpsBand::Passive),
            9..=10 => Some(NpsBand::Promoter),
            _ => None,
        }
    }

    /// The stable lowercase name: "detractor", "passive" or "promoter".
    pub const fn as_str(self) -> &'static str {
        match self {
            NpsBand::Detractor => "detractor",
            NpsBand::Passive => "passive",
            NpsBand::Promoter => "promoter",
        }
    }

    /// The inverse of [`NpsBand::as_str`]; exact match only.
    pub fn parse(name: &str) -> Option<NpsBand> {
        NpsBand::ALL.into_iter().find(|band| band.as_str() == name)
    }

    /// The inclusive range of scores in this band.
    pub const fn score_range(self) -> (u8, u8) {
        match self {
            NpsBand::Detractor => (0, 6),
            NpsBand::Passive => (7, 8),
            NpsBand::Promoter => (9, 10),
        }
    }
}

/// Response counts per NPS band.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NpsCounts {
    /// Responses scoring 9–10.
    pub promoters: u64,
    /// Responses scoring 7–8.
    pub passives: u64,
    /// Responses scoring 0–6.
    pub detractors: u64,
}

impl NpsCounts {
    /// Adds `count` responses of `score`; scores above 10 are ignored (callers validate first).
    // Counts saturate rather than panic: u64::MAX responses is not a reachable state.
    pub fn add(&mut self, score: u8, count: u64) {
        let slot = match NpsBand::of(score) {
            Some(NpsBand::Promoter) => &mut self.promoters,
            Some(NpsBand::Passive) => &mut self.passives,
            Some(NpsBand::Detractor) => &mut self.detractors,
            None => return,
        };
        *slot = slot.saturating_add(count);
    }

    /// Total responses (saturating).
    pub fn n(&self) -> u64 {
        self.promoters
            .saturating_add(self.passives)
            .saturating_add(self.detractors)
    }

    /// Adds another set of counts into this one (saturating).
    pub fn merge(&mut self, other: &NpsCounts) {
        self.promoters = self.promoters.saturating_add(other.promoters);
        self.passives = self.passives.saturating_add(other.passives);
        self.detractors = self.detractors.saturating_add(other.detractors);
    }

    /// NPS, its standard error and Tango 95% interval; `None` when there are no responses.
    pub fn summary(&self) -> Option<NpsSummary> {
        let n = self.n();
        let ci95 = tango_interval(self.detractors, self.promoters, n, Z95)?;
        let nf = n as f64;
        let net = net_share(self.detractors, self.promoters, n);
        let either = (self.promoters as f64 + self.detractors as f64) / nf;
        // p + d ≥ (p − d)² mathematically; the clamp only absorbs rounding at p or d = 1.
        let se = 100.0 * ((either - net * net).max(0.0) / nf).sqrt();
        Some(NpsSummary {
            n,
            promoters: self.promoters,
            passives: self.passives,
            detractors: self.detractors,
            nps: 100.0 * net,
            se,
            ci95,
        })
    }
}

/// An NPS result: counts, score in points (−100..=100), standard error and 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NpsSummary {
    /// Total responses.
    pub n: u64,
    /// Responses scoring 9–10.
    pub promoters: u64,
    /// Responses scoring 7–8.
    pub passives: u64,
    /// Responses scoring 0–6.
    pub detractors: u64,
    /// 100 × (promoter share − detractor share).
    pub nps: f64,
    /// Standard error of `nps`, in points: 100·√((p + d − (p − d)²) / n).
    pub se: f64,
    /// Tango score 95% interval (z = Φ⁻¹(0.975)), in points.
    pub ci95: (f64, f64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_the_scale() {
        let bands: Vec<Option<NpsBand>> = (0..=11).map(NpsBand::of).collect();
        assert_eq!(bands[..7], [Some(NpsBand::Detractor); 7]);
        assert_eq!(bands[7..9], [Some(NpsBand::Passive); 2]);
        assert_eq!(bands[9..11], [Some(NpsBand::Promoter); 2]);
        assert_eq!(bands[11], None);
        assert_eq!(NpsBand::of(255), None);
        for band in NpsBand::ALL {
            let (lo, hi) = band.score_range();
            assert!((lo..=hi).all(|s| NpsBand::of(s) == Some(band)));
            assert_eq!(NpsBand::parse(band.as_str()), Some(band));
        }
        assert_eq!(NpsBand::parse("Promoter"), None);
        assert_eq!(NpsBand::parse(""), None);
    }

    #[test]
    fn band_serde_uses_as_str() {
        for band in NpsBand::ALL {
            let json = serde_json::to_string(&band).unwrap();
            assert_eq!(json, format!("\"{}\"", band.as_str()));
            assert_eq!(serde_json::from_str::<NpsBand>(&json).unwrap(), band);
        }
    }

    #[test]
    fn add_and_merge() {
        let mut counts = NpsCounts::default();
        for score in 0..=10 {
            counts.add(score, 1);
        }
        counts.add(11, 100);
        assert_eq!(
            counts,
            NpsCounts {
                promoters: 2,
                passives: 2,
                detractors: 7
            }
        );
        let mut other = NpsCounts {
            promoters: 5,
            passives: 0,
            detractors: 1,
        };
        other.merge(&counts);
        assert_eq!(
            other,
            NpsCounts {
                promoters: 7,
                passives: 2,
                detractors: 8
            }
        );
        assert_eq!(other.n(), 17);
        counts.add(10, u64::MAX);
        assert_eq!(counts.promoters, u64::MAX);
    }

    #[test]
    fn empty_is_no_data() {
        assert_eq!(NpsCounts::default().summary(), None);
    }

    #[test]
    fn worked_example() {
        let s = NpsCounts {
            promoters: 70,
            passives: 20,
            detractors: 10,
        }
        .summary()
        .unwrap();
        assert_eq!(s.n, 100);
        assert!((s.nps - 60.0).abs() < 1e-12);
        assert!((s.se - 6.6332).abs() < 1e-4, "se = {}", s.se);
        assert!((s.ci95.0 - 45.2167).abs() < 1e-4, "lo = {}", s.ci95.0);
        assert!((s.ci95.1 - 71.2768).abs() < 1e-4, "hi = {}", s.ci95.1);
    }

    #[test]
    fn all_promoters_and_all_detractors() {
        let s = NpsCounts {
            promoters: 12,
            ..NpsCounts::default()
        }
        .summary()
        .unwrap();
        assert_eq!((s.nps, s.se, s.ci95.1), (100.0, 0.0, 100.0));
        assert!(s.ci95.0 < 100.0);
        let s = NpsCounts {
            detractors: 12,
            ..NpsCounts::default()
        }
        .summary()
        .unwrap();
        assert_eq!((s.nps, s.se, s.ci95.0), (-100.0, 0.0, -100.0));
        assert!(s.ci95.1 > -100.0);
    }
}
