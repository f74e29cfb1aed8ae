//! Language detection with a confidence in [0, 1]; `und` when unsure.
//!
//! How: first the writing system. Most scripts name one language among those we serve
//! (Gurmukhi → pa, Lao → lo, Thai → th, Khmer → km, Myanmar → my, Bengali → bn, Gujarati → gu,
//! Tamil → ta, Telugu → te, Hangul → ko, Kana → ja, Han without Kana → zh, Devanagari → hi,
//! Cyrillic → ru, or uk when і ї є ґ appear without ы э ъ ё). Arabic script is split into
//! Arabic, Persian and Urdu by distinctive letters and common words ([`arabic`]); Latin script
//! into en, es, pt, fr, de, it, nl, tr, vi, id by function words, diacritics and suffixes
//! ([`latin`]).
//!
//! Why our own small scorer and not lingua or whatlang: lingua is accurate but each language adds
//! about 4 MB of models to the binary and minutes to a 2-core build, and it is far slower than the
//! 20,000 comments/s a core this pipeline must reach; neither lingua nor whatlang knows Lao, and
//! whatlang called an English sentence Catalan here. For the ten Latin-script languages in scope,
//! feedback comments carry plenty of function words and diacritics (ñ ¿ → es, ã õ → pt, œ → fr,
//! ß ä → de, ş ğ ı → tr, ơ ư đ and stacked tone marks → vi, -nya -kan → id), which a scorer of a
//! few hundred lines separates without any model data. The price: a comment made only of content
//! words in a Latin-script language ("excelente!") comes back `und` rather than guessed.

pub mod arabic;
pub mod latin;

use serde::{Deserialize, Serialize};

use crate::normalize::normalize;
use crate::script::{self, Script};

/// The code for "undetermined" (BCP 47).
pub const UNDETERMINED: &str = "und";

/// Below this confidence, the detector answers `und`.
pub const MIN_CONFIDENCE: f32 = 0.3;

/// A detected (or declared) language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// Lower-case primary language subtag (ISO 639-1 where one exists), or `und`.
    pub lang: String,
    /// How sure the detector is, in [0, 1]; 1 for a declared language, 0 for `und`.
    pub confidence: f32,
    /// Whether the language came from the caller rather than from the text.
    pub declared: bool,
}

impl Detection {
    fn undetermined() -> Self {
        Self {
            lang: UNDETERMINED.to_owned(),
            confidence: 0.0,
            declared: false,
        }
    }

    fn detected(lang: &str, confidence: f32) -> Self {
        let confidence = confidence.clamp(0.0, 1.0);
        if confidence < MIN_CONFIDENCE {
            return Self::undetermined();
        }
        Self {
            lang: lang.to_owned(),
            confidence,
            declared: false,
        }
    }
}

/// Detects the language of raw text (normalising it first).
pub fn detect(text: &str) -> Detection {
    detect_normalized(&normalize(text))
}

/// Uses the caller's language when one is given and well-formed, else detects it from the text.
///
/// `pt-BR` is stored as `pt`, `zh-Hant` as `zh`: the primary subtag is what filters, metrics and
/// stop words use. A declared `und` (or a malformed tag) counts as no declaration.
pub fn detect_with_declared(text: &str, declared: Option<&str>) -> Detection {
    match declared.and_then(declared_language) {
        Some(lang) => Detection {
            lang,
            confidence: 1.0,
            declared: true,
        },
        None => detect(text),
    }
}

/// The primary subtag of a BCP 47 tag, lower-cased, if it is 2 or 3 ASCII letters and not `und`.
pub fn declared_language(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?;
    let ok = (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
    let primary = primary.to_ascii_lowercase();
    (ok && primary != UNDETERMINED).then_some(primary)
}

/// Detects the language of text already passed through [`normalize`].
pub fn detect_normalized(norm: &str) -> Detection {
    let mut counts = [0u32; script::COUNT];
    let mut total = 0u32;
    let mut ukrainian = 0u32;
    let mut russian = 0u32;
    for c in norm.chars() {
        if let Some(s) = script::of(c) {
            counts[s as usize] += 1;
            total += 1;
            match c {
                'і' | 'ї' | 'є' | 'ґ' => ukrainian += 1,
                'ы' | 'э' | 'ъ' | 'ё' => russian += 1,
                _ => {}
            }
        }
    }
    if total == 0 {
        return Detection::undetermined();
    }
    // Japanese mixes Han and Kana; count them as one writing system for dominance.
    let kana = counts[Script::Kana as usize];
    let han = counts[Script::Han as usize];
    counts[Script::Han as usize] = 0;
    counts[Script::Kana as usize] = han + kana;

    let (dominant, &count) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(i, c)| (c, std::cmp::Reverse(i)))
        .unwrap_or((0, &0));
    let share = count as f32 / total as f32;
    let dominant = SCRIPTS[dominant];

    match dominant {
        Script::Latin => match latin::detect(norm) {
            Some((lang, conf)) => Detection::detected(lang, conf * share),
            None => Detection::undetermined(),
        },
        Script::Arabic => {
            if count < 3 {
                return Detection::undetermined();
            }
            let (lang, conf) = arabic::detect(norm);
            Detection::detected(lang, conf * share * evidence(count))
        }
        Script::Cyrillic => {
            if count < 4 {
                return Detection::undetermined();
            }
            let lang = if ukrainian > 0 && russian == 0 {
                "uk"
            } else {
                "ru"
            };
            Detection::detected(lang, 0.9 * share * evidence(count))
        }
        Script::Kana => {
            if count < 2 {
                return Detection::undetermined();
            }
            // Kana in at least a tenth of the ideographic text marks Japanese.
            let lang = if kana > 0 && kana * 10 >= count {
                "ja"
            } else {
                "zh"
            };
            Detection::detected(lang, share * evidence(count * 2))
        }
        other => {
            if count < 2 {
                return Detection::undetermined();
            }
            match script::sole_language(other) {
                Some(lang) => Detection::detected(lang, share * evidence(count)),
                None => Detection::undetermined(),
            }
        }
    }
}

/// More letters, more certainty: 2 letters give 0.6, 10 or more give 1.
fn evidence(letters: u32) -> f32 {
    (0.5 + letters as f32 / 20.0).min(1.0)
}

/// [`Script`] by its discriminant, for the counting array.
const SCRIPTS: [Script; script::COUNT] = {
    use Script::*;
    [
        Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Devanagari, Bengali, Gurmukhi, Gujarati,
        Oriya, Tamil, Telugu, Kannada, Malayalam, Sinhala, Thai, Lao, Tibetan, Myanmar, Georgian,
        Hangul, Ethiopic, Khmer, Kana, Han,
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_array_matches_discriminants() {
        for (i, s) in SCRIPTS.iter().enumerate() {
            assert_eq!(*s as usize, i);
        }
    }

    #[test]
    fn declared_language_wins_and_keeps_the_primary_subtag() {
        let d = detect_with_declared("Hello there, how are you?", Some("pt-BR"));
        assert_eq!(
            (d.lang.as_str(), d.confidence, d.declared),
            ("pt", 1.0, true)
        );
        assert_eq!(detect_with_declared("สวัสดีครับ", Some("und")).lang, "th");
        assert_eq!(detect_with_declared("สวัสดีครับ", Some("1x")).lang, "th");
        assert_eq!(detect_with_declared("สวัสดีครับ", None).lang, "th");
    }

    #[test]
    fn very_short_or_letterless_text_is_undetermined() {
        for text in ["", "   ", "ok", "👍👍", "12345", "!!!", "a"] {
            let d = detect(text);
            assert_eq!(d.lang, UNDETERMINED, "{text:?}");
            assert_eq!(d.confidence, 0.0);
        }
    }

    #[test]
    fn scripts_name_their_languages() {
        let cases = [
            ("ਸੇਵਾ ਬਹੁਤ ਵਧੀਆ ਸੀ", "pa"),
            ("ບໍລິການດີຫຼາຍ", "lo"),
            ("บริการดีมาก", "th"),
            ("សេវាកម្មល្អណាស់", "km"),
            ("ဝန်ဆောင်မှုကောင်းတယ်", "my"),
            ("સેવા ખૂબ સારી હતી", "gu"),
            ("சேவை மிகவும் நன்றாக இருந்தது", "ta"),
            ("సేవ చాలా బాగుంది", "te"),
            ("서비스가 아주 좋았어요", "ko"),
            ("サービスがとても良かった", "ja"),
            ("服务很好", "zh"),
            ("सेवा बहुत अच्छी थी", "hi"),
            ("Сервис был очень хороший", "ru"),
            ("Сервіс був дуже хороший і швидкий", "uk"),
        ];
        for (text, lang) in cases {
            let d = detect(text);
            assert_eq!(d.lang, lang, "{text}");
            assert!(d.confidence > 0.5, "{text}: {}", d.confidence);
        }
    }

    #[test]
    fn mixed_scripts_lower_the_confidence() {
        let pure = detect("บริการดีมาก พนักงานเป็นมิตร");
        let mixed = detect("บริการดีมาก พนักงานเป็นมิตร iPhone");
        assert_eq!(mixed.lang, "th");
        assert!(mixed.confidence < pure.confidence);
    }
}
