//! Storing responses (one at a time or as an all-or-nothing import) and reading the feed.

use std::collections::{HashMap, HashSet};

use attune_domain::response::{Answer, Answers, Channel, NewResponse, comment_of};
use attune_domain::text::search_form;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::accounts::{account_id_for, contact_for};
use super::closed_loop::{LoopState, link_resurvey, on_new_responses};
use super::metrics::Tally;
use super::text::{Indexed, TERM_INSERT, index_comment, term_rows};
use super::{Bind, Binds, Encoded, SqlStore, encode_rows, insert_rows, new_id};
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
struct Prepared<'a> {
    r: &'a NewResponse,
    id: String,
    survey_id: &'a str,
    contact_id: Option<String>,
    account_id: Option<String>,
    comment: Option<String>,
    search_text: Option<String>,
    dedup_key: Option<String>,
    /// The comment's analysis: effective language and search terms.
    ix: Indexed,
}

impl Prepared<'_> {
    /// The response as storage hands it back.
    fn stored(&self) -> StoredResponse {
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

const RESPONSE_INSERT: &str = "INSERT INTO responses (id, org_id, survey_id, contact_id, account_id, channel, \
     language, submitted_at, created_at, answers, metadata, comment, search_text, dedup_key, \
     language_source, text_language, language_confidence, terms)";

fn prepare<'a>(
    survey: &'a Survey,
    r: &'a NewResponse,
    contact_id: Option<String>,
    account_id: Option<String>,
) -> Prepared<'a> {
    let comment = comment_of(&survey.definition, &r.answers);
    let ix = index_comment(comment.as_deref(), r.language.as_ref());
    Prepared {
        r,
        id: new_id(),
        survey_id: &survey.id,
        contact_id,
        account_id,
        search_text: comment.as_deref().map(search_form),
        comment,
        dedup_key: r.dedup_key.clone(),
        ix,
    }
}

fn response_row(org_id: &str, p: Prepared<'_>, now_ms: i64) -> StoreResult<Vec<Bind>> {
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

fn score_rows(org_id: &str, survey: &Survey, id: &str, answers: &Answers) -> Vec<Vec<Bind>> {
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

const SCORE_INSERT: &str =
    "INSERT INTO response_scores (response_id, org_id, survey_id, question_key, qtype, score)";

async fn resolve_people(
    conn: &mut AnyConnection,
    org_id: &str,
    r: &NewResponse,
    now_ms: i64,
) -> StoreResult<(Option<String>, Option<String>)> {
    let mut account_id = match &r.account_external_id {
        Some(x) => Some(account_id_for(conn, org_id, x, r.account_name.as_deref(), now_ms).await?),
        None => None,
    };
    let contact_id = match &r.contact_email {
        Some(email) => {
            let (id, contact_account) = contact_for(
                conn,
                org_id,
                email.as_str(),
                r.contact_name.as_deref(),
                account_id.as_deref(),
                now_ms,
            )
            .await?;
            account_id = account_id.or(contact_account);
            Some(id)
        }
        None => None,
    };
    Ok((contact_id, account_id))
}

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
    let account = sqlx::query("SELECT account_id FROM contacts WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(&contact)
        .fetch_optional(&mut *conn)
        .await
        .context("reading the invited contact")?
        .map(|row| row.try_get::<Option<String>, _>("account_id"))
        .transpose()
        .context("reading contact")?
        .flatten();
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
        let mut tx = self.begin_write().await?;
        let (contact_id, account_id, dedup) = match invitation_id {
            // An answer through a personal link is the invited contact's (and their
            // account's), whatever the request names: a link cannot answer as someone else.
            Some(inv) => {
                let (contact_id, account_id) =
                    use_invitation(&mut tx, org_id, &survey.id, inv, now_ms).await?;
                (contact_id, account_id, Some(format!("inv:{inv}")))
            }
            None => {
                let (c, a) = resolve_people(&mut tx, org_id, r, now_ms).await?;
                (c, a, r.dedup_key.clone())
            }
        };
        let mut respondent_key = survey
            .access
            .respondent_key(&survey.id, contact_id.as_deref());
        // The re-survey sent with a case's resolution asks the same person again on purpose
        // (it measures recovery): it is not a second answer to refuse.
        if respondent_key.is_some()
            && let Some(inv) = invitation_id
            && is_resurvey(&mut tx, org_id, inv).await?
        {
            respondent_key = None;
        }
        let mut p = prepare(survey, r, contact_id, account_id);
        p.dedup_key = dedup;
        let stored = p.stored();
        let terms = term_rows(org_id, &stored.id, &p.ix);
        insert_rows(
            &mut tx,
            self.dialect,
            RESPONSE_INSERT,
            "",
            vec![response_row(org_id, p, now_ms)?],
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                StoreError::Conflict("this response has already been recorded".into())
            }
            e => e,
        })?;
        if let Some(key) = respondent_key {
            sqlx::query("UPDATE responses SET respondent_key = $1 WHERE org_id = $2 AND id = $3")
                .bind(key)
                .bind(org_id)
                .bind(&stored.id)
                .execute(&mut *tx)
                .await
                .context("recording the respondent")
                .map_err(|e| match e {
                    StoreError::Conflict(_) => StoreError::Conflict(
                        "this respondent has already answered this survey".into(),
                    ),
                    e => e,
                })?;
        }
        insert_rows(
            &mut tx,
            self.dialect,
            SCORE_INSERT,
            "",
            score_rows(org_id, survey, &stored.id, &stored.answers),
        )
        .await?;
        insert_rows(&mut tx, self.dialect, TERM_INSERT, "", terms).await?;
        let mut tally = Tally::default();
        tally.add(
            survey,
            r,
            stored.account_id.as_deref(),
            stored.language.as_deref(),
        );
        tally
            .flush(&mut tx, self.dialect, org_id, &survey.id)
            .await?;
        if let Some(inv) = invitation_id {
            link_resurvey(&mut tx, org_id, inv, &stored.id, now_ms).await?;
        }
        let mut state = LoopState::load(&mut tx, org_id).await?;
        on_new_responses(
            &mut tx,
            self.dialect,
            org_id,
            survey,
            &mut state,
            std::slice::from_ref(&stored),
            now_ms,
            true,
        )
        .await?;
        tx.commit().await.context("committing a response")?;
        Ok(stored)
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
