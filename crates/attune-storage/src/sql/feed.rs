//! The feedback feed, newest first (a search of any of several terms: best match first), each
//! response with its contact, account and case.

use std::collections::HashMap;

use async_trait::async_trait;
use attune_domain::text::search_form;
use sqlx::{AssertSqlSafe, Row};

use super::responses::{RESPONSE_COLUMNS, VISIBLE, response_of};
use super::search::{RANKED_ORDER, Weights, holds_all, ranked_join, search_from};
use super::{Binds, SqlStore};
use crate::error::{Context, StoreResult};
use crate::model::{FeedCase, FeedItem, FeedQuery};
use crate::store::FeedStore;

impl SqlStore {
    /// Adds each item's follow-up case (the first its response opened), in one query.
    async fn attach_cases(&self, org_id: &str, items: &mut [FeedItem]) -> StoreResult<()> {
        if items.is_empty() {
            return Ok(());
        }
        let mut b = Binds::default();
        let org = b.text(org_id);
        let ids: Vec<String> = items
            .iter()
            .map(|i| b.text(i.response.id.clone()))
            .collect();
        let sql = format!(
            "SELECT k.id, k.response_id, k.state, k.owner_user_id, u.email FROM cases k \
             LEFT JOIN users u ON u.id = k.owner_user_id \
             WHERE k.org_id = {org} AND k.response_id IN ({}) ORDER BY k.opened_at DESC, k.id DESC",
            ids.join(",")
        );
        let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
            .fetch_all(&self.pool)
            .await
            .context("reading the feed's cases")?;
        let mut by_response: HashMap<String, FeedCase> = HashMap::new();
        for row in &rows {
            // Rows come newest first, so the oldest case of a response is inserted last.
            by_response.insert(
                row.try_get("response_id").context("reading case")?,
                FeedCase {
                    id: row.try_get("id").context("reading case")?,
                    state: crate::error::decode(
                        "case state",
                        row.try_get("state").context("reading case")?,
                        |s| attune_domain::closed_loop::case::CaseState::parse(s).ok(),
                    )?,
                    owner: row.try_get("owner_user_id").context("reading case")?,
                    owner_email: row.try_get("email").context("reading case")?,
                },
            );
        }
        for item in items {
            item.case = by_response.remove(&item.response.id);
        }
        Ok(())
    }
}

fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The feed's filters as conditions on `r` (the response) and `a` (its account), each with a
/// leading ` AND`; the text is left to the caller (ranked terms or substrings).
fn filter_conditions(b: &mut Binds, q: &FeedQuery) -> String {
    let mut sql = String::new();
    if let Some(s) = &q.survey_id {
        sql += &format!(" AND r.survey_id = {}", b.text(s));
    }
    if q.question_key.is_some() || q.score_range.is_some() {
        sql += " AND EXISTS (SELECT 1 FROM response_scores rs WHERE rs.response_id = r.id";
        if let Some(k) = &q.question_key {
            sql += &format!(" AND rs.question_key = {}", b.text(k));
        }
        if let Some((lo, hi)) = q.score_range {
            sql += &format!(
                " AND rs.qtype = 'nps' AND rs.score >= {} AND rs.score <= {}",
                b.int(lo),
                b.int(hi)
            );
        }
        sql += ")";
    }
    if let Some(t) = q.from_ms {
        sql += &format!(" AND r.submitted_at >= {}", b.int(t));
    }
    if let Some(t) = q.to_ms {
        sql += &format!(" AND r.submitted_at < {}", b.int(t));
    }
    if let Some(l) = &q.language {
        let exact = b.text(l);
        let prefix = b.text(format!("{}-%", like_escape(l)));
        sql += &format!(" AND (r.language = {exact} OR r.language LIKE {prefix} ESCAPE '\\')");
    }
    if let Some(a) = &q.account {
        let p = b.text(a);
        sql += &format!(" AND (r.account_id = {p} OR a.external_id = {p})");
    }
    if let Some(c) = q.channel {
        sql += &format!(" AND r.channel = {}", b.text(c.as_str()));
    }
    if q.with_comment {
        sql += " AND r.comment IS NOT NULL";
    }
    sql
}

/// How a feed query with search terms finds its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranking {
    /// The cheapest exact way: newest matches first from the feed's index or from the rarest
    /// term's postings (a search for all its terms, or one term); every match ranked otherwise.
    Fastest,
    /// Rank every match, then cut the page: the definition, for tests and benchmarks.
    Exhaustive,
}

/// What a feed query does with its text.
enum Text<'a> {
    /// No terms: substring matching, if any text.
    Substring,
    /// Every match ranked ([`ranked_join`]).
    Ranked(&'a Weights),
    /// Responses holding every term, newest first; `driver` starts from that term's postings.
    AllTerms(&'a Weights, Option<usize>),
}

const FEED_SELECT: &str = "s.name AS survey_name, a.name AS account_name, c.email AS contact_email";

impl SqlStore {
    /// The feed, with a term search found as `ranking` says (both give the same items).
    pub async fn feed_ranked(
        &self,
        org_id: &str,
        q: &FeedQuery,
        ranking: Ranking,
    ) -> StoreResult<Vec<FeedItem>> {
        // Words are looked up in the search index; a query without any (only punctuation or
        // stop words) falls back to substring matching.
        let terms = q
            .text
            .as_deref()
            .map(attune_text::query_terms)
            .unwrap_or_default();
        if terms.is_empty() {
            return self.feed_rows(org_id, q, Text::Substring).await;
        }
        // Every match of all the terms (or of one) ranks alike: hits and weights are the same.
        if ranking == Ranking::Fastest && (!q.any_term || terms.len() == 1) {
            let w = Self::forms_of(&terms);
            let driver = self.rare_term(org_id, &w).await?;
            return self.feed_rows(org_id, q, Text::AllTerms(&w, driver)).await;
        }
        let w = self.weights(org_id, &terms).await?;
        self.feed_rows(org_id, q, Text::Ranked(&w)).await
    }

    /// The feed read with one query, newest first after any ranking.
    async fn feed_rows(
        &self,
        org_id: &str,
        q: &FeedQuery,
        text: Text<'_>,
    ) -> StoreResult<Vec<FeedItem>> {
        let mut b = Binds::default();
        let join = match text {
            Text::Ranked(w) => ranked_join(&mut b, org_id, w, q.any_term),
            _ => String::new(),
        };
        let org = b.text(org_id);
        let from = match text {
            Text::AllTerms(w, driver) => search_from(&mut b, &org, w, driver),
            _ => "responses r".to_owned(),
        };
        let mut sql = format!(
            "SELECT {RESPONSE_COLUMNS}, {FEED_SELECT} FROM {from}{join} {FEED_JOINS} \
             WHERE r.org_id = {org} AND {VISIBLE}"
        );
        sql += &filter_conditions(&mut b, q);
        let searched = !matches!(text, Text::Substring);
        let ranked = matches!(text, Text::Ranked(_));
        match text {
            Text::AllTerms(w, driver) => sql += &holds_all(&mut b, w, driver),
            Text::Substring => {
                let words = q.text.as_deref().map(search_form).unwrap_or_default();
                for word in words.split_whitespace().take(10) {
                    let p = b.text(format!("%{}%", like_escape(word)));
                    sql += &format!(" AND r.search_text LIKE {p} ESCAPE '\\'");
                }
                if let Some((at, id)) = &q.after {
                    let at1 = b.int(*at);
                    let at2 = b.int(*at);
                    let id = b.text(id);
                    sql += &format!(
                        " AND (r.submitted_at < {at1} OR (r.submitted_at = {at2} AND r.id < {id}))"
                    );
                }
            }
            Text::Ranked(_) => {}
        }
        sql += &format!(
            " ORDER BY {}r.submitted_at DESC, r.id DESC LIMIT {}",
            if ranked { RANKED_ORDER } else { "" },
            b.int(i64::from(q.limit.clamp(1, 500)))
        );
        // A search pages by position.
        if searched && q.offset > 0 {
            sql += &format!(" OFFSET {}", b.int(i64::from(q.offset)));
        }
        let mut items = self.read_feed(AssertSqlSafe(sql), b).await?;
        self.attach_cases(org_id, &mut items).await?;
        Ok(items)
    }

    async fn read_feed(&self, sql: AssertSqlSafe<String>, b: Binds) -> StoreResult<Vec<FeedItem>> {
        // Not kept prepared: PostgreSQL plans it with its values each time. From the sixth run
        // of a kept search it switched to a generic plan that hashed every posting (430 ms
        // where the planned-per-run query takes 10-25 ms).
        let rows = sqlx::query_with(sql, b.into_args()?)
            .persistent(false)
            .fetch_all(&self.pool)
            .await
            .context("reading the feed")?;
        rows.iter()
            .map(|row| {
                Ok(FeedItem {
                    response: response_of(row)?,
                    survey_name: row.try_get("survey_name").context("reading feed")?,
                    account_name: row.try_get("account_name").context("reading feed")?,
                    contact_email: row.try_get("contact_email").context("reading feed")?,
                    case: None,
                })
            })
            .collect()
    }
}

/// The joins of a feed item beside `responses r`.
const FEED_JOINS: &str = "JOIN surveys s ON s.id = r.survey_id AND s.org_id = r.org_id \
     LEFT JOIN accounts a ON a.id = r.account_id AND a.org_id = r.org_id \
     LEFT JOIN people c ON c.id = r.contact_id AND c.org_id = r.org_id";

#[async_trait]
impl FeedStore for SqlStore {
    async fn feed(&self, org_id: &str, q: &FeedQuery) -> StoreResult<Vec<FeedItem>> {
        self.feed_ranked(org_id, q, Ranking::Fastest).await
    }
}
