//! Overlapping word pairs of one phrase merged into it.

use super::{COUNTED_WORDS, Counted, Keyword, Options, ratio, table};

/// Most words a merged phrase holds: the longest term that is counted.
const MAX_PHRASE_WORDS: usize = COUNTED_WORDS;

/// Keywords (strongest first) whose pairs may be merged into phrases.
const PHRASE_CANDIDATES: usize = 200;

/// Share of the focus documents of both overlapping pairs that must hold the longer phrase for
/// the pairs to be merged into it.
const PHRASE_SHARE: f64 = 0.8;

/// The keyword of a phrase, tested on its own 2×2 table (the documents holding its words one
/// after another in one sentence); its q-value is the largest of the pairs it replaces (they
/// were tested, the phrase stands for them).
fn phrase_keyword<Id>(
    words: &[&str],
    counted: &Counted,
    q_value: f64,
    options: &Options,
) -> Keyword<Id> {
    let term = words.join(" ");
    let sizes = (counted.focus_docs, counted.background_docs);
    let (a, background) = counted.terms.get(&term).copied().unwrap_or_default();
    let table = table(a, background, sizes);
    let (chi_square, p_value) = table.chi_square();
    let (lor, lo, hi) = table.log_odds_ratio();
    Keyword {
        term,
        focus_docs: a,
        background_docs: background,
        focus_share: ratio(a, sizes.0),
        background_share: ratio(background, sizes.1),
        log_odds_ratio: lor,
        ci_low: lo,
        ci_high: hi,
        chi_square,
        p_value,
        q_value,
        significant: q_value < options.alpha && lor > 0.0,
        examples: Vec::new(),
        focus_doc_indices: Vec::new(),
    }
}

/// Merges overlapping word pairs of one phrase: where pair `x y` and pair `y z` are both
/// keywords and at least [`PHRASE_SHARE`] of the focus documents of each hold `x y z` in one
/// sentence, both are replaced by the phrase (tested on its own counts), which can grow the
/// same way up to [`MAX_PHRASE_WORDS`] (the longest phrase [`Counted`] keeps). Pairs are taken
/// strongest first (input order), among the [`PHRASE_CANDIDATES`] strongest keywords; unigrams
/// are kept. The phrases' examples are left to the caller.
pub fn merge_phrases<Id: Clone>(
    keywords: Vec<Keyword<Id>>,
    counted: &Counted,
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
            let candidate = phrase_keyword(&refs, counted, q.max(keywords[j].q_value), options);
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
