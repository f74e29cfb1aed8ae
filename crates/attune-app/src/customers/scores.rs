//! An account's latest scores for its page header: NPS and CSAT of each survey question over
//! the last 365 days, with their 95 % intervals (Tango for NPS, Wilson for CSAT), from the
//! per-account aggregates.

use attune_domain::metrics::csat::CsatCounts;
use attune_domain::metrics::nps::NpsCounts;
use attune_domain::survey::QuestionType;
use attune_storage::Store;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppResult;

/// The window, in days.
pub const WINDOW_DAYS: i64 = 365;

/// One question's score for the account.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AccountScore {
    /// The survey.
    pub survey_id: String,
    /// Its name.
    pub survey_name: String,
    /// The question.
    pub question_key: String,
    /// `nps` or `csat`.
    pub metric: &'static str,
    /// NPS in points (−100 to 100) or CSAT in percent (rounded to 4 decimals, like the
    /// metrics).
    pub value: f64,
    /// The 95 % interval `[low, high]`, in the same unit.
    #[schema(value_type = Vec<f64>, min_items = 2, max_items = 2)]
    pub ci95: (f64, f64),
    /// Answers counted.
    pub n: u64,
}

/// Every NPS and CSAT question the account answered in the window, in survey order.
pub async fn account_scores(
    store: &dyn Store,
    org_id: &str,
    account_id: &str,
    today: i64,
) -> AppResult<Vec<AccountScore>> {
    let mut out = Vec::new();
    for survey in store.list_surveys(org_id).await? {
        for q in &survey.definition.questions {
            let metric = match q.qtype {
                QuestionType::Nps => "nps",
                QuestionType::Csat => "csat",
                _ => continue,
            };
            let histogram = store
                .account_histogram(org_id, account_id, &survey.id, &q.key, today - WINDOW_DAYS)
                .await?;
            let summary = match (q.qtype, q.effective_scale()) {
                (QuestionType::Nps, _) => {
                    let mut c = NpsCounts::default();
                    for (score, n) in &histogram {
                        c.add(u8::try_from(*score).unwrap_or(0), *n);
                    }
                    c.summary().map(|s| (s.nps, s.ci95, s.n))
                }
                (_, Some(scale)) => CsatCounts::from_histogram(scale, &histogram)
                    .summary()
                    .map(|s| (s.csat, s.ci95, s.n)),
                _ => None,
            };
            if let Some((value, (lo, hi), n)) = summary {
                let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
                out.push(AccountScore {
                    survey_id: survey.id.clone(),
                    survey_name: survey.definition.name.clone(),
                    question_key: q.key.clone(),
                    metric,
                    value: round(value),
                    ci95: (round(lo), round(hi)),
                    n,
                });
            }
        }
    }
    Ok(out)
}
