//! Text analytics in storage: each comment's analysis written with its response (language,
//! content terms, the `response_terms` search index), ranked term search for the feed, the
//! documents that keywords and drivers are computed from, and rebuilding it all (`reindex`).

use std::collections::HashMap;

use attune_domain::period::{Interval, day_of_ms};
use attune_domain::text::LanguageTag;
use attune_text::lang::MIN_CONFIDENCE;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::responses::VISIBLE;
use super::{Bind, Binds, Dialect, SqlStore, insert_rows};
use crate::error::{Context, StoreResult};
use crate::model::{ReindexOutcome, TextDoc, TextDocsQuery};
use crate::store::TextStore;
use async_trait::async_trait;

/// What storage keeps of a comment's analysis.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Indexed {
    /// The effective language: the declared tag, else the confidently detected language.
    pub language: Option<String>,
    /// `declared`, `detected`, or `None` when the language is unknown.
    pub source: Option<&'static str>,
    /// The language the analysis used (`und` when unsure); `None` without a comment.
    pub text_language: Option<String>,
    /// Its confidence in thousandths.
    pub confidence_pm: Option<i64>,
    /// Content terms in text order, space separated.
    pub terms: Option<String>,
    /// Distinct content terms with their counts, for the search index.
    pub counts: Vec<(String, i64)>,
}

/// Analyses a comment; the declared language wins over detection.
pub(crate) fn index_comment(comment: Option<&str>, declared: Option<&LanguageTag>) -> Indexed {
    let declared_tag = declared.map(|l| l.as_str().to_owned());
    let Some(comment) = comment else {
        return Indexed {
            source: declared_tag.as_ref().map(|_| "declared"),
            language: declared_tag,
            ..Indexed::default()
        };
    };
    let a = attune_text::analyze(comment, declared.map(LanguageTag::as_str));
    let (language, source) = if a.declared {
        (declared_tag, Some("declared"))
    } else if a.lang != attune_text::lang::UNDETERMINED && a.confidence >= MIN_CONFIDENCE {
        (Some(a.lang.clone()), Some("detected"))
    } else {
        // A malformed or `und` declaration still counts as the caller's word.
        (
            declared_tag.clone(),
            declared_tag.as_ref().map(|_| "declared"),
        )
    };
    let (terms, counts) = attune_text::index_terms(&a);
    Indexed {
        language,
        source,
        text_language: Some(a.lang),
        confidence_pm: Some((f64::from(a.confidence) * 1000.0).round() as i64),
        terms: Some(terms),
        counts,
    }
}

/// The search index insert; rows from [`term_rows`].
pub(crate) const TERM_INSERT: &str = "INSERT INTO response_terms (org_id, term, response_id, tf)";

/// Where live answers append their postings; [`merge_recent_terms`] moves them into the index.
pub(crate) const RECENT_TERM_INSERT: &str =
    "INSERT INTO response_terms_recent (org_id, term, response_id, tf)";

/// Every posting: the index and the recent ones not yet moved into it.
const POSTINGS: &str = "(SELECT org_id, term, response_id, tf FROM response_terms \
     UNION ALL SELECT org_id, term, response_id, tf FROM response_terms_recent)";

/// Moves the oldest recent postings (at most `limit`) into `response_terms`, in key order (a
/// sorted bulk insert writes each index page once); returns how many were moved. Safe beside
/// another instance doing the same.
pub(crate) async fn merge_recent_terms(
    conn: &mut AnyConnection,
    dialect: Dialect,
    limit: i64,
) -> StoreResult<u64> {
    let cutoff: Option<i64> = sqlx::query(
        "SELECT max(seq) AS cutoff FROM (SELECT seq FROM response_terms_recent \
         ORDER BY seq LIMIT $1) s",
    )
    .bind(limit.max(1))
    .fetch_one(&mut *conn)
    .await
    .context("looking for recent search postings")?
    .try_get("cutoff")
    .context("reading recent search postings")?;
    let Some(cutoff) = cutoff else {
        return Ok(0);
    };
    let moved = match dialect {
        // The write lock is held (BEGIN IMMEDIATE): nothing is added between the two.
        Dialect::Sqlite => {
            sqlx::query(
                "INSERT INTO response_terms (org_id, term, response_id, tf) \
                 SELECT org_id, term, response_id, tf FROM response_terms_recent \
                 WHERE seq <= $1 ORDER BY org_id, term, response_id \
                 ON CONFLICT DO NOTHING",
            )
            .bind(cutoff)
            .execute(&mut *conn)
            .await
            .context("moving recent search postings")?;
            sqlx::query("DELETE FROM response_terms_recent WHERE seq <= $1")
                .bind(cutoff)
                .execute(&mut *conn)
                .await
                .context("moving recent search postings")?
                .rows_affected()
        }
        // What is deleted is what is inserted, whatever other transactions commit meanwhile.
        Dialect::Postgres => sqlx::query(
            "WITH moved AS (DELETE FROM response_terms_recent WHERE seq <= $1 \
             RETURNING org_id, term, response_id, tf) \
             INSERT INTO response_terms (org_id, term, response_id, tf) \
             SELECT org_id, term, response_id, tf FROM moved \
             ORDER BY org_id, term, response_id ON CONFLICT DO NOTHING",
        )
        .bind(cutoff)
        .execute(&mut *conn)
        .await
        .context("moving recent search postings")?
        .rows_affected(),
    };
    Ok(moved)
}

/// The search index rows of one response.
pub(crate) fn term_rows(org_id: &str, response_id: &str, ix: &Indexed) -> Vec<Vec<Bind>> {
    ix.counts
        .iter()
        .map(|(term, tf)| {
            vec![
                Bind::Text(org_id.to_owned()),
                Bind::Text(term.clone()),
                Bind::Text(response_id.to_owned()),
                Bind::Int(*tf),
            ]
        })
        .collect()
}

/// How the feed ranks a term search: a join onto the matching responses and the ordering.
pub(crate) struct RankedSearch {
    /// `JOIN (…) m ON m.response_id = r.id`.
    pub join: String,
    /// `m.hits DESC, m.rank DESC, ` to put before the feed's own order.
    pub order: &'static str,
}

impl SqlStore {
    /// Builds the ranked search for `terms` (already query terms): responses matching all of
    /// them (any of them when `any`), ranked by matched terms, then Σ tf·idf, with idf from the
    /// organisation's own index. A term matches a response whose postings hold any of its
    /// [`attune_text::query_forms`] (the term and its stems).
    pub(crate) async fn ranked_search(
        &self,
        b: &mut Binds,
        org_id: &str,
        terms: &[String],
        any: bool,
    ) -> StoreResult<RankedSearch> {
        let forms: Vec<Vec<String>> = terms.iter().map(|t| attune_text::query_forms(t)).collect();
        let mut all: Vec<String> = forms.iter().flatten().cloned().collect();
        all.sort_unstable();
        all.dedup();
        let idf = self.idf(org_id, &all).await?;
        let org = b.text(org_id);
        // One placeholder per form, used wherever the form appears.
        let at: HashMap<&str, String> = all.iter().map(|f| (f.as_str(), b.text(f))).collect();
        let list = |fs: &[String]| -> String {
            let p: Vec<&str> = fs.iter().map(|f| at[f.as_str()].as_str()).collect();
            p.join(", ")
        };
        let cases: Vec<String> = all
            .iter()
            .map(|f| {
                let w = idf.get(f).copied().unwrap_or(0);
                format!("WHEN {} THEN {}", at[f.as_str()], b.int(w))
            })
            .collect();
        // Matched query terms: 1 for each term any of whose forms the response holds (a form
        // shared by two terms counts for both).
        let hits: Vec<String> = forms
            .iter()
            .map(|fs| format!("MAX(CASE WHEN t.term IN ({}) THEN 1 ELSE 0 END)", list(fs)))
            .collect();
        let hits = hits.join(" + ");
        let having = if any {
            String::new()
        } else {
            format!(" HAVING {hits} = {}", b.int(terms.len() as i64))
        };
        let join = format!(
            " JOIN (SELECT t.response_id, {hits} AS hits, \
             SUM(t.tf * CASE t.term {} ELSE 0 END) AS rank \
             FROM {POSTINGS} t WHERE t.org_id = {org} AND t.term IN ({}) \
             GROUP BY t.response_id{having}) m ON m.response_id = r.id",
            cases.join(" "),
            list(&all)
        );
        Ok(RankedSearch {
            join,
            order: "m.hits DESC, m.rank DESC, ",
        })
    }

    /// Inverse document frequency of each posting form in the organisation's index, in thousandths:
    /// ln(1 + N / df), N the organisation's responses (counted on the feed index, without
    /// reading rows; responses without a comment only shift every idf alike).
    async fn idf(&self, org_id: &str, terms: &[String]) -> StoreResult<HashMap<String, i64>> {
        let mut b = Binds::default();
        let org = b.text(org_id);
        let list: Vec<String> = terms.iter().map(|t| b.text(t.clone())).collect();
        let sql = format!(
            "SELECT t.term, COUNT(*) AS df FROM {POSTINGS} t WHERE t.org_id = {org} \
             AND t.term IN ({}) GROUP BY t.term",
            list.join(", ")
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
        let mut out = HashMap::new();
        for row in &rows {
            let term: String = row.try_get("term").context("reading a term")?;
            let df: i64 = row.try_get("df").context("reading a count")?;
            let idf = (1.0 + n.max(1) as f64 / df.max(1) as f64).ln();
            out.insert(term, (idf * 1000.0).round() as i64);
        }
        Ok(out)
    }

    /// Moves the scores of responses whose language changed from one language segment of the
    /// aggregates to the other, so metrics by language agree with the feed's language filter.
    async fn move_language_counts(
        &self,
        conn: &mut AnyConnection,
        org_id: &str,
        moved: &[(String, String, String)],
    ) -> StoreResult<()> {
        if moved.is_empty() {
            return Ok(());
        }
        let by_id: HashMap<&str, (&str, &str)> = moved
            .iter()
            .map(|(id, was, now)| (id.as_str(), (was.as_str(), now.as_str())))
            .collect();
        // (survey, question, qtype, day or month, score, language) → change.
        type Key = (String, String, String, i64, i64, String);
        let mut daily: HashMap<Key, i64> = HashMap::new();
        let mut monthly: HashMap<Key, i64> = HashMap::new();
        for chunk in moved.chunks(500) {
            let mut b = Binds::default();
            let org = b.text(org_id);
            let ids: Vec<String> = chunk.iter().map(|m| b.text(m.0.clone())).collect();
            let sql = format!(
                "SELECT rs.response_id, rs.survey_id, rs.question_key, rs.qtype, rs.score, \
                 r.submitted_at FROM response_scores rs \
                 JOIN responses r ON r.id = rs.response_id AND r.org_id = rs.org_id \
                 WHERE rs.org_id = {org} AND rs.response_id IN ({})",
                ids.join(", ")
            );
            let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
                .fetch_all(&mut *conn)
                .await
                .context("reading the scores of re-languaged responses")?;
            for row in &rows {
                let id: String = row.try_get("response_id").context("reading a score")?;
                let Some((was, now)) = by_id.get(id.as_str()) else {
                    continue;
                };
                let day = day_of_ms(row.try_get("submitted_at").context("reading a score")?);
                let month = Interval::Month.bucket_start(day);
                let survey: String = row.try_get("survey_id").context("reading a score")?;
                let question: String = row.try_get("question_key").context("reading a score")?;
                let qtype: String = row.try_get("qtype").context("reading a score")?;
                let score: i64 = row.try_get("score").context("reading a score")?;
                for (value, n) in [(*was, -1), (*now, 1)] {
                    let key = |at| {
                        (
                            survey.clone(),
                            question.clone(),
                            qtype.clone(),
                            at,
                            score,
                            value.to_owned(),
                        )
                    };
                    *daily.entry(key(day)).or_default() += n;
                    *monthly.entry(key(month)).or_default() += n;
                }
            }
        }
        for (table, col, counts) in [
            ("score_segment_daily", "day", daily),
            ("score_segment_monthly", "month", monthly),
        ] {
            let rows: Vec<Vec<Bind>> = counts
                .into_iter()
                .filter(|(_, n)| *n != 0)
                .map(|((survey, question, qtype, at, score, value), n)| {
                    vec![
                        Bind::Text(org_id.to_owned()),
                        Bind::Text(survey),
                        Bind::Text(question),
                        Bind::Text(qtype),
                        Bind::Text("language".to_owned()),
                        Bind::Text(value),
                        Bind::Int(at),
                        Bind::Int(score),
                        Bind::Int(n),
                    ]
                })
                .collect();
            insert_rows(
                conn,
                self.dialect,
                &format!("INSERT INTO {table} (org_id, survey_id, question_key, qtype, dim, value, {col}, score, n)"),
                &format!("ON CONFLICT (org_id, survey_id, question_key, dim, value, {col}, score) DO UPDATE SET n = {table}.n + excluded.n"),
                rows,
            )
            .await?;
        }
        Ok(())
    }

    /// Deletes search index rows by (term, response id).
    async fn delete_terms(
        &self,
        conn: &mut AnyConnection,
        org_id: &str,
        keys: Vec<Vec<Bind>>,
    ) -> StoreResult<()> {
        let source = match self.dialect {
            Dialect::Sqlite => {
                "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each($2)"
            }
            Dialect::Postgres => {
                "SELECT value->>0, value->>1 FROM jsonb_array_elements($2::jsonb) AS value"
            }
        };
        for table in ["response_terms", "response_terms_recent"] {
            let sql = format!(
                "DELETE FROM {table} WHERE org_id = $1 AND (term, response_id) IN ({source})"
            );
            for chunk in keys.chunks(5_000) {
                sqlx::query(AssertSqlSafe(sql.clone()))
                    .bind(org_id)
                    .bind(json_rows(chunk)?)
                    .execute(&mut *conn)
                    .await
                    .context("deleting stale search terms")?;
            }
        }
        Ok(())
    }

    /// Writes re-analysed language and terms onto responses.
    async fn update_analysis(
        &self,
        conn: &mut AnyConnection,
        org_id: &str,
        rows: Vec<Vec<Bind>>,
    ) -> StoreResult<()> {
        let (source, confidence) = match self.dialect {
            Dialect::Sqlite => (
                "SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS language, \
                 json_extract(value, '$[2]') AS source, json_extract(value, '$[3]') AS text_language, \
                 json_extract(value, '$[4]') AS confidence, json_extract(value, '$[5]') AS terms \
                 FROM json_each($2)",
                "u.confidence",
            ),
            Dialect::Postgres => (
                "SELECT value->>0 AS id, value->>1 AS language, value->>2 AS source, \
                 value->>3 AS text_language, value->>4 AS confidence, value->>5 AS terms \
                 FROM jsonb_array_elements($2::jsonb) AS value",
                "CAST(u.confidence AS BIGINT)",
            ),
        };
        let sql = format!(
            "UPDATE responses SET language = u.language, language_source = u.source, \
             text_language = u.text_language, language_confidence = {confidence}, terms = u.terms \
             FROM ({source}) u WHERE responses.org_id = $1 AND responses.id = u.id"
        );
        for chunk in rows.chunks(5_000) {
            sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(org_id)
                .bind(json_rows(chunk)?)
                .execute(&mut *conn)
                .await
                .context("updating analysed responses")?;
        }
        Ok(())
    }
}

/// The language segment value of an effective language tag, as the aggregates count it.
fn segment_value(language: Option<&str>) -> String {
    language
        .and_then(|l| l.split('-').next())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Rows as one JSON array of arrays.
fn json_rows(rows: &[Vec<Bind>]) -> StoreResult<String> {
    serde_json::to_string(rows).context("encoding rows")
}

fn text_doc_of(row: &AnyRow) -> StoreResult<TextDoc> {
    let terms: Option<String> = row.try_get("terms").context("reading comment terms")?;
    Ok(TextDoc {
        id: row.try_get("id").context("reading comment")?,
        survey_id: row.try_get("survey_id").context("reading comment")?,
        language: row.try_get("language").context("reading comment")?,
        submitted_at_ms: row.try_get("submitted_at").context("reading comment")?,
        comment: row.try_get("comment").context("reading comment")?,
        terms: terms
            .unwrap_or_default()
            .split(' ')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        score: row.try_get("score").context("reading comment score")?,
    })
}

#[async_trait]
impl TextStore for SqlStore {
    async fn text_docs(&self, org_id: &str, q: &TextDocsQuery) -> StoreResult<Vec<TextDoc>> {
        let mut b = Binds::default();
        let org = b.text(org_id);
        let score = match &q.question_key {
            Some(k) => format!(
                "(SELECT MIN(rs.score) FROM response_scores rs WHERE rs.response_id = r.id \
                 AND rs.question_key = {})",
                b.text(k.clone())
            ),
            None => "(SELECT MIN(rs.score) FROM response_scores rs WHERE rs.response_id = r.id \
                     AND rs.qtype = 'nps')"
                .to_owned(),
        };
        let mut sql = format!(
            "SELECT r.id, r.survey_id, r.language, r.submitted_at, r.comment, r.terms, \
             {score} AS score FROM responses r \
             WHERE r.org_id = {org} AND r.terms IS NOT NULL AND {VISIBLE}"
        );
        if let Some(s) = &q.survey_id {
            sql += &format!(" AND r.survey_id = {}", b.text(s.clone()));
        }
        if let Some(t) = q.from_ms {
            sql += &format!(" AND r.submitted_at >= {}", b.int(t));
        }
        if let Some(t) = q.to_ms {
            sql += &format!(" AND r.submitted_at < {}", b.int(t));
        }
        sql += &format!(
            " ORDER BY r.submitted_at DESC, r.id DESC LIMIT {}",
            b.int(i64::from(q.limit.max(1)))
        );
        let rows = sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
            .fetch_all(&self.pool)
            .await
            .context("reading comments for text analytics")?;
        rows.iter().map(text_doc_of).collect()
    }

    async fn reindex(
        &self,
        org_id: &str,
        batch: u32,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<ReindexOutcome> {
        let mut outcome = ReindexOutcome::default();
        let mut after = String::new();
        loop {
            let mut tx = self.begin_write().await?;
            // The batch rewrites postings in the index: none may wait in the recent table too.
            while merge_recent_terms(&mut tx, self.dialect, i64::MAX).await? > 0 {}
            let rows = sqlx::query(AssertSqlSafe(format!(
                "SELECT r.id, r.language, r.language_source, r.comment, r.terms \
                     FROM responses r WHERE r.org_id = $1 AND r.id > $2 AND {VISIBLE} \
                     ORDER BY r.id LIMIT $3"
            )))
            .bind(org_id)
            .bind(&after)
            .bind(i64::from(batch.max(1)))
            .fetch_all(&mut *tx)
            .await
            .context("reading responses to reindex")?;
            let Some(last) = rows.last() else {
                break;
            };
            after = last.try_get("id").context("reading a response id")?;
            let mut stale: Vec<Vec<Bind>> = Vec::new();
            let mut updates: Vec<Vec<Bind>> = Vec::new();
            let mut index: Vec<Vec<Bind>> = Vec::new();
            // Responses whose effective language changes: (id, old segment, new segment).
            let mut moved: Vec<(String, String, String)> = Vec::new();
            for row in &rows {
                let id: String = row.try_get("id").context("reading a response")?;
                let language: Option<String> = row.try_get("language").context("reading")?;
                let source: Option<String> = row.try_get("language_source").context("reading")?;
                let comment: Option<String> = row.try_get("comment").context("reading")?;
                let old_terms: Option<String> = row.try_get("terms").context("reading")?;
                // A detected language is detected again; a declared one is kept.
                let declared = match source.as_deref() {
                    Some("detected") => None,
                    _ => language.as_deref().and_then(|l| LanguageTag::parse(l).ok()),
                };
                let ix = index_comment(comment.as_deref(), declared.as_ref());
                let (was, now) = (
                    segment_value(language.as_deref()),
                    segment_value(ix.language.as_deref()),
                );
                if was != now {
                    moved.push((id.clone(), was, now));
                }
                let mut old: Vec<&str> = old_terms.as_deref().unwrap_or("").split(' ').collect();
                old.sort_unstable();
                old.dedup();
                stale.extend(
                    old.into_iter()
                        .filter(|t| !t.is_empty())
                        .map(|t| vec![Bind::Text(t.to_owned()), Bind::Text(id.clone())]),
                );
                index.extend(term_rows(org_id, &id, &ix));
                updates.push(vec![
                    Bind::Text(id),
                    Bind::OptText(ix.language),
                    Bind::OptText(ix.source.map(str::to_owned)),
                    Bind::OptText(ix.text_language),
                    Bind::OptInt(ix.confidence_pm),
                    Bind::OptText(ix.terms),
                ]);
            }
            self.move_language_counts(&mut tx, org_id, &moved).await?;
            self.delete_terms(&mut tx, org_id, stale).await?;
            self.update_analysis(&mut tx, org_id, updates).await?;
            insert_rows(
                &mut tx,
                self.dialect,
                TERM_INSERT,
                "ON CONFLICT (org_id, term, response_id) DO UPDATE SET tf = excluded.tf",
                index,
            )
            .await?;
            tx.commit().await.context("committing a reindex batch")?;
            outcome.responses += rows.len() as u64;
            progress(outcome.responses);
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_language_wins_and_a_confident_detection_fills_in() {
        let lo = index_comment(Some("ລາຄາແພງເກີນໄປ ຂ້ອຍຢາກຍົກເລີກການສະໝັກ"), None);
        assert_eq!(lo.language.as_deref(), Some("lo"));
        assert_eq!(lo.source, Some("detected"));
        assert!(lo.counts.iter().any(|(t, _)| t == "ລາຄາ"));
        let tag = LanguageTag::parse("en-GB").expect("tag");
        let en = index_comment(Some("ລາຄາແພງເກີນໄປ"), Some(&tag));
        assert_eq!(en.language.as_deref(), Some("en-GB"));
        assert_eq!(en.source, Some("declared"));
        assert_eq!(en.confidence_pm, Some(1000));
        let none = index_comment(Some("👍"), None);
        assert_eq!((none.language, none.source), (None, None));
        assert_eq!(none.text_language.as_deref(), Some("und"));
    }

    #[test]
    fn terms_keep_order_and_counts_are_per_term() {
        let ix = index_comment(Some("slow app, slow support"), None);
        assert_eq!(ix.terms.as_deref(), Some("slow app slow support"));
        assert_eq!(ix.counts[0], ("slow".to_owned(), 2));
    }
}
