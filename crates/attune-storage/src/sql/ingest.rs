//! The write path of live submissions: one writer task per store, fed through a bounded queue,
//! writing whatever is waiting as one transaction (group commit).
//!
//! A request analyses its response (comment, language, search terms, id) on its own task, then
//! queues it and waits. The writer takes everything queued (up to [`MAX_GROUP`]), writes it in
//! one transaction with one multi-row insert per table, one aggregate upsert per survey and one
//! pass of the rules per survey, commits, and only then answers each request: an acknowledged
//! response is committed. On SQLite the commit is `synchronous = FULL`, so one fsync covers the
//! whole group.
//!
//! When a group fails because of one of its responses (a repeated external id, an invitation
//! already used, a respondent's second answer, text the database refuses), nothing of it is
//! kept and each response is written again on its own, so the others are stored and only the
//! faulty one gets its error. A failure of the database itself fails the whole group at once.
//! Past [`QUEUE`] waiting responses a submission is refused with [`StoreError::Busy`] (the HTTP
//! layer answers 503 with `Retry-After`), so memory stays bounded under any load.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use attune_domain::response::NewResponse;
use sqlx::{AnyConnection, Row};
use tokio::sync::{mpsc, oneshot};

use super::closed_loop::{LoopState, link_resurvey, on_new_responses};
use super::drivers::{DriverTally, Fold, fold};
use super::import::People;
use super::metrics::Tally;
use super::responses::{
    Analysis, RESPONSE_INSERT, SCORE_INSERT, prepare_analysed, response_row, score_rows,
};
use super::text::{RECENT_TERM_INSERT, merge_recent_terms, term_rows};
use super::{SqlStore, insert_rows};
use crate::error::{Context, StoreError, StoreResult, anyhow_like};
use crate::model::{StoredResponse, Survey};

/// Responses that may wait for the writer; past it a submission is refused as busy.
pub const QUEUE: usize = 8_192;

/// Responses written in one transaction at most.
pub const MAX_GROUP: usize = 1_024;

/// One response waiting for the writer, analysed.
pub(crate) struct Submission {
    pub org_id: String,
    pub survey: Arc<Survey>,
    pub response: NewResponse,
    pub invitation_id: Option<String>,
    pub now_ms: i64,
    pub analysis: Analysis,
}

impl Submission {
    /// What makes a second copy of this response a conflict, for ordering a group.
    fn key(&self) -> (Option<&str>, Option<&str>) {
        (
            self.response.dedup_key.as_deref(),
            self.invitation_id.as_deref(),
        )
    }
}

/// Where the writer answers a submission.
type Reply = oneshot::Sender<StoreResult<StoredResponse>>;

/// The writer's queue.
type Queue = mpsc::Sender<(Submission, Reply)>;

/// One survey's part of a group: its tally, its responses (indices into the group), and the
/// latest clock.
struct SurveyPart<'a> {
    survey: &'a Survey,
    tally: Tally,
    members: Vec<usize>,
    now_ms: i64,
}

/// The store's handle on its writer task, started on first use (and again if the runtime that
/// ran it has gone, as between tests).
#[derive(Clone)]
pub(crate) struct Ingest {
    slot: Arc<Mutex<Option<Queue>>>,
    capacity: usize,
    stats: Arc<Counters>,
}

impl Default for Ingest {
    fn default() -> Self {
        Self {
            slot: Arc::default(),
            capacity: QUEUE,
            stats: Arc::default(),
        }
    }
}

/// What the writer has done so far.
#[derive(Debug, Default)]
struct Counters {
    groups: AtomicU64,
    responses: AtomicU64,
}

/// Transactions the writer committed and the responses they held: their ratio is the
/// average group size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestStats {
    /// Transactions committed by the writer.
    pub groups: u64,
    /// Responses in them.
    pub responses: u64,
}

impl std::fmt::Debug for Ingest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ingest")
    }
}

impl SqlStore {
    /// The same store with room for `capacity` waiting submissions (default [`QUEUE`]).
    #[must_use]
    pub fn with_ingest_queue(mut self, capacity: usize) -> Self {
        self.ingest = Ingest {
            capacity: capacity.max(1),
            ..Ingest::default()
        };
        self
    }

    /// What this store's writer has committed so far.
    pub fn ingest_stats(&self) -> IngestStats {
        IngestStats {
            groups: self.ingest.stats.groups.load(Ordering::Relaxed),
            responses: self.ingest.stats.responses.load(Ordering::Relaxed),
        }
    }

    /// Queues an analysed response for the writer and waits until the transaction holding it
    /// has committed (or failed).
    pub(crate) async fn submit(&self, s: Submission) -> StoreResult<StoredResponse> {
        let (reply, answer) = oneshot::channel();
        match self.writer().try_send((s, reply)) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                return Err(StoreError::Busy(format!(
                    "{} responses are waiting to be stored: try again in a second",
                    self.ingest.capacity
                )));
            }
            Err(mpsc::error::TrySendError::Closed(_)) => return Err(stopped()),
        }
        answer.await.map_err(|_| stopped())?
    }

    /// The writer's queue, starting the writer when there is none running.
    fn writer(&self) -> Queue {
        let mut slot = self.ingest.slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = slot.as_ref().filter(|tx| !tx.is_closed()) {
            return tx.clone();
        }
        let (tx, rx) = mpsc::channel(self.ingest.capacity);
        // The writer's own store has no writer handle: the task ends when the last sender goes.
        let store = SqlStore::new(self.pool.clone(), self.dialect);
        tokio::spawn(run(store, rx, self.ingest.stats.clone()));
        *slot = Some(tx.clone());
        tx
    }
}

fn stopped() -> StoreError {
    StoreError::Other(anyhow_like::Error {
        context: "storing a response".into(),
        source: "the writer stopped before answering".into(),
    })
}

/// The writer: takes what is queued, writes it as one group, answers each submission.
async fn run(store: SqlStore, mut rx: mpsc::Receiver<(Submission, Reply)>, stats: Arc<Counters>) {
    let mut queued = Vec::with_capacity(MAX_GROUP);
    // Postings a previous process left are moved after the first group; then, once
    // MERGE_EVERY responses have come, one slice of MERGE_SLICE postings after each group until
    // none are left, so no group waits long behind a merge.
    let mut since_merge = MERGE_EVERY;
    while rx.recv_many(&mut queued, MAX_GROUP).await > 0 {
        since_merge += queued.len();
        let (group, replies): (Vec<Submission>, Vec<Reply>) = queued.drain(..).unzip();
        let results = store.write_group(&group).await;
        stats.groups.fetch_add(1, Ordering::Relaxed);
        stats
            .responses
            .fetch_add(group.len() as u64, Ordering::Relaxed);
        for (reply, result) in replies.into_iter().zip(results) {
            // A request that gave up waiting has dropped its receiver; its response is stored.
            let _ = reply.send(result);
        }
        if since_merge >= MERGE_EVERY {
            match store.merge_slice(MERGE_SLICE).await {
                Ok(moved) if moved < MERGE_SLICE as u64 => since_merge = 0,
                Ok(_) => {}
                Err(e) => {
                    since_merge = 0;
                    tracing::warn!(error = %e, "recent search postings were not moved (tried again later)");
                }
            }
        }
    }
}

/// Responses after which the writer starts moving the recent search postings into the index.
const MERGE_EVERY: usize = 1_000;

/// Postings moved in one transaction.
const MERGE_SLICE: i64 = 2_000;

/// Drivers' live deltas folded in one transaction (a group writes one per survey, question
/// and day).
const FOLD_SLICE: i64 = 500;

impl SqlStore {
    /// Moves all the recent search postings of live answers into the search index; returns
    /// how many. The writer does this on its own, a slice at a time.
    pub async fn merge_terms(&self) -> StoreResult<u64> {
        let mut total = 0;
        loop {
            let moved = self.merge_slice(MERGE_SLICE).await?;
            total += moved;
            if moved < MERGE_SLICE as u64 {
                return Ok(total);
            }
        }
    }

    /// Moves at most `limit` of the oldest recent postings, in one transaction, and folds the
    /// drivers' live counts (a slice's worth of answers holds few of them).
    async fn merge_slice(&self, limit: i64) -> StoreResult<u64> {
        let mut tx = self.begin_write().await?;
        let moved = merge_recent_terms(&mut tx, self.dialect, limit).await?;
        fold(&mut tx, self.dialect, Fold::Live(FOLD_SLICE)).await?;
        tx.commit().await.context("moving recent search postings")?;
        Ok(moved)
    }

    /// Writes a group in one transaction; when one of its responses is at fault, each on its own.
    async fn write_group(&self, group: &[Submission]) -> Vec<StoreResult<StoredResponse>> {
        match self.write_retrying(group).await {
            Ok(stored) => return stored.into_iter().map(Ok).collect(),
            Err(e) if group.len() == 1 => return vec![Err(e)],
            Err(e @ (StoreError::Other(_) | StoreError::Busy(_))) => {
                return group.iter().map(|_| Err(same(&e))).collect();
            }
            Err(e) => {
                tracing::debug!(error = %e, responses = group.len(),
                    "a response of the group is at fault: writing each on its own");
            }
        }
        let mut out = Vec::with_capacity(group.len());
        for s in group {
            let one = self.write_retrying(std::slice::from_ref(s)).await;
            out.push(one.map(|mut v| v.remove(0)));
        }
        out
    }

    /// [`Self::write_together`], again when PostgreSQL chose this transaction as a deadlock's
    /// victim or refused it as not serialisable (instances writing the same rows at once).
    async fn write_retrying(&self, group: &[Submission]) -> StoreResult<Vec<StoredResponse>> {
        let mut attempt = 0;
        loop {
            match self.write_together(group).await {
                Err(e) if attempt < 4 && is_transient(&e) => {
                    attempt += 1;
                    tracing::debug!(error = %e, attempt, "writing the group again");
                }
                done => return done,
            }
        }
    }

    /// Writes the group's responses, their scores, search terms, aggregates and cases in one
    /// transaction; returns them in the group's order.
    async fn write_together(&self, group: &[Submission]) -> StoreResult<Vec<StoredResponse>> {
        let t0 = std::time::Instant::now();
        let mut tx = self.begin_write().await?;
        let t_begin = t0.elapsed();
        let (mut rows, mut scores, mut terms) = (Vec::new(), Vec::new(), Vec::new());
        let mut stored: Vec<Option<StoredResponse>> = vec![None; group.len()];
        let mut keys = Vec::new();
        let mut drivers = DriverTally::default();
        // In the order of their keys, so that instances writing at once take the unique
        // index's locks in one order.
        let mut order: Vec<usize> = (0..group.len()).collect();
        order.sort_by(|&a, &b| group[a].key().cmp(&group[b].key()));
        for i in order {
            let s = &group[i];
            let who = who(&mut tx, s).await?;
            let mut p = prepare_analysed(
                &s.survey,
                &s.response,
                s.analysis.clone(),
                who.contact_id,
                who.account_id,
            );
            p.dedup_key = who.dedup_key;
            let st = p.stored();
            if let Some(key) = who.respondent_key {
                keys.push((key, st.id.clone(), s.org_id.as_str()));
            }
            scores.extend(score_rows(&s.org_id, &s.survey, &st.id, &st.answers));
            terms.extend(term_rows(&s.org_id, &st.id, &p.ix));
            drivers.add(&s.org_id, &s.survey, &s.response, &p.ix);
            rows.push(response_row(&s.org_id, p, s.now_ms)?);
            stored[i] = Some(st);
        }
        let stored: Vec<StoredResponse> = stored.into_iter().flatten().collect();
        let t_who = t0.elapsed();
        insert_rows(&mut tx, self.dialect, RESPONSE_INSERT, "", rows)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    StoreError::Conflict("this response has already been recorded".into())
                }
                e => e,
            })?;
        for (key, id, org_id) in keys {
            record_respondent(&mut tx, org_id, &id, &key).await?;
        }
        // An answer tied to a person and an account is a touch of that account.
        // (In one order, so that instances writing at once take the locks in one order.)
        let mut touched: Vec<(&str, &str)> = group
            .iter()
            .zip(&stored)
            .filter(|(_, st)| st.contact_id.is_some())
            .filter_map(|(s, st)| Some((s.org_id.as_str(), st.account_id.as_deref()?)))
            .collect();
        touched.sort_unstable();
        touched.dedup();
        for (org_id, account) in touched {
            super::account_flags::mark_dirty(&mut tx, org_id, account).await?;
        }
        insert_rows(&mut tx, self.dialect, SCORE_INSERT, "", scores).await?;
        insert_rows(&mut tx, self.dialect, RECENT_TERM_INSERT, "", terms).await?;
        drivers.flush(&mut tx, None).await?;
        let t_rows = t0.elapsed();
        self.after_insert(&mut tx, group, &stored).await?;
        let t_after = t0.elapsed();
        tx.commit().await.context("committing responses")?;
        // Where a group's time goes (the write path's profile, at debug level).
        tracing::debug!(responses = group.len(), begin = ?t_begin, people = ?(t_who - t_begin),
            rows = ?(t_rows - t_who), aggregates_and_rules = ?(t_after - t_rows),
            commit = ?(t0.elapsed() - t_after), "group phases");
        Ok(stored)
    }

    /// What follows the rows: aggregates per survey, re-survey links, and the rules, once per
    /// survey over its responses in the group.
    async fn after_insert(
        &self,
        tx: &mut AnyConnection,
        group: &[Submission],
        stored: &[StoredResponse],
    ) -> StoreResult<()> {
        // (org, survey) in order of first appearance, with their responses.
        let mut order: Vec<(&str, &str)> = Vec::new();
        let mut by_survey: HashMap<(&str, &str), SurveyPart<'_>> = HashMap::new();
        for (i, (s, st)) in group.iter().zip(stored).enumerate() {
            let key = (s.org_id.as_str(), s.survey.id.as_str());
            let part = by_survey.entry(key).or_insert_with(|| {
                order.push(key);
                SurveyPart {
                    survey: &s.survey,
                    tally: Tally::default(),
                    members: Vec::new(),
                    now_ms: s.now_ms,
                }
            });
            part.tally.add(
                &s.survey,
                &s.response,
                st.account_id.as_deref(),
                st.language.as_deref(),
            );
            part.members.push(i);
            part.now_ms = part.now_ms.max(s.now_ms);
            if let Some(inv) = &s.invitation_id {
                link_resurvey(tx, self.dialect, &s.org_id, inv, &st.id, s.now_ms).await?;
            }
        }
        let mut loops: HashMap<&str, LoopState> = HashMap::new();
        for key in order {
            let Some(part) = by_survey.remove(&key) else {
                continue;
            };
            let (org_id, survey_id) = key;
            part.tally
                .flush(tx, self.dialect, org_id, survey_id)
                .await?;
            if !loops.contains_key(org_id) {
                loops.insert(org_id, LoopState::load(tx, org_id).await?);
            }
            let Some(state) = loops.get_mut(org_id) else {
                continue;
            };
            // The usual group is one survey's: its responses are the group's, uncopied.
            let copied: Vec<StoredResponse>;
            let responses = if part.members.len() == stored.len() {
                stored
            } else {
                copied = part.members.iter().map(|&i| stored[i].clone()).collect();
                &copied
            };
            let survey = part.survey;
            on_new_responses(
                tx,
                self.dialect,
                org_id,
                survey,
                state,
                responses,
                part.now_ms,
                true,
            )
            .await?;
        }
        Ok(())
    }
}

/// A deadlock victim (`40P01`) or a serialisation failure (`40001`): worth trying again.
fn is_transient(e: &StoreError) -> bool {
    let StoreError::Other(e) = e else {
        return false;
    };
    match e.source.downcast_ref::<sqlx::Error>() {
        Some(sqlx::Error::Database(db)) => {
            matches!(db.code().as_deref(), Some("40P01" | "40001"))
        }
        _ => false,
    }
}

/// A group error given to each of its responses.
fn same(e: &StoreError) -> StoreError {
    match e {
        StoreError::Busy(m) => StoreError::Busy(m.clone()),
        e => StoreError::Other(anyhow_like::Error {
            context: "storing responses".into(),
            source: e.to_string().into(),
        }),
    }
}

/// Who a response is from, and the keys that make a second one a conflict.
struct Who {
    contact_id: Option<String>,
    account_id: Option<String>,
    dedup_key: Option<String>,
    respondent_key: Option<String>,
}

/// Resolves a submission's contact and account (created on first sight), or uses its invitation.
async fn who(conn: &mut AnyConnection, s: &Submission) -> StoreResult<Who> {
    let (org_id, survey, r) = (s.org_id.as_str(), &*s.survey, &s.response);
    let (contact_id, account_id, dedup_key) = match s.invitation_id.as_deref() {
        // An answer through a personal link is the invited contact's (and their account's),
        // whatever the request names: a link cannot answer as someone else.
        Some(inv) => {
            let (c, a) = use_invitation(conn, org_id, &survey.id, inv, s.now_ms).await?;
            (c, a, Some(format!("inv:{inv}")))
        }
        None => {
            let (c, a) = People::default().resolve(conn, org_id, r, s.now_ms).await?;
            (c, a, r.dedup_key.clone())
        }
    };
    let mut respondent_key = survey
        .access
        .respondent_key(&survey.id, contact_id.as_deref());
    // The re-survey sent with a case's resolution asks the same person again on purpose (it
    // measures recovery): it is not a second answer to refuse.
    if respondent_key.is_some()
        && let Some(inv) = s.invitation_id.as_deref()
        && is_resurvey(conn, org_id, inv).await?
    {
        respondent_key = None;
    }
    Ok(Who {
        contact_id,
        account_id,
        dedup_key,
        respondent_key,
    })
}

/// Marks the response as this respondent's answer; a second one is a conflict.
async fn record_respondent(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
    key: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE responses SET respondent_key = $1 WHERE org_id = $2 AND id = $3")
        .bind(key)
        .bind(org_id)
        .bind(id)
        .execute(&mut *conn)
        .await
        .context("recording the respondent")
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                StoreError::Conflict("this respondent has already answered this survey".into())
            }
            e => e,
        })?;
    Ok(())
}

/// Marks an invitation of this survey used (in the response's transaction) and returns its
/// contact and that contact's account: who the answer is from.
async fn use_invitation(
    conn: &mut AnyConnection,
    org_id: &str,
    survey_id: &str,
    invitation_id: &str,
    now_ms: i64,
) -> StoreResult<(Option<String>, Option<String>)> {
    let row = sqlx::query(
        "UPDATE invitations SET used_at = $1 WHERE id = $2 AND org_id = $3 AND survey_id = $4 \
         AND used_at IS NULL RETURNING contact_id",
    )
    .bind(now_ms)
    .bind(invitation_id)
    .bind(org_id)
    .bind(survey_id)
    .fetch_optional(&mut *conn)
    .await
    .context("using an invitation")?
    .ok_or_else(|| StoreError::Conflict("this invitation has already been answered".into()))?;
    let Some(contact) = row
        .try_get::<Option<String>, _>("contact_id")
        .context("reading invitation")?
    else {
        return Ok((None, None));
    };
    let account = super::people::primary_account(conn, org_id, &contact).await?;
    Ok((Some(contact), account))
}

/// Whether an invitation is a case's re-survey.
async fn is_resurvey(
    conn: &mut AnyConnection,
    org_id: &str,
    invitation_id: &str,
) -> StoreResult<bool> {
    Ok(
        sqlx::query("SELECT id FROM cases WHERE org_id = $1 AND resurvey_invitation_id = $2")
            .bind(org_id)
            .bind(invitation_id)
            .fetch_optional(&mut *conn)
            .await
            .context("checking for a re-survey")?
            .is_some(),
    )
}
