//! Text analytics in storage: each comment's analysis written with its response (language,
//! content terms, the `response_terms` search index; ranked search is `search.rs`), the
//! documents that keywords and drivers are computed from; rebuilding it all is `reindex.rs`.

use attune_domain::text::LanguageTag;
use attune_text::lang::MIN_CONFIDENCE;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::responses::VISIBLE;
use super::{Bind, Binds, Dialect, SqlStore};
use crate::error::{Context, StoreResult};
use crate::model::{DriverCountsQuery, Org, ReindexOutcome, TextDoc, TextDocsQuery};
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
    /// The distinct terms the drivers count (`attune_text::keywords::doc_terms`); shared, as
    /// the writer copies an analysis per attempt.
    pub driver_terms: std::sync::Arc<[String]>,
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
    let driver_terms = attune_text::keywords::doc_terms(
        &super::drivers::split_terms(&terms),
        attune_text::keywords::COUNTED_WORDS,
    )
    .into();
    Indexed {
        driver_terms,
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
pub(crate) const POSTINGS: &str = "(SELECT org_id, term, response_id, tf FROM response_terms \
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
        if let Some(m) = q.max_score {
            sql += &format!(" AND {score} <= {}", b.int(m));
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

    async fn driver_counts(
        &self,
        org_id: &str,
        q: &DriverCountsQuery,
    ) -> StoreResult<Option<attune_text::Counted>> {
        self.driver_counts_impl(org_id, q).await
    }

    async fn reindex(
        &self,
        org_id: &str,
        batch: u32,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<ReindexOutcome> {
        self.reindex_impl(org_id, batch, progress).await
    }

    async fn outdated_text_indexes(&self) -> StoreResult<Vec<Org>> {
        self.outdated_text_indexes_impl().await
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
