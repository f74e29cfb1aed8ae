//! Which writing system a character belongs to, by Unicode block ranges (enough for detection;
//! not a full Script property table).

/// Writing systems the detector tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Script {
    Latin,
    Greek,
    Cyrillic,
    Armenian,
    Hebrew,
    Arabic,
    Devanagari,
    Bengali,
    Gurmukhi,
    Gujarati,
    Oriya,
    Tamil,
    Telugu,
    Kannada,
    Malayalam,
    Sinhala,
    Thai,
    Lao,
    Tibetan,
    Myanmar,
    Georgian,
    Hangul,
    Ethiopic,
    Khmer,
    Kana,
    Han,
}

/// Number of [`Script`] variants, for counting arrays.
pub const COUNT: usize = Script::Han as usize + 1;

/// The script of a letter or combining mark; `None` for digits, punctuation, symbols and
/// characters of scripts the detector does not use.
pub fn of(c: char) -> Option<Script> {
    use Script::*;
    let s = match c {
        'a'..='z' | 'A'..='Z' => Latin,
        '\u{0}'..='\u{BF}' => return None,
        '\u{C0}'..='\u{24F}' if c != '\u{D7}' && c != '\u{F7}' => Latin,
        '\u{1E00}'..='\u{1EFF}' | '\u{2C60}'..='\u{2C7F}' | '\u{A720}'..='\u{A7FF}' => Latin,
        '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => Latin,
        '\u{370}'..='\u{3FF}' | '\u{1F00}'..='\u{1FFF}' => Greek,
        '\u{400}'..='\u{52F}' | '\u{1C80}'..='\u{1C8F}' | '\u{2DE0}'..='\u{2DFF}' => Cyrillic,
        '\u{A640}'..='\u{A69F}' => Cyrillic,
        '\u{530}'..='\u{58F}' => Armenian,
        '\u{591}'..='\u{5F4}' | '\u{FB1D}'..='\u{FB4F}' => Hebrew,
        '\u{600}'..='\u{6FF}' | '\u{750}'..='\u{77F}' | '\u{870}'..='\u{8FF}' => Arabic,
        '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}' => Arabic,
        '\u{900}'..='\u{97F}' | '\u{A8E0}'..='\u{A8FF}' => Devanagari,
        '\u{980}'..='\u{9FF}' => Bengali,
        '\u{A00}'..='\u{A7F}' => Gurmukhi,
        '\u{A80}'..='\u{AFF}' => Gujarati,
        '\u{B00}'..='\u{B7F}' => Oriya,
        '\u{B80}'..='\u{BFF}' => Tamil,
        '\u{C00}'..='\u{C7F}' => Telugu,
        '\u{C80}'..='\u{CFF}' => Kannada,
        '\u{D00}'..='\u{D7F}' => Malayalam,
        '\u{D80}'..='\u{DFF}' => Sinhala,
        '\u{E00}'..='\u{E7F}' => Thai,
        '\u{E80}'..='\u{EFF}' => Lao,
        '\u{F00}'..='\u{FFF}' => Tibetan,
        '\u{1000}'..='\u{109F}' | '\u{AA60}'..='\u{AA7F}' | '\u{A9E0}'..='\u{A9FF}' => Myanmar,
        '\u{10A0}'..='\u{10FF}' | '\u{2D00}'..='\u{2D2F}' => Georgian,
        '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' | '\u{A960}'..='\u{A97F}' => Hangul,
        '\u{AC00}'..='\u{D7FF}' => Hangul,
        '\u{1200}'..='\u{139F}' | '\u{2D80}'..='\u{2DDF}' | '\u{AB00}'..='\u{AB2F}' => Ethiopic,
        '\u{1780}'..='\u{17FF}' | '\u{19E0}'..='\u{19FF}' => Khmer,
        '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}' => Kana,
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' => Han,
        '\u{20000}'..='\u{3FFFF}' => Han,
        _ => return None,
    };
    // Digits and punctuation inside script blocks (Thai digits, the Devanagari danda, ...)
    // say little about the language and are not letters.
    if c.is_alphabetic() || unicode_normalization::char::is_combining_mark(c) {
        Some(s)
    } else {
        None
    }
}

/// The language a script alone identifies (for the languages this crate covers).
pub fn sole_language(s: Script) -> Option<&'static str> {
    use Script::*;
    Some(match s {
        Greek => "el",
        Armenian => "hy",
        Hebrew => "he",
        Devanagari => "hi",
        Bengali => "bn",
        Gurmukhi => "pa",
        Gujarati => "gu",
        Oriya => "or",
        Tamil => "ta",
        Telugu => "te",
        Kannada => "kn",
        Malayalam => "ml",
        Sinhala => "si",
        Thai => "th",
        Lao => "lo",
        Tibetan => "bo",
        Myanmar => "my",
        Georgian => "ka",
        Hangul => "ko",
        Ethiopic => "am",
        Khmer => "km",
        Kana => "ja",
        Han => "zh",
        Latin | Cyrillic | Arabic => return None,
    })
}
