//! Text newtypes whose limits count graphemes (what a reader sees), not bytes.

use serde::{Deserialize, Serialize};
use unicode_segmentation::UnicodeSegmentation;

use crate::Invalid;

/// Longest free-text answer accepted, in graphemes.
pub const MAX_ANSWER_GRAPHEMES: usize = 100_000;

/// Counts user-perceived characters.
pub fn grapheme_len(s: &str) -> usize {
    s.graphemes(true).count()
}

/// Checks a required single-line name: trimmed, non-empty, at most `max` graphemes — and at
/// most `max` characters as sent, white space included, as the API's schema says
/// (`maxLength` counts what is sent).
pub fn parse_name(field: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Invalid::one(field, "must not be empty"));
    }
    if grapheme_len(trimmed) > max || raw.chars().count() > max {
        return Err(Invalid::one(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if trimmed.chars().any(|c| c.is_control()) {
        return Err(Invalid::one(field, "must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

/// Checks a required multi-line text (a note, a resolution, a message body): trimmed,
/// non-empty, at most `max` graphemes; line breaks and tabs allowed, other control characters
/// (NUL, escape codes, bidi overrides) removed.
pub fn parse_text(field: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| matches!(c, '\n' | '\t') || !(c.is_control() || is_bidi_control(*c)))
        .collect();
    let cleaned = cleaned.replace("\r\n", "\n");
    if cleaned.trim().is_empty() {
        return Err(Invalid::one(field, "must not be empty"));
    }
    if grapheme_len(&cleaned) > max {
        return Err(Invalid::one(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(cleaned)
}

/// A BCP 47 language tag such as `en`, `pa`, `zh-Hans` or `pt-BR`, stored lower-case for the
/// primary subtag.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LanguageTag(String);

impl LanguageTag {
    /// Parses a tag: a 2–3 letter primary language, then optional subtags of 2–8 letters or
    /// digits, separated by `-` (an `_` is accepted and turned into `-`).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim().replace('_', "-");
        let mut parts = raw.split('-');
        let primary = parts.next().unwrap_or_default();
        let primary_ok =
            (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
        let rest_ok = parts
            .clone()
            .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
        if !primary_ok || !rest_ok {
            return Err(Invalid::one(
                "language",
                format!("`{raw}` is not a language tag such as `en` or `pt-BR`"),
            ));
        }
        let mut tag = primary.to_ascii_lowercase();
        for p in parts {
            tag.push('-');
            tag.push_str(p);
        }
        Ok(Self(tag))
    }

    /// The tag as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary language subtag, e.g. `pt` for `pt-BR`.
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }

    /// True for languages written right to left.
    pub fn is_rtl(&self) -> bool {
        matches!(
            self.primary(),
            "ar" | "ur" | "fa" | "he" | "ps" | "sd" | "ug" | "yi" | "dv" | "ckb"
        )
    }
}

impl TryFrom<String> for LanguageTag {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<LanguageTag> for String {
    fn from(value: LanguageTag) -> Self {
        value.0
    }
}

impl std::fmt::Display for LanguageTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address, trimmed and with its domain lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld` with no spaces, at most 254 bytes.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        let bad = || Invalid::one("email", format!("`{raw}` is not an e-mail address"));
        if raw.len() > 254 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let (local, domain) = raw.rsplit_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains('@')
        {
            return Err(bad());
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = Invalid;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

/// Lower-case ASCII slug made from a name: `Acme Corp.` → `acme-corp`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.is_empty() {
        slug.push_str("org");
    }
    slug.truncate(48);
    slug
}

/// Lower-cases and strips control characters so that `q=` search matches regardless of case.
pub fn search_form(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Bidi embedding, override and isolate controls, which can disguise text.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_normalise_and_reject_junk() {
        assert_eq!(LanguageTag::parse("PA").unwrap().as_str(), "pa");
        assert_eq!(LanguageTag::parse("pt_BR").unwrap().as_str(), "pt-BR");
        assert!(LanguageTag::parse("ur").unwrap().is_rtl());
        assert!(!LanguageTag::parse("lo").unwrap().is_rtl());
        for bad in ["", "e", "english!", "en--x", "123"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_need_a_domain_with_a_dot() {
        assert_eq!(
            Email::parse(" Ana@Example.COM ").unwrap().as_str(),
            "Ana@example.com"
        );
        for bad in ["", "ana", "ana@", "@x.com", "ana@localhost", "a b@x.com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_count_graphemes_not_bytes() {
        // Five Gurmukhi graphemes are far more than five bytes.
        let name = "ਗਾਹਕ";
        assert!(name.len() > 5);
        assert!(parse_name("name", name, 5).is_ok());
        assert!(parse_name("name", "  ", 5).is_err());
        assert!(parse_name("name", "abcdef", 5).is_err());
    }

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slugify("Acme Corp."), "acme-corp");
        assert_eq!(slugify("ਗਾਹਕ"), "org");
    }
}
