//! Text analytics over the stored analyses: themes (the significant words and phrases of the
//! selected comments against the rest of the organisation's comments of the same period) and key
//! drivers (terms over-represented among detractors against promoters, or low against high
//! CSAT). The statistics come from `attune-text` and run on a blocking thread.

use attune_domain::metrics::NpsBand;
use attune_domain::period::parse_instant;
use attune_domain::survey::QuestionType;
use attune_storage::Store;
use attune_storage::model::{DriverCountsQuery, TextDoc, TextDocsQuery};
use attune_text::{Counted, Doc, Keyword, Options, focus_sample, keywords_of, themes};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{AppError, AppResult};

/// Most comments one analysis reads (the newest of the period).
const MAX_DOCS: u32 = 100_000;
/// Keywords and drivers listed.
const MAX_TERMS: usize = 30;
/// Keywords grouped into themes.
const MAX_THEMED: usize = 40;
/// Focus documents two keywords must share (Jaccard) to be one theme.
const THEME_JACCARD: f64 = 0.3;

/// Parameters of `GET /api/v1/text/themes` and `/text/drivers` (and the insights page).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct TextParams {
    /// Survey id (themes: the selection; drivers: required).
    pub survey: Option<String>,
    /// Question key.
    pub question: Option<String>,
    /// First day or instant.
    pub from: Option<String>,
    /// Last day or instant.
    pub to: Option<String>,
    /// Themes: only comments in this language.
    pub language: Option<String>,
    /// Themes: only `promoter`, `passive` or `detractor` answers.
    pub band: Option<String>,
}

fn nonempty(o: &Option<String>) -> Option<String> {
    o.as_ref()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// An example quote.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Quote {
    /// The response.
    pub response_id: String,
    /// Its comment.
    pub comment: String,
    /// Its language.
    pub language: Option<String>,
}

/// A keyword or driver with its test.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TermStat {
    /// The word or phrase.
    pub term: String,
    /// Focus comments containing it (selected comments, or detractors).
    pub focus_count: u64,
    /// Background comments containing it (the rest, or promoters).
    pub background_count: u64,
    /// Share of the focus comments containing it.
    pub focus_share: f64,
    /// Share of the background comments containing it.
    pub background_share: f64,
    /// Log odds ratio with its 95% interval.
    pub log_odds_ratio: f64,
    /// Lower end of the interval.
    pub ci_low: f64,
    /// Upper end of the interval.
    pub ci_high: f64,
    /// The 2×2 chi-square statistic.
    pub chi_square: f64,
    /// Its p-value.
    pub p_value: f64,
    /// Benjamini–Hochberg adjusted.
    pub q_value: f64,
    /// q below 0.05.
    pub significant: bool,
    /// Example comments.
    pub examples: Vec<Quote>,
}

/// A group of keywords that occur in the same comments.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThemeView {
    /// Its most telling term.
    pub label: String,
    /// Its terms.
    pub terms: Vec<String>,
    /// Sampled focus comments (see `sample_docs`) with any of them.
    pub count: u64,
    /// Their share of the sampled focus comments.
    pub share: f64,
    /// Example comments.
    pub examples: Vec<Quote>,
}

/// The result of one analysis.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TextReport {
    /// What the focus group is ("selected", "detractors", "csat_low").
    pub focus: &'static str,
    /// What it is compared with ("rest_of_period", "promoters", "csat_high").
    pub background: &'static str,
    /// Comments in the focus group.
    pub focus_docs: usize,
    /// Comments in the background.
    pub background_docs: usize,
    /// Focus comments (the newest of the period) that the examples and themes are drawn from;
    /// counts and tests are over every comment.
    pub sample_docs: usize,
    /// Whether the period held more comments than one analysis reads (the newest were used).
    /// Themes read at most 100,000; drivers read every comment, from kept counts.
    pub truncated: bool,
    /// Groups of terms found in the same comments.
    pub themes: Vec<ThemeView>,
    /// The terms, most over-represented first.
    pub terms: Vec<TermStat>,
}

/// The test's settings: every term held by two focus comments is tested.
fn options() -> Options {
    Options {
        min_support: 2,
        // Listed terms and themed keywords are the strongest (significant ones come first).
        with_examples: MAX_TERMS.max(MAX_THEMED),
        ..Options::default()
    }
}

/// The definition: counts every given comment (`focus`: its group, `None` for neither), tests
/// every term, and draws examples and themes from the newest focus comments; on a blocking
/// thread.
async fn analyse(
    docs: Vec<TextDoc>,
    focus: Vec<Option<bool>>,
    labels: (&'static str, &'static str),
    truncated: bool,
) -> AppResult<TextReport> {
    tokio::task::spawn_blocking(move || {
        let mut kept = Vec::new();
        let mut input = Vec::new();
        for (doc, f) in docs.into_iter().zip(focus) {
            if let Some(f) = f {
                input.push(Doc {
                    id: kept.len(),
                    terms: doc.terms.clone(),
                    focus: f,
                });
                kept.push(doc);
            }
        }
        let mut counted = Counted::default();
        for d in &input {
            counted.add_doc(&d.terms, d.focus);
        }
        let sample = focus_sample(&input, options().sample);
        shape(&counted, &sample, &kept, labels, truncated)
    })
    .await
    .map_err(|e| AppError::Internal(format!("text analysis failed: {e}")))
}

/// The same from counts kept with the responses and the newest focus comments (`sample`, at
/// most [`Options::sample`]).
async fn analyse_counted(
    counted: Counted,
    sample: Vec<TextDoc>,
    labels: (&'static str, &'static str),
) -> AppResult<TextReport> {
    tokio::task::spawn_blocking(move || {
        let input: Vec<Doc<usize>> = sample
            .iter()
            .enumerate()
            .map(|(i, d)| Doc {
                id: i,
                terms: d.terms.clone(),
                focus: true,
            })
            .collect();
        shape(&counted, &input, &sample, labels, false)
    })
    .await
    .map_err(|e| AppError::Internal(format!("text analysis failed: {e}")))
}

/// Tests the counted terms and shapes the report; `sample` (ids index `kept`) gives examples
/// and themes.
fn shape(
    counted: &Counted,
    sample: &[Doc<usize>],
    kept: &[TextDoc],
    labels: (&'static str, &'static str),
    truncated: bool,
) -> TextReport {
    let options = options();
    let (focus_docs, background_docs) = (counted.focus_docs, counted.background_docs);
    // Without both groups there is nothing to compare: no term is "over-represented".
    let keywords: Vec<Keyword<usize>> = if focus_docs == 0 || background_docs == 0 {
        Vec::new()
    } else {
        keywords_of(counted, sample, &options)
    };
    let quotes = |ids: &[usize]| -> Vec<Quote> {
        ids.iter()
            .map(|&i| Quote {
                response_id: kept[i].id.clone(),
                comment: kept[i].comment.clone().unwrap_or_default(),
                language: kept[i].language.clone(),
            })
            .collect()
    };
    let significant: Vec<Keyword<usize>> = keywords
        .iter()
        .filter(|k| k.significant)
        .take(MAX_THEMED)
        .cloned()
        .collect();
    let share = |n: u64| {
        if sample.is_empty() {
            0.0
        } else {
            n as f64 / sample.len() as f64
        }
    };
    let themes = themes(&significant, sample, THEME_JACCARD, 3)
        .into_iter()
        .map(|t| ThemeView {
            examples: quotes(&t.examples),
            share: share(t.focus_docs),
            label: t.label,
            terms: t.terms,
            count: t.focus_docs,
        })
        .collect();
    let terms = keywords
        .iter()
        .take(MAX_TERMS)
        .map(|k| TermStat {
            term: k.term.clone(),
            focus_count: k.focus_docs,
            background_count: k.background_docs,
            focus_share: k.focus_share,
            background_share: k.background_share,
            log_odds_ratio: k.log_odds_ratio,
            ci_low: k.ci_low,
            ci_high: k.ci_high,
            chi_square: k.chi_square,
            p_value: k.p_value,
            q_value: k.q_value,
            significant: k.significant,
            examples: quotes(&k.examples),
        })
        .collect();
    TextReport {
        focus: labels.0,
        background: labels.1,
        focus_docs: focus_docs as usize,
        background_docs: background_docs as usize,
        sample_docs: sample.len(),
        truncated,
        themes,
        terms,
    }
}

fn period(p: &TextParams) -> AppResult<(Option<i64>, Option<i64>)> {
    let from = nonempty(&p.from)
        .map(|f| parse_instant("from", &f))
        .transpose()?;
    let to = nonempty(&p.to)
        .map(|t| parse_instant("to", &t))
        .transpose()?;
    Ok((from, to))
}

/// Themes of the selected comments (survey, language, NPS band) against the rest of the
/// organisation's comments of the same period.
#[tracing::instrument(skip_all, fields(org.id = %org_id, survey.id = p.survey.as_deref().unwrap_or("")))]
pub async fn themes_report(
    store: &dyn Store,
    org_id: &str,
    p: &TextParams,
) -> AppResult<TextReport> {
    let (from_ms, to_ms) = period(p)?;
    let survey = nonempty(&p.survey);
    if let Some(s) = &survey {
        store.survey(org_id, s).await?;
    }
    let language = nonempty(&p.language)
        .map(|l| attune_domain::text::LanguageTag::parse(&l).map(|t| t.primary().to_owned()))
        .transpose()?;
    let band =
        match nonempty(&p.band) {
            Some(b) => Some(NpsBand::parse(&b).ok_or_else(|| {
                AppError::invalid("band", "must be promoter, passive or detractor")
            })?),
            None => None,
        };
    let docs = store
        .text_docs(
            org_id,
            &TextDocsQuery {
                survey_id: None,
                question_key: nonempty(&p.question),
                from_ms,
                to_ms,
                max_score: None,
                limit: MAX_DOCS + 1,
            },
        )
        .await?;
    let truncated = docs.len() > MAX_DOCS as usize;
    let docs: Vec<TextDoc> = docs.into_iter().take(MAX_DOCS as usize).collect();
    let focus = docs
        .iter()
        .map(|d| {
            let in_survey = survey.as_ref().is_none_or(|s| *s == d.survey_id);
            let in_language = language.as_ref().is_none_or(|l| {
                d.language
                    .as_deref()
                    .and_then(|x| x.split('-').next())
                    .is_some_and(|x| x.eq_ignore_ascii_case(l))
            });
            let in_band = band.is_none_or(|b| {
                d.score
                    .and_then(|s| u8::try_from(s).ok())
                    .and_then(NpsBand::of)
                    == Some(b)
            });
            Some(in_survey && in_language && in_band)
        })
        .collect();
    analyse(docs, focus, ("selected", "rest_of_period"), truncated).await
}

/// The question drivers are computed for, and its groups: (highest focus score, lowest
/// background score) and their names.
type Chosen = (String, (i64, i64), (&'static str, &'static str));

async fn driver_question(store: &dyn Store, org_id: &str, p: &TextParams) -> AppResult<Chosen> {
    let survey_id =
        nonempty(&p.survey).ok_or_else(|| AppError::invalid("survey", "is required"))?;
    let survey = store.survey(org_id, &survey_id).await?;
    let questions = &survey.definition.questions;
    let question = match nonempty(&p.question) {
        Some(k) => questions
            .iter()
            .find(|q| q.key == k)
            .ok_or_else(|| AppError::invalid("question", "is not a question of this survey"))?,
        None => questions
            .iter()
            .find(|q| q.qtype == QuestionType::Nps)
            .or_else(|| questions.iter().find(|q| q.qtype == QuestionType::Csat))
            .ok_or_else(|| AppError::invalid("survey", "has no NPS or CSAT question"))?,
    };
    let labels = match question.qtype {
        QuestionType::Nps => ("detractors", "promoters"),
        _ => ("csat_low", "csat_high"),
    };
    let groups = question
        .driver_groups()
        .ok_or_else(|| AppError::invalid("question", "must be an NPS or CSAT question"))?;
    Ok((question.key.clone(), groups, labels))
}

/// Key drivers of one survey's NPS (detractors against promoters) or CSAT (≤ 2 against ≥ 4 on
/// 1–5: the bottom two against the top two scores of the scale), over every comment of the
/// period: from the counts kept with the responses, plus the newest focus comments for
/// examples and themes. Equal to [`drivers_by_definition`].
#[tracing::instrument(skip_all, fields(org.id = %org_id, survey.id = p.survey.as_deref().unwrap_or("")))]
pub async fn drivers_report(
    store: &dyn Store,
    org_id: &str,
    p: &TextParams,
) -> AppResult<TextReport> {
    let (question_key, groups, labels) = driver_question(store, org_id, p).await?;
    let survey_id = nonempty(&p.survey).unwrap_or_default();
    let (from_ms, to_ms) = period(p)?;
    let query = DriverCountsQuery {
        survey_id: survey_id.clone(),
        question_key: question_key.clone(),
        groups,
        from_ms,
        to_ms,
    };
    let Some(counted) = store.driver_counts(org_id, &query).await? else {
        // The counts of an upgraded database are being built: the newest comments, as before.
        return definition(store, org_id, p, MAX_DOCS).await;
    };
    let sample = store
        .text_docs(
            org_id,
            &TextDocsQuery {
                survey_id: Some(survey_id),
                question_key: Some(question_key),
                from_ms,
                to_ms,
                max_score: Some(groups.0),
                limit: u32::try_from(options().sample).unwrap_or(u32::MAX),
            },
        )
        .await?;
    analyse_counted(counted, sample, labels).await
}

/// What [`drivers_report`] computes, from every comment of the period read one by one: the
/// slow path, kept as the definition that tests and the benchmark compare with.
pub async fn drivers_by_definition(
    store: &dyn Store,
    org_id: &str,
    p: &TextParams,
) -> AppResult<TextReport> {
    definition(store, org_id, p, u32::MAX - 1).await
}

/// The definition over at most `limit` comments (the newest).
async fn definition(
    store: &dyn Store,
    org_id: &str,
    p: &TextParams,
    limit: u32,
) -> AppResult<TextReport> {
    let (question_key, (low, high), labels) = driver_question(store, org_id, p).await?;
    let (from_ms, to_ms) = period(p)?;
    let docs = store
        .text_docs(
            org_id,
            &TextDocsQuery {
                survey_id: nonempty(&p.survey),
                question_key: Some(question_key),
                from_ms,
                to_ms,
                max_score: None,
                limit: limit + 1,
            },
        )
        .await?;
    let truncated = docs.len() > limit as usize;
    let docs: Vec<TextDoc> = docs.into_iter().take(limit as usize).collect();
    let focus = docs
        .iter()
        .map(|d| match d.score {
            Some(s) if s <= low => Some(true),
            Some(s) if s >= high => Some(false),
            _ => None,
        })
        .collect();
    analyse(docs, focus, labels, truncated).await
}
