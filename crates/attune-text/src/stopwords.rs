//! Stop words per language: short lists of function words (articles, pronouns, prepositions,
//! particles, auxiliaries, conjunctions, intensifiers), written for this crate.
//!
//! Why not the `stop-words` crate (stopwords-iso data)? Checked here: its English list holds
//! "great", "thanks", "help", "good", "problem", "best", "value", the very words a key-driver
//! analysis of feedback must see; its Urdu list is garbled (no میں or نہیں, entries like
//! "اختتبم"); Punjabi, Lao, Khmer, Burmese, Tamil and Telugu are missing and `get("lo")` panics.
//! Negations (not, no, ไม่, ບໍ່, नहीं, نہیں, لا, ...) are deliberately *not* stop words: "not
//! working" is feedback. The Latin-script lists double as the evidence for language detection
//! (`lang::latin`), so they hold the most frequent function words of each language.
//!
//! The lists live in `stopwords/<lang>.txt`, one entry per line. Every entry goes through
//! [`crate::normalize`] when the table is built, so lookups compare normalised terms with
//! normalised terms.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::normalize::normalize;

/// Languages with a stop-word list, in bit order of [`lookup`]'s mask.
pub const LANGUAGES: [&str; 27] = [
    "en", "es", "pt", "fr", "de", "it", "nl", "tr", "vi", "id", "ru", "ar", "fa", "ur", "hi", "bn",
    "pa", "gu", "ta", "te", "th", "lo", "km", "my", "zh", "ja", "ko",
];

/// The stop-word list for a language code, as written (not normalised); empty when unknown.
/// The lists are `stopwords/<lang>.txt`, one entry per line.
pub fn list(lang: &str) -> impl Iterator<Item = &'static str> {
    let text: &'static str = match lang {
        "en" => include_str!("stopwords/en.txt"),
        "es" => include_str!("stopwords/es.txt"),
        "pt" => include_str!("stopwords/pt.txt"),
        "fr" => include_str!("stopwords/fr.txt"),
        "de" => include_str!("stopwords/de.txt"),
        "it" => include_str!("stopwords/it.txt"),
        "nl" => include_str!("stopwords/nl.txt"),
        "tr" => include_str!("stopwords/tr.txt"),
        "vi" => include_str!("stopwords/vi.txt"),
        "id" => include_str!("stopwords/id.txt"),
        "ru" => include_str!("stopwords/ru.txt"),
        "ar" => include_str!("stopwords/ar.txt"),
        "fa" => include_str!("stopwords/fa.txt"),
        "ur" => include_str!("stopwords/ur.txt"),
        "hi" => include_str!("stopwords/hi.txt"),
        "bn" => include_str!("stopwords/bn.txt"),
        "pa" => include_str!("stopwords/pa.txt"),
        "gu" => include_str!("stopwords/gu.txt"),
        "ta" => include_str!("stopwords/ta.txt"),
        "te" => include_str!("stopwords/te.txt"),
        "th" => include_str!("stopwords/th.txt"),
        "lo" => include_str!("stopwords/lo.txt"),
        "km" => include_str!("stopwords/km.txt"),
        "my" => include_str!("stopwords/my.txt"),
        "zh" => include_str!("stopwords/zh.txt"),
        "ja" => include_str!("stopwords/ja.txt"),
        "ko" => include_str!("stopwords/ko.txt"),
        _ => "",
    };
    text.lines().map(str::trim).filter(|w| !w.is_empty())
}

/// Normalised term → bit mask over [`LANGUAGES`] of the lists that contain it.
static TABLE: LazyLock<HashMap<String, u32>> = LazyLock::new(|| {
    let mut table: HashMap<String, u32> = HashMap::new();
    for (bit, lang) in LANGUAGES.iter().enumerate() {
        for word in list(lang) {
            *table.entry(normalize(word)).or_default() |= 1 << bit;
        }
    }
    table
});

/// The bit mask (over [`LANGUAGES`]) of the stop-word lists that contain a normalised term.
pub fn lookup(term: &str) -> u32 {
    TABLE.get(term).copied().unwrap_or(0)
}

/// The bit of a language in [`lookup`]'s mask, if it has a list.
pub fn bit(lang: &str) -> Option<u32> {
    LANGUAGES.iter().position(|l| *l == lang).map(|i| 1 << i)
}

/// Whether a normalised term is a stop word of `lang` (false for languages without a list).
pub fn is_stop_word(lang: &str, term: &str) -> bool {
    bit(lang).is_some_and(|b| lookup(term) & b != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_language_has_words() {
        for lang in LANGUAGES {
            assert!(list(lang).count() >= 15, "{lang} has a short list");
        }
    }

    #[test]
    fn function_words_are_stop_words_but_feedback_words_are_not() {
        assert!(is_stop_word("en", "the"));
        assert!(is_stop_word("lo", "ແລະ"));
        assert!(is_stop_word("pa", "ਵਿੱਚ"));
        assert!(is_stop_word("ur", "میں"));
        assert!(!is_stop_word("en", "price"));
        assert!(!is_stop_word("en", "not"));
        assert!(!is_stop_word("th", "ไม่"));
        assert!(!is_stop_word("xx", "the"));
    }
}
