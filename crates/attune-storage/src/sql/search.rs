//! The feed's ranked term search. The page is found by reading each posting form's index range
//! best first (`response_terms_ranked`), a batch at a time, until
//! [`attune_domain::search::settled`] says no unread posting can rank on it; the definition
//! (every match ranked in one query) stays as [`ranked_join`] for tests and benchmarks.
//! Weights are idf from `term_df`, kept by triggers (migration 0017).

use std::collections::{HashMap, HashSet};

use attune_domain::search::{Match, Query, Stream, settled};
use sqlx::{AssertSqlSafe, Row};

use super::feed::{filter_conditions, filter_joins};
use super::responses::VISIBLE;
use super::text::POSTINGS;
use super::{Binds, SqlStore};
use crate::error::{Context, StoreResult};
use crate::model::FeedQuery;

/// Postings read per form in the first batch at least (the default of
/// [`SqlStore::with_search_batch`]); each further batch doubles, up to [`MAX_BATCH`].
pub(crate) const FIRST_BATCH: usize = 64;
const MAX_BATCH: usize = 8_192;
/// Responses scored per query.
const SCORE_CHUNK: usize = 500;

/// A query's terms, their posting forms and the forms' weights.
#[derive(Debug, Clone)]
pub(crate) struct Weights {
    /// Each term's forms (the term and its stems), in query order.
    pub terms: Vec<Vec<String>>,
    /// Every distinct form, sorted.
    pub forms: Vec<String>,
    /// Each term's weight in thousandths, in query order: ln(1 + P / df), P the
    /// organisation's postings in the index and df the postings of the term's forms (0 when
    /// it holds none).
    pub weight: Vec<i64>,
}

impl Weights {
    fn query(&self, all: bool) -> Query {
        Query {
            terms_of_form: self
                .forms
                .iter()
                .map(|f| {
                    (0..self.terms.len())
                        .filter(|&t| self.terms[t].contains(f))
                        .collect()
                })
                .collect(),
            weight_of_term: self.weight.clone(),
            n_terms: self.terms.len(),
            all,
        }
    }
}

/// `ORDER BY` keys of [`ranked_join`], before the feed's own.
pub(crate) const RANKED_ORDER: &str = "m.hits DESC, m.rank DESC, ";

/// The definition of the ranked search as a join onto `responses r`: every response holding all
/// the terms (any of them when `any`), with its number of terms held (`m.hits`) and Σ over
/// terms of weight × the largest tf among the term's forms it holds (`m.rank`). A form shared
/// by two terms counts for both.
pub(crate) fn ranked_join(b: &mut Binds, org_id: &str, w: &Weights, any: bool) -> String {
    let org = b.text(org_id);
    // One placeholder per form, used wherever the form appears.
    let at: HashMap<&str, String> = w.forms.iter().map(|f| (f.as_str(), b.text(f))).collect();
    let list = |fs: &[String]| -> String {
        let p: Vec<&str> = fs.iter().map(|f| at[f.as_str()].as_str()).collect();
        p.join(", ")
    };
    let hits: Vec<String> = w
        .terms
        .iter()
        .map(|fs| format!("MAX(CASE WHEN t.term IN ({}) THEN 1 ELSE 0 END)", list(fs)))
        .collect();
    let hits = hits.join(" + ");
    let rank: Vec<String> = w
        .terms
        .iter()
        .zip(&w.weight)
        .map(|(fs, &weight)| {
            format!(
                "{} * MAX(CASE WHEN t.term IN ({}) THEN t.tf ELSE 0 END)",
                b.int(weight),
                list(fs)
            )
        })
        .collect();
    let having = if any {
        String::new()
    } else {
        format!(" HAVING {hits} = {}", b.int(w.terms.len() as i64))
    };
    format!(
        " JOIN (SELECT t.response_id, {hits} AS hits, {} AS rank \
         FROM {POSTINGS} t WHERE t.org_id = {org} AND t.term IN ({}) \
        GROUP BY t.response_id{having}) m ON m.response_id = r.id",
        rank.join(" + "),
        list(&w.forms)
    )
}

/// Folds each term's count deltas into one row (PostgreSQL, where statement triggers append
/// them). Safe beside another instance doing the same: each deletes and sums only the rows it
/// locked.
pub(crate) async fn fold_term_counts(pool: &sqlx::AnyPool) -> StoreResult<()> {
    sqlx::query(
        "WITH gone AS (DELETE FROM term_df WHERE (org_id, term) IN \
         (SELECT org_id, term FROM term_df GROUP BY org_id, term HAVING count(*) > 1) \
         RETURNING org_id, term, df) \
         INSERT INTO term_df (org_id, term, df) \
         SELECT org_id, term, CAST(SUM(df) AS BIGINT) FROM gone GROUP BY org_id, term",
    )
    .execute(pool)
    .await
    .context("folding search term counts")?;
    Ok(())
}

impl SqlStore {
    /// The same store reading at least `postings` per form in a search's first batch (tests
    /// make it small, so that searches read several batches).
    #[must_use]
    pub fn with_search_batch(mut self, postings: usize) -> Self {
        self.search_batch = postings.max(1);
        self
    }

    /// The forms and weights of `terms` (already query terms), from the organisation's
    /// `term_df`.
    pub(crate) async fn weights(&self, org_id: &str, terms: &[String]) -> StoreResult<Weights> {
        let terms: Vec<Vec<String>> = terms.iter().map(|t| attune_text::query_forms(t)).collect();
        let mut forms: Vec<String> = terms.iter().flatten().cloned().collect();
        forms.sort_unstable();
        forms.dedup();
        let mut b = Binds::default();
        let org = b.text(org_id);
        let list: Vec<String> = std::iter::once(String::new())
            .chain(forms.iter().cloned())
            .map(|f| b.text(f))
            .collect();
        // Deltas sum to the count (PostgreSQL appends them; SQLite keeps one row).
        let sql = format!(
            "SELECT term, CAST(SUM(df) AS BIGINT) AS df FROM term_df \
             WHERE org_id = {org} AND term IN ({}) GROUP BY term",
            list.join(", ")
        );
        let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
            .fetch_all(&self.pool)
            .await
            .context("reading search term counts")?;
        let mut df: HashMap<String, i64> = HashMap::new();
        for row in &rows {
            df.insert(
                row.try_get("term").context("reading a term")?,
                row.try_get("df").context("reading a count")?,
            );
        }
        let postings = df.get("").copied().unwrap_or(0).max(1) as f64;
        // A term's df sums its forms' (exact when no comment holds two forms of one word).
        let weight = terms
            .iter()
            .map(
                |fs| match fs.iter().filter_map(|f| df.get(f)).sum::<i64>() {
                    d if d > 0 => ((1.0 + postings / d as f64).ln() * 1000.0).round() as i64,
                    _ => 0,
                },
            )
            .collect();
        Ok(Weights {
            terms,
            forms,
            weight,
        })
    }

    /// The page of `q` (its offset and limit) among the responses matching `w`, best first,
    /// read from the front of each form's postings.
    pub(crate) async fn top_matches(
        &self,
        org_id: &str,
        q: &FeedQuery,
        w: &Weights,
    ) -> StoreResult<Vec<Match>> {
        let k = q.offset as usize + q.limit.clamp(1, 500) as usize;
        let query = w.query(!q.any_term);
        let mut streams = vec![Stream::Unread; w.forms.len()];
        let mut seen: HashSet<String> = HashSet::new();
        let mut found: Vec<Match> = Vec::new();
        // Postings not yet merged into the index are few: all of them are read at once.
        let mut fresh = self.recent_postings(org_id, q, &w.forms).await?;
        let mut batch = k.max(self.search_batch);
        loop {
            for (f, form) in w.forms.iter().enumerate() {
                if streams[f] == Stream::Done {
                    continue;
                }
                let rows = self
                    .form_postings(org_id, q, form, &streams[f], batch)
                    .await?;
                streams[f] = match rows.last() {
                    Some((id, tf, at)) if rows.len() == batch => Stream::Read {
                        tf: *tf,
                        submitted_at: *at,
                        id: id.clone(),
                    },
                    _ => Stream::Done,
                };
                fresh.extend(rows.into_iter().map(|(id, _, at)| (id, at)));
            }
            fresh.retain(|(id, _)| seen.insert(id.clone()));
            for chunk in fresh.chunks(SCORE_CHUNK) {
                found.extend(self.score(org_id, w, &query, chunk).await?);
            }
            fresh.clear();
            found.sort_by(Match::best_first);
            if settled(&query, &streams, &found, k) {
                break;
            }
            batch = (batch * 2).min(MAX_BATCH);
        }
        found.truncate(k);
        Ok(found.split_off((q.offset as usize).min(found.len())))
    }

    /// The next `n` postings of `form` after `after`, in the index's order, of responses the
    /// feed's filters keep: (response id, tf, submitted_at).
    async fn form_postings(
        &self,
        org_id: &str,
        q: &FeedQuery,
        form: &str,
        after: &Stream,
        n: usize,
    ) -> StoreResult<Vec<(String, i64, i64)>> {
        let mut b = Binds::default();
        let org = b.text(org_id);
        let term = b.text(form);
        let mut sql = format!(
            "SELECT t.response_id, t.tf, t.submitted_at FROM response_terms t \
             JOIN responses r ON r.id = t.response_id{} \
             WHERE t.org_id = {org} AND t.term = {term} AND r.org_id = {org} AND {VISIBLE}",
            filter_joins(q)
        );
        sql += &filter_conditions(&mut b, q);
        if let Stream::Read {
            tf,
            submitted_at,
            id,
        } = after
        {
            sql += &format!(
                " AND (t.tf, t.submitted_at, t.response_id) < ({}, {}, {})",
                b.int(*tf),
                b.int(*submitted_at),
                b.text(id.clone())
            );
        }
        sql += &format!(
            " ORDER BY t.tf DESC, t.submitted_at DESC, t.response_id DESC LIMIT {}",
            b.int(n as i64)
        );
        let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
            .fetch_all(&self.pool)
            .await
            .context("reading search postings")?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("response_id").context("reading a posting")?,
                    r.try_get("tf").context("reading a posting")?,
                    r.try_get("submitted_at").context("reading a posting")?,
                ))
            })
            .collect()
    }

    /// The responses the feed's filters keep among those with a recent posting of `forms`:
    /// (id, submitted_at).
    async fn recent_postings(
        &self,
        org_id: &str,
        q: &FeedQuery,
        forms: &[String],
    ) -> StoreResult<Vec<(String, i64)>> {
        let mut b = Binds::default();
        let org = b.text(org_id);
        let list: Vec<String> = forms.iter().map(|f| b.text(f.clone())).collect();
        let mut sql = format!(
            "SELECT DISTINCT t.response_id, t.submitted_at FROM response_terms_recent t \
             JOIN responses r ON r.id = t.response_id{} \
             WHERE t.org_id = {org} AND t.term IN ({}) AND r.org_id = {org} AND {VISIBLE}",
            filter_joins(q),
            list.join(", ")
        );
        sql += &filter_conditions(&mut b, q);
        let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
            .fetch_all(&self.pool)
            .await
            .context("reading recent search postings")?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("response_id").context("reading a posting")?,
                    r.try_get("submitted_at").context("reading a posting")?,
                ))
            })
            .collect()
    }

    /// Scores responses on every posting they hold of the query's forms (in the index and
    /// recent), keeping those that match.
    async fn score(
        &self,
        org_id: &str,
        w: &Weights,
        query: &Query,
        responses: &[(String, i64)],
    ) -> StoreResult<Vec<Match>> {
        let mut b = Binds::default();
        let org = b.text(org_id);
        let forms: Vec<String> = w.forms.iter().map(|f| b.text(f.clone())).collect();
        let ids: Vec<String> = responses.iter().map(|(id, _)| b.text(id.clone())).collect();
        let sql = format!(
            "SELECT t.response_id, t.term, t.tf FROM {POSTINGS} t WHERE t.org_id = {org} \
             AND t.term IN ({}) AND t.response_id IN ({})",
            forms.join(", "),
            ids.join(", ")
        );
        let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
            .fetch_all(&self.pool)
            .await
            .context("scoring search matches")?;
        let form_index: HashMap<&str, usize> = w
            .forms
            .iter()
            .enumerate()
            .map(|(i, f)| (f.as_str(), i))
            .collect();
        // Per response: the largest tf of each term's forms (0: not held).
        let mut held: HashMap<String, Vec<i64>> = HashMap::new();
        for row in &rows {
            let id: String = row.try_get("response_id").context("reading a posting")?;
            let term: String = row.try_get("term").context("reading a posting")?;
            let tf: i64 = row.try_get("tf").context("reading a posting")?;
            let Some(&f) = form_index.get(term.as_str()) else {
                continue;
            };
            let top = held.entry(id).or_insert_with(|| vec![0; query.n_terms]);
            for &t in &query.terms_of_form[f] {
                top[t] = top[t].max(tf);
            }
        }
        Ok(responses
            .iter()
            .filter_map(|(id, at)| {
                let top = held.get(id)?;
                let hits = top.iter().filter(|&&tf| tf > 0).count() as i64;
                let rank = top.iter().zip(&w.weight).map(|(tf, w)| tf * w).sum();
                let matches = if query.all {
                    hits == query.n_terms as i64
                } else {
                    hits > 0
                };
                matches.then(|| Match {
                    id: id.clone(),
                    submitted_at: *at,
                    hits,
                    rank,
                })
            })
            .collect())
    }
}
