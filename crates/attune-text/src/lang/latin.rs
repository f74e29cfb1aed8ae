//! Latin script: en, es, pt, fr, de, it, nl, tr, vi, id, scored by three kinds of evidence.
//!
//! 1. Function words, from the stop-word lists ([`crate::stopwords`]); a word in several lists
//!    ("de", "a", "en") splits its point among them.
//! 2. Letters a language owns or shares with few: ñ ¿ ¡ (es), ã õ (pt), œ (fr), ß ä (de),
//!    ş ğ ı (tr), ơ ư đ ă and the stacked tone marks of U+1EA0–U+1EF9 (vi), ...
//! 3. Word endings of content words: -ción (es), -ção (pt), -zione (it), -ung -keit (de),
//!    -heid -lijk (nl), -ing -ness (en), -nya -kan (id), -lar -ler (tr), ...

use crate::stopwords;

/// Languages scored here, in the order of the score array.
const LANGS: [&str; 10] = ["en", "es", "pt", "fr", "de", "it", "nl", "tr", "vi", "id"];
const EN: usize = 0;
const ES: usize = 1;
const PT: usize = 2;
const FR: usize = 3;
const DE: usize = 4;
const IT: usize = 5;
const NL: usize = 6;
const TR: usize = 7;
const VI: usize = 8;
const ID: usize = 9;

/// Frequent words that are not stop words (negations, "without"), and the languages that
/// write them: without them, "no" would count only for Portuguese ("in the"). Added to any
/// stop-word evidence.
const CUE_WORDS: &[(&str, &[usize])] = &[
    ("not", &[EN]),
    // Spanish "no" far outnumbers English "no"; Portuguese "no" ("in the") is a stop word.
    ("no", &[ES]),
    ("without", &[EN]),
    ("ni", &[ES]),
    ("sin", &[ES]),
    ("não", &[PT]),
    ("sem", &[PT]),
    ("ne", &[FR]),
    ("pas", &[FR]),
    ("sans", &[FR]),
    ("aucun", &[FR]),
    ("aucune", &[FR]),
    ("non", &[IT, FR]),
    ("senza", &[IT]),
    ("nessun", &[IT]),
    ("nicht", &[DE]),
    ("kein", &[DE]),
    ("keine", &[DE]),
    ("ohne", &[DE]),
    ("niet", &[NL]),
    ("geen", &[NL]),
    ("zonder", &[NL]),
    ("değil", &[TR]),
    ("yok", &[TR]),
    ("tidak", &[ID]),
    ("bukan", &[ID]),
    ("belum", &[ID]),
    ("tanpa", &[ID]),
    ("không", &[VI]),
    ("chưa", &[VI]),
];

/// Endings of content words (at least five letters long) and the languages they point to.
const SUFFIXES: &[(&str, &[usize])] = &[
    ("ción", &[ES]),
    ("ciones", &[ES]),
    ("ção", &[PT]),
    ("ções", &[PT]),
    ("zione", &[IT]),
    ("zioni", &[IT]),
    ("ità", &[IT]),
    ("mente", &[ES, PT, IT]),
    ("ment", &[FR, EN]),
    ("tion", &[FR, EN]),
    ("eux", &[FR]),
    ("euse", &[FR]),
    ("ung", &[DE]),
    ("keit", &[DE]),
    ("heit", &[DE]),
    ("lich", &[DE]),
    ("isch", &[DE]),
    ("heid", &[NL]),
    ("lijk", &[NL]),
    ("ing", &[EN]),
    ("ness", &[EN]),
    ("ly", &[EN]),
    ("nya", &[ID]),
    ("kan", &[ID]),
    ("lar", &[TR]),
    ("ler", &[TR]),
    ("miş", &[TR]),
    ("mış", &[TR]),
];

/// The best language with a confidence in [0, 1], or `None` without enough evidence.
pub fn detect(norm: &str) -> Option<(&'static str, f32)> {
    let mut score = [0.0f32; 10];
    for c in norm.chars() {
        letter_cues(c, &mut score);
    }
    for word in norm.split(|c: char| !(c.is_alphabetic() || c == '\'')) {
        let word = word.trim_matches('\'');
        if word.is_empty() {
            continue;
        }
        // The ten languages are the first ten bits of the stop-word mask.
        let mask = stopwords::lookup(word) & 0x3FF;
        if mask != 0 {
            let share = 1.0 / mask.count_ones() as f32;
            for (i, s) in score.iter_mut().enumerate() {
                if mask & (1 << i) != 0 {
                    *s += share;
                }
            }
        } else if word.chars().count() >= 5
            && let Some((_, langs)) = SUFFIXES.iter().find(|(s, _)| word.ends_with(s))
        {
            for &i in *langs {
                score[i] += 0.5 / langs.len() as f32;
            }
        }
        if let Some((_, langs)) = CUE_WORDS.iter().find(|(w, _)| *w == word) {
            for &i in *langs {
                score[i] += 1.0 / langs.len() as f32;
            }
        }
        // Dutch "ij" is as telling as a diacritic.
        if word.contains("ij") {
            score[NL] += 0.5;
        }
    }
    let total: f32 = score.iter().sum();
    let (best, &best_score) = score
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))?;
    if best_score < 0.75 {
        return None;
    }
    let share = best_score / total;
    let evidence = (best_score / 3.0).min(1.0);
    Some((LANGS[best], share * (0.4 + 0.6 * evidence)))
}

fn letter_cues(c: char, score: &mut [f32; 10]) {
    let mut add = |langs: &[usize], weight: f32| {
        for &i in langs {
            score[i] += weight;
        }
    };
    match c {
        'ñ' | '¿' | '¡' => add(&[ES], 1.0),
        'ã' | 'õ' => add(&[PT], 1.0),
        'ç' => add(&[PT, FR, TR], 0.4),
        'œ' => add(&[FR], 1.5),
        'ß' => add(&[DE], 1.5),
        'ä' => add(&[DE], 1.0),
        'ö' | 'ü' => add(&[DE, TR], 0.5),
        'ş' | 'ğ' | 'ı' => add(&[TR], 1.5),
        'ơ' | 'ư' | 'đ' | 'ă' | '\u{1EA0}'..='\u{1EF9}' => add(&[VI], 1.5),
        'ê' => add(&[FR, PT, VI], 0.3),
        'è' => add(&[FR, IT], 0.5),
        'à' => add(&[FR, IT, PT], 0.3),
        'ì' | 'ò' => add(&[IT], 0.5),
        'ù' => add(&[IT, FR], 0.4),
        'á' | 'í' | 'ó' | 'ú' => add(&[ES, PT], 0.3),
        'ë' | 'ï' => add(&[FR, NL], 0.3),
        'â' | 'î' | 'û' => add(&[FR, TR], 0.2),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sentences written for this test (not a benchmark of accuracy: see the crate report).
    #[test]
    fn each_language_is_told_apart_on_a_typical_comment() {
        let cases = [
            (
                "The delivery was late and the support team did not answer my emails.",
                "en",
            ),
            ("El envío llegó tarde y nadie contestó mis correos.", "es"),
            (
                "A entrega atrasou e ninguém respondeu aos meus e-mails.",
                "pt",
            ),
            (
                "La livraison était en retard et personne n'a répondu à mes courriels.",
                "fr",
            ),
            (
                "Die Lieferung kam zu spät und niemand hat auf meine E-Mails geantwortet.",
                "de",
            ),
            (
                "La consegna è arrivata in ritardo e nessuno ha risposto alle mie email.",
                "it",
            ),
            (
                "De levering was te laat en niemand heeft mijn e-mails beantwoord.",
                "nl",
            ),
            (
                "Teslimat geç geldi ve kimse e-postalarıma cevap vermedi.",
                "tr",
            ),
            ("Giao hàng bị trễ và không ai trả lời email của tôi.", "vi"),
            (
                "Pengirimannya terlambat dan tidak ada yang membalas email saya.",
                "id",
            ),
        ];
        for (text, lang) in cases {
            let got = detect(&crate::normalize(text));
            assert_eq!(got.map(|g| g.0), Some(lang), "{text}");
        }
    }

    #[test]
    fn languages_are_the_first_bits_of_the_stop_word_mask() {
        for (i, lang) in LANGS.iter().enumerate() {
            assert_eq!(stopwords::bit(lang), Some(1 << i));
        }
    }

    #[test]
    fn content_words_alone_give_no_answer() {
        assert_eq!(detect("dashboard"), None);
    }
}
