//! Computing a metric from the pre-aggregated daily and monthly counts: O(days × scores)
//! rows, never responses. Every figure comes from the domain's NPS, CSAT and CES summaries.

use std::collections::{BTreeMap, HashMap};

use attune_domain::metrics::{CesSummary, CsatCounts, NpsCounts, Scale};
use attune_domain::period::{Interval, format_day};
use attune_domain::survey::QuestionType;
use attune_storage::Store;
use attune_storage::model::{ScoreFilter, SegmentDim, Survey};

use super::output::{Bucket, CesValue, CsatValue, MetricReport, MetricValue, NpsValue};
use super::query::{ACCOUNT_COLUMNS, MetricQuery, Segment, not_a_segment};
use crate::{AppError, AppResult};

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

    fn value(&self, kind: QuestionType) -> MetricValue {
        match kind {
            QuestionType::Nps => MetricValue::Nps(NpsValue::from(self.nps.summary())),
            QuestionType::Csat => MetricValue::Csat(CsatValue::from(self.csat.summary())),
            _ => {
                let summaries: Vec<CesSummary> = self
                    .ces
                    .iter()
                    .filter_map(|(&(min, max), scores)| {
                        let histogram: Vec<(i64, u64)> =
                            scores.iter().map(|(s, c)| (*s, *c)).collect();
                        CesSummary::from_histogram(Scale { min, max }, &histogram)
                    })
                    .collect();
                MetricValue::Ces(CesValue::pooled(&summaries))
            }
        }
    }
}

/// A 404 for a survey of another organisation; a 422 for a question that is not there or
/// not of this kind.
fn check_filters(surveys: &[Survey], kind: QuestionType, q: &MetricQuery) -> AppResult<()> {
    if let Some(s) = &q.survey
        && !surveys.iter().any(|x| &x.id == s)
    {
        return Err(AppError::NotFound);
    }
    let Some(key) = &q.question else {
        return Ok(());
    };
    let found = surveys
        .iter()
        .filter(|s| q.survey.as_ref().is_none_or(|id| &s.id == id))
        .find_map(|s| s.definition.question(key));
    match found {
        None => Err(AppError::invalid(
            "question",
            format!("no question `{key}` found"),
        )),
        Some(found) if found.qtype != kind => Err(AppError::invalid(
            "question",
            format!(
                "`{key}` is a {} question, not {}",
                found.qtype.as_str(),
                kind.as_str()
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// Each account's value of the attribute; a custom attribute no account has is a 422
/// naming `by` and the attributes there are.
async fn account_values(
    store: &dyn Store,
    org_id: &str,
    attr: &str,
) -> AppResult<HashMap<String, String>> {
    let accounts = store.list_accounts(org_id).await?;
    if !ACCOUNT_COLUMNS.contains(&attr) && !accounts.iter().any(|a| a.attributes.contains_key(attr))
    {
        let mut custom: Vec<String> = accounts
            .iter()
            .flat_map(|a| a.attributes.keys().cloned())
            .collect();
        custom.sort();
        custom.dedup();
        return Err(not_a_segment(attr, &custom).into());
    }
    Ok(accounts
        .into_iter()
        .filter_map(|a| a.attribute(attr).map(|v| (a.id, v)))
        .collect())
}

type Buckets = BTreeMap<(Option<i64>, Option<String>), Acc>;

/// A trend shows every bucket in range, empty ones as "no data", so gaps are visible.
fn fill_gaps(buckets: &mut Buckets, q: &MetricQuery, i: Interval, (first, last): (i64, i64)) {
    let lo = q.from_day.unwrap_or(first);
    let hi = q.to_day.map(|d| d - 1).unwrap_or(last);
    if lo > hi || hi - lo >= 20_000 {
        return;
    }
    let segments: Vec<Option<String>> = if q.by.is_some() {
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

/// Computes NPS, CSAT or CES for the organisation: overall, as a trend (`interval`) and/or
/// by segment (`by`).
#[tracing::instrument(skip_all, fields(org.id = %org_id, survey.id = q.survey.as_deref().unwrap_or("")))]
pub async fn compute(
    store: &dyn Store,
    org_id: &str,
    kind: QuestionType,
    q: &MetricQuery,
) -> AppResult<MetricReport> {
    let surveys = store.list_surveys(org_id).await?;
    check_filters(&surveys, kind, q)?;
    let scales: HashMap<(String, String), Scale> = surveys
        .iter()
        .flat_map(|s| {
            s.definition.questions.iter().filter_map(move |q| {
                q.effective_scale()
                    .map(|sc| ((s.id.clone(), q.key.clone()), sc))
            })
        })
        .collect();
    let (dim, account_values) = match &q.by {
        None => (None, HashMap::new()),
        Some(Segment::Channel) => (Some(SegmentDim::Channel), HashMap::new()),
        Some(Segment::Language) => (Some(SegmentDim::Language), HashMap::new()),
        Some(Segment::Account(attr)) => (
            Some(SegmentDim::Account),
            account_values(store, org_id, attr).await?,
        ),
    };
    let filter = ScoreFilter {
        qtype: kind,
        survey_id: q.survey.clone(),
        question_key: q.question.clone(),
        from_day: q.from_day,
        to_day: q.to_day,
        daily: matches!(q.interval, Some(Interval::Day | Interval::Week)),
    };
    let rows = store.score_counts(org_id, &filter, dim).await?;
    let mut buckets = Buckets::new();
    let mut total = Acc::default();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for r in &rows {
        let Some(scale) = scales.get(&(r.survey_id.clone(), r.question_key.clone())) else {
            continue;
        };
        let n = u64::try_from(r.n).unwrap_or(0);
        let start = q.interval.map(|i| i.bucket_start(r.day));
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
    if q.interval.is_none() && dim.is_none() {
        return Ok(MetricReport::Total(total.value(kind)));
    }
    if let Some(i) = q.interval {
        fill_gaps(&mut buckets, q, i, (first, last));
    }
    let buckets = buckets
        .iter()
        .map(|((start, segment), acc)| Bucket {
            start: start.map(format_day),
            segment: segment.clone(),
            value: acc.value(kind),
        })
        .collect();
    Ok(MetricReport::Buckets { buckets })
}
