//! Response imports: all or nothing, committed in chunks.
//!
//! An import writes its rows in transactions of [`IMPORT_CHUNK`] responses (so a live
//! submission, or another process, waits at most one chunk for the write lock), each row marked
//! with the import's id. Until the last transaction marks the import `done`, those rows are read
//! nowhere ([`super::responses::VISIBLE`]): not in the feed, the search, the text analytics or
//! the response API. The score aggregates are added and the rules run (cases opened) in that
//! last transaction, so the metrics and the queue change at the moment the rows appear. The
//! comments of chunk k+1 are analysed while chunk k is written.
//!
//! If the import fails, its rows are removed before the error is returned. If its process dies,
//! the import stops beating (`heartbeat_at`, written with every chunk) and is removed, rows and
//! all, by the next `attune serve` or `attune import` that starts after [`IMPORT_LEASE_MS`].
//! Accounts and contacts an import names are created as it runs and stay if it fails; they are
//! found again, not duplicated, when the import is run again.

use std::collections::{HashMap, HashSet};

use attune_domain::response::NewResponse;
use sqlx::AssertSqlSafe;
use sqlx::{AnyConnection, Row};

use super::accounts::account_id_for;
use super::closed_loop::{LoopState, on_new_responses};
use super::drivers::{DriverTally, Fold, fold};
use super::metrics::Tally;
use super::people::person_for_email;
use super::responses::{
    Analysis, SCORE_INSERT, analyse, prepare_analysed, response_fields, response_row, score_rows,
};
use super::text::{TERM_INSERT, term_rows};
use super::{Bind, Binds, Dialect, Encoded, SqlStore, encode_rows, new_id};
use crate::error::{Context, StoreResult};
use crate::model::{ImportOutcome, StoredResponse, Survey};

/// Responses per transaction of an import (the default of [`SqlStore::with_import_chunk`]).
pub const IMPORT_CHUNK: usize = 10_000;

/// An unfinished import whose heartbeat is older than this has lost its process.
pub const IMPORT_LEASE_MS: i64 = 120_000;

const IMPORT_INSERT: &str = concat!(
    "INSERT INTO responses (",
    response_fields!(),
    ", import_id)"
);

/// A chunk ready to write: its responses, then the rows that refer to them.
type Chunk = (Option<Encoded>, Vec<Encoded>);

impl SqlStore {
    /// The same store writing imports in transactions of `rows` responses.
    #[must_use]
    pub fn with_import_chunk(mut self, rows: usize) -> Self {
        self.import_chunk = rows.max(1);
        self
    }

    /// Imports `responses` (see the module's doc); on failure nothing of it stays.
    pub(crate) async fn import_all_or_nothing(
        &self,
        org_id: &str,
        survey: &Survey,
        responses: &[NewResponse],
        now_ms: i64,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<ImportOutcome> {
        let import_id = new_id();
        sqlx::query(
            "INSERT INTO imports (id, org_id, survey_id, state, started_at, heartbeat_at) \
             VALUES ($1, $2, $3, 'running', $4, $4)",
        )
        .bind(&import_id)
        .bind(org_id)
        .bind(&survey.id)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .context("starting an import")?;
        let run = Import {
            store: self,
            id: &import_id,
            org_id,
            survey,
            now_ms,
            started: std::time::Instant::now(),
        };
        let result = run.chunks(responses, progress).await;
        if result.is_err()
            && let Err(e) = self.discard_import(&import_id, None).await
        {
            tracing::warn!(error = %e, import.id = %import_id,
                "a failed import could not be removed now; the next start removes it");
        }
        result
    }

    /// Removes the unfinished imports whose process has died (no heartbeat for
    /// [`IMPORT_LEASE_MS`]); returns how many.
    pub(crate) async fn remove_stale_imports(&self, now_ms: i64) -> StoreResult<u64> {
        let cutoff = now_ms - IMPORT_LEASE_MS;
        let rows = sqlx::query(
            "SELECT id FROM imports WHERE state <> 'done' AND heartbeat_at < $1 ORDER BY id",
        )
        .bind(cutoff)
        .fetch_all(&self.pool)
        .await
        .context("looking for abandoned imports")?;
        let mut removed = 0;
        for row in rows {
            let id: String = row.try_get("id").context("reading an import")?;
            if self.discard_import(&id, Some(cutoff)).await? {
                tracing::info!(import.id = %id, "removed an abandoned import");
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Deletes an unfinished import and its rows, in one transaction. With `stale_before`, only
    /// if it has still not beaten since then (a live import is left alone). Returns whether it
    /// was removed.
    async fn discard_import(&self, id: &str, stale_before: Option<i64>) -> StoreResult<bool> {
        let mut tx = self.begin_write().await?;
        // Claims the row first: an import finishing at this moment holds it, and once it has
        // committed its state is `done` and nothing matches.
        let claimed = sqlx::query(
            "UPDATE imports SET state = 'failed' WHERE id = $1 AND state <> 'done' \
             AND heartbeat_at < $2",
        )
        .bind(id)
        .bind(stale_before.unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await
        .context("claiming an import to remove")?
        .rows_affected();
        if claimed == 0 {
            return Ok(false);
        }
        let of_import = "(SELECT id FROM responses WHERE import_id = $1)";
        for sql in [
            format!("DELETE FROM response_terms WHERE response_id IN {of_import}"),
            format!("DELETE FROM response_terms_recent WHERE response_id IN {of_import}"),
            format!("DELETE FROM response_scores WHERE response_id IN {of_import}"),
            "DELETE FROM responses WHERE import_id = $1".to_owned(),
            "DELETE FROM driver_deltas WHERE import_id = $1".to_owned(),
            "DELETE FROM imports WHERE id = $1".to_owned(),
        ] {
            sqlx::query(AssertSqlSafe(sql))
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("removing an unfinished import")?;
        }
        tx.commit().await.context("removing an unfinished import")?;
        Ok(true)
    }
}

/// One import under way.
struct Import<'a> {
    store: &'a SqlStore,
    id: &'a str,
    org_id: &'a str,
    survey: &'a Survey,
    now_ms: i64,
    started: std::time::Instant,
}

impl Import<'_> {
    /// The import's clock: its `now` plus the time it has run, for heartbeats.
    fn clock(&self) -> i64 {
        self.now_ms + i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX)
    }

    async fn chunks(
        &self,
        responses: &[NewResponse],
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<ImportOutcome> {
        let (store, org_id, survey) = (self.store, self.org_id, self.survey);
        let rules = {
            let mut conn = store.pool.acquire().await.context("reading the rules")?;
            LoopState::load(&mut conn, org_id).await?
        };
        let mut seen: HashSet<String> = HashSet::new();
        let mut people = People::default();
        let mut outcome = ImportOutcome::default();
        let mut tally = Tally::default();
        // The responses the rules may act on (inside the case window), kept for the last step.
        let mut to_act: Vec<StoredResponse> = Vec::new();
        let chunks: Vec<&[NewResponse]> = responses.chunks(store.import_chunk).collect();
        let analyse_chunk =
            |c: &[NewResponse]| -> Vec<Analysis> { c.iter().map(|r| analyse(survey, r)).collect() };
        let mut analysed = chunks.first().map(|c| analyse_chunk(c));
        for (i, chunk) in chunks.iter().enumerate() {
            let analyses = analysed.take().unwrap_or_default();
            let mut tx = store.begin_write().await?;
            let stored = stored_keys(&mut tx, org_id, chunk).await?;
            let (mut rows, mut scores, mut terms) = (Vec::new(), Vec::new(), Vec::new());
            let mut drivers = DriverTally::default();
            for (r, a) in chunk.iter().zip(analyses) {
                if let Some(k) = &r.dedup_key
                    && (stored.contains(k) || !seen.insert(k.clone()))
                {
                    outcome.duplicates += 1;
                    continue;
                }
                let (contact, account) = people.resolve(&mut tx, org_id, r, self.now_ms).await?;
                let p = prepare_analysed(survey, r, a, contact, account);
                tally.add(survey, r, p.account_id.as_deref(), p.ix.language.as_deref());
                drivers.add(org_id, survey, r, &p.ix);
                scores.extend(score_rows(org_id, survey, &p.id, &r.answers));
                terms.extend(term_rows(org_id, &p.id, &p.ix));
                if rules.may_act(r.submitted_at_ms, self.now_ms) {
                    to_act.push(p.stored());
                }
                let mut row = response_row(org_id, p, self.now_ms)?;
                row.push(Bind::Text(self.id.to_owned()));
                rows.push(row);
                outcome.inserted += 1;
            }
            let written = encode_chunk(store, rows, scores, terms)?;
            let next = chunks.get(i + 1);
            let (done, next) = futures_util::future::join(write_chunk(&mut tx, written), async {
                next.map(|c| analyse_chunk(c))
            })
            .await;
            done?;
            drivers.flush(&mut tx, Some(self.id)).await?;
            analysed = next;
            self.beat(&mut tx, outcome.inserted).await?;
            tx.commit().await.context("committing an import chunk")?;
            progress(outcome.inserted + outcome.duplicates);
            self.refresh_statistics(i + 1).await;
        }
        self.finish(tally, &to_act).await?;
        self.vacuum_after(outcome.inserted).await;
        Ok(outcome)
    }

    /// After the 1st, 2nd, 4th, 8th … chunk on PostgreSQL, refreshes the planner's statistics
    /// of the tables an import grows: with those of a smaller table, the look-up of already
    /// imported keys read every response of the organisation (an index scan on `org_id`
    /// alone), so a 1M import into a new database slowed to 600 rows/s.
    async fn refresh_statistics(&self, chunks: usize) {
        if chunks.is_power_of_two() {
            self.maintain("ANALYZE responses, response_scores, response_terms")
                .await;
        }
    }

    /// After an import of at least a chunk on PostgreSQL, vacuums the tables it grew: until
    /// their visibility maps are set, every index look-up of a search also reads the table
    /// (a search's page 10 at 1M responses: 415 ms before, 13 ms after; 2 s for the vacuum).
    async fn vacuum_after(&self, inserted: u64) {
        if inserted >= self.store.import_chunk as u64 {
            self.maintain("VACUUM (ANALYZE) responses, response_scores, response_terms")
                .await;
        }
    }

    /// Runs a PostgreSQL maintenance statement outside any transaction. It only helps the
    /// planner, so a failure (a role without the right, say) is logged and the import goes on:
    /// what it committed stays committed.
    async fn maintain(&self, sql: &'static str) {
        if self.store.dialect != Dialect::Postgres {
            return;
        }
        if let Err(error) = sqlx::raw_sql(sql).execute(&self.store.pool).await {
            tracing::warn!(%error, sql, "database maintenance after import chunks failed");
        }
    }

    /// Records progress and that the import's process is alive.
    async fn beat(&self, tx: &mut AnyConnection, rows: u64) -> StoreResult<()> {
        sqlx::query("UPDATE imports SET rows_written = $1, heartbeat_at = $2 WHERE id = $3")
            .bind(i64::try_from(rows).unwrap_or(i64::MAX))
            .bind(self.clock())
            .bind(self.id)
            .execute(&mut *tx)
            .await
            .context("recording an import's progress")?;
        Ok(())
    }

    /// The last transaction: the import is done (its rows appear), its scores join the
    /// aggregates and the rules act on its recent responses, all at once.
    async fn finish(&self, tally: Tally, to_act: &[StoredResponse]) -> StoreResult<()> {
        let (store, org_id) = (self.store, self.org_id);
        let mut tx = store.begin_write().await?;
        let done = sqlx::query(
            "UPDATE imports SET state = 'done', finished_at = $1, heartbeat_at = $1 \
             WHERE id = $2 AND state = 'running'",
        )
        .bind(self.clock())
        .bind(self.id)
        .execute(&mut *tx)
        .await
        .context("finishing an import")?
        .rows_affected();
        if done == 0 {
            return Err(crate::StoreError::Conflict(
                "the import was removed as abandoned before it finished".into(),
            ));
        }
        tally
            .flush(&mut tx, store.dialect, org_id, &self.survey.id)
            .await?;
        fold(&mut tx, store.dialect, Fold::Import(self.id)).await?;
        super::account_flags::mark_import(&mut tx, org_id, self.id).await?;
        let mut state = LoopState::load(&mut tx, org_id).await?;
        on_new_responses(
            &mut tx,
            store.dialect,
            org_id,
            self.survey,
            &mut state,
            to_act,
            self.now_ms,
            false,
        )
        .await?;
        tx.commit().await.context("committing an import")?;
        Ok(())
    }
}

/// A chunk's rows as statements (the CPU work of the insert).
fn encode_chunk(
    store: &SqlStore,
    rows: Vec<Vec<Bind>>,
    scores: Vec<Vec<Bind>>,
    terms: Vec<Vec<Bind>>,
) -> StoreResult<Chunk> {
    let per = store.import_chunk.max(1);
    let d = store.dialect;
    let rows = encode_rows(d, IMPORT_INSERT, "", rows, per)?;
    let scores = encode_rows(d, SCORE_INSERT, "", scores, per)?;
    let terms = encode_rows(d, TERM_INSERT, "", terms, per * 4)?;
    Ok((rows, scores.into_iter().chain(terms).collect()))
}

/// Writes a chunk: its responses, then the rows that refer to them.
async fn write_chunk(conn: &mut AnyConnection, (responses, rest): Chunk) -> StoreResult<()> {
    if let Some(responses) = responses {
        responses.execute(conn).await?;
    }
    for rows in rest {
        rows.execute(conn).await?;
    }
    Ok(())
}

/// The dedup keys of `responses` that are already stored (by anyone, finished or not).
async fn stored_keys(
    conn: &mut AnyConnection,
    org_id: &str,
    responses: &[NewResponse],
) -> StoreResult<HashSet<String>> {
    let keys: Vec<&str> = responses
        .iter()
        .filter_map(|r| r.dedup_key.as_deref())
        .collect();
    let mut seen: HashSet<String> = HashSet::new();
    for chunk in keys.chunks(500) {
        let mut b = Binds::default();
        let org = b.text(org_id);
        let list: Vec<String> = chunk.iter().map(|k| b.text(*k)).collect();
        let sql = format!(
            "SELECT dedup_key FROM responses WHERE org_id = {org} AND dedup_key IN ({})",
            list.join(",")
        );
        for row in sqlx::query_with(AssertSqlSafe(sql), b.into_args()?)
            .fetch_all(&mut *conn)
            .await
            .context("looking for already imported rows")?
        {
            seen.insert(row.try_get("dedup_key").context("reading dedup key")?);
        }
    }
    Ok(seen)
}

/// The accounts and contacts already resolved (in one import, or for one live answer), by
/// external id and e-mail.
#[derive(Default)]
pub(super) struct People {
    accounts: HashMap<String, String>,
    /// By e-mail and the account the response named.
    contacts: HashMap<(String, Option<String>), (String, Option<String>)>,
}

impl People {
    /// The contact and account ids of a response, created on first sight.
    pub(super) async fn resolve(
        &mut self,
        conn: &mut AnyConnection,
        org_id: &str,
        r: &NewResponse,
        now_ms: i64,
    ) -> StoreResult<(Option<String>, Option<String>)> {
        let mut account_id = match &r.account_external_id {
            Some(x) => Some(match self.accounts.get(x) {
                Some(id) => id.clone(),
                None => {
                    let id =
                        account_id_for(&mut *conn, org_id, x, r.account_name.as_deref(), now_ms)
                            .await?;
                    self.accounts.insert(x.clone(), id.clone());
                    id
                }
            }),
            None => None,
        };
        let contact_id = match &r.contact_email {
            Some(email) => {
                let key = (email.as_str().to_owned(), account_id.clone());
                let (id, acc) = match self.contacts.get(&key) {
                    Some(found) => found.clone(),
                    None => {
                        let found = person_for_email(
                            &mut *conn,
                            org_id,
                            email.as_str(),
                            r.contact_name.as_deref(),
                            account_id.as_deref(),
                            now_ms,
                        )
                        .await?;
                        self.contacts.insert(key, found.clone());
                        found
                    }
                };
                account_id = account_id.or(acc);
                Some(id)
            }
            None => None,
        };
        Ok((contact_id, account_id))
    }
}
