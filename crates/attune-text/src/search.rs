//! Search terms of a query, and highlighting of matched words in an original text.
//!
//! A query is segmented exactly as comments are ([`crate::analyze`]), so a Lao or Thai word finds
//! a sentence written without spaces. The index holds each comment's content terms (stop words
//! of its language left out); a query is usually too short to detect its language, so a query
//! term that is a stop word in *any* list is not required (it could not be found in a comment of
//! that language).
//!
//! Postings hold stems where a stemmer exists for the comment's language; a query term matches
//! any of its [`stem::query_forms`] (see [`crate::stem`]). Users only ever see surface words:
//! `terms` (keywords, drivers) and highlighting keep the text's own words.

use std::collections::BTreeSet;

use crate::keywords::SENTENCE_BREAK;
use crate::{stem, stopwords};

/// Most terms a query contributes; the rest are ignored.
pub const MAX_QUERY_TERMS: usize = 10;

/// The distinct terms a comment must contain to match `query`, in query order.
pub fn query_terms(query: &str) -> Vec<String> {
    let analysis = crate::analyze(query, None);
    let mut seen = BTreeSet::new();
    analysis
        .tokens
        .into_iter()
        .filter(|t| !t.stop && stopwords::lookup(&t.term) == 0)
        .map(|t| t.term)
        .filter(|t| seen.insert(t.clone()))
        .take(MAX_QUERY_TERMS)
        .collect()
}

/// What the search index keeps of an analysis: the content terms in text order, space
/// separated, with [`SENTENCE_BREAK`] between sentences (for keywords and drivers), and each
/// distinct posting form (the stem under the analysis language's stemmer, else the term) with
/// its count (the index rows).
pub fn index_terms(a: &crate::Analysis) -> (String, Vec<(String, i64)>) {
    let mut joined = String::new();
    let mut counts: Vec<(String, i64)> = Vec::new();
    // A term never holds whitespace (normalisation collapses it and segments split on it);
    // the check keeps the joined form splittable whatever the segmenter does. `broke`: a
    // sentence ended since the last content term (the break may sit before a stop word).
    let mut broke = false;
    for token in &a.tokens {
        broke |= token.sentence_start;
        let term = token.term.as_str();
        if token.stop || term.contains(char::is_whitespace) {
            continue;
        }
        if !joined.is_empty() {
            joined.push(' ');
            if broke {
                joined.push_str(SENTENCE_BREAK);
                joined.push(' ');
            }
        }
        broke = false;
        joined.push_str(term);
        let form = stem::posting_form(&a.lang, term);
        match counts.iter_mut().find(|(t, _)| *t == form) {
            Some((_, n)) => *n += 1,
            None => counts.push((form, 1)),
        }
    }
    (joined, counts)
}

/// `text` cut into consecutive pieces, each flagged when it is a word that one of the query
/// `terms` matches as search does: the word's posting form (analysed in `lang`, the comment's
/// effective language, as at ingest) is one of the term's [`stem::query_forms`]. The pieces
/// join back to `text` exactly; callers render them escaped.
pub fn highlight<'a>(text: &'a str, lang: Option<&str>, terms: &[String]) -> Vec<(&'a str, bool)> {
    if terms.is_empty() {
        return vec![(text, false)];
    }
    let forms: BTreeSet<String> = terms.iter().flat_map(|t| stem::query_forms(t)).collect();
    let analysis = crate::analyze(text, lang);
    let mut out = Vec::new();
    let mut at = 0;
    for token in analysis.tokens {
        if token.start < at || !forms.contains(&stem::posting_form(&analysis.lang, &token.term)) {
            continue;
        }
        if token.start > at {
            out.push((&text[at..token.start], false));
        }
        out.push((&text[token.start..token.end], true));
        at = token.end;
    }
    if at < text.len() || out.is_empty() {
        out.push((&text[at..], false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_terms_mark_where_a_sentence_ends_in_any_script() {
        let a = crate::analyze("Slow app. And support was great!", Some("en"));
        assert_eq!(index_terms(&a).0, "slow app \u{2029} support great");
        let ur = crate::analyze("ایپ سست ہے۔ سپورٹ اچھی", Some("ur"));
        assert!(
            index_terms(&ur).0.contains(" \u{2029} "),
            "{:?}",
            index_terms(&ur).0
        );
        let bn = crate::analyze("অ্যাপ ধীর। সাপোর্ট ভালো", Some("bn"));
        assert!(
            index_terms(&bn).0.contains(" \u{2029} "),
            "{:?}",
            index_terms(&bn).0
        );
        let one = crate::analyze("slow app, slow support", Some("en"));
        assert_eq!(index_terms(&one).0, "slow app slow support");
    }

    #[test]
    fn query_terms_drop_stop_words_and_repeats() {
        assert_eq!(query_terms("The PRICE, the price!"), vec!["price"]);
        assert!(query_terms("the and of").is_empty());
        assert!(query_terms("  ").is_empty());
    }

    #[test]
    fn a_lao_word_is_a_term_of_a_sentence_without_spaces() {
        let terms = query_terms("ລາຄາ");
        assert_eq!(terms, vec!["ລາຄາ"]);
        let sentence = crate::analyze("ລາຄາແພງເກີນໄປ ຂ້ອຍຢາກຍົກເລີກການສະໝັກ", None);
        assert!(sentence.terms().any(|t| t == "ລາຄາ"));
    }

    #[test]
    fn highlighting_marks_words_by_their_original_bytes() {
        let text = "Café PRICE <b>too</b> high";
        let pieces = highlight(text, None, &query_terms("price cafe\u{301}"));
        assert_eq!(pieces.iter().map(|p| p.0).collect::<String>(), text);
        let marked: Vec<&str> = pieces.iter().filter(|p| p.1).map(|p| p.0).collect();
        assert_eq!(marked, vec!["Café", "PRICE"]);
        assert_eq!(highlight("", None, &["x".into()]), vec![("", false)]);
    }

    #[test]
    fn the_index_holds_stems_and_terms_keep_the_words() {
        let a = crate::analyze("I am cancelling my plan, cancelled twice", Some("en"));
        let (terms, counts) = index_terms(&a);
        assert_eq!(terms, "cancelling plan cancelled twice");
        assert_eq!(counts[0], ("cancel".to_owned(), 2));
        assert!(counts.iter().all(|(t, _)| t != "cancelling"));
    }

    #[test]
    fn highlighting_marks_inflections_of_a_query_word() {
        let text = "I am Cancelling my plan; cancellation was slow, the candle not";
        let pieces = highlight(text, Some("en"), &query_terms("cancel"));
        let marked: Vec<&str> = pieces.iter().filter(|p| p.1).map(|p| p.0).collect();
        assert_eq!(marked, vec!["Cancelling", "cancellation"]);
        assert_eq!(pieces.iter().map(|p| p.0).collect::<String>(), text);
        // Without a declared language the detected one (English here) is used, as at ingest.
        let detected = highlight(text, None, &query_terms("cancel"));
        assert_eq!(detected, pieces);
    }
}
