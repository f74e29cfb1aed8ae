//! The feed's term search. Every match of a search for all its terms ranks alike, so its page is
//! the newest matches: found by walking the feed's index newest first and checking each
//! response's postings by key (a common term), or by reading the postings of the query's rarest
//! term and sorting those (a rare one) — whichever reads less. A search for any of several terms
//! ranks by how many terms and how rare, and reads every match ([`ranked_join`], also the
//! definition the other paths are tested against).

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, Row};

use super::text::POSTINGS;
use super::{Binds, SqlStore};
use crate::error::{Context, StoreResult};

/// A term with at most this many postings drives the search from its postings; a commoner one
/// is found by walking responses newest first (at 1M comments and a page of 50, the two read
/// about as much near 7,000).
pub(crate) const RARE: i64 = 10_000;

/// A query's terms, their posting forms and, for ranking, the terms' weights.
#[derive(Debug, Clone)]
pub(crate) struct Weights {
    /// Each term's forms (the term and its stems), in query order.
    pub terms: Vec<Vec<String>>,
    /// Every distinct form, sorted.
    pub forms: Vec<String>,
    /// Each term's weight in thousandths, in query order: ln(1 + N / df), N the
    /// organisation's responses and df the postings of the term's forms (0 when none).
    pub weight: Vec<i64>,
}

/// `ORDER BY` keys of [`ranked_join`], before the feed's own.
pub(crate) const RANKED_ORDER: &str = "m.hits DESC, m.rank DESC, ";

/// The placeholders of `forms`, comma separated.
fn form_list(b: &mut Binds, forms: &[String]) -> String {
    let p: Vec<String> = forms.iter().map(|f| b.text(f.clone())).collect();
    p.join(", ")
}

/// The ranked search as a join onto `responses r`: every response holding all the terms (any of
/// them when `any`), with the number of terms it holds (`m.hits`) and the sum of their weights
/// (`m.rank`). A form shared by two terms counts for both.
pub(crate) fn ranked_join(b: &mut Binds, org_id: &str, w: &Weights, any: bool) -> String {
    let org = b.text(org_id);
    let holds: Vec<String> = w
        .terms
        .iter()
        .map(|fs| {
            format!(
                "MAX(CASE WHEN t.term IN ({}) THEN 1 ELSE 0 END)",
                form_list(b, fs)
            )
        })
        .collect();
    let rank: Vec<String> = holds
        .iter()
        .zip(&w.weight)
        .map(|(h, &weight)| format!("{} * {h}", b.int(weight)))
        .collect();
    let hits = holds.join(" + ");
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
        form_list(b, &w.forms)
    )
}

/// With a driving term, the `FROM` of the feed query: that term's responses first (SQLite keeps
/// the order of a `CROSS JOIN`), each then looked up by key; else the responses.
pub(crate) fn search_from(b: &mut Binds, org: &str, w: &Weights, driver: Option<usize>) -> String {
    match driver.and_then(|i| w.terms.get(i)) {
        Some(fs) => format!(
            "(SELECT DISTINCT t.response_id FROM {POSTINGS} t WHERE t.org_id = {org} \
             AND t.term IN ({})) d CROSS JOIN responses r",
            form_list(b, fs)
        ),
        None => "responses r".to_owned(),
    }
}

/// Conditions (each with a leading ` AND`) that `r` holds every term but `driver` (which
/// [`search_from`] joined), each checked by key in the index and the recent postings.
pub(crate) fn holds_all(b: &mut Binds, w: &Weights, driver: Option<usize>) -> String {
    let mut sql = String::new();
    if driver.is_some() {
        sql += " AND r.id = d.response_id";
    }
    for (i, fs) in w.terms.iter().enumerate() {
        if driver == Some(i) {
            continue;
        }
        let list = form_list(b, fs);
        sql += &format!(
            " AND (EXISTS (SELECT 1 FROM response_terms t WHERE t.org_id = r.org_id \
             AND t.term IN ({list}) AND t.response_id = r.id) \
             OR EXISTS (SELECT 1 FROM response_terms_recent t WHERE t.org_id = r.org_id \
             AND t.term IN ({list}) AND t.response_id = r.id))"
        );
    }
    sql
}

impl SqlStore {
    /// The same store taking a term as rare below `postings` postings instead of [`RARE`]
    /// (tests use 0 and a large number to take each way of searching).
    #[must_use]
    pub fn with_rare_postings(mut self, postings: i64) -> Self {
        self.rare_postings = postings.max(0);
        self
    }

    /// The forms of `terms` (already query terms), without weights.
    pub(crate) fn forms_of(terms: &[String]) -> Weights {
        let terms: Vec<Vec<String>> = terms.iter().map(|t| attune_text::query_forms(t)).collect();
        let mut forms: Vec<String> = terms.iter().flatten().cloned().collect();
        forms.sort_unstable();
        forms.dedup();
        Weights {
            weight: vec![0; terms.len()],
            terms,
            forms,
        }
    }

    /// The forms of `terms` with their weights, counted in the organisation's postings.
    pub(crate) async fn weights(&self, org_id: &str, terms: &[String]) -> StoreResult<Weights> {
        let mut w = Self::forms_of(terms);
        let mut b = Binds::default();
        let org = b.text(org_id);
        let list = form_list(&mut b, &w.forms);
        let sql = format!(
            "SELECT t.term, COUNT(*) AS df FROM {POSTINGS} t WHERE t.org_id = {org} \
             AND t.term IN ({list}) GROUP BY t.term"
        );
        let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
            .fetch_all(&self.pool)
            .await
            .context("counting search terms")?;
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM responses WHERE org_id = $1")
            .bind(org_id)
            .fetch_one(&self.pool)
            .await
            .context("counting indexed responses")?
            .try_get("n")
            .context("reading a count")?;
        let mut df: HashMap<String, i64> = HashMap::new();
        for row in &rows {
            df.insert(
                row.try_get("term").context("reading a term")?,
                row.try_get("df").context("reading a count")?,
            );
        }
        // A term's df sums its forms' (exact when no comment holds two forms of one word).
        w.weight = w
            .terms
            .iter()
            .map(
                |fs| match fs.iter().filter_map(|f| df.get(f)).sum::<i64>() {
                    d if d > 0 => ((1.0 + n.max(1) as f64 / d as f64).ln() * 1000.0).round() as i64,
                    _ => 0,
                },
            )
            .collect();
        Ok(w)
    }

    /// The term of `w` with the fewest postings in the index, when it has fewer than the rare
    /// limit ([`RARE`] by default; each count stops there).
    pub(crate) async fn rare_term(&self, org_id: &str, w: &Weights) -> StoreResult<Option<usize>> {
        let mut rarest: Option<(i64, usize)> = None;
        for (i, fs) in w.terms.iter().enumerate() {
            let mut b = Binds::default();
            let org = b.text(org_id);
            let list = form_list(&mut b, fs);
            let sql = format!(
                "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM response_terms \
                 WHERE org_id = {org} AND term IN ({list}) LIMIT {}) s",
                b.int(self.rare_postings)
            );
            let n: i64 = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
                .fetch_one(&self.pool)
                .await
                .context("counting a search term")?
                .try_get("n")
                .context("reading a count")?;
            if n < self.rare_postings && rarest.is_none_or(|(m, _)| n < m) {
                rarest = Some((n, i));
            }
        }
        Ok(rarest.map(|(_, i)| i))
    }
}
