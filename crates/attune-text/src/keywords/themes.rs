//! Themes: keywords that occur in the same documents, grouped.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Doc, Keyword};

/// Keywords that occur in the same documents, grouped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Theme<Id> {
    /// The theme's strongest keyword, used as its label.
    pub label: String,
    /// All keywords of the theme, strongest first.
    pub terms: Vec<String>,
    /// Focus documents containing at least one of its keywords.
    pub focus_docs: u64,
    /// Ids of up to `max_examples` such documents, in input order.
    pub examples: Vec<Id>,
}

/// Greedy, deterministic grouping of keywords (in the order given, strongest first): each
/// keyword not yet placed starts a theme and takes every later unplaced keyword whose focus
/// documents overlap the seed's with Jaccard similarity at least `min_jaccard`.
pub fn themes<Id: Clone>(
    keywords: &[Keyword<Id>],
    docs: &[Doc<Id>],
    min_jaccard: f64,
    max_examples: usize,
) -> Vec<Theme<Id>> {
    let mut placed = vec![false; keywords.len()];
    let mut out = Vec::new();
    for (i, seed) in keywords.iter().enumerate() {
        if placed[i] {
            continue;
        }
        placed[i] = true;
        let mut terms = vec![seed.term.clone()];
        let mut members: BTreeSet<usize> = seed.focus_doc_indices.iter().copied().collect();
        for (j, other) in keywords.iter().enumerate().skip(i + 1) {
            if !placed[j]
                && jaccard(&seed.focus_doc_indices, &other.focus_doc_indices) >= min_jaccard
            {
                placed[j] = true;
                terms.push(other.term.clone());
                members.extend(other.focus_doc_indices.iter().copied());
            }
        }
        out.push(Theme {
            label: seed.term.clone(),
            terms,
            focus_docs: members.len() as u64,
            examples: members
                .iter()
                .take(max_examples)
                .map(|&k| docs[k].id.clone())
                .collect(),
        });
    }
    out
}

/// Jaccard similarity of two sorted index lists.
fn jaccard(a: &[usize], b: &[usize]) -> f64 {
    let (mut i, mut j, mut both) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - both;
    if union == 0 {
        0.0
    } else {
        both as f64 / union as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jaccard_of_sorted_lists() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
    }
}
