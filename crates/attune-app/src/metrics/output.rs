//! The typed answers of the metric endpoints: one value, or buckets by start and segment.
//! Figures are rounded to 4 decimals; undefined ones are `null`.

use attune_domain::metrics::{CesSummary, CsatSummary, NpsSummary};
use serde::Serialize;
use utoipa::ToSchema;

/// Rounds to 4 decimals so JSON stays readable; the arithmetic itself is exact.
fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn interval((lo, hi): (f64, f64)) -> [f64; 2] {
    [round(lo), round(hi)]
}

/// NPS with Tango's 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NpsValue {
    /// Answers.
    pub n: u64,
    /// Scores 9–10.
    pub promoters: u64,
    /// Scores 7–8.
    pub passives: u64,
    /// Scores 0–6.
    pub detractors: u64,
    /// % promoters − % detractors; `null` without answers.
    pub nps: Option<f64>,
    /// Its standard error.
    pub se: Option<f64>,
    /// Tango's 95% interval.
    pub ci95: Option<[f64; 2]>,
}

impl From<Option<NpsSummary>> for NpsValue {
    fn from(s: Option<NpsSummary>) -> Self {
        match s {
            Some(s) => NpsValue {
                n: s.n,
                promoters: s.promoters,
                passives: s.passives,
                detractors: s.detractors,
                nps: Some(round(s.nps)),
                se: Some(round(s.se)),
                ci95: Some(interval(s.ci95)),
            },
            None => NpsValue {
                n: 0,
                promoters: 0,
                passives: 0,
                detractors: 0,
                nps: None,
                se: None,
                ci95: None,
            },
        }
    }
}

/// CSAT (top-two box) with Wilson's 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CsatValue {
    /// Answers.
    pub n: u64,
    /// Answers in the top two of the scale.
    pub satisfied: u64,
    /// % satisfied; `null` without answers.
    pub csat: Option<f64>,
    /// Wilson's 95% interval.
    pub ci95: Option<[f64; 2]>,
}

impl From<Option<CsatSummary>> for CsatValue {
    fn from(s: Option<CsatSummary>) -> Self {
        match s {
            Some(s) => CsatValue {
                n: s.n,
                satisfied: s.satisfied,
                csat: Some(round(s.csat)),
                ci95: Some(interval(s.ci95)),
            },
            None => CsatValue {
                n: 0,
                satisfied: 0,
                csat: None,
                ci95: None,
            },
        }
    }
}

/// CES: the mean effort score and the share of easy answers, pooled over scales.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CesValue {
    /// Answers.
    pub n: u64,
    /// Mean score; `null` without answers.
    pub mean: Option<f64>,
    /// % easy answers (the domain's definition per scale).
    pub share_easy: Option<f64>,
    /// Easy answers.
    pub easy: u64,
}

impl CesValue {
    /// Pools the domain's summaries of each scale.
    pub fn pooled(summaries: &[CesSummary]) -> Self {
        let n: u64 = summaries.iter().map(|s| s.n).sum();
        let easy: u64 = summaries.iter().map(|s| s.easy).sum();
        if n == 0 {
            return CesValue {
                n: 0,
                mean: None,
                share_easy: None,
                easy: 0,
            };
        }
        let total: f64 = summaries.iter().map(|s| s.mean * s.n as f64).sum();
        let nf = n as f64;
        CesValue {
            n,
            mean: Some(round(total / nf)),
            share_easy: Some(round(100.0 * easy as f64 / nf)),
            easy,
        }
    }
}

/// One metric's figures.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum MetricValue {
    /// `metrics/nps`.
    Nps(NpsValue),
    /// `metrics/csat`.
    Csat(CsatValue),
    /// `metrics/ces`.
    Ces(CesValue),
}

/// One bucket of a trend and/or segmentation.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Bucket {
    /// First day of the bucket; `null` without `interval`.
    pub start: Option<String>,
    /// The segment's value (`(none)` without one); `null` without `by`.
    pub segment: Option<String>,
    /// The figures.
    #[serde(flatten)]
    pub value: MetricValue,
}

/// `GET /api/v1/metrics/{nps,csat,ces}`: one value, or `{"buckets": […]}` with `interval`
/// or `by`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum MetricReport {
    /// Over the whole range.
    Total(MetricValue),
    /// By bucket.
    Buckets {
        /// In order of start, then segment.
        buckets: Vec<Bucket>,
    },
}

#[cfg(test)]
mod tests {
    use attune_domain::metrics::{CesSummary, NpsCounts, Scale};
    use serde_json::json;

    use super::*;

    #[test]
    fn values_and_buckets_keep_their_json_shape() {
        let empty = MetricReport::Total(MetricValue::Nps(NpsValue::from(None)));
        assert_eq!(
            serde_json::to_value(&empty).ok(),
            Some(
                json!({"n": 0, "promoters": 0, "passives": 0, "detractors": 0,
                        "nps": null, "se": null, "ci95": null})
            )
        );
        let mut counts = NpsCounts::default();
        counts.add(10, 3);
        counts.add(0, 1);
        let bucket = Bucket {
            start: Some("2026-11-01".into()),
            segment: None,
            value: MetricValue::Nps(NpsValue::from(counts.summary())),
        };
        let v = serde_json::to_value(MetricReport::Buckets {
            buckets: vec![bucket],
        })
        .unwrap_or_default();
        assert_eq!(v["buckets"][0]["nps"], 50.0);
        assert_eq!(v["buckets"][0]["start"], "2026-11-01");
        assert!(v["buckets"][0]["segment"].is_null(), "present, null");
    }

    #[test]
    fn ces_pools_the_domain_summaries_of_each_scale() {
        let seven = Scale { min: 1, max: 7 };
        let five = Scale { min: 1, max: 5 };
        let a = CesSummary::from_histogram(seven, &[(7, 2), (1, 2)]);
        let b = CesSummary::from_histogram(five, &[(5, 1), (3, 1)]);
        let pooled = CesValue::pooled(&[a, b].into_iter().flatten().collect::<Vec<_>>());
        assert_eq!(pooled.n, 6);
        assert_eq!(pooled.easy, 4, "7 on 1–7, and 5 and 3 on 1–5, are easy");
        assert_eq!(pooled.mean, Some(4.0));
        assert_eq!(pooled.share_easy, Some(round(400.0 / 6.0)));
        assert_eq!(CesValue::pooled(&[]).mean, None);
    }
}
