//! Storing responses (one at a time or as an all-or-nothing import) and reading the feed.

use attune_domain::response::{Answer, Answers, Channel, NewResponse, comment_of};
use attune_domain::text::search_form;
use sqlx::AssertSqlSafe;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::ingest::Submission;
use super::text::{Indexed, index_comment};
use super::{Bind, SqlStore, new_id};
use crate::error::{Context, StoreError, StoreResult};
use crate::model::{ImportOutcome, StoredResponse, Survey};
use crate::store::ResponseStore;
use async_trait::async_trait;

/// The condition that hides the rows of an import that has not finished (`responses r`).
pub(crate) const VISIBLE: &str = "(r.import_id IS NULL OR EXISTS (SELECT 1 FROM imports i \
     WHERE i.id = r.import_id AND i.state = 'done'))";

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
    pub(super) id: String,
    survey_id: &'a str,
    contact_id: Option<String>,
    pub(super) account_id: Option<String>,
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

/// The columns every stored response is written with (an import adds `import_id`).
macro_rules! response_fields {
    () => {
        "id, org_id, survey_id, contact_id, account_id, channel, language, submitted_at, \
         created_at, answers, metadata, comment, search_text, dedup_key, language_source, \
         text_language, language_confidence, terms"
    };
}
pub(super) use response_fields;

pub(super) const RESPONSE_INSERT: &str =
    concat!("INSERT INTO responses (", response_fields!(), ")");

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

pub(super) const SCORE_INSERT: &str =
    "INSERT INTO response_scores (response_id, org_id, survey_id, question_key, qtype, score)";

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
        self.import_all_or_nothing(org_id, survey, responses, now_ms, progress)
            .await
    }

    async fn remove_abandoned_imports(&self, now_ms: i64) -> StoreResult<u64> {
        self.remove_stale_imports(now_ms).await
    }

    async fn response(&self, org_id: &str, response_id: &str) -> StoreResult<StoredResponse> {
        let sql = format!(
            "SELECT {RESPONSE_COLUMNS} FROM responses r WHERE r.org_id = $1 AND r.id = $2 AND {VISIBLE}"
        );
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
