//! Document counts of terms in two groups, the input of the keyword and driver test, and their
//! compact encoding. Counts add: the counts of two sets of documents are the sum of each set's,
//! so storage keeps them per day and per month and a report adds the blobs of its period.
//!
//! Encoding (version 1): a version byte, then LEB128 varints: focus documents, background
//! documents, the number of terms, and per term in byte order of its UTF-8 text: the length of
//! the prefix it shares with the previous term, the length of the rest, the rest's bytes, and its
//! focus and background document counts.

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

use super::SENTENCE_BREAK;

/// Most words of a counted term: single terms and pairs are tested; three-word phrases are
/// counted so that overlapping pairs can be merged into them (see [`super::merge_phrases`]).
pub const COUNTED_WORDS: usize = 3;

const VERSION: u8 = 1;

/// Documents and the documents holding each term, in a focus and a background group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counted {
    /// Focus documents.
    pub focus_docs: u64,
    /// Background documents.
    pub background_docs: u64,
    /// Per term (see [`doc_terms`]): (focus documents, background documents) holding it.
    pub terms: HashMap<String, (u64, u64), FxBuildHasher>,
}

/// Why bytes are not counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged(pub &'static str);

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "damaged term counts: {}", self.0)
    }
}

impl std::error::Error for Damaged {}

/// The distinct terms of a document (content terms in text order, [`SENTENCE_BREAK`] between
/// sentences), sorted: each term, and each run of 2 to `max_words` adjacent terms of one
/// sentence joined by a space.
pub fn doc_terms(terms: &[String], max_words: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(terms.len() * max_words);
    for (i, first) in terms.iter().enumerate() {
        if first == SENTENCE_BREAK {
            continue;
        }
        out.push(first.clone());
        let mut phrase = first.clone();
        for next in terms.iter().skip(i + 1).take(max_words.saturating_sub(1)) {
            if next == SENTENCE_BREAK {
                break;
            }
            phrase.push(' ');
            phrase.push_str(next);
            out.push(phrase.clone());
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Words in a term.
pub fn words(term: &str) -> usize {
    term.split(' ').count()
}

impl Counted {
    /// Counts one document (its content terms in text order).
    pub fn add_doc(&mut self, terms: &[String], focus: bool) {
        self.add_distinct(&doc_terms(terms, COUNTED_WORDS), focus);
    }

    /// Counts one document from its distinct terms, as [`doc_terms`] gives them with
    /// [`COUNTED_WORDS`] (computed beforehand, away from a writer's lock).
    pub fn add_distinct(&mut self, distinct: &[String], focus: bool) {
        if focus {
            self.focus_docs += 1;
        } else {
            self.background_docs += 1;
        }
        for term in distinct {
            let (f, b) = if focus { (1, 0) } else { (0, 1) };
            self.add_term(term, f, b);
        }
    }

    /// Adds another set's counts.
    pub fn add(&mut self, other: &Counted) {
        self.focus_docs += other.focus_docs;
        self.background_docs += other.background_docs;
        for (term, &(f, b)) in &other.terms {
            self.add_term(term, f, b);
        }
    }

    fn add_term(&mut self, term: &str, f: u64, b: u64) {
        match self.terms.get_mut(term) {
            Some(entry) => {
                entry.0 += f;
                entry.1 += b;
            }
            None => {
                self.terms.insert(term.to_owned(), (f, b));
            }
        }
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.focus_docs == 0 && self.background_docs == 0 && self.terms.is_empty()
    }

    /// The encoded counts (see the module's documentation).
    pub fn encode(&self) -> Vec<u8> {
        let mut sorted: Vec<(&String, &(u64, u64))> = self.terms.iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut out = Vec::with_capacity(16 + sorted.len() * 8);
        out.push(VERSION);
        put(&mut out, self.focus_docs);
        put(&mut out, self.background_docs);
        put(&mut out, sorted.len() as u64);
        let mut previous: &[u8] = &[];
        for (term, &(f, b)) in sorted {
            let bytes = term.as_bytes();
            let shared = previous
                .iter()
                .zip(bytes)
                .take_while(|(a, b)| a == b)
                .count();
            put(&mut out, shared as u64);
            put(&mut out, (bytes.len() - shared) as u64);
            out.extend_from_slice(&bytes[shared..]);
            put(&mut out, f);
            put(&mut out, b);
            previous = bytes;
        }
        out
    }

    /// Decodes [`Self::encode`]'s bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, Damaged> {
        let mut counted = Counted::default();
        counted.add_encoded(bytes)?;
        Ok(counted)
    }

    /// Adds encoded counts without decoding them into a set of their own first (a report adds
    /// a blob per month and per day). On damaged bytes some of them may have been added: the
    /// caller discards the whole sum.
    pub fn add_encoded(&mut self, bytes: &[u8]) -> Result<(), Damaged> {
        let (focus, background) = parse(bytes, |term, f, b| self.add_term(term, f, b))?;
        self.focus_docs += focus;
        self.background_docs += background;
        Ok(())
    }
}

/// Reads encoded counts, giving each term to `each`; returns the document counts.
fn parse(bytes: &[u8], mut each: impl FnMut(&str, u64, u64)) -> Result<(u64, u64), Damaged> {
    let mut r = Reader { bytes, at: 0 };
    if r.byte()? != VERSION {
        return Err(Damaged("unknown version"));
    }
    let focus = r.varint()?;
    let background = r.varint()?;
    let n = r.varint()?;
    let mut term: Vec<u8> = Vec::new();
    for _ in 0..n {
        let shared = usize::try_from(r.varint()?).map_err(|_| Damaged("prefix too long"))?;
        let rest = usize::try_from(r.varint()?).map_err(|_| Damaged("term too long"))?;
        if shared > term.len() {
            return Err(Damaged("prefix longer than the previous term"));
        }
        term.truncate(shared);
        term.extend_from_slice(r.take(rest)?);
        let f = r.varint()?;
        let b = r.varint()?;
        let text = std::str::from_utf8(&term).map_err(|_| Damaged("a term is not UTF-8"))?;
        each(text, f, b);
    }
    if r.at != bytes.len() {
        return Err(Damaged("bytes after the last term"));
    }
    Ok((focus, background))
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let low = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, Damaged> {
        let b = *self.bytes.get(self.at).ok_or(Damaged("cut short"))?;
        self.at += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Damaged> {
        let end = self.at.checked_add(n).ok_or(Damaged("term too long"))?;
        let s = self.bytes.get(self.at..end).ok_or(Damaged("cut short"))?;
        self.at = end;
        Ok(s)
    }

    fn varint(&mut self) -> Result<u64, Damaged> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(Damaged("a number is too long"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn terms(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn a_document_counts_its_words_and_phrases_of_each_sentence_once() {
        let t = doc_terms(&terms("app keeps crashing app \u{2029} support slow"), 3);
        let got: Vec<&str> = t.iter().map(String::as_str).collect();
        assert_eq!(
            got,
            vec![
                "app",
                "app keeps",
                "app keeps crashing",
                "crashing",
                "crashing app",
                "keeps",
                "keeps crashing",
                "keeps crashing app",
                "slow",
                "support",
                "support slow",
            ]
        );
    }

    fn sentence() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec(
            prop_oneof![
                Just("app".to_owned()),
                Just("slow".to_owned()),
                Just("ਐਪ".to_owned()),
                Just("ແອັບ".to_owned()),
                Just("سست".to_owned()),
                Just(SENTENCE_BREAK.to_owned()),
                "[a-c]{1,3}",
            ],
            0..8,
        )
    }

    proptest! {
        #[test]
        fn encoding_round_trips_and_counts_add(
            a in prop::collection::vec((sentence(), any::<bool>()), 0..20),
            b in prop::collection::vec((sentence(), any::<bool>()), 0..20),
        ) {
            let mut left = Counted::default();
            for (t, f) in &a { left.add_doc(t, *f); }
            let mut right = Counted::default();
            for (t, f) in &b { right.add_doc(t, *f); }
            let mut both = Counted::default();
            for (t, f) in a.iter().chain(&b) { both.add_doc(t, *f); }
            prop_assert_eq!(&Counted::decode(&left.encode()).unwrap(), &left);
            let mut summed = Counted::decode(&left.encode()).unwrap();
            summed.add_encoded(&right.encode()).unwrap();
            prop_assert_eq!(&summed, &both);
            let mut added = left.clone();
            added.add(&right);
            prop_assert_eq!(&added, &both);
        }

        #[test]
        fn damaged_bytes_never_panic_and_are_reported(
            docs in prop::collection::vec((sentence(), any::<bool>()), 0..10),
            cut in any::<prop::sample::Index>(),
            flip in any::<prop::sample::Index>(),
            junk in prop::collection::vec(any::<u8>(), 0..64),
        ) {
            let mut c = Counted::default();
            for (t, f) in &docs { c.add_doc(t, *f); }
            let bytes = c.encode();
            let mut target = Counted::default();
            prop_assert!(target.add_encoded(&bytes[..cut.index(bytes.len())]).is_err());
            let mut flipped = bytes.clone();
            let i = flip.index(flipped.len());
            flipped[i] ^= 0x5a;
            let _ = Counted::decode(&flipped);
            let _ = Counted::decode(&junk);
        }
    }
}
