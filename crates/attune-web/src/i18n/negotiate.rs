//! `Accept-Language` read with its weights, and the best supported language for it.

use fluent_langneg::{NegotiationStrategy, negotiate_languages};
use unic_langid::LanguageIdentifier;

/// The languages of an `Accept-Language` value, most wanted first (`q=0` and `*` left out;
/// equal weights keep their order).
pub(crate) fn accepted_languages(header: &str) -> Vec<LanguageIdentifier> {
    let mut weighted: Vec<(f32, LanguageIdentifier)> = header
        .split(',')
        .filter_map(|part| {
            let mut it = part.trim().split(';');
            let tag = it.next()?.trim();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            if tag == "*" || q.is_nan() || q <= 0.0 {
                return None;
            }
            Some((q, tag.parse().ok()?))
        })
        .collect();
    weighted.sort_by(|a, b| b.0.total_cmp(&a.0));
    weighted.into_iter().map(|(_, l)| l).collect()
}

/// The index in `available` of the best match for `wanted` (in order of preference), if any:
/// an exact tag first, then the same language in another region or script.
pub(crate) fn best(
    wanted: &[LanguageIdentifier],
    available: &[&LanguageIdentifier],
) -> Option<usize> {
    let matched = negotiate_languages(wanted, available, None, NegotiationStrategy::Lookup);
    let first = matched.first()?;
    available.iter().position(|a| a == *first)
}
