//! What a case's timeline records: the kinds of entry (stored in `case_events.kind`) and the
//! entries the transitions produce.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The kind of a timeline entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A rule opened the case.
    Opened,
    /// The state changed.
    State,
    /// Someone wrote a note.
    Note,
    /// The first action on the case.
    FirstResponse,
    /// The owner changed.
    Assigned,
    /// The priority changed.
    Priority,
    /// The root cause was set or changed.
    RootCause,
    /// The resolution text was set or changed.
    Resolution,
    /// The case left `waiting`: its deadlines moved on.
    ClockResumed,
    /// A deadline is near.
    Warned,
    /// A deadline passed.
    Breached,
    /// A breach was escalated.
    Escalated,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 12] = [
        Self::Opened,
        Self::State,
        Self::Note,
        Self::FirstResponse,
        Self::Assigned,
        Self::Priority,
        Self::RootCause,
        Self::Resolution,
        Self::ClockResumed,
        Self::Warned,
        Self::Breached,
        Self::Escalated,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Opened => "opened",
            Self::State => "state",
            Self::Note => "note",
            Self::FirstResponse => "first_response",
            Self::Assigned => "assigned",
            Self::Priority => "priority",
            Self::RootCause => "root_cause",
            Self::Resolution => "resolution",
            Self::ClockResumed => "clock_resumed",
            Self::Warned => "warned",
            Self::Breached => "breached",
            Self::Escalated => "escalated",
        }
    }

    /// Reads a stored name; `None` for a name this version does not know.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One of a case's two deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deadline {
    /// Someone must act on the case.
    FirstResponse,
    /// The case must be resolved.
    Resolution,
}

impl Deadline {
    /// The stored name (`first_response`, `resolution`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::Resolution => "resolution",
        }
    }

    /// The name in a sentence (`first response`).
    pub fn words(self) -> &'static str {
        match self {
            Self::FirstResponse => "first response",
            Self::Resolution => "resolution",
        }
    }
}

/// A timeline entry to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// When, epoch ms.
    pub at: i64,
    /// Who: a user id or label, `None` for the system.
    pub actor: Option<String>,
    /// Kind.
    pub kind: EventKind,
    /// Details (a JSON object).
    pub detail: Value,
}

impl NewEvent {
    /// An entry by `actor` at `at`.
    pub fn new(at: i64, actor: Option<&str>, kind: EventKind, detail: Value) -> Self {
        Self {
            at,
            actor: actor.map(str::to_owned),
            kind,
            detail,
        }
    }
}

/// A webhook event a transition sends (with the case as its data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookEvent {
    /// `case.opened`.
    CaseOpened,
    /// `case.reopened`.
    CaseReopened,
    /// `case.resolved`.
    CaseResolved,
    /// `case.escalated`.
    CaseEscalated,
    /// `rule.matched`.
    RuleMatched,
    /// `response.created`.
    ResponseCreated,
    /// `digest.daily`.
    DigestDaily,
}

impl HookEvent {
    /// The event's name, as webhooks subscribe to it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CaseOpened => "case.opened",
            Self::CaseReopened => "case.reopened",
            Self::CaseResolved => "case.resolved",
            Self::CaseEscalated => "case.escalated",
            Self::RuleMatched => "rule.matched",
            Self::ResponseCreated => "response.created",
            Self::DigestDaily => "digest.daily",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_kinds_keep_their_stored_names() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::json!(k.as_str())
            );
        }
        assert_eq!(EventKind::parse("telegram"), None);
    }
}
