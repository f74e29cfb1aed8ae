//! Ranked term search, decided: how matches are ordered, and when the best `k` are known while
//! each form's postings are read best first (top-k with early termination, after Fagin's
//! threshold algorithm). The storage layer reads; this module says when it may stop.
//!
//! A response matches a query of terms, each term with one or more posting forms (the word and
//! its stems). It ranks by the number of terms it holds (`hits`), then by `rank` = Σ over terms
//! of the term's weight (its idf) × the largest tf among the term's forms it holds, then newest
//! first, then by id. One form's postings are read in the order `tf` descending,
//! `submitted_at` descending, id descending: best first for every term the form serves.

use std::cmp::Ordering;

/// A response that matches, with what ranks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// The response.
    pub id: String,
    /// When it was submitted, epoch ms.
    pub submitted_at: i64,
    /// How many of the query's terms it holds.
    pub hits: i64,
    /// Σ over terms of weight × the largest tf of the term's forms it holds.
    pub rank: i64,
}

impl Match {
    /// The search order: more terms, higher rank, newer, larger id first.
    pub fn best_first(a: &Match, b: &Match) -> Ordering {
        b.key().cmp(&a.key())
    }

    fn key(&self) -> (i64, i64, i64, &str) {
        (self.hits, self.rank, self.submitted_at, self.id.as_str())
    }
}

/// The query's shape: which terms each form serves, each term's weight, and whether every term
/// is required.
#[derive(Debug, Clone)]
pub struct Query {
    /// For each form, the indices of the terms it is a form of.
    pub terms_of_form: Vec<Vec<usize>>,
    /// For each term, its weight (idf in thousandths).
    pub weight_of_term: Vec<i64>,
    /// The number of terms.
    pub n_terms: usize,
    /// Every term required (else any).
    pub all: bool,
}

/// Where the reading of one form's postings (in the database's index) stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stream {
    /// Nothing read yet.
    Unread,
    /// Read up to and including this posting; more may follow.
    Read {
        /// Its tf.
        tf: i64,
        /// Its response's submission time.
        submitted_at: i64,
        /// Its response.
        id: String,
    },
    /// Every posting read.
    Done,
}

/// Whether the best `k` of `found` (every matching response seen so far, fully scored, sorted
/// [`Match::best_first`]) are final: no response with a posting not yet read can rank among
/// them.
pub fn settled(q: &Query, streams: &[Stream], found: &[Match], k: usize) -> bool {
    if streams.contains(&Stream::Unread) {
        return false;
    }
    // An unseen response has postings only among the unread ones.
    let open: Vec<(usize, i64, i64, &str)> = streams
        .iter()
        .enumerate()
        .filter_map(|(f, s)| match s {
            Stream::Read {
                tf,
                submitted_at,
                id,
            } => Some((f, *tf, *submitted_at, id.as_str())),
            _ => None,
        })
        .collect();
    let mut reachable: Vec<usize> = open
        .iter()
        .flat_map(|(f, ..)| q.terms_of_form[*f].iter().copied())
        .collect();
    reachable.sort_unstable();
    reachable.dedup();
    if reachable.is_empty() || (q.all && reachable.len() < q.n_terms) {
        return true;
    }
    let Some(kth) = k.checked_sub(1).and_then(|i| found.get(i)) else {
        return false;
    };
    let hits = reachable.len() as i64;
    // Per reachable term: the largest tf an unseen response can hold of it (the largest last
    // tf of its open forms), and the newest it can then be (older than the newest last posting
    // at that tf).
    let mut rank = 0i64;
    let mut when = (i64::MAX, "");
    for &t in &reachable {
        let at_term = open
            .iter()
            .filter(|(f, ..)| q.terms_of_form[*f].contains(&t));
        let top = at_term.clone().map(|(_, tf, ..)| *tf).max().unwrap_or(0);
        rank = rank.saturating_add(top.saturating_mul(q.weight_of_term[t]));
        // An unseen response of rank `rank` holds this term at tf `top` if its weight is
        // positive; without a positive weight nothing bounds its time.
        if q.weight_of_term[t] > 0
            && let Some(newest) = at_term
                .filter(|(_, tf, ..)| *tf == top)
                .map(|&(_, _, at, id)| (at, id))
                .max()
        {
            when = when.min(newest);
        }
    }
    kth.key() >= (hits, rank, when.0, when.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A posting: (form, response, tf).
    type Posting = (usize, usize, i64);

    #[derive(Debug)]
    struct Corpus {
        q: Query,
        at: Vec<i64>,
        postings: Vec<Posting>,
    }

    fn id(r: usize) -> String {
        format!("r{r:03}")
    }

    fn score(c: &Corpus, r: usize) -> Option<Match> {
        let mine: Vec<&Posting> = c.postings.iter().filter(|p| p.1 == r).collect();
        let mut terms: Vec<usize> = mine
            .iter()
            .flat_map(|p| c.q.terms_of_form[p.0].iter().copied())
            .collect();
        terms.sort_unstable();
        terms.dedup();
        let hits = terms.len();
        let qualifies = if c.q.all {
            hits == c.q.n_terms
        } else {
            hits > 0
        };
        let rank = (0..c.q.n_terms)
            .map(|t| {
                let top = mine
                    .iter()
                    .filter(|p| c.q.terms_of_form[p.0].contains(&t))
                    .map(|p| p.2)
                    .max()
                    .unwrap_or(0);
                top * c.q.weight_of_term[t]
            })
            .sum();
        qualifies.then(|| Match {
            id: id(r),
            submitted_at: c.at[r],
            hits: hits as i64,
            rank,
        })
    }

    /// The definition: every response scored, sorted.
    fn everything(c: &Corpus) -> Vec<Match> {
        let mut all: Vec<Match> = (0..c.at.len()).filter_map(|r| score(c, r)).collect();
        all.sort_by(Match::best_first);
        all
    }

    /// Reads each form's postings in index order, `batch` at a time, until settled.
    fn early(c: &Corpus, k: usize, batch: usize) -> (Vec<Match>, usize) {
        let forms = c.q.terms_of_form.len();
        let mut lists: Vec<Vec<&Posting>> = (0..forms)
            .map(|f| c.postings.iter().filter(|p| p.0 == f).collect())
            .collect();
        for l in &mut lists {
            l.sort_by(|a, b| (b.2, c.at[b.1], id(b.1)).cmp(&(a.2, c.at[a.1], id(a.1))));
        }
        let mut streams = vec![Stream::Unread; forms];
        let mut pos = vec![0; forms];
        let mut seen = std::collections::BTreeSet::new();
        let mut read = 0;
        loop {
            for f in 0..forms {
                if streams[f] == Stream::Done {
                    continue;
                }
                let next = &lists[f][pos[f]..(pos[f] + batch).min(lists[f].len())];
                pos[f] += next.len();
                read += next.len();
                seen.extend(next.iter().map(|p| p.1));
                streams[f] = match next.last() {
                    Some(p) if pos[f] < lists[f].len() => Stream::Read {
                        tf: p.2,
                        submitted_at: c.at[p.1],
                        id: id(p.1),
                    },
                    _ => Stream::Done,
                };
            }
            let mut found: Vec<Match> = seen.iter().filter_map(|&r| score(c, r)).collect();
            found.sort_by(Match::best_first);
            if settled(&c.q, &streams, &found, k) {
                found.truncate(k);
                return (found, read);
            }
        }
    }

    fn corpus() -> impl Strategy<Value = Corpus> {
        (1usize..4, 1usize..4, any::<bool>(), 1usize..60).prop_flat_map(
            |(n_terms, extra, all, n)| {
                let forms = n_terms + extra - 1;
                (
                    proptest::collection::vec(proptest::collection::vec(0..n_terms, 1..3), forms),
                    proptest::collection::vec(0i64..4, n_terms),
                    proptest::collection::vec(0i64..20, n),
                    proptest::collection::vec((0..forms, 0..n, 1i64..4), 0..150),
                )
                    .prop_map(move |(mut tof, weight, at, raw)| {
                        for t in &mut tof {
                            t.sort_unstable();
                            t.dedup();
                        }
                        // Every term has a form.
                        for t in 0..n_terms {
                            tof[t % forms].push(t);
                            tof[t % forms].sort_unstable();
                            tof[t % forms].dedup();
                        }
                        let mut postings: Vec<Posting> = Vec::new();
                        for p in raw {
                            if !postings.iter().any(|q| q.0 == p.0 && q.1 == p.1) {
                                postings.push(p);
                            }
                        }
                        Corpus {
                            q: Query {
                                terms_of_form: tof,
                                weight_of_term: weight,
                                n_terms,
                                all,
                            },
                            at,
                            postings,
                        }
                    })
            },
        )
    }

    proptest! {
        #[test]
        fn stopping_early_gives_the_first_k_of_the_definition(
            c in corpus(), k in 1usize..12, batch in 1usize..8,
        ) {
            let mut want = everything(&c);
            want.truncate(k);
            prop_assert_eq!(early(&c, k, batch).0, want);
        }
    }

    #[test]
    fn a_common_term_stops_after_its_first_page() {
        // One form of weight 1,000 in 1,000 responses, all tf 1: the newest ten are the page.
        let c = Corpus {
            q: Query {
                terms_of_form: vec![vec![0]],
                weight_of_term: vec![1_000],
                n_terms: 1,
                all: true,
            },
            at: (0..1_000).collect(),
            postings: (0..1_000).map(|r| (0, r, 1)).collect(),
        };
        let (page, read) = early(&c, 10, 10);
        assert_eq!(page.len(), 10);
        assert_eq!(page[0].submitted_at, 999);
        assert_eq!(read, 10, "the first batch settles it");
    }

    #[test]
    fn forms_of_one_term_stop_after_the_first_page() {
        // One term with two forms that no response holds together (as a stemmed and an
        // unstemmed language): the page is read from the front of both ranges.
        let mut postings: Vec<Posting> = (0..400).map(|r| (0, r, 1)).collect();
        postings.extend((400..1_000).map(|r| (1, r, 1)));
        let c = Corpus {
            q: Query {
                terms_of_form: vec![vec![0], vec![0]],
                weight_of_term: vec![700],
                n_terms: 1,
                all: true,
            },
            at: (0..1_000).collect(),
            postings,
        };
        let (page, read) = early(&c, 10, 10);
        assert_eq!(page[0].submitted_at, 999);
        assert_eq!(page[9].submitted_at, 990);
        assert_eq!(read, 20, "one batch of each form");
    }

    #[test]
    fn all_terms_stop_once_the_rarest_is_read() {
        // Term 0 in every response, term 1 in three: after one batch of each, term 1 is done
        // and no unread posting can complete a match.
        let mut postings: Vec<Posting> = (0..500).map(|r| (0, r, 1)).collect();
        postings.extend([(1, 5, 1), (1, 250, 2), (1, 499, 1)]);
        let c = Corpus {
            q: Query {
                terms_of_form: vec![vec![0], vec![1]],
                weight_of_term: vec![300, 5_000],
                n_terms: 2,
                all: true,
            },
            at: (0..500).collect(),
            postings,
        };
        let (page, read) = early(&c, 10, 20);
        let ids: Vec<&str> = page.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["r250", "r499", "r005"]);
        assert_eq!(read, 23);
    }
}
