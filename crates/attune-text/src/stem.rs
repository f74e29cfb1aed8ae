//! Stems for the search index: Snowball stemmers (`rust-stemmers`) where one exists for a
//! comment's language, the term itself elsewhere.
//!
//! - **At ingest** a content term becomes [`posting_form`]: its stem under the stemmer of the
//!   comment's language, but only when the term is written in that stemmer's script (an English
//!   comment quoting a Russian or Lao word keeps that word as it is). Languages without a
//!   stemmer (Urdu, Persian, Punjabi, Bengali, Hindi, Lao, Thai, Vietnamese, Indonesian, `und`,
//!   ...) keep every term.
//! - **A query** is too short to detect its language, so each query term stands for
//!   [`query_forms`]: the term itself and its stem under every stemmer of its script (fourteen
//!   for Latin, one each for Cyrillic, Greek, Arabic and Tamil). A comment matches the query term
//!   when its postings hold any of them. Because the comment's own stemmer is among them,
//!   `posting_form(lang, t)` is always one of `query_forms(t)` (a property test pins this), so a
//!   word is always found by itself and by its inflections in its comment's language.
//! - The price is precision across languages: a form another language's stemmer produces may
//!   be a word of the comment's language (German stems `news` to `new`). Ranking by matched terms
//!   and tf·idf keeps such matches rare at the top.
//!
//! [`INDEX_VERSION`] names this way of indexing: storage re-indexes an organisation whose
//! postings were written by an older one.

use rust_stemmers::{Algorithm, Stemmer};

use crate::script::{self, Script};

/// The version of the stored analysis: 1 held surface terms in the postings, 2 holds stems, 3
/// also marks sentence breaks in the stored term lists (so drivers pair words of one sentence
/// only). Bump it when the analysis changes what a posting or a term list holds; storage
/// re-indexes older organisations.
pub const INDEX_VERSION: i64 = 3;

/// Snowball stemmers of Latin script, in a fixed order (the expansion's order).
const LATIN: [Algorithm; 14] = [
    Algorithm::English,
    Algorithm::French,
    Algorithm::German,
    Algorithm::Spanish,
    Algorithm::Portuguese,
    Algorithm::Italian,
    Algorithm::Dutch,
    Algorithm::Swedish,
    Algorithm::Norwegian,
    Algorithm::Danish,
    Algorithm::Finnish,
    Algorithm::Hungarian,
    Algorithm::Romanian,
    Algorithm::Turkish,
];

/// The stemmer of a language (its primary subtag, lower case), if Snowball has one.
pub fn algorithm(lang: &str) -> Option<Algorithm> {
    let primary = lang.split('-').next().unwrap_or_default();
    Some(match primary {
        "en" => Algorithm::English,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "es" => Algorithm::Spanish,
        "pt" => Algorithm::Portuguese,
        "it" => Algorithm::Italian,
        "nl" => Algorithm::Dutch,
        "sv" => Algorithm::Swedish,
        "no" | "nb" | "nn" => Algorithm::Norwegian,
        "da" => Algorithm::Danish,
        "fi" => Algorithm::Finnish,
        "hu" => Algorithm::Hungarian,
        "ro" => Algorithm::Romanian,
        "tr" => Algorithm::Turkish,
        "ru" => Algorithm::Russian,
        "el" => Algorithm::Greek,
        "ar" => Algorithm::Arabic,
        "ta" => Algorithm::Tamil,
        _ => return None,
    })
}

/// The script a stemmer reads.
fn script_of(a: Algorithm) -> Script {
    match a {
        Algorithm::Russian => Script::Cyrillic,
        Algorithm::Greek => Script::Greek,
        Algorithm::Arabic => Script::Arabic,
        Algorithm::Tamil => Script::Tamil,
        _ => Script::Latin,
    }
}

/// The one script of a term's letters; `None` when it has none (digits) or mixes scripts.
fn term_script(term: &str) -> Option<Script> {
    let mut found = None;
    for s in term.chars().filter_map(script::of) {
        match found {
            None => found = Some(s),
            Some(f) if f != s => return None,
            Some(_) => {}
        }
    }
    found
}

/// The stemmers that apply to a term: those of its script.
fn stemmers_for(term: &str) -> &'static [Algorithm] {
    match term_script(term) {
        Some(Script::Latin) => &LATIN,
        Some(Script::Cyrillic) => &[Algorithm::Russian],
        Some(Script::Greek) => &[Algorithm::Greek],
        Some(Script::Arabic) => &[Algorithm::Arabic],
        Some(Script::Tamil) => &[Algorithm::Tamil],
        _ => &[],
    }
}

/// `term` under `a`; the term itself when the stem would be empty.
fn stem_with(a: Algorithm, term: &str) -> String {
    let stem = Stemmer::create(a).stem(term);
    if stem.is_empty() {
        term.to_owned()
    } else {
        stem.into_owned()
    }
}

/// What the index stores for a content term of a comment in `lang` (a normalised, lower-case
/// term as [`crate::analyze`] yields it).
pub fn posting_form(lang: &str, term: &str) -> String {
    match algorithm(lang) {
        Some(a) if term_script(term) == Some(script_of(a)) => stem_with(a, term),
        _ => term.to_owned(),
    }
}

/// The distinct forms a query term matches in the index: the term first, then its stems under
/// every stemmer of its script.
pub fn query_forms(term: &str) -> Vec<String> {
    let mut forms = vec![term.to_owned()];
    for a in stemmers_for(term) {
        let stem = stem_with(*a, term);
        if !forms.contains(&stem) {
            forms.push(stem);
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_inflections_of_cancel_share_one_stem() {
        for word in [
            "cancel",
            "cancels",
            "cancelled",
            "cancelling",
            "cancellation",
        ] {
            assert_eq!(posting_form("en", word), "cancel", "{word}");
        }
        // Snowball stems what it knows: "canceled" (US spelling) is "cancel" too, while a
        // different word stays different.
        assert_eq!(posting_form("en", "canceled"), "cancel");
        assert_eq!(posting_form("en-GB", "cancellations"), "cancel");
        assert_ne!(posting_form("en", "candle"), "cancel");
    }

    #[test]
    fn french_and_spanish_stem_by_their_own_rules() {
        assert_eq!(
            posting_form("fr", "annulation"),
            posting_form("fr", "annuler")
        );
        assert_eq!(posting_form("fr", "chers"), posting_form("fr", "cher"));
        assert_eq!(
            posting_form("es", "cancelación"),
            posting_form("es", "cancelar")
        );
        assert_eq!(posting_form("es", "precios"), "preci");
        // The query side finds both without knowing the language.
        assert!(query_forms("annuler").contains(&posting_form("fr", "annulation")));
    }

    #[test]
    fn languages_without_a_stemmer_keep_their_terms() {
        for (lang, term) in [
            ("ur", "منسوخ"),
            ("ur", "رکنیت"),
            ("pa", "ਗਾਹਕੀ"),
            ("lo", "ຍົກເລີກ"),
            ("vi", "dịch"),
            ("und", "cancelling"),
        ] {
            assert_eq!(posting_form(lang, term), term, "{lang}");
        }
        assert_eq!(query_forms("ਗਾਹਕੀ"), vec!["ਗਾਹਕੀ"]);
        assert_eq!(query_forms("ຍົກເລີກ"), vec!["ຍົກເລີກ"]);
    }

    #[test]
    fn a_word_of_another_script_is_not_stemmed_by_the_comments_language() {
        assert_eq!(posting_form("en", "отменить"), "отменить");
        assert_ne!(posting_form("ru", "отменить"), "отменить");
        assert_eq!(posting_form("ru", "cancelling"), "cancelling");
        assert_eq!(posting_form("en", "42"), "42");
        assert_eq!(query_forms("42"), vec!["42"]);
    }

    #[test]
    fn query_forms_start_with_the_term_and_hold_no_repeats() {
        let forms = query_forms("cancelling");
        assert_eq!(forms[0], "cancelling");
        assert!(forms.contains(&"cancel".to_owned()));
        let mut sorted = forms.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), forms.len());
    }

    #[test]
    fn expansion_across_languages_trades_some_precision() {
        // Documented in the module: another language's stem may be a word of English.
        assert_eq!(posting_form("en", "news"), "news");
        assert!(
            query_forms("news").contains(&"new".to_owned()),
            "{:?}",
            query_forms("news")
        );
        assert_eq!(posting_form("en", "new"), "new");
    }

    #[test]
    fn an_english_inflection_in_a_french_comment_is_found_as_typed_only() {
        // The rule "cancel" matches it as a substring; search does not (ARCHITECTURE.md).
        assert!(!query_forms("cancel").contains(&posting_form("fr", "cancelling")));
        assert!(query_forms("cancelling").contains(&posting_form("fr", "cancelling")));
    }
}
