//! Rows as storage hands them out, and the queries it answers.

use attune_domain::org::Role;
use attune_domain::response::{Answers, Channel};
use attune_domain::survey::{QuestionType, SurveyDefinition};
use serde::Serialize;

/// An organisation: the tenant boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    /// Opaque id.
    pub id: String,
    /// URL- and CLI-friendly name.
    pub slug: String,
    /// Display name.
    pub name: String,
}

/// A person who logs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Opaque id.
    pub id: String,
    /// Their organisation.
    pub org_id: String,
    /// Login name.
    pub email: String,
    /// What they may do.
    pub role: Role,
}

/// A logged-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The user.
    pub user: User,
    /// Token that forms must echo back.
    pub csrf_token: String,
    /// Expiry, epoch ms.
    pub expires_at_ms: i64,
}

/// What a valid API token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// Token id.
    pub token_id: String,
    /// Organisation it belongs to.
    pub org_id: String,
    /// Its role.
    pub role: Role,
}

/// A customer account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    /// Opaque id.
    pub id: String,
    /// Id in the customer's own systems.
    pub external_id: Option<String>,
    /// Display name.
    pub name: String,
    /// Plan or product tier.
    pub plan: Option<String>,
    /// Company size band, e.g. `1-10`.
    pub size_band: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// The staff user who owns the relationship.
    pub owner_user_id: Option<String>,
    /// Other attributes.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl Account {
    /// The value of a segmenting attribute (`plan`, `size_band`, `industry`, `region`, `owner`
    /// or a custom attribute key).
    pub fn attribute(&self, name: &str) -> Option<String> {
        match name {
            "plan" => self.plan.clone(),
            "size_band" | "size" => self.size_band.clone(),
            "industry" => self.industry.clone(),
            "region" => self.region.clone(),
            "owner" => self.owner_user_id.clone(),
            "name" => Some(self.name.clone()),
            other => self.attributes.get(other).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            }),
        }
    }
}

/// An account to create or update, matched by external id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountUpsert {
    /// Id in the customer's own systems.
    pub external_id: String,
    /// Display name.
    pub name: String,
    /// Plan.
    pub plan: Option<String>,
    /// Size band.
    pub size_band: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Owner user id.
    pub owner_user_id: Option<String>,
    /// Other attributes.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// A person on the customer's side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    /// Opaque id.
    pub id: String,
    /// Their account.
    pub account_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Job role.
    pub role: Option<String>,
    /// Whether they decide on purchases.
    pub decision_maker: bool,
    /// Preferred language.
    pub language: Option<String>,
    /// Preferences (channels, room temperature, …).
    pub preferences: serde_json::Map<String, serde_json::Value>,
}

/// A contact to create or update, matched by e-mail.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactUpsert {
    /// E-mail (the match key).
    pub email: String,
    /// Account, by external id.
    pub account_external_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Job role.
    pub role: Option<String>,
    /// Decision maker.
    pub decision_maker: bool,
    /// Language tag.
    pub language: Option<String>,
    /// Preferences.
    pub preferences: serde_json::Map<String, serde_json::Value>,
}

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
