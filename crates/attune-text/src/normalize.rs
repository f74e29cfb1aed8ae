//! Normalisation for analysis and search. The caller keeps the original text byte for byte for
//! display; the normalised form only feeds detection, segmentation, indexing and rules.
//!
//! Decisions, in the order they are applied:
//! - **Removed**: control characters (Cc) other than whitespace; bidi embeddings, overrides and
//!   isolates (U+202A–U+202E, U+2066–U+2069) and marks (U+200E, U+200F, U+061C); zero-width space,
//!   word joiner and BOM (U+200B, U+2060–U+2064, U+FEFF); soft hyphen; combining grapheme joiner;
//!   variation selectors; tag characters (U+E0000–U+E0FFF, a known way to smuggle hidden text).
//!   These change how text looks or is ordered on screen, never what a reader takes it to say, and
//!   a search query typed by a person will not contain them.
//! - **ZWJ** (U+200D) is kept only right after an emoji, where it builds one pictograph
//!   (👨‍👩‍👧). Inside Indic words it only selects a glyph form, so it is removed: ਗਾਹਕ‍ਸੇਵਾ
//!   matches ਗਾਹਕਸੇਵਾ.
//! - **ZWNJ** (U+200C) after an Arabic-script letter becomes a word boundary: Persian and Urdu
//!   write it as a "half space" between the parts of a compound (می‌خواهم), and people type
//!   a space or nothing there just as often (the convention of Lucene's Persian filter). Elsewhere
//!   (Indic conjunct control) it is removed.
//! - **NFC**, then **case folding** by the full Unicode lowercase mapping of each character
//!   (`char::to_lowercase`, so `İ` → `i̇`, `ẞ` → `ß`), with final sigma `ς` folded to `σ` as case
//!   folding does, then NFC again. `ß` is not expanded to `ss`. No NFKC: it would rewrite some
//!   scripts' letters; only fullwidth ASCII (U+FF01–U+FF5E, common from CJK keyboards) is folded
//!   to ASCII, and the typographic apostrophe U+2019 to `'`.
//! - **Whitespace** (Unicode `White_Space`) runs become one ASCII space; leading and trailing
//!   whitespace is dropped.
//!
//! [`Normalized`] keeps a map from normalised byte offsets back to the original text, one entry
//! per "cluster" (a base character with its combining marks, or a collapsed run of whitespace),
//! so a token found in the normalised text can be highlighted in the original.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalised text with a map back to byte offsets of the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The normalised text.
    pub text: String,
    /// One entry per output cluster: (start in `text`, start and end in the original).
    spans: Vec<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    norm: usize,
    orig_start: usize,
    orig_end: usize,
}

impl Normalized {
    /// The byte range of the original text that produced `norm` (a range of `self.text`).
    ///
    /// The result always lies on char boundaries of the original; a range that starts or ends
    /// inside a cluster widens to the whole cluster.
    pub fn original_range(&self, norm: Range<usize>) -> Range<usize> {
        if self.spans.is_empty() {
            return 0..0;
        }
        let span_at = |pos: usize| {
            let i = self.spans.partition_point(|s| s.norm <= pos);
            self.spans[i.saturating_sub(1)]
        };
        let first = span_at(norm.start);
        if norm.end <= norm.start {
            return first.orig_start..first.orig_start;
        }
        let last = span_at(norm.end - 1);
        first.orig_start..last.orig_end.max(first.orig_start)
    }
}

/// Normalises `text` for analysis (see the module documentation for what that means).
pub fn normalize(text: &str) -> String {
    normalize_mapped(text).text
}

/// Normalises `text` and keeps the map back to the original's byte offsets.
pub fn normalize_mapped(text: &str) -> Normalized {
    let mut out = Normalized {
        text: String::with_capacity(text.len()),
        spans: Vec::new(),
    };
    let mut cluster: Vec<char> = Vec::with_capacity(8);
    let mut cluster_start = 0;
    // End of the last character added to the cluster (removed characters after it are not
    // part of its span).
    let mut cluster_end = 0;
    // The last character kept (not removed), to decide about ZWJ and ZWNJ.
    let mut prev_kept: Option<char> = None;
    let mut pending_space: Option<usize> = None;

    for (i, c) in text.char_indices() {
        let kind = classify(c, prev_kept);
        match kind {
            Kind::Drop => continue,
            Kind::Space => {
                flush(&mut out, &mut cluster, cluster_start, cluster_end);
                if pending_space.is_none() && !out.text.is_empty() {
                    pending_space = Some(i);
                }
                prev_kept = Some(' ');
                continue;
            }
            Kind::Keep => {}
        }
        let continues = !cluster.is_empty() && (is_combining_mark(c) || is_hangul_vt(c));
        if !continues {
            flush(&mut out, &mut cluster, cluster_start, cluster_end);
            if let Some(space_start) = pending_space.take() {
                out.spans.push(Span {
                    norm: out.text.len(),
                    orig_start: space_start,
                    orig_end: i,
                });
                out.text.push(' ');
            }
            cluster_start = i;
        }
        cluster.push(c);
        cluster_end = i + c.len_utf8();
        prev_kept = Some(c);
    }
    flush(&mut out, &mut cluster, cluster_start, cluster_end);
    out
}

enum Kind {
    Keep,
    Drop,
    Space,
}

fn classify(c: char, prev_kept: Option<char>) -> Kind {
    if c.is_ascii() {
        return if c.is_ascii_whitespace() || c == '\u{0B}' {
            Kind::Space
        } else if c.is_ascii_control() {
            Kind::Drop
        } else {
            Kind::Keep
        };
    }
    if c.is_whitespace() {
        return Kind::Space;
    }
    match c {
        '\u{200D}' => {
            if prev_kept.is_some_and(is_emoji) {
                Kind::Keep
            } else {
                Kind::Drop
            }
        }
        '\u{200C}' => {
            if prev_kept.is_some_and(is_arabic_letter) {
                Kind::Space
            } else {
                Kind::Drop
            }
        }
        '\u{80}'..='\u{9F}'
        | '\u{AD}'
        | '\u{34F}'
        | '\u{61C}'
        | '\u{115F}'
        | '\u{1160}'
        | '\u{17B4}'
        | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{FFA0}'
        | '\u{FFF0}'..='\u{FFFB}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}' => Kind::Drop,
        _ => Kind::Keep,
    }
}

fn is_emoji(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}' | '\u{1F000}'..='\u{1FAFF}')
}

fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{06D3}' | '\u{06FA}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08C9}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFC}')
}

/// Hangul medial vowels and final consonants compose with the preceding jamo under NFC.
fn is_hangul_vt(c: char) -> bool {
    matches!(c, '\u{1161}'..='\u{11C2}')
}

/// Writes one cluster (a base and its marks) to the output, normalised.
fn flush(out: &mut Normalized, cluster: &mut Vec<char>, orig_start: usize, orig_end: usize) {
    if cluster.is_empty() {
        return;
    }
    out.spans.push(Span {
        norm: out.text.len(),
        orig_start,
        orig_end,
    });
    if let [c] = cluster.as_slice()
        && c.is_ascii()
    {
        out.text.push(c.to_ascii_lowercase());
    } else {
        let folded = cluster
            .iter()
            .copied()
            .nfc()
            .flat_map(char::to_lowercase)
            .map(fold_char)
            .nfc();
        out.text.extend(folded);
    }
    cluster.clear();
}

fn fold_char(c: char) -> char {
    match c {
        'ς' => 'σ',
        // The typographic apostrophe, so "don’t" and "don't" are one term.
        '\u{2019}' => '\'',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFF01 + 0x21)
            .unwrap_or(c)
            .to_ascii_lowercase(),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_e_acute_equals_precomposed() {
        assert_eq!(normalize("Cafe\u{301} service"), normalize("Café service"));
        assert_eq!(normalize("Café"), "café");
    }

    #[test]
    fn bidi_controls_and_control_bytes_are_removed() {
        assert_eq!(normalize("\u{202E}gnp.exe"), "gnp.exe");
        assert_eq!(normalize("bad\u{0}byte\u{7}bell"), "badbytebell");
        assert_eq!(normalize("a\u{2066}b\u{2069}\u{200F}c"), "abc");
    }

    #[test]
    fn whitespace_collapses_and_trims() {
        assert_eq!(normalize("   \n\t  "), "");
        assert_eq!(normalize("  Hello \u{3000}\n World  "), "hello world");
    }

    #[test]
    fn zwj_inside_gurmukhi_is_removed_but_kept_in_emoji() {
        assert_eq!(normalize("ਗਾਹਕ\u{200D}ਸੇਵਾ"), "ਗਾਹਕਸੇਵਾ");
        let family = "👨\u{200D}👩\u{200D}👧";
        assert_eq!(normalize(family), family);
    }

    #[test]
    fn persian_half_space_becomes_a_word_boundary() {
        assert_eq!(normalize("می\u{200C}خواهم"), "می خواهم");
    }

    #[test]
    fn case_folding_covers_greek_sigma_and_fullwidth() {
        assert_eq!(normalize("ΟΔΟΣ"), normalize("οδος"));
        assert_eq!(normalize("ＡＢＣ１"), "abc1");
        assert_eq!(normalize("STRASSE Straße"), "strasse straße");
    }

    #[test]
    fn original_range_maps_back_to_the_source_bytes() {
        let src = "  Café\u{202E}  GRAND ";
        let n = normalize_mapped(src);
        assert_eq!(n.text, "café grand");
        let grand = n.text.find("grand").unwrap();
        let r = n.original_range(grand..grand + 5);
        assert_eq!(&src[r], "GRAND");
        let r = n.original_range(0..5);
        assert_eq!(&src[r], "Café");
    }
}
