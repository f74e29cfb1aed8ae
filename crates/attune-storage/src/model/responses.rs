//! Surveys, invitations, responses, the feed, text documents and score aggregates.

use attune_domain::response::{Answers, Channel};
use attune_domain::survey::{QuestionType, SurveyDefinition};
use serde::Serialize;

/// A stored survey.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Survey {
    /// Opaque id (also in the public link).
    pub id: String,
    /// Its organisation.
    #[serde(skip)]
    pub org_id: String,
    /// Created, epoch ms.
    #[serde(skip)]
    pub created_at_ms: i64,
    /// Name, languages and questions.
    #[serde(flatten)]
    pub definition: SurveyDefinition,
    /// Who may answer, and which origins may embed its page (`frame-ancestors`).
    pub access: attune_domain::survey_access::SurveyAccess,
}

/// A stored response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredResponse {
    /// Opaque id.
    pub id: String,
    /// Its survey.
    pub survey_id: String,
    /// Answers by question key.
    pub answers: Answers,
    /// Respondent's language.
    pub language: Option<String>,
    /// How it arrived.
    pub channel: Channel,
    /// Who answered.
    pub contact_id: Option<String>,
    /// For which account.
    pub account_id: Option<String>,
    /// When it was given, epoch ms.
    #[serde(skip)]
    pub submitted_at_ms: i64,
    /// Free-text answers joined.
    pub comment: Option<String>,
    /// Extra data.
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// Filters of the feedback feed; all optional and combined with AND.
#[derive(Debug, Clone, Default)]
pub struct FeedQuery {
    /// One survey.
    pub survey_id: Option<String>,
    /// With `band`: the NPS question to band on; alone: responses that answered it.
    pub question_key: Option<String>,
    /// NPS score range, inclusive (from a band).
    pub score_range: Option<(i64, i64)>,
    /// Submitted at or after, epoch ms.
    pub from_ms: Option<i64>,
    /// Submitted before, epoch ms.
    pub to_ms: Option<i64>,
    /// Respondent language (primary subtag or full tag).
    pub language: Option<String>,
    /// Account id or external id.
    pub account: Option<String>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Words the comment must contain (case-insensitive).
    pub text: Option<String>,
    /// Only with a comment.
    pub with_comment: bool,
    /// Continue after this (submitted_at_ms, id).
    pub after: Option<(i64, String)>,
    /// With a term search (ranked, so it pages by position): results to skip.
    pub offset: u32,
    /// With a term search: match comments containing any term, not all of them.
    pub any_term: bool,
    /// Page size.
    pub limit: u32,
}

/// One item of the feed: a response with its customer context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedItem {
    /// The response.
    #[serde(flatten)]
    pub response: StoredResponse,
    /// Survey name.
    pub survey_name: String,
    /// Account name.
    pub account_name: Option<String>,
    /// Contact e-mail.
    pub contact_email: Option<String>,
    /// The follow-up case the response opened, if any.
    pub case: Option<FeedCase>,
}

/// Which numeric questions a metric covers and over what time.
#[derive(Debug, Clone)]
pub struct ScoreFilter {
    /// Question type the metric is for.
    pub qtype: QuestionType,
    /// One survey.
    pub survey_id: Option<String>,
    /// One question key.
    pub question_key: Option<String>,
    /// First UTC day, inclusive.
    pub from_day: Option<i64>,
    /// Last UTC day, exclusive.
    pub to_day: Option<i64>,
    /// Day-level counts are needed (day or week buckets). Otherwise whole months may be read
    /// from the monthly aggregates, each reported on its first day.
    pub daily: bool,
}

/// A dimension metrics can be segmented by, as pre-aggregated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentDim {
    /// Response channel.
    Channel,
    /// Respondent language.
    Language,
    /// Account id (mapped to any account attribute by the caller).
    Account,
}

impl SegmentDim {
    /// Name stored in the aggregate table.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Channel => "channel",
            Self::Language => "language",
            Self::Account => "account",
        }
    }
}

/// Count of one score on one day for one question, optionally in one segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreCount {
    /// Survey.
    pub survey_id: String,
    /// Question.
    pub question_key: String,
    /// UTC epoch day.
    pub day: i64,
    /// Segment value (`None` when unsegmented; `""` when the response had none).
    pub segment: Option<String>,
    /// The score.
    pub score: i64,
    /// How many responses gave it.
    pub n: i64,
}

/// A personal invitation to answer a survey once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invitation {
    /// Opaque id (signed into the link).
    pub id: String,
    /// Survey.
    pub survey_id: String,
    /// Invited contact.
    pub contact_id: Option<String>,
    /// When used, epoch ms.
    pub used_at_ms: Option<i64>,
}

/// How an import went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    /// Rows stored.
    pub inserted: u64,
    /// Rows skipped as already stored.
    pub duplicates: u64,
}

/// What a feed item's follow-up case looks like (the first case its response opened).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedCase {
    /// Case id.
    pub id: String,
    /// State, e.g. `open`.
    pub state: attune_domain::closed_loop::case::CaseState,
    /// Owner's user id.
    pub owner: Option<String>,
    /// Owner's e-mail.
    pub owner_email: Option<String>,
}

/// Which analysed comments text analytics reads: all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct TextDocsQuery {
    /// One survey.
    pub survey_id: Option<String>,
    /// The question whose score comes with each comment (else the first NPS answer's).
    pub question_key: Option<String>,
    /// Submitted at or after, epoch ms.
    pub from_ms: Option<i64>,
    /// Submitted before, epoch ms.
    pub to_ms: Option<i64>,
    /// Only comments whose score is at most this (the focus group of drivers).
    pub max_score: Option<i64>,
    /// At most this many, newest first.
    pub limit: u32,
}

/// What `driver_counts` reads: one NPS or CSAT question's comments of a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverCountsQuery {
    /// The survey.
    pub survey_id: String,
    /// Its question.
    pub question_key: String,
    /// The compared groups, as `Question::driver_groups` gives them: (highest score of the
    /// focus group, lowest of the background).
    pub groups: (i64, i64),
    /// Submitted at or after, epoch ms.
    pub from_ms: Option<i64>,
    /// Submitted before, epoch ms.
    pub to_ms: Option<i64>,
}

/// An analysed comment, for keywords, themes and drivers.
#[derive(Debug, Clone, PartialEq)]
pub struct TextDoc {
    /// Response id.
    pub id: String,
    /// Its survey.
    pub survey_id: String,
    /// Effective language (declared, or detected).
    pub language: Option<String>,
    /// When it was given, epoch ms.
    pub submitted_at_ms: i64,
    /// The original comment.
    pub comment: Option<String>,
    /// Content terms in text order.
    pub terms: Vec<String>,
    /// The score of the chosen question.
    pub score: Option<i64>,
}

/// What `reindex` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReindexOutcome {
    /// Responses analysed again.
    pub responses: u64,
}
