//! Schemas of domain types the API sends and receives as they are (they serialise themselves;
//! the domain crate knows nothing of OpenAPI). Each mirrors its type's serde shape field for
//! field and is only read by `#[schema(value_type = …)]` and `request_body`, never built.
#![expect(
    dead_code,
    reason = "schema mirrors: read by utoipa's derive, never constructed"
)]

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

/// A list.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Items<T> {
    /// The items.
    pub items: Vec<T>,
}

/// A question type.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum QuestionType {
    Nps,
    Csat,
    Ces,
    Rating,
    SingleChoice,
    MultiChoice,
    Text,
}

/// A role a person holds at a customer (beside their job title).
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum MembershipRole {
    DecisionMaker,
    Champion,
    ExecutiveSponsor,
    User,
    Billing,
}

/// A way to reach a person.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ContactChannel {
    Email,
    Phone,
    Sms,
    InPerson,
}

/// Something a person needs to be served well.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AccessNeed {
    LargePrint,
    ScreenReader,
    SignLanguageInterpreter,
    EasyRead,
    Captions,
    StepFreeAccess,
}

/// A role on our side of an account.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TeamRole {
    Csm,
    AccountExecutive,
    SupportLead,
    ExecutiveSponsor,
}

/// What an account's open cases do when its owner changes.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum HandoverRule {
    Move,
    Stay,
    RoundRobin,
}

/// What kind of conversation an interaction was.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum InteractionKind {
    Call,
    Meeting,
    Email,
    Note,
    Visit,
}

/// How a response reached Attune.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Channel {
    Api,
    Link,
    Email,
    Widget,
    Import,
    Staff,
}

/// Who may open and answer a survey.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AccessMode {
    Public,
    Invitation,
    OnePerRespondent,
}

/// An inclusive answer scale.
#[derive(serde::Deserialize, ToSchema)]
pub(crate) struct Scale {
    min: i64,
    max: i64,
}

/// A choice of a choice question.
#[derive(serde::Deserialize, ToSchema)]
pub(crate) struct Choice {
    key: String,
    /// Label per language.
    label: BTreeMap<String, String>,
}

/// A question of a survey.
#[derive(serde::Deserialize, ToSchema)]
pub(crate) struct Question {
    key: String,
    #[serde(rename = "type")]
    qtype: QuestionType,
    /// Wording per language.
    text: BTreeMap<String, String>,
    required: bool,
    /// For csat, ces and rating.
    #[schema(nullable = false)]
    scale: Option<Scale>,
    /// For choice questions.
    #[schema(nullable = false)]
    choices: Option<Vec<Choice>>,
}

/// A survey's access settings.
#[derive(serde::Deserialize, ToSchema)]
pub(crate) struct SurveyAccess {
    mode: AccessMode,
    /// One-time form tokens and an "already answered" cookie for anonymous public answers.
    anonymous_dedup: bool,
    /// Origins allowed to frame the survey page.
    embed_origins: Vec<String>,
}

/// An answer: a score, a text or one choice key, or several choice keys.
#[derive(serde::Deserialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum Answer {
    Score(i64),
    Text(String),
    Choices(Vec<String>),
}

/// The targets of an SLA policy, as stored (a case keeps a copy of its policy).
#[derive(serde::Deserialize, ToSchema)]
pub(crate) struct SlaPolicy {
    name: String,
    first_response_minutes: u32,
    resolution_minutes: u32,
    /// Opening hours: `utc_offset_minutes`, `week` (Monday first, `[start, end)` minutes
    /// after local midnight or null when closed) and `holidays` (days since 1970-01-01);
    /// null for wall-clock time.
    #[schema(value_type = Option<Object>)]
    business_hours: Option<()>,
}

/// A case priority.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

/// A case state.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CaseState {
    Open,
    InProgress,
    Waiting,
    Resolved,
    Closed,
}

/// A share: `count` of `of`, and their ratio (null when `of` is 0).
#[derive(serde::Deserialize, ToSchema)]
pub(crate) struct Share {
    count: u64,
    of: u64,
    share: Option<f64>,
}

/// One root cause of the Pareto.
#[derive(serde::Deserialize, ToSchema)]
pub(crate) struct ParetoRow {
    root_cause: String,
    count: u64,
    share: f64,
    cumulative_share: f64,
}

/// Access settings as received: each field left out keeps its current value.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SurveyAccessInput {
    /// public: the link works for anyone. invitation: only a signed personal invitation link
    /// opens and answers the survey. one_per_respondent: as invitation, and each contact
    /// answers once however many invitations they hold (API responses naming the same contact
    /// are refused too).
    #[schema(nullable = false, default = "public")]
    mode: Option<AccessMode>,
    /// Public link: each form carries a signed one-time token (valid 24 hours) and answering
    /// sets a cookie, so a replayed form or the same browser is told it already answered.
    #[schema(nullable = false, default = false)]
    anonymous_dedup: Option<bool>,
    /// Origins allowed to frame the survey page (its frame-ancestors): scheme://host[:port],
    /// no path; a leading *. only with https and a name of two labels or more. Replaces the
    /// list.
    #[schema(nullable = false, max_items = 20, value_type = Option<Vec<EmbedOrigin>>,
        example = json!(["https://shop.example.com", "https://*.example.com"]))]
    embed_origins: Option<Vec<String>>,
}

/// A metric of `GET /api/v1/metrics/{kind}`.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum MetricKind {
    Nps,
    Csat,
    Ces,
}

/// A trend's bucket length.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum MetricInterval {
    Day,
    Week,
    Month,
    Quarter,
}

/// The drill-down's own query parameters (`GET /api/v1/retention/members` reads these beside
/// [`SpecQuery`]; `which` decides which of them it needs).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct MembersQuery {
    /// Survival time unit.
    #[param(value_type = Option<SurvivalUnit>)]
    unit: Option<()>,
    /// Survival interval.
    #[param(value_type = Option<SurvivalCi>)]
    ci: Option<()>,
    /// The account attribute audited.
    attribute: Option<String>,
    /// Audit: values with fewer customers show counts only.
    #[param(minimum = 1)]
    min_support: Option<u32>,
    /// Drill-down and audit: the start day of a period or cohort.
    #[param(value_type = Option<String>, format = Date)]
    period_start: Option<()>,
    /// Drill-down: which customers.
    #[param(value_type = Option<DrillWhich>)]
    which: Option<()>,
    /// Drill-down into a cohort: periods after its start.
    #[param(minimum = 0, maximum = 1200)]
    k: Option<u32>,
    /// Drill-down: at most this many accounts (default 100).
    #[param(minimum = 1, maximum = 10000)]
    limit: Option<u32>,
    /// Drill-down into the survival curve: the time of a step, in `unit`.
    #[param(minimum = 0)]
    time: Option<u32>,
    /// Drill-down: survival `events`, `censored`, `at_risk`; audit `churned`, `retained`.
    #[param(value_type = Option<DrillOutcome>)]
    outcome: Option<()>,
    /// Drill-down into the audit: the attribute's value (empty: none).
    value: Option<String>,
}

/// The query parameters every retention report reads: the period grid and the basis (`to`
/// must be after `from`; a custom period needs both).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SpecQuery {
    /// Calendar periods, or one custom period `[from, to)`.
    #[param(value_type = Option<RetentionPeriod>)]
    period: Option<()>,
    /// First day covered (default: the first day with data).
    #[param(value_type = Option<String>, format = Date)]
    from: Option<()>,
    /// First day not covered (default: the day after `as_of`); after `from`.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<()>,
    /// The day the data is taken as known (default: today).
    #[param(value_type = Option<String>, format = Date)]
    as_of: Option<()>,
    /// Active by subscription rows, or for `window_days` after each activity event.
    #[param(value_type = Option<RetentionBasis>)]
    basis: Option<()>,
    /// Gaps shorter than this merge (subscription basis; default 7).
    #[param(minimum = 0, maximum = 3650)]
    grace_days: Option<u32>,
    /// A purchase keeps a customer active this long (activity basis; default 90).
    #[param(minimum = 1, maximum = 3650)]
    window_days: Option<u32>,
}

/// The periods of a retention report.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RetentionPeriod {
    Month,
    Quarter,
    Year,
    Custom,
}

/// What makes a customer active.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RetentionBasis {
    Subscription,
    Activity,
}

/// The survival time unit.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SurvivalUnit {
    Day,
    Month,
}

/// The survival interval.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SurvivalCi {
    Log,
    Loglog,
}

/// The customers a drill-down lists.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DrillWhich {
    Start,
    End,
    New,
    Lost,
    LostNew,
    Retained,
    Reactivated,
    Expanded,
    Contracted,
    Cohort,
    Survival,
    Audit,
}

/// The outcome a drill-down lists.
#[derive(serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DrillOutcome {
    Events,
    Censored,
    AtRisk,
    Churned,
    Retained,
}

/// A subscription row as received (null is the same as leaving a field out).
#[derive(serde::Deserialize, ToSchema)]
pub(crate) struct SubscriptionRow {
    #[schema(value_type = RowText)]
    account_external_id: String,
    #[schema(value_type = Day)]
    start_date: String,
    /// The first day no longer active (not before `start_date`); blank or absent while it
    /// runs.
    #[schema(value_type = Option<DayOrBlank>)]
    end_date: Option<String>,
    /// Monthly recurring revenue, e.g. 49.90 (a number or a string).
    #[schema(value_type = Option<Amount>)]
    mrr: Option<()>,
    #[schema(value_type = Option<OptionalRowText>)]
    product: Option<String>,
    quantity: Option<i64>,
    /// `month`, `year`, or a number of months.
    #[schema(value_type = Option<BillingPeriod>)]
    billing_period: Option<()>,
    #[schema(value_type = Option<OptionalRowText>)]
    cancellation_reason: Option<String>,
}

/// A purchase or activity event as received (null is the same as leaving a field out).
#[derive(serde::Deserialize, ToSchema)]
pub(crate) struct ActivityRow {
    #[schema(value_type = RowText)]
    account_external_id: String,
    #[schema(value_type = Day)]
    date: String,
    /// The purchase's value (a number or a string).
    #[schema(value_type = Option<SignedAmount>)]
    value: Option<()>,
}

mod json;

pub(crate) use json::*;
