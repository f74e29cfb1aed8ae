//! Experience metrics over the pre-aggregated daily counts: NPS, CSAT and CES, overall, as a
//! trend (`interval`) and/or by segment (`by`). Reads O(days × scores) rows, never responses.

use std::collections::{BTreeMap, HashMap};

use attune_domain::metrics::{CesSummary, CsatCounts, NpsCounts, Scale};
use attune_domain::period::{DAY_MS, Interval, day_of_ms, format_day, parse_instant};
use attune_domain::survey::QuestionType;
use attune_storage::model::{ScoreFilter, SegmentDim};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{ApiError, AppState};

/// Query parameters shared by the metric endpoints.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct MetricParams {
    pub survey: Option<String>,
    pub question: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub interval: Option<String>,
    pub by: Option<String>,
}

/// Running totals for one bucket.
#[derive(Debug, Default, Clone)]
struct Acc {
    nps: NpsCounts,
    csat: CsatCounts,
    /// CES answers as `(score, count)` histograms per scale (`(min, max)`), each summarised
    /// by the domain's definition, then pooled.
    ces: BTreeMap<(i64, i64), BTreeMap<i64, u64>>,
}

impl Acc {
    fn add(&mut self, kind: QuestionType, scale: Scale, score: i64, n: u64) {
        match kind {
            QuestionType::Nps => {
                if let Ok(s) = u8::try_from(score) {
                    self.nps.add(s, n);
                }
            }
            QuestionType::Csat => self.csat.add(scale, score, n),
            _ => {
                *self
                    .ces
                    .entry((scale.min, scale.max))
                    .or_default()
                    .entry(score)
                    .or_default() += n;
            }
        }
    }

    fn json(&self, kind: QuestionType) -> Value {
        match kind {
            QuestionType::Nps => match self.nps.summary() {
                Some(s) => json!({
                    "n": s.n, "promoters": s.promoters, "passives": s.passives,
                    "detractors": s.detractors, "nps": round(s.nps), "se": round(s.se),
                    "ci95": [round(s.ci95.0), round(s.ci95.1)],
                }),
                None => json!({
                    "n": 0, "promoters": 0, "passives": 0, "detractors": 0,
                    "nps": null, "se": null, "ci95": null,
                }),
            },
            QuestionType::Csat => match self.csat.summary() {
                Some(s) => json!({
                    "n": s.n, "satisfied": s.satisfied, "csat": round(s.csat),
                    "ci95": [round(s.ci95.0), round(s.ci95.1)],
                }),
                None => json!({"n": 0, "satisfied": 0, "csat": null, "ci95": null}),
            },
            _ => {
                let (mut n, mut easy, mut total) = (0_u64, 0_u64, 0.0_f64);
                for (&(min, max), scores) in &self.ces {
                    let histogram: Vec<(i64, u64)> = scores.iter().map(|(s, c)| (*s, *c)).collect();
                    if let Some(s) = CesSummary::from_histogram(Scale { min, max }, &histogram) {
                        n += s.n;
                        easy += s.easy;
                        total += s.mean * s.n as f64;
                    }
                }
                if n == 0 {
                    json!({"n": 0, "mean": null, "share_easy": null, "easy": 0})
                } else {
                    let nf = n as f64;
                    json!({
                        "n": n, "mean": round(total / nf),
                        "share_easy": round(100.0 * easy as f64 / nf), "easy": easy,
                    })
                }
            }
        }
    }
}

/// Rounds to 4 decimals so JSON stays readable; the arithmetic itself is exact.
fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Computes a metric for the caller's organisation.
pub(crate) async fn compute(
    state: &AppState,
    org_id: &str,
    kind: QuestionType,
    p: &MetricParams,
) -> Result<Value, ApiError> {
    let interval = p.interval.as_deref().map(Interval::parse).transpose()?;
    let from_day = p
        .from
        .as_deref()
        .map(|f| parse_instant("from", f).map(day_of_ms))
        .transpose()?;
    let to_day =
        p.to.as_deref()
            .map(|t| parse_instant("to", t).map(|ms| day_of_ms(ms + DAY_MS - 1)))
            .transpose()?;
    let surveys = state.store.list_surveys(org_id).await?;
    if let Some(s) = &p.survey
        && !surveys.iter().any(|x| &x.id == s)
    {
        return Err(ApiError::NotFound);
    }
    if let Some(q) = &p.question {
        let found = surveys
            .iter()
            .filter(|s| p.survey.as_ref().is_none_or(|id| &s.id == id))
            .filter_map(|s| s.definition.question(q))
            .next();
        match found {
            None => {
                return Err(ApiError::field(
                    "question",
                    format!("no question `{q}` found"),
                ));
            }
            Some(found) if found.qtype != kind => {
                return Err(ApiError::field(
                    "question",
                    format!(
                        "`{q}` is a {} question, not {}",
                        found.qtype.as_str(),
                        kind.as_str()
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    let scales: HashMap<(String, String), Scale> = surveys
        .iter()
        .flat_map(|s| {
            s.definition.questions.iter().filter_map(move |q| {
                q.effective_scale()
                    .map(|sc| ((s.id.clone(), q.key.clone()), sc))
            })
        })
        .collect();
    let (dim, attribute) = match p.by.as_deref() {
        None => (None, None),
        Some("channel") => (Some(SegmentDim::Channel), None),
        Some("language") => (Some(SegmentDim::Language), None),
        Some(attr) if is_account_attribute(attr) => (Some(SegmentDim::Account), Some(attr)),
        Some(other) => {
            return Err(ApiError::field(
                "by",
                format!(
                    "`{other}` is not a segment: use channel, language or an account attribute (plan, size_band, industry, region, owner, or a custom attribute name)"
                ),
            ));
        }
    };
    let account_values: HashMap<String, String> = match attribute {
        Some(attr) => state
            .store
            .list_accounts(org_id)
            .await?
            .into_iter()
            .filter_map(|a| a.attribute(attr).map(|v| (a.id, v)))
            .collect(),
        None => HashMap::new(),
    };
    let filter = ScoreFilter {
        qtype: kind,
        survey_id: p.survey.clone(),
        question_key: p.question.clone(),
        from_day,
        to_day,
        daily: matches!(interval, Some(Interval::Day | Interval::Week)),
    };
    let rows = state.store.score_counts(org_id, &filter, dim).await?;
    let mut buckets: BTreeMap<(Option<i64>, Option<String>), Acc> = BTreeMap::new();
    let mut total = Acc::default();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for r in &rows {
        let Some(scale) = scales.get(&(r.survey_id.clone(), r.question_key.clone())) else {
            continue;
        };
        let n = u64::try_from(r.n).unwrap_or(0);
        let start = interval.map(|i| i.bucket_start(r.day));
        let segment = match (dim, &r.segment) {
            (None, _) => None,
            (Some(SegmentDim::Account), Some(acc)) => Some(
                account_values
                    .get(acc)
                    .cloned()
                    .unwrap_or_else(|| "(none)".into()),
            ),
            (Some(_), Some(v)) if v.is_empty() => Some("(none)".into()),
            (Some(_), v) => v.clone(),
        };
        first = first.min(r.day);
        last = last.max(r.day);
        total.add(kind, *scale, r.score, n);
        buckets
            .entry((start, segment))
            .or_default()
            .add(kind, *scale, r.score, n);
    }
    if interval.is_none() && dim.is_none() {
        return Ok(total.json(kind));
    }
    // A trend shows every bucket in range, empty ones as "no data", so gaps are visible.
    if let Some(i) = interval {
        let lo = from_day.unwrap_or(first);
        let hi = to_day.map(|d| d - 1).unwrap_or(last);
        if lo <= hi && hi - lo < 20_000 {
            let segments: Vec<Option<String>> = if dim.is_some() {
                let mut s: Vec<_> = buckets.keys().map(|(_, s)| s.clone()).collect();
                s.sort();
                s.dedup();
                s
            } else {
                vec![None]
            };
            let mut day = i.bucket_start(lo);
            while day <= hi {
                for s in &segments {
                    buckets.entry((Some(day), s.clone())).or_default();
                }
                day = i.next_start(day);
            }
        }
    }
    let items: Vec<Value> = buckets
        .iter()
        .map(|((start, segment), acc)| {
            let mut v = acc.json(kind);
            if let Value::Object(m) = &mut v {
                m.insert("start".into(), json!(start.map(format_day)));
                m.insert("segment".into(), json!(segment));
            }
            v
        })
        .collect();
    Ok(json!({"buckets": items}))
}

fn is_account_attribute(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
