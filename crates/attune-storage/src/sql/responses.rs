//! Storing responses (one at a time or as an all-or-nothing import) and reading the feed.

use std::collections::{HashMap, HashSet};

use attune_domain::response::{Answer, Answers, Channel, NewResponse, comment_of};
use attune_domain::text::search_form;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::accounts::{account_id_for, contact_for};
use super::closed_loop::{LoopState, on_new_responses};
use super::ingest::Submission;
use super::metrics::Tally;
use super::text::{Indexed, TERM_INSERT, index_comment, term_rows};
use super::{Bind, Binds, Encoded, SqlStore, encode_rows, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{ImportOutcome, StoredResponse, Survey};
use crate::store::ResponseStore;
use async_trait::async_trait;

pub(super) const RESPONSE_COLUMNS: &str = "r.id, r.survey_id, r.answers, r.language, r.channel, r.contact_id, \
     r.account_id, r.submitted_at, r.comment, r.metadata";

pub(super) fn response_of(row: &AnyRow) -> StoreResult<StoredResponse> {
    let answers: String = row.try_get("answers").context("reading response")?;
    let metadata: String = row.try_get("metadata").context("reading response")?;
    let channel: String = row.try_get("channel").context("reading response")?;
    Ok(StoredResponse {
        id: row.try_get("id").context("reading response")?,
        survey_id: row.try_get("survey_id").context("reading response")?,
        answers: serde_json::from_str(&answers).context("decoding answers")?,
        language: row.try_get("language").context("reading response")?,
        channel: Channel::parse(&channel).unwrap_or(Channel::Api),
        contact_id: row.try_get("contact_id").context("reading response")?,
        account_id: row.try_get("account_id").context("reading response")?,
        submitted_at_ms: row.try_get("submitted_at").context("reading response")?,
        comment: row.try_get("comment").context("reading response")?,
        metadata: serde_json::from_str(&metadata).unwrap_or_default(),
    })
}

/// One response about to be stored: the input, plus what storage adds.
pub(super) struct Prepared<'a> {
    r: &'a NewResponse,
    id: String,
    survey_id: &'a str,
    contact_id: Option<String>,
    account_id: Option<String>,
    comment: Option<String>,
    search_text: Option<String>,
    pub(super) dedup_key: Option<String>,
    /// The comment's analysis: effective language and search terms.
    pub(super) ix: Indexed,
}

impl Prepared<'_> {
    /// The response as storage hands it back.
    pub(super) fn stored(&self) -> StoredResponse {
        StoredResponse {
            id: self.id.clone(),
            survey_id: self.survey_id.to_owned(),
            answers: self.r.answers.clone(),
            language: self.ix.language.clone(),
            channel: self.r.channel,
            contact_id: self.contact_id.clone(),
            account_id: self.account_id.clone(),
            submitted_at_ms: self.r.submitted_at_ms,
            comment: self.comment.clone(),
            metadata: self.r.metadata.clone(),
        }
    }
}

pub(super) const RESPONSE_INSERT: &str = "INSERT INTO responses (id, org_id, survey_id, contact_id, account_id, channel, \
     language, submitted_at, created_at, answers, metadata, comment, search_text, dedup_key, \
     language_source, text_language, language_confidence, terms)";

/// What a response's analysis adds before it is stored: its id and comment, the comment's
/// search form, language and terms. Pure CPU work, done before the write lock is taken.
#[derive(Debug, Clone)]
pub(crate) struct Analysis {
    id: String,
    comment: Option<String>,
    search_text: Option<String>,
    ix: Indexed,
}

/// Analyses a response of `survey`.
pub(crate) fn analyse(survey: &Survey, r: &NewResponse) -> Analysis {
    let comment = comment_of(&survey.definition, &r.answers);
    let ix = index_comment(comment.as_deref(), r.language.as_ref());
    Analysis {
        id: new_id(),
        search_text: comment.as_deref().map(search_form),
        comment,
        ix,
    }
}

fn prepare<'a>(
    survey: &'a Survey,
    r: &'a NewResponse,
    contact_id: Option<String>,
    account_id: Option<String>,
) -> Prepared<'a> {
    prepare_analysed(survey, r, analyse(survey, r), contact_id, account_id)
}

/// A response ready to store, from its analysis and who it is from.
pub(super) fn prepare_analysed<'a>(
    survey: &'a Survey,
    r: &'a NewResponse,
    a: Analysis,
    contact_id: Option<String>,
    account_id: Option<String>,
) -> Prepared<'a> {
    Prepared {
        r,
        id: a.id,
        survey_id: &survey.id,
        contact_id,
        account_id,
        search_text: a.search_text,
        comment: a.comment,
        dedup_key: r.dedup_key.clone(),
        ix: a.ix,
    }
}

pub(super) fn response_row(org_id: &str, p: Prepared<'_>, now_ms: i64) -> StoreResult<Vec<Bind>> {
    let r = p.r;
    Ok(vec![
        Bind::Text(p.id),
        Bind::Text(org_id.to_owned()),
        Bind::Text(p.survey_id.to_owned()),
        Bind::OptText(p.contact_id),
        Bind::OptText(p.account_id),
        Bind::Text(r.channel.as_str().to_owned()),
        Bind::OptText(p.ix.language),
        Bind::Int(r.submitted_at_ms),
        Bind::Int(now_ms),
        Bind::Text(serde_json::to_string(&r.answers).context("encoding answers")?),
        Bind::Text(serde_json::to_string(&r.metadata).context("encoding metadata")?),
        Bind::OptText(p.comment),
        Bind::OptText(p.search_text),
        Bind::OptText(p.dedup_key),
        Bind::OptText(p.ix.source.map(str::to_owned)),
        Bind::OptText(p.ix.text_language),
        Bind::OptInt(p.ix.confidence_pm),
        Bind::OptText(p.ix.terms),
    ])
}

pub(super) fn score_rows(
    org_id: &str,
    survey: &Survey,
    id: &str,
    answers: &Answers,
) -> Vec<Vec<Bind>> {
    score_entries(survey, answers)
        .map(|(key, qtype, score)| {
            vec![
                Bind::Text(id.to_owned()),
                Bind::Text(org_id.to_owned()),
                Bind::Text(survey.id.clone()),
                Bind::Text(key.to_owned()),
                Bind::Text(qtype.to_owned()),
                Bind::Int(score),
            ]
        })
        .collect()
}

fn score_entries<'a>(
    survey: &'a Survey,
    answers: &'a Answers,
) -> impl Iterator<Item = (&'a str, &'static str, i64)> + 'a {
    answers.iter().filter_map(|(key, a)| match a {
        Answer::Score(score) => survey
            .definition
            .question(key)
            .map(|q| (key.as_str(), q.qtype.as_str(), *score)),
        _ => None,
    })
}

/// Responses prepared before they are written, during an import.
const IMPORT_BATCH: usize = 10_000;

pub(super) const SCORE_INSERT: &str =
    "INSERT INTO response_scores (response_id, org_id, survey_id, question_key, qtype, score)";

/// An import batch ready to write: responses, then scores and search terms, and the responses
/// for the rules.
type Written = (Encoded, Vec<Encoded>, Vec<StoredResponse>);

/// Writes one prepared import batch: its responses, then the rows that refer to them.
async fn write_batch(
    conn: &mut AnyConnection,
    (responses, rest): (Encoded, Vec<Encoded>),
) -> StoreResult<()> {
    responses.execute(conn).await?;
    for rows in rest {
        rows.execute(conn).await?;
    }
    Ok(())
}

/// The dedup keys of `responses` that are already stored.
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

/// The accounts and contacts an import has already resolved, by external id and e-mail.
#[derive(Default)]
struct People {
    accounts: HashMap<String, String>,
    contacts: HashMap<String, (String, Option<String>)>,
}

impl People {
    /// The contact and account ids of an imported response, created on first sight.
    async fn resolve(
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
                let (id, acc) = match self.contacts.get(email.as_str()) {
                    Some(found) => found.clone(),
                    None => {
                        let found = contact_for(
                            &mut *conn,
                            org_id,
                            email.as_str(),
                            r.contact_name.as_deref(),
                            account_id.as_deref(),
                            now_ms,
                        )
                        .await?;
                        self.contacts
                            .insert(email.as_str().to_owned(), found.clone());
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

#[async_trait]
impl ResponseStore for SqlStore {
    async fn insert_response(
        &self,
        org_id: &str,
        survey: &Survey,
        r: &NewResponse,
        invitation_id: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<StoredResponse> {
        if survey.org_id != org_id {
            return Err(StoreError::NotFound);
        }
        // The analysis runs here, on the request's task; the writer only writes.
        let analysis = analyse(survey, r);
        self.submit(Submission {
            org_id: org_id.to_owned(),
            survey: std::sync::Arc::new(survey.clone()),
            response: r.clone(),
            invitation_id: invitation_id.map(str::to_owned),
            now_ms,
            analysis,
        })
        .await
    }

    async fn import_responses(
        &self,
        org_id: &str,
        survey: &Survey,
        responses: &[NewResponse],
        now_ms: i64,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> StoreResult<ImportOutcome> {
        if survey.org_id != org_id {
            return Err(StoreError::NotFound);
        }
        let mut tx = self.begin_write().await?;
        // Keys already stored, or seen earlier in this batch, are duplicates.
        let mut seen = stored_keys(&mut tx, org_id, responses).await?;
        let mut loop_state = LoopState::load(&mut tx, org_id).await?;
        let watch = !loop_state.is_idle();
        let mut people = People::default();
        let mut outcome = ImportOutcome::default();
        let mut tally = Tally::default();
        // Batches are pipelined: while the database writes batch k, batch k+1 is prepared
        // (ids, JSON, aggregates) on this thread.
        let mut in_flight: Option<Written> = None;
        for batch in responses.chunks(IMPORT_BATCH) {
            let mut resolved = Vec::with_capacity(batch.len());
            for r in batch {
                if let Some(k) = &r.dedup_key
                    && !seen.insert(k.clone())
                {
                    outcome.duplicates += 1;
                    continue;
                }
                let (contact_id, account_id) = people.resolve(&mut tx, org_id, r, now_ms).await?;
                resolved.push((r, contact_id, account_id));
            }
            outcome.inserted += resolved.len() as u64;
            let dialect = self.dialect;
            let tally = &mut tally;
            let prepare_batch = move || -> StoreResult<Option<Written>> {
                let mut rows = Vec::with_capacity(resolved.len());
                let mut scores = Vec::with_capacity(resolved.len());
                let mut terms = Vec::with_capacity(resolved.len() * 4);
                let mut stored = Vec::new();
                for (r, contact_id, account_id) in resolved {
                    let p = prepare(survey, r, contact_id, account_id);
                    tally.add(survey, r, p.account_id.as_deref(), p.ix.language.as_deref());
                    scores.extend(score_rows(org_id, survey, &p.id, &r.answers));
                    terms.extend(term_rows(org_id, &p.id, &p.ix));
                    if watch {
                        stored.push(p.stored());
                    }
                    rows.push(response_row(org_id, p, now_ms)?);
                }
                let rows = encode_rows(dialect, RESPONSE_INSERT, "", rows, IMPORT_BATCH)?;
                let scores = encode_rows(dialect, SCORE_INSERT, "", scores, IMPORT_BATCH)?;
                let terms = encode_rows(dialect, TERM_INSERT, "", terms, IMPORT_BATCH * 4)?;
                let rest = scores.into_iter().chain(terms).collect();
                Ok(rows.map(|rows| (rows, rest, stored)))
            };
            let next = match in_flight.take() {
                Some((rows, scores, stored)) => {
                    let write = write_batch(&mut tx, (rows, scores));
                    let (written, next) =
                        futures_util::future::join(write, async { prepare_batch() }).await;
                    written?;
                    // Rules see the batch once it is written (cases reference responses).
                    on_new_responses(
                        &mut tx,
                        self.dialect,
                        org_id,
                        survey,
                        &mut loop_state,
                        &stored,
                        now_ms,
                        false,
                    )
                    .await?;
                    next?
                }
                None => prepare_batch()?,
            };
            in_flight = next;
            progress(outcome.inserted + outcome.duplicates);
        }
        if let Some((rows, scores, stored)) = in_flight.take() {
            write_batch(&mut tx, (rows, scores)).await?;
            on_new_responses(
                &mut tx,
                self.dialect,
                org_id,
                survey,
                &mut loop_state,
                &stored,
                now_ms,
                false,
            )
            .await?;
        }
        tally
            .flush(&mut tx, self.dialect, org_id, &survey.id)
            .await?;
        tx.commit().await.context("committing an import")?;
        Ok(outcome)
    }

    async fn response(&self, org_id: &str, response_id: &str) -> StoreResult<StoredResponse> {
        let sql =
            format!("SELECT {RESPONSE_COLUMNS} FROM responses r WHERE r.org_id = $1 AND r.id = $2");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(response_id)
            .fetch_optional(&self.pool)
            .await
            .context("reading a response")?
            .ok_or(StoreError::NotFound)?;
        response_of(&row)
    }
}
