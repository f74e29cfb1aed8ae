//! Re-analysing stored comments (`attune reindex`, and `attune serve` for an organisation whose
//! postings an older analysis wrote): language, terms and search postings, in batches that each
//! commit; each organisation records the [`attune_text::INDEX_VERSION`] its postings follow.

use attune_domain::text::LanguageTag;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::responses::VISIBLE;
use super::text::{TERM_INSERT, index_comment, merge_recent_terms, term_rows};
use super::{Bind, Dialect, SqlStore, insert_rows};
use crate::error::{Context, StoreResult};
use crate::model::{Org, ReindexOutcome};

/// What one reindex batch writes.
#[derive(Default)]
struct Batch {
    /// Postings to delete: (term, response id).
    stale: Vec<Vec<Bind>>,
    /// New analyses for `update_analysis`.
    updates: Vec<Vec<Bind>>,
    /// New postings.
    index: Vec<Vec<Bind>>,
    /// Responses whose effective language changes: (id, old segment, new segment).
    moved: Vec<(String, String, String)>,
}

impl Batch {
    /// Analyses one stored response again.
    fn add(&mut self, org_id: &str, row: &AnyRow) -> StoreResult<()> {
        let id: String = row.try_get("id").context("reading a response")?;
        let language: Option<String> = row.try_get("language").context("reading")?;
        let source: Option<String> = row.try_get("language_source").context("reading")?;
        let text_language: Option<String> = row.try_get("text_language").context("reading")?;
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
            self.moved.push((id.clone(), was, now));
        }
        let old = stale_postings(old_terms.as_deref(), text_language.as_deref());
        self.stale.extend(
            old.into_iter()
                .map(|t| vec![Bind::Text(t), Bind::Text(id.clone())]),
        );
        self.index.extend(term_rows(org_id, &id, &ix));
        self.updates.push(vec![
            Bind::Text(id),
            Bind::OptText(ix.language),
            Bind::OptText(ix.source.map(str::to_owned)),
            Bind::OptText(ix.text_language),
            Bind::OptInt(ix.confidence_pm),
            Bind::OptText(ix.terms),
        ]);
        Ok(())
    }
}

/// Every posting a response's stored terms may have left, whichever index version wrote
/// them: each term itself (version 1 stored surface terms) and its stem under the language
/// of the analysis that wrote them (versions 2 and 3). Deleting by key needs no index on
/// `response_terms (response_id)`, which would slow every import.
fn stale_postings(terms: Option<&str>, text_language: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for term in terms
        .unwrap_or_default()
        .split(' ')
        .filter(|t| !t.is_empty() && *t != attune_text::keywords::SENTENCE_BREAK)
    {
        out.push(term.to_owned());
        if let Some(lang) = text_language {
            out.push(attune_text::posting_form(lang, term));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

impl SqlStore {
    /// Re-analyses every visible response of the organisation, `batch` per transaction; the
    /// last transaction records the current index version.
    pub(super) async fn reindex_impl(
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
                "SELECT r.id, r.language, r.language_source, r.text_language, r.comment, r.terms \
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
                sqlx::query("UPDATE orgs SET text_index_version = $1 WHERE id = $2")
                    .bind(attune_text::INDEX_VERSION)
                    .bind(org_id)
                    .execute(&mut *tx)
                    .await
                    .context("recording the search index version")?;
                // The term lists may have changed: the drivers' counts follow them.
                super::drivers::build(&mut tx, self.dialect, org_id).await?;
                tx.commit()
                    .await
                    .context("recording the search index version")?;
                break;
            };
            after = last.try_get("id").context("reading a response id")?;
            let mut work = Batch::default();
            for row in &rows {
                work.add(org_id, row)?;
            }
            super::metrics::move_segment_counts(
                &mut tx,
                self.dialect,
                org_id,
                "language",
                &work.moved,
            )
            .await?;
            self.delete_terms(&mut tx, org_id, work.stale).await?;
            self.update_analysis(&mut tx, org_id, work.updates).await?;
            insert_rows(
                &mut tx,
                self.dialect,
                TERM_INSERT,
                "ON CONFLICT (org_id, term, response_id) DO UPDATE SET tf = excluded.tf",
                work.index,
            )
            .await?;
            tx.commit().await.context("committing a reindex batch")?;
            outcome.responses += rows.len() as u64;
            progress(outcome.responses);
        }
        Ok(outcome)
    }

    /// The organisations whose postings an older analysis wrote (index version below
    /// [`attune_text::INDEX_VERSION`]), by id.
    pub(super) async fn outdated_text_indexes_impl(&self) -> StoreResult<Vec<Org>> {
        let rows = sqlx::query(
            "SELECT id, slug, name FROM orgs WHERE text_index_version < $1 ORDER BY id",
        )
        .bind(attune_text::INDEX_VERSION)
        .fetch_all(&self.pool)
        .await
        .context("finding out-of-date search indexes")?;
        rows.iter().map(super::settings::org_of).collect()
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
