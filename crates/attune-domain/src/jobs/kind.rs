//! The wire names of job kinds, as stored in `jobs.kind`.

use serde::{Deserialize, Serialize};

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Looks at a case's deadlines: warnings, breaches, escalations.
    Sla,
    /// Sends one e-mail.
    Email,
    /// Delivers one webhook event.
    Webhook,
    /// Tells the customer their case was resolved.
    ResolutionMessage,
    /// The organisation's daily digest.
    Digest,
}

/// A `jobs.kind` this version does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown job kind `{0}`")]
pub struct UnknownKind(pub String);

impl JobKind {
    /// Every kind.
    pub const ALL: [JobKind; 5] = [
        Self::Sla,
        Self::Email,
        Self::Webhook,
        Self::ResolutionMessage,
        Self::Digest,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sla => "sla",
            Self::Email => "email",
            Self::Webhook => "webhook",
            Self::ResolutionMessage => "resolution_message",
            Self::Digest => "digest",
        }
    }

    /// Reads a stored name.
    pub fn parse(raw: &str) -> Result<Self, UnknownKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| UnknownKind(raw.to_owned()))
    }
}

impl std::fmt::Display for JobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
