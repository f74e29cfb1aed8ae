//! Arabic script: Arabic, Persian or Urdu.
//!
//! Letters: Urdu alone uses ے ں ٹ ڈ ڑ ھ ہ; Persian and Urdu share پ چ ژ گ and write ی ک where
//! Arabic writes ي ك; Arabic alone uses ة ى and the article ال far more often. Common words
//! (Urdu ہے کے میں نہیں, Persian است این را, Arabic في من على هذا) settle the rest.

const URDU_WORDS: &[&str] = &[
    "ہے", "ہیں", "کے", "کی", "کا", "میں", "نہیں", "اور", "سے", "کو", "تھا", "تھی", "بہت", "یہ",
];
const PERSIAN_WORDS: &[&str] = &[
    "است", "این", "را", "که", "از", "به", "در", "با", "برای", "می", "نیست", "خیلی", "بود", "هم",
];
const ARABIC_WORDS: &[&str] = &[
    "في", "من", "على", "هذا", "هذه", "إلى", "الى", "عن", "أن", "التي", "الذي", "مع", "كان", "لا",
];

/// The most likely of ar, fa, ur for normalised text in Arabic script, with a confidence.
pub fn detect(norm: &str) -> (&'static str, f32) {
    let (mut ar, mut fa, mut ur) = (0.0f32, 0.0f32, 0.0f32);
    for c in norm.chars() {
        match c {
            'ے' | 'ں' | 'ٹ' | 'ڈ' | 'ڑ' | 'ھ' | 'ہ' | 'ۓ' | 'ۂ' | '۔' => ur += 1.0,
            'پ' | 'چ' | 'ژ' | 'گ' | 'ی' | 'ک' => {
                fa += 0.5;
                ur += 0.25;
            }
            'ة' | 'ى' | 'ي' | 'ك' | 'إ' | 'ؤ' => ar += 1.0,
            _ => {}
        }
    }
    for word in norm.split(|c: char| !c.is_alphabetic()) {
        if word.is_empty() {
            continue;
        }
        if URDU_WORDS.contains(&word) {
            ur += 3.0;
        }
        if PERSIAN_WORDS.contains(&word) {
            fa += 3.0;
        }
        if ARABIC_WORDS.contains(&word) {
            ar += 3.0;
        }
        if word.starts_with("ال") && word.chars().count() > 3 {
            ar += 1.0;
        }
    }
    let total = ar + fa + ur;
    if total == 0.0 {
        // Only letters the three share: Arabic is the likeliest writer, but we are not sure.
        return ("ar", 0.4);
    }
    let mut scores = [("ar", ar), ("fa", fa), ("ur", ur)];
    scores.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (best, score) = scores[0];
    let share = score / total;
    let evidence = (score / 4.0).min(1.0);
    (best, share * (0.5 + 0.5 * evidence))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinctive_letters_and_words_split_the_three() {
        assert_eq!(detect("قیمت بہت زیادہ ہے").0, "ur");
        assert_eq!(detect("این محصول خیلی گران است").0, "fa");
        assert_eq!(detect("الخدمة ممتازة وتم حل مشكلتي بسرعة").0, "ar");
        assert_eq!(detect("هذا المنتج غالي جدا").0, "ar");
    }
}
