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

/// Failed logins of one e-mail, after recording another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    /// Failures in a row (since the last success, or the last day without one).
    pub failures: i64,
    /// When the next attempt may come (epoch ms; now when there is no back-off).
    pub next_allowed_at_ms: i64,
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

/// A stored alert rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Opaque id.
    pub id: String,
    /// Conditions and actions.
    #[serde(flatten)]
    pub definition: attune_domain::closed_loop::rules::RuleDefinition,
}

/// A stored SLA policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlaPolicyRow {
    /// Opaque id.
    pub id: String,
    /// Whether cases use it when their rule names none.
    pub is_default: bool,
    /// Targets.
    #[serde(flatten)]
    pub policy: attune_domain::closed_loop::sla::SlaPolicy,
}

/// A team: cases without an account owner go round-robin to its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    /// Opaque id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Lead: receives escalations.
    pub lead_user_id: Option<String>,
    /// Members in round-robin order.
    pub members: Vec<String>,
}

/// A follow-up case (the domain's record: the transitions read and return it).
pub use attune_domain::closed_loop::record::Case;

/// One entry of a case's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseEvent {
    /// Opaque id.
    pub id: String,
    /// When.
    pub at: i64,
    /// Who: a user id, or `None` for the system.
    pub actor: Option<String>,
    /// What kind, e.g. `opened`, `state`, `note`, `warned`, `breached`.
    pub kind: attune_domain::closed_loop::timeline::EventKind,
    /// Details.
    pub detail: serde_json::Value,
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    /// One state.
    pub state: Option<attune_domain::closed_loop::case::CaseState>,
    /// Only active ones (open, in progress, waiting).
    pub active: bool,
    /// One owner.
    pub owner: Option<String>,
    /// One account.
    pub account_id: Option<String>,
    /// Cases of one response.
    pub response_id: Option<String>,
    /// Only breached (or only not breached).
    pub breached: Option<bool>,
    /// Continue after this (first_response_due_at, id).
    pub after: Option<(i64, String)>,
    /// Page size.
    pub limit: u32,
}

/// A job to store (built from a typed job: `attune_domain::jobs::BackgroundJob::into_new`).
pub use attune_domain::jobs::NewJob;

/// A stored job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    /// Opaque id.
    pub id: String,
    /// Organisation.
    pub org_id: Option<String>,
    /// Kind.
    pub kind: attune_domain::jobs::JobKind,
    /// Arguments.
    pub payload: serde_json::Value,
    /// Due at.
    pub run_at: i64,
    /// `queued`, `running`, `done` or `dead`.
    pub state: String,
    /// Attempts so far (including the current one).
    pub attempts: i64,
    /// Attempts allowed.
    pub max_attempts: i64,
    /// Last failure.
    pub last_error: Option<String>,
}

/// What became of a job run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// Finished.
    Done,
    /// Run it again at this instant (e.g. the next SLA check), with attempts reset.
    Again(i64),
    /// Failed: retried at the instant given, or given up when `None` or out of attempts.
    Failed {
        /// What went wrong.
        error: String,
        /// When to retry.
        retry_at: Option<i64>,
    },
}

/// An outbound webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Webhook {
    /// Opaque id.
    pub id: String,
    /// Where events are POSTed.
    pub url: String,
    /// Events sent, e.g. `case.opened`.
    pub events: Vec<String>,
    /// Whether it is on.
    pub active: bool,
}

/// One delivery attempt of a webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookDelivery {
    /// Opaque id.
    pub id: String,
    /// Webhook.
    pub webhook_id: String,
    /// Event name.
    pub event: String,
    /// Event id (the same over retries).
    pub event_id: String,
    /// Attempt number.
    pub attempt: i64,
    /// HTTP status, if an answer came.
    pub status_code: Option<i64>,
    /// Error, if it failed.
    pub error: Option<String>,
    /// Round trip in ms.
    pub duration_ms: i64,
    /// When, epoch ms.
    pub at: i64,
}

/// What the SLA job did to a case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlaStep {
    /// Warnings and breaches recorded now, e.g. `first_response.warned`.
    pub recorded: Vec<String>,
    /// When to look again; `None` when nothing is left to watch.
    pub next_check: Option<i64>,
}

/// Per-organisation loop settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoopSettings {
    /// Who receives the daily digest.
    pub digest_emails: Vec<String>,
    /// UTC hour at which the digest is sent.
    pub digest_hour: i64,
    /// Rules act on a response only when it was submitted at most this many days before it
    /// arrived (0: whatever its age), so importing old feedback opens no overdue cases.
    pub case_window_days: i64,
}

impl LoopSettings {
    /// The window a new organisation starts with.
    pub const DEFAULT_CASE_WINDOW_DAYS: i64 = 7;
    /// The longest window that can be set (ten years).
    pub const MAX_CASE_WINDOW_DAYS: i64 = 3_650;
}

/// A case with the scores before and after, for loop metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopCase {
    /// The case.
    pub case: Case,
    /// Owner e-mail.
    pub owner_email: Option<String>,
    /// Team name.
    pub team_name: Option<String>,
    /// The score of the response that opened the case (first scored answer: NPS before CSAT
    /// before CES), with its question type.
    pub score_before: Option<(String, i64)>,
    /// The re-survey's score of the same question type.
    pub score_after: Option<i64>,
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
    /// At most this many, newest first.
    pub limit: u32,
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

/// Where a stored value that may be a credential lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialRow {
    /// A server-wide setting (`settings.value`).
    Setting {
        /// The setting's key.
        key: String,
    },
    /// A webhook's signing secret (`webhooks.secret`).
    WebhookSecret {
        /// The webhook's organisation.
        org_id: String,
        /// The webhook.
        webhook_id: String,
    },
}

/// A stored value that may be a credential, as [`Store::reseal_credentials`] hands it out.
///
/// [`Store::reseal_credentials`]: crate::Store::reseal_credentials
#[derive(Clone, PartialEq, Eq)]
pub struct StoredCredential {
    /// Where it lives.
    pub row: CredentialRow,
    /// The value as stored (sealed, or plain text from an older version).
    pub value: String,
}

impl std::fmt::Debug for StoredCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredCredential")
            .field("row", &self.row)
            .field("value", &"[redacted]")
            .finish()
    }
}

/// Decides what replaces a stored credential: `Ok(None)` keeps it, `Ok(Some(v))` stores `v`,
/// `Err(why)` abandons the whole change.
pub type Reseal<'a> =
    dyn Fn(&StoredCredential) -> Result<Option<String>, String> + Send + Sync + 'a;
