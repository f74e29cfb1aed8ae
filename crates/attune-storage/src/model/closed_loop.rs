//! The closed loop (rules, SLA policies, teams, cases, loop settings) and the job queue with
//! its webhooks.

use serde::Serialize;

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
    /// What an account's open cases do when its owner changes.
    pub handover_cases: attune_domain::customer::HandoverRule,
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

/// The maintained counts of a period's cases, with the names their owner and team ids are
/// shown by (`attune_domain::closed_loop::loop_counts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopSums {
    /// The counts.
    pub sums: attune_domain::closed_loop::loop_counts::Sums,
    /// User id → e-mail.
    pub owners: std::collections::HashMap<String, String>,
    /// Team id → name.
    pub teams: std::collections::HashMap<String, String>,
}
