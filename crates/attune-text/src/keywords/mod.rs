//! Keywords and key drivers: the terms over-represented in a focus group of documents against a
//! background group, and themes that group such terms.
//!
//! One test serves both questions: key drivers (focus = detractors, background = promoters; or
//! low against high CSAT) and keywords (focus = a survey, segment or period, background = the rest
//! of the organisation's comments). Counts are of *documents* containing a term, not of
//! occurrences, so one comment saying "slow slow slow" counts once and shares read as "31% of
//! detractors mention price". Each term gets a 2×2 table, Yates' chi-square with its p-value, the
//! log odds ratio with a 95% interval, and a Benjamini–Hochberg q-value across all terms tested,
//! so that testing thousands of terms does not make noise look significant. Terms are unigrams
//! and bigrams of adjacent content terms of one sentence (stop words removed), so "not working"
//! is one phrase. Overlapping bigrams that come from one longer phrase ("app keeps" and "keeps
//! crashing" from "app keeps crashing") are merged into it ([`merge_phrases`]), so a driver is
//! listed once, as its customers wrote it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::stats::{Table, benjamini_hochberg};

mod counted;
mod phrases;
mod themes;

pub use counted::{COUNTED_WORDS, Counted, Damaged, doc_terms, words};
pub use phrases::merge_phrases;
pub use themes::{Theme, themes};

/// Stands between the terms of two sentences in [`Doc::terms`] (and in the stored term lists,
/// see [`crate::index_terms`]): a paragraph separator, which no term can hold.
pub const SENTENCE_BREAK: &str = "\u{2029}";

/// A document for keyword analysis: its id, its content terms in order, and its group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc<Id> {
    /// The caller's id, returned in examples.
    pub id: Id,
    /// Normalised content terms in text order (e.g. [`crate::Analysis::terms`]), with
    /// [`SENTENCE_BREAK`] between sentences.
    pub terms: Vec<String>,
    /// Whether the document is in the focus group (detractors, the segment) or the background.
    pub focus: bool,
}

/// Settings for [`over_represented`].
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Minimum focus documents containing a term for it to be tested.
    pub min_support: u64,
    /// False discovery rate for `significant` (Benjamini–Hochberg).
    pub alpha: f64,
    /// Example document ids kept per term.
    pub max_examples: usize,
    /// Also test bigrams of adjacent content terms.
    pub bigrams: bool,
    /// Focus documents (the first in input order: the newest) that examples and themes are
    /// drawn from; counts and tests are over every document.
    pub sample: usize,
    /// Keywords (the strongest) that get their examples and sample documents; the others
    /// are returned without.
    pub with_examples: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            min_support: 3,
            alpha: 0.05,
            max_examples: 3,
            bigrams: true,
            sample: 2_000,
            with_examples: usize::MAX,
        }
    }
}

/// A term over-represented in the focus group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Keyword<Id> {
    /// The term (a bigram is two terms joined by a space).
    pub term: String,
    /// Focus documents containing the term.
    pub focus_docs: u64,
    /// Background documents containing the term.
    pub background_docs: u64,
    /// Share of focus documents containing the term.
    pub focus_share: f64,
    /// Share of background documents containing the term.
    pub background_share: f64,
    /// Log odds ratio (focus vs background), 0.5 added to each cell.
    pub log_odds_ratio: f64,
    /// Lower bound of its 95% confidence interval.
    pub ci_low: f64,
    /// Upper bound of its 95% confidence interval.
    pub ci_high: f64,
    /// Yates-corrected chi-square statistic (1 df).
    pub chi_square: f64,
    /// Its p-value.
    pub p_value: f64,
    /// Benjamini–Hochberg adjusted p-value across all tested terms.
    pub q_value: f64,
    /// `q_value < alpha`.
    pub significant: bool,
    /// Ids of up to `max_examples` focus documents containing the term, in input order, from
    /// the sample.
    pub examples: Vec<Id>,
    /// Indices (into the sample) of the focus documents containing the term, for themes.
    #[serde(skip)]
    pub(crate) focus_doc_indices: Vec<usize>,
}

/// Terms over-represented in the focus documents against the background ones, most significant
/// first (ties: larger effect, then term). Only terms with a positive log odds ratio and at
/// least `min_support` focus documents are returned; `significant` says which pass the test.
/// Counts are over every document; examples and [`themes`] come from the first
/// [`Options::sample`] focus documents ([`focus_sample`]).
pub fn over_represented<Id: Clone>(docs: &[Doc<Id>], options: &Options) -> Vec<Keyword<Id>> {
    let mut counted = Counted::default();
    for doc in docs {
        counted.add_doc(&doc.terms, doc.focus);
    }
    keywords_of(&counted, &focus_sample(docs, options.sample), options)
}

/// The first `n` focus documents, in input order: where examples and themes are drawn from.
pub fn focus_sample<Id: Clone>(docs: &[Doc<Id>], n: usize) -> Vec<Doc<Id>> {
    docs.iter().filter(|d| d.focus).take(n).cloned().collect()
}

/// [`over_represented`] from counts kept elsewhere (e.g. per day in a database): the test of
/// every term, the merge of pairs into phrases, then the examples and the documents of each
/// keyword from `sample` (focus documents, newest first, as [`focus_sample`] gives them).
pub fn keywords_of<Id: Clone>(
    counted: &Counted,
    sample: &[Doc<Id>],
    options: &Options,
) -> Vec<Keyword<Id>> {
    let sizes = (counted.focus_docs, counted.background_docs);
    let most_words = if options.bigrams { 2 } else { 1 };
    // Test every term with enough support, then adjust across all of them.
    let mut tested: Vec<(&str, u64, u64, Table, f64, f64)> = counted
        .terms
        .iter()
        .filter(|(term, (f, _))| *f >= options.min_support && words(term) <= most_words)
        .map(|(term, &(f, b))| {
            let table = table(f, b, sizes);
            let (stat, p) = table.chi_square();
            (term.as_str(), f, b, table, stat, p)
        })
        .collect();
    tested.sort_by(|x, y| x.0.cmp(y.0));
    let q = benjamini_hochberg(&tested.iter().map(|t| t.5).collect::<Vec<_>>());
    let mut out: Vec<Keyword<Id>> = tested
        .into_iter()
        .zip(q)
        .filter_map(|((term, f, b, table, stat, p), q)| {
            let (lor, lo, hi) = table.log_odds_ratio();
            (lor > 0.0).then(|| Keyword {
                term: term.to_owned(),
                focus_docs: f,
                background_docs: b,
                focus_share: ratio(f, sizes.0),
                background_share: ratio(b, sizes.1),
                log_odds_ratio: lor,
                ci_low: lo,
                ci_high: hi,
                chi_square: stat,
                p_value: p,
                q_value: q,
                significant: q < options.alpha,
                examples: Vec::new(),
                focus_doc_indices: Vec::new(),
            })
        })
        .collect();
    strongest_first(&mut out);
    if options.bigrams {
        out = merge_phrases(out, counted, options);
        strongest_first(&mut out);
    }
    attach_examples(&mut out, sample, options);
    out
}

/// The 2×2 table of a term held by `f` of the focus and `b` of the background documents.
pub(crate) fn table(f: u64, b: u64, (n_focus, n_background): (u64, u64)) -> Table {
    Table {
        a: f,
        b: n_focus.saturating_sub(f),
        c: b,
        d: n_background.saturating_sub(b),
    }
}

/// Gives the strongest keywords and the strongest significant ones ([`Options::with_examples`]
/// of each) the sample documents that hold them and their first examples.
fn attach_examples<Id: Clone>(keywords: &mut [Keyword<Id>], sample: &[Doc<Id>], options: &Options) {
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut significant = 0;
    for (i, k) in keywords.iter().enumerate() {
        let wanted =
            i < options.with_examples || (k.significant && significant < options.with_examples);
        significant += usize::from(k.significant);
        if wanted {
            at.insert(k.term.as_str(), i);
        }
    }
    let mut holders: Vec<Vec<usize>> = vec![Vec::new(); keywords.len()];
    for (d, doc) in sample.iter().enumerate() {
        for term in doc_terms(&doc.terms, COUNTED_WORDS) {
            if let Some(&k) = at.get(term.as_str()) {
                holders[k].push(d);
            }
        }
    }
    for (k, docs) in keywords.iter_mut().zip(holders) {
        k.examples = docs
            .iter()
            .take(options.max_examples)
            .map(|&d| sample[d].id.clone())
            .collect();
        k.focus_doc_indices = docs;
    }
}

/// Most significant first; ties: larger effect, then term.
fn strongest_first<Id>(keywords: &mut [Keyword<Id>]) {
    keywords.sort_by(|x, y| {
        x.p_value
            .total_cmp(&y.p_value)
            .then(y.log_odds_ratio.total_cmp(&x.log_odds_ratio))
            .then(x.term.cmp(&y.term))
    });
}

pub(crate) fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: u32, text: &str, focus: bool) -> Doc<u32> {
        Doc {
            id,
            terms: text.split(' ').map(str::to_owned).collect(),
            focus,
        }
    }

    #[test]
    fn a_term_only_detractors_use_is_a_significant_driver_with_examples() {
        let mut docs = Vec::new();
        for i in 0..20 {
            docs.push(doc(
                i,
                if i % 2 == 0 {
                    "price high app ok"
                } else {
                    "app ok"
                },
                true,
            ));
            docs.push(doc(100 + i, "app ok great", false));
        }
        let kw = over_represented(&docs, &Options::default());
        let top = &kw[0];
        assert!(["price", "high", "price high app"].contains(&top.term.as_str()));
        assert!(top.significant);
        assert_eq!(top.focus_docs, 10);
        assert_eq!(top.examples, vec![0, 2, 4]);
        assert!(kw.iter().all(|k| k.term != "great" && k.term != "app"));
        let themes = themes(&kw, &docs, 0.5, 2);
        assert_eq!(themes.len(), 1, "{themes:?}");
        // price, high and the phrase "price high app" (its pairs merged): always together.
        assert_eq!(themes[0].terms.len(), 3, "{themes:?}");
        assert!(themes[0].terms.contains(&"price high app".to_owned()));
        assert_eq!(themes[0].focus_docs, 10);
    }

    #[test]
    fn pairs_of_one_phrase_become_the_phrase_and_pairs_never_cross_sentences() {
        let mut docs = Vec::new();
        for i in 0..30 {
            // Detractors: "app keeps crashing", then another sentence about support.
            let text = if i % 3 == 0 {
                "app keeps crashing \u{2029} support slow"
            } else {
                "app keeps crashing"
            };
            docs.push(doc(i, text, true));
            docs.push(doc(
                100 + i,
                "app works fine \u{2029} support friendly",
                false,
            ));
        }
        // "not working" and "working properly" overlap but never stand together.
        for i in 0..12 {
            docs.push(doc(200 + i, "login not working", true));
            docs.push(doc(300 + i, "export working properly fast", true));
            docs.push(doc(400 + i, "great", false));
        }
        let kw = over_represented(&docs, &Options::default());
        let terms: Vec<&str> = kw.iter().map(|k| k.term.as_str()).collect();
        assert!(terms.contains(&"app keeps crashing"), "{terms:?}");
        assert!(
            !terms.contains(&"app keeps") && !terms.contains(&"keeps crashing"),
            "{terms:?}"
        );
        let phrase = kw.iter().find(|k| k.term == "app keeps crashing").unwrap();
        assert_eq!((phrase.focus_docs, phrase.background_docs), (30, 0));
        assert!(phrase.significant);
        assert_eq!(phrase.examples, vec![0, 1, 2]);
        assert!(
            !terms.iter().any(|t| t.contains("crashing support")),
            "no pair across a sentence break: {terms:?}"
        );
        assert!(!terms.contains(&"\u{2029}"));
        // Each pair grew into the phrase it always stands in, never into one across documents.
        assert!(terms.contains(&"login not working"), "{terms:?}");
        // Phrases grow to three words, the longest counted: the fourth stays a pair.
        assert!(terms.contains(&"export working properly"), "{terms:?}");
        assert!(terms.contains(&"properly fast"), "{terms:?}");
        assert!(!terms.iter().any(|t| t.contains("not working properly")));
    }
}
