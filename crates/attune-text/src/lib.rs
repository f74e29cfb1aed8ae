//! Attune's multilingual text analytics. Pure: no database, no I/O, no async.
//!
//! - [`normalize`]: NFC, case folding, invisible and bidi controls removed, whitespace collapsed,
//!   with a map back to the original text ([`normalize_mapped`]).
//! - [`lang`]: language detection with a confidence; the caller's declared language wins.
//! - [`segment`]: words by Unicode rules and dictionaries (Thai, Lao, Khmer, Burmese, Chinese,
//!   Japanese), with byte offsets into the original text; stop words ([`stopwords`]).
//! - [`keywords`]: over-represented terms (keywords, key drivers) with effect sizes and tests,
//!   grouped into themes; [`stats`] holds the arithmetic.
//! - [`search`]: query terms and highlighting for the feed's search; [`stem`]: the Snowball
//!   stems its postings hold and the forms a query term matches.
//! - [`analyze`] combines the first three into the [`Analysis`] stored with a response.

#![forbid(unsafe_code)]

pub mod keywords;
pub mod lang;
pub mod normalize;
pub mod script;
pub mod search;
pub mod segment;
pub mod stats;
pub mod stem;
pub mod stopwords;

use serde::{Deserialize, Serialize};

pub use keywords::{
    Counted, Doc, Keyword, Options, Theme, focus_sample, keywords_of, over_represented, themes,
};
pub use lang::{Detection, detect, detect_with_declared};
pub use normalize::{Normalized, normalize, normalize_mapped};
pub use search::{highlight, index_terms, query_terms};
pub use segment::Token;
pub use stem::{INDEX_VERSION, posting_form, query_forms};

/// What the analysis of one text yields: stored with a response and indexed for search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The normalised text (the original is kept by the caller, unchanged).
    pub normalized: String,
    /// Language code (`und` when unsure).
    pub lang: String,
    /// Confidence of `lang` in [0, 1] (1 when declared).
    pub confidence: f32,
    /// Whether `lang` was given by the caller.
    pub declared: bool,
    /// The words, with offsets into the original text and a stop-word flag.
    pub tokens: Vec<Token>,
}

impl Analysis {
    /// The content terms (stop words left out), in text order: input for keywords and drivers.
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        self.tokens
            .iter()
            .filter(|t| !t.stop)
            .map(|t| t.term.as_str())
    }
}

/// Normalises, detects the language (unless declared) and segments `text`.
pub fn analyze(text: &str, declared_lang: Option<&str>) -> Analysis {
    let normalized = normalize_mapped(text);
    let detection = match declared_lang.and_then(lang::declared_language) {
        Some(lang) => Detection {
            lang,
            confidence: 1.0,
            declared: true,
        },
        None => lang::detect_normalized(&normalized.text),
    };
    let tokens = segment::tokens(&normalized, &detection.lang);
    Analysis {
        normalized: normalized.text,
        lang: detection.lang,
        confidence: detection.confidence,
        declared: detection.declared,
        tokens,
    }
}

/// The tokens of `text` (normalised terms with byte offsets into `text`).
pub fn tokens(text: &str) -> Vec<Token> {
    analyze(text, None).tokens
}
