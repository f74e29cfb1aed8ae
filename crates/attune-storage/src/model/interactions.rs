//! Interactions with customers: calls, meetings, e-mails, notes, visits.

use attune_domain::customer::{FollowUp, InteractionKind};
use serde::Serialize;

/// A logged interaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interaction {
    /// Opaque id.
    pub id: String,
    /// The account it was with, if any.
    pub account_id: Option<String>,
    /// Call, meeting, …
    pub kind: InteractionKind,
    /// When it happened (ms since the epoch; may be long before it was logged).
    pub occurred_at: i64,
    /// How long it took.
    pub duration_minutes: Option<i64>,
    /// What was said.
    pub summary: String,
    /// An internal note: never a touch with the customer.
    pub internal: bool,
    /// What was promised or is to be done.
    pub follow_ups: Vec<FollowUp>,
    /// The response the feedback heard became, once stored.
    pub response_id: Option<String>,
    /// Whether feedback was heard that is not stored as a response yet.
    pub feedback_pending: bool,
    /// The customer's people who took part (person ids, sorted).
    pub people: Vec<String>,
    /// Our staff who took part (user ids, sorted).
    pub staff: Vec<String>,
    /// Who logged it.
    pub created_by: Option<String>,
    /// When it was logged (ms since the epoch).
    pub created_at: i64,
}

/// An interaction to log; every id already resolved in the organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct NewInteraction {
    /// Account id.
    pub account_id: Option<String>,
    /// Kind.
    pub kind: InteractionKind,
    /// When it happened.
    pub occurred_at: i64,
    /// Minutes.
    pub duration_minutes: Option<i64>,
    /// Summary.
    pub summary: String,
    /// Internal note.
    pub internal: bool,
    /// Follow-ups.
    pub follow_ups: Vec<FollowUp>,
    /// Person ids.
    pub people: Vec<String>,
    /// User ids.
    pub staff: Vec<String>,
    /// The user logging it.
    pub created_by: Option<String>,
    /// The feedback heard, kept as JSON until it is stored as a response.
    pub feedback: Option<serde_json::Value>,
}

/// An interaction whose feedback is not stored as a response yet.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingFeedback {
    /// The organisation.
    pub org_id: String,
    /// The interaction.
    pub interaction: Interaction,
    /// The feedback as kept.
    pub feedback: serde_json::Value,
}
