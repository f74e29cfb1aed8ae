//! Word segmentation by Unicode rules (UAX #29), with dictionaries for the scripts written without
//! spaces (Thai, Lao, Khmer, Burmese, Chinese, Japanese), via ICU4X's `icu_segmenter` in
//! dictionary mode with compiled data.
//!
//! A segment is a word when it contains a letter or a digit. ICU's own "word-like" status is not
//! used: ICU bug #8321 reports words that end in a combining mark as not word-like, which drops
//! ਕੰਪਨੀਆਂ and কোম্পানি.

use std::ops::Range;
use std::sync::LazyLock;

use icu_segmenter::WordSegmenter;
use icu_segmenter::WordSegmenterBorrowed;
use icu_segmenter::options::WordBreakInvariantOptions;
use serde::{Deserialize, Serialize};

use crate::normalize::Normalized;
use crate::script::{self, Script};
use crate::stopwords;

static DICTIONARY: LazyLock<WordSegmenterBorrowed<'static>> =
    LazyLock::new(|| WordSegmenter::new_dictionary(WordBreakInvariantOptions::default()));

/// A word of a text: its normalised form and where it stands in the original.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// The normalised term, as indexed and counted.
    pub term: String,
    /// Byte offset of the word's first byte in the original text (a char boundary).
    pub start: usize,
    /// Byte offset just past the word in the original text (a char boundary).
    pub end: usize,
    /// Whether the term is a stop word (see [`is_stop`]).
    pub stop: bool,
    /// Whether a sentence ends between the previous word and this one (see
    /// [`ends_sentence`]); `false` for the first word.
    #[serde(default)]
    pub sentence_start: bool,
}

/// Whether `c` ends a sentence or clause in one of the scripts Attune reads: Latin and CJK
/// full stops, question and exclamation marks, the semicolon, the ellipsis, the Devanagari and
/// Bengali danda, the Urdu full stop and question mark, the Burmese and Khmer sentence marks.
pub fn ends_sentence(c: char) -> bool {
    matches!(
        c,
        '.' | '!'
            | '?'
            | ';'
            | '\u{2026}'
            | '\u{0964}'
            | '\u{0965}'
            | '\u{06D4}'
            | '\u{061F}'
            | '\u{061B}'
            | '\u{104B}'
            | '\u{17D4}'
            | '\u{17D5}'
            | '\u{3002}'
            | '\u{FF01}'
            | '\u{FF1F}'
            | '\u{FF1B}'
    )
}

/// Byte ranges of the words of normalised text: segments holding a letter or a digit.
pub fn words(norm: &str) -> Vec<Range<usize>> {
    let bounds = boundaries(norm);
    bounds
        .windows(2)
        .filter(|w| norm[w[0]..w[1]].chars().any(char::is_alphanumeric))
        .map(|w| w[0]..w[1])
        .collect()
}

/// Word boundaries: ICU dictionary segmentation, repaired where it breaks Thai or Lao spelling.
///
/// Measured here on the 6,823 negative Thai comments: the dictionary segments 160,000 comments/s
/// but splits some common phrases wrongly (ดีมาก → ดีม|า|ก, มาสามวัน → มาส|า|มวั|น); ICU's LSTM
/// model (features `auto`/`lstm`) gets several of those right but runs at 2,000 comments/s, far
/// from the 20,000/s target, and splits words the dictionary gets right (ລາຄາ → ລາ|ຄາ). So we keep
/// the dictionary and repair boundaries that no correct split can have, using the scripts'
/// spelling: a segment cannot start with a vowel or mark written after its consonant (the
/// boundary moves back over that consonant), cannot end with a vowel written before its
/// consonant (เ แ โ ใ ไ move to the next segment) or with mai han-akat (the next consonant comes
/// along), and a lone consonant joins the segment before it. ดีม|า|ก becomes ดี|มาก.
pub fn boundaries(norm: &str) -> Vec<usize> {
    let mut bounds: Vec<usize> = DICTIONARY.segment_str(norm).collect();
    if norm.chars().any(is_thai_or_lao) {
        repair_thai_lao(norm, &mut bounds);
    }
    bounds
}

fn repair_thai_lao(norm: &str, bounds: &mut Vec<usize>) {
    for k in 1..bounds.len().saturating_sub(1) {
        let b = bounds[k];
        let (Some(before), Some(after)) = (norm[..b].chars().next_back(), norm[b..].chars().next())
        else {
            continue;
        };
        if !is_thai_or_lao(before) || !is_thai_or_lao(after) {
            continue;
        }
        if cannot_start(after) {
            let moved = b - before.len_utf8();
            bounds[k] = if is_consonant(before) && moved > bounds[k - 1] {
                moved
            } else {
                bounds[k - 1]
            };
        } else if is_leading_vowel(before) {
            bounds[k] = (b - before.len_utf8()).max(bounds[k - 1]);
        } else if matches!(before, '\u{E31}' | '\u{EB1}') && is_consonant(after) {
            let mut moved = b + after.len_utf8();
            // The consonant's own marks come with it.
            for c in norm[moved..].chars() {
                if !cannot_start(c) || matches!(c, '\u{E30}' | '\u{E32}' | '\u{EB0}' | '\u{EB2}') {
                    break;
                }
                moved += c.len_utf8();
            }
            bounds[k] = moved.min(bounds[k + 1]);
        }
    }
    bounds.dedup();
    // A lone consonant joins the Thai or Lao segment before it.
    let mut k = 1;
    while k + 1 < bounds.len() {
        let segment = &norm[bounds[k]..bounds[k + 1]];
        let mut chars = segment.chars();
        let lone = matches!((chars.next(), chars.next()), (Some(c), None) if is_consonant(c));
        let after_thai_lao = norm[..bounds[k]]
            .chars()
            .next_back()
            .is_some_and(is_thai_or_lao);
        if lone && after_thai_lao {
            bounds.remove(k);
        } else {
            k += 1;
        }
    }
}

fn is_thai_or_lao(c: char) -> bool {
    matches!(c, '\u{E01}'..='\u{E4E}' | '\u{E81}'..='\u{ECE}')
}

fn is_consonant(c: char) -> bool {
    matches!(c, '\u{E01}'..='\u{E2E}' | '\u{E81}'..='\u{EAE}' | '\u{EDC}'..='\u{EDF}')
}

/// Vowels and marks written after (or above, below) their consonant.
fn cannot_start(c: char) -> bool {
    matches!(c,
        '\u{E30}'..='\u{E3A}' | '\u{E45}' | '\u{E47}'..='\u{E4E}'
        | '\u{EB0}'..='\u{EBC}' | '\u{EC8}'..='\u{ECE}')
}

/// Vowels written before their consonant.
fn is_leading_vowel(c: char) -> bool {
    matches!(c, '\u{E40}'..='\u{E44}' | '\u{EC0}'..='\u{EC4}')
}

/// Whether `term` is a stop word in a text of language `lang`.
///
/// Latin-script terms are checked against the text's own language only ("die", "war", "hat" are
/// German function words and English content words); terms in other scripts against every list of
/// that script, so Urdu particles are stop words in an English comment that quotes Urdu.
pub fn is_stop(lang: &str, term: &str) -> bool {
    let first_letter = term.chars().find_map(script::of);
    if first_letter == Some(Script::Latin) || first_letter.is_none() {
        stopwords::is_stop_word(lang, term)
    } else {
        stopwords::lookup(term) != 0
    }
}

/// The tokens of a normalised text, with offsets mapped back to the original.
pub fn tokens(normalized: &Normalized, lang: &str) -> Vec<Token> {
    let norm = normalized.text.as_str();
    let elides = matches!(lang, "fr" | "it" | "ca");
    let mut previous_end: Option<usize> = None;
    words(norm)
        .into_iter()
        .map(|mut range| {
            let sentence_start =
                previous_end.is_some_and(|end| norm[end..range.start].chars().any(ends_sentence));
            previous_end = Some(range.end);
            if elides {
                range.start += elided_prefix_len(&norm[range.clone()]);
            }
            let term = &norm[range.clone()];
            let orig = normalized.original_range(range);
            Token {
                term: term.to_owned(),
                start: orig.start,
                end: orig.end,
                stop: is_stop(lang, term),
                sentence_start,
            }
        })
        .collect()
}

/// Length of an elided article or pronoun at the start of a French or Italian word ("l'",
/// "qu'", "dell'"), which UAX #29 keeps inside the word.
fn elided_prefix_len(word: &str) -> usize {
    match word.find('\'') {
        Some(i) if (1..=6).contains(&i) && i + 1 < word.len() => {
            let prefix = &word[..i];
            if prefix.chars().all(char::is_alphabetic) {
                i + 1
            } else {
                0
            }
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_mapped;

    fn terms(text: &str, lang: &str) -> Vec<String> {
        tokens(&normalize_mapped(text), lang)
            .into_iter()
            .map(|t| t.term)
            .collect()
    }

    #[test]
    fn words_ending_in_a_combining_mark_are_kept() {
        assert!(terms("ਕੰਪਨੀਆਂ ਦੀ ਸੇਵਾ", "pa").contains(&"ਕੰਪਨੀਆਂ".to_owned()));
        assert!(terms("কোম্পানি ভালো", "bn").contains(&"কোম্পানি".to_owned()));
    }

    #[test]
    fn thai_without_spaces_is_split_into_words() {
        let t = terms("รอคำตอบมาสามวันแล้ว", "th");
        assert!(t.len() >= 4, "{t:?}");
        assert!(t.contains(&"แล้ว".to_owned()), "{t:?}");
    }

    #[test]
    fn dictionary_splits_that_break_thai_spelling_are_repaired() {
        assert_eq!(terms("ดีมาก", "th"), ["ดี", "มาก"]);
        let t = terms("มาสามวันแล้ว", "th");
        assert!(
            t.iter().all(|w| !w.starts_with('า') && !w.ends_with('แ')),
            "{t:?}"
        );
    }

    #[test]
    fn offsets_point_into_the_original() {
        let text = "  Great SERVICE,\u{202E} very fast! ";
        let toks = tokens(&normalize_mapped(text), "en");
        let shown: Vec<&str> = toks.iter().map(|t| &text[t.start..t.end]).collect();
        assert_eq!(shown, ["Great", "SERVICE", "very", "fast"]);
        assert!(toks[2].stop && !toks[0].stop);
    }

    #[test]
    fn french_elision_is_split_off() {
        assert_eq!(
            terms("L'équipe d'assistance", "fr"),
            ["équipe", "assistance"]
        );
        assert_eq!(terms("I don't know", "en"), ["i", "don't", "know"]);
    }

    #[test]
    fn punctuation_and_emoji_are_not_words() {
        assert_eq!(terms("👍👍 love it 😍 !!!", "en"), ["love", "it"]);
    }
}
