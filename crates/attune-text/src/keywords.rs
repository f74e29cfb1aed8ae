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

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::stats::{Table, benjamini_hochberg};

/// Stands between the terms of two sentences in [`Doc::terms`] (and in the stored term lists,
/// see [`crate::index_terms`]): a paragraph separator, which no term can hold.
pub const SENTENCE_BREAK: &str = "\u{2029}";

/// Most words a merged phrase holds.
const MAX_PHRASE_WORDS: usize = 5;

/// Keywords (strongest first) whose pairs may be merged into phrases.
const PHRASE_CANDIDATES: usize = 200;

/// Share of the focus documents of both overlapping pairs that must hold the longer phrase for
/// the pairs to be merged into it.
const PHRASE_SHARE: f64 = 0.8;

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
}

impl Default for Options {
    fn default() -> Self {
        Self {
            min_support: 3,
            alpha: 0.05,
            max_examples: 3,
            bigrams: true,
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
    /// Ids of up to `max_examples` focus documents containing the term, in input order.
    pub examples: Vec<Id>,
    /// Indices (into the input) of all focus documents containing the term, for themes.
    #[serde(skip)]
    pub(crate) focus_doc_indices: Vec<usize>,
}

#[derive(Default)]
struct Counts {
    focus: u64,
    background: u64,
    focus_docs: Vec<usize>,
}

/// Terms over-represented in the focus documents against the background ones, most significant
/// first (ties: larger effect, then term). Only terms with a positive log odds ratio and at
/// least `min_support` focus documents are returned; `significant` says which pass the test.
pub fn over_represented<Id: Clone>(docs: &[Doc<Id>], options: &Options) -> Vec<Keyword<Id>> {
    let mut counts: HashMap<String, Counts> = HashMap::new();
    let (mut n_focus, mut n_background) = (0u64, 0u64);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (index, doc) in docs.iter().enumerate() {
        if doc.focus {
            n_focus += 1;
        } else {
            n_background += 1;
        }
        seen.clear();
        seen.extend(doc.terms.iter().filter(|t| *t != SENTENCE_BREAK).cloned());
        if options.bigrams {
            seen.extend(
                doc.terms
                    .windows(2)
                    .filter(|w| w[0] != SENTENCE_BREAK && w[1] != SENTENCE_BREAK)
                    .map(|w| format!("{} {}", w[0], w[1])),
            );
        }
        for term in &seen {
            let entry = match counts.get_mut(term.as_str()) {
                Some(entry) => entry,
                None => counts.entry(term.clone()).or_default(),
            };
            if doc.focus {
                entry.focus += 1;
                entry.focus_docs.push(index);
            } else {
                entry.background += 1;
            }
        }
    }

    // Test every term with enough support, then adjust across all of them.
    let mut tested: Vec<(String, Counts, Table, f64, f64)> = counts
        .into_iter()
        .filter(|(_, c)| c.focus >= options.min_support)
        .map(|(term, c)| {
            let table = Table {
                a: c.focus,
                b: n_focus - c.focus,
                c: c.background,
                d: n_background - c.background,
            };
            let (stat, p) = table.chi_square();
            (term, c, table, stat, p)
        })
        .collect();
    tested.sort_by(|x, y| x.0.cmp(&y.0));
    let q = benjamini_hochberg(&tested.iter().map(|t| t.4).collect::<Vec<_>>());

    let mut out: Vec<Keyword<Id>> = tested
        .into_iter()
        .zip(q)
        .filter_map(|((term, c, table, stat, p), q)| {
            let (lor, lo, hi) = table.log_odds_ratio();
            (lor > 0.0).then(|| Keyword {
                term,
                focus_docs: c.focus,
                background_docs: c.background,
                focus_share: ratio(c.focus, n_focus),
                background_share: ratio(c.background, n_background),
                log_odds_ratio: lor,
                ci_low: lo,
                ci_high: hi,
                chi_square: stat,
                p_value: p,
                q_value: q,
                significant: q < options.alpha,
                examples: c
                    .focus_docs
                    .iter()
                    .take(options.max_examples)
                    .map(|&i| docs[i].id.clone())
                    .collect(),
                focus_doc_indices: c.focus_docs,
            })
        })
        .collect();
    strongest_first(&mut out);
    let mut out = merge_phrases(out, docs, (n_focus, n_background), options);
    strongest_first(&mut out);
    out
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

/// Whether `words` stand one after another in one sentence of `terms`.
fn holds(terms: &[String], words: &[&str]) -> bool {
    terms
        .windows(words.len())
        .any(|w| w.iter().zip(words).all(|(a, b)| a == b))
}

/// The keyword of a phrase, tested on its own 2×2 table; its q-value is the largest of the
/// pairs it replaces (they were tested, the phrase stands for them).
fn phrase_keyword<Id: Clone>(
    words: &[&str],
    docs: &[Doc<Id>],
    (n_focus, n_background): (u64, u64),
    q_value: f64,
    options: &Options,
) -> Keyword<Id> {
    let (mut focus, mut background) = (Vec::new(), 0u64);
    for (i, doc) in docs.iter().enumerate() {
        if holds(&doc.terms, words) {
            if doc.focus {
                focus.push(i);
            } else {
                background += 1;
            }
        }
    }
    let a = focus.len() as u64;
    let table = Table {
        a,
        b: n_focus - a,
        c: background,
        d: n_background - background,
    };
    let (chi_square, p_value) = table.chi_square();
    let (lor, lo, hi) = table.log_odds_ratio();
    Keyword {
        term: words.join(" "),
        focus_docs: a,
        background_docs: background,
        focus_share: ratio(a, n_focus),
        background_share: ratio(background, n_background),
        log_odds_ratio: lor,
        ci_low: lo,
        ci_high: hi,
        chi_square,
        p_value,
        q_value,
        significant: q_value < options.alpha && lor > 0.0,
        examples: focus
            .iter()
            .take(options.max_examples)
            .map(|&i| docs[i].id.clone())
            .collect(),
        focus_doc_indices: focus,
    }
}

/// Merges overlapping word pairs of one phrase: where pair `x y` and pair `y z` are both
/// keywords and at least [`PHRASE_SHARE`] of the focus documents of each hold `x y z` in one
/// sentence, both are replaced by the phrase (tested on its own counts), which can grow the
/// same way up to [`MAX_PHRASE_WORDS`]. Pairs are taken strongest first (input order), among
/// the [`PHRASE_CANDIDATES`] strongest keywords (each merge reads every document); unigrams
/// are kept.
pub fn merge_phrases<Id: Clone>(
    keywords: Vec<Keyword<Id>>,
    docs: &[Doc<Id>],
    sizes: (u64, u64),
    options: &Options,
) -> Vec<Keyword<Id>> {
    let pairs: Vec<usize> = (0..keywords.len().min(PHRASE_CANDIDATES))
        .filter(|&i| keywords[i].term.split(' ').count() == 2)
        .collect();
    let mut used = vec![false; keywords.len()];
    let mut phrases: Vec<Keyword<Id>> = Vec::new();
    for &seed in &pairs {
        if used[seed] {
            continue;
        }
        let mut words: Vec<String> = keywords[seed].term.split(' ').map(str::to_owned).collect();
        let (mut support, mut q, mut merged) = (
            keywords[seed].focus_docs,
            keywords[seed].q_value,
            Vec::new(),
        );
        let mut current: Option<Keyword<Id>> = None;
        while words.len() < MAX_PHRASE_WORDS {
            // A pair continuing the phrase to the right, else to the left.
            let next = pairs.iter().copied().find_map(|j| {
                if used[j] || j == seed || merged.contains(&j) {
                    return None;
                }
                let (a, b) = keywords[j].term.split_once(' ')?;
                if Some(a) == words.last().map(String::as_str) {
                    let mut w: Vec<&str> = words.iter().map(String::as_str).collect();
                    w.push(b);
                    Some((j, w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()))
                } else if Some(b) == words.first().map(String::as_str) {
                    let mut w = vec![a.to_owned()];
                    w.extend(words.iter().cloned());
                    Some((j, w))
                } else {
                    None
                }
            });
            let Some((j, longer)) = next else { break };
            let refs: Vec<&str> = longer.iter().map(String::as_str).collect();
            let candidate = phrase_keyword(&refs, docs, sizes, q.max(keywords[j].q_value), options);
            let least = support.min(keywords[j].focus_docs) as f64;
            if (candidate.focus_docs as f64) < PHRASE_SHARE * least {
                break;
            }
            merged.push(j);
            support = candidate.focus_docs;
            q = candidate.q_value;
            words = longer;
            current = Some(candidate);
        }
        if let Some(phrase) = current {
            used[seed] = true;
            for j in merged {
                used[j] = true;
            }
            phrases.push(phrase);
        }
    }
    let mut out: Vec<Keyword<Id>> = keywords
        .into_iter()
        .zip(used)
        .filter_map(|(k, u)| (!u).then_some(k))
        .collect();
    out.extend(phrases.into_iter().filter(|p| p.log_odds_ratio > 0.0));
    out
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Keywords that occur in the same documents, grouped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme<Id> {
    /// The theme's strongest keyword, used as its label.
    pub label: String,
    /// All keywords of the theme, strongest first.
    pub terms: Vec<String>,
    /// Focus documents containing at least one of its keywords.
    pub focus_docs: u64,
    /// Ids of up to `max_examples` such documents, in input order.
    pub examples: Vec<Id>,
}

/// Greedy, deterministic grouping of keywords (in the order given, strongest first): each
/// keyword not yet placed starts a theme and takes every later unplaced keyword whose focus
/// documents overlap the seed's with Jaccard similarity at least `min_jaccard`.
pub fn themes<Id: Clone>(
    keywords: &[Keyword<Id>],
    docs: &[Doc<Id>],
    min_jaccard: f64,
    max_examples: usize,
) -> Vec<Theme<Id>> {
    let mut placed = vec![false; keywords.len()];
    let mut out = Vec::new();
    for (i, seed) in keywords.iter().enumerate() {
        if placed[i] {
            continue;
        }
        placed[i] = true;
        let mut terms = vec![seed.term.clone()];
        let mut members: BTreeSet<usize> = seed.focus_doc_indices.iter().copied().collect();
        for (j, other) in keywords.iter().enumerate().skip(i + 1) {
            if !placed[j]
                && jaccard(&seed.focus_doc_indices, &other.focus_doc_indices) >= min_jaccard
            {
                placed[j] = true;
                terms.push(other.term.clone());
                members.extend(other.focus_doc_indices.iter().copied());
            }
        }
        out.push(Theme {
            label: seed.term.clone(),
            terms,
            focus_docs: members.len() as u64,
            examples: members
                .iter()
                .take(max_examples)
                .map(|&k| docs[k].id.clone())
                .collect(),
        });
    }
    out
}

/// Jaccard similarity of two sorted index lists.
fn jaccard(a: &[usize], b: &[usize]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
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
        assert!(terms.contains(&"export working properly fast"), "{terms:?}");
        assert!(!terms.iter().any(|t| t.contains("not working properly")));
    }

    #[test]
    fn jaccard_of_sorted_lists() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
    }
}
