//! The payload of each job kind. Field names are the stored JSON's: renaming one would leave
//! queued jobs unreadable.

use serde::{Deserialize, Serialize};

use super::{BackgroundJob, JobKind};

/// Look at a case's deadlines (one per case, rescheduled to the next milestone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaCheck {
    /// The case.
    pub case_id: String,
}

impl BackgroundJob for SlaCheck {
    const KIND: JobKind = JobKind::Sla;
    fn dedup_key(&self) -> Option<String> {
        Some(format!("sla:{}", self.case_id))
    }
}

/// Why an e-mail is sent (kept in the e-mail log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailKind {
    /// A rule matched a response.
    Rule,
    /// A deadline is near.
    Warning,
    /// A deadline passed.
    Escalation,
    /// The customer's resolution message.
    Resolution,
    /// The daily digest.
    Digest,
}

impl EmailKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rule => "rule",
            Self::Warning => "warning",
            Self::Escalation => "escalation",
            Self::Resolution => "resolution",
            Self::Digest => "digest",
        }
    }
}

/// Where the worker puts the signed re-survey link when it sends (the token is a credential,
/// so the queue holds only the invitation id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResurveyLink {
    /// Text in the body replaced by the link.
    pub marker: String,
    /// Survey of the invitation.
    pub survey_id: String,
    /// The invitation signed into the link.
    pub invitation_id: String,
    /// Language of the survey page.
    pub lang: String,
}

/// Send one e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// Why (absent in no version so far; logged as `email` then).
    #[serde(default)]
    pub kind: Option<EmailKind>,
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// The case it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// Language of a resolution message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The re-survey link to fill in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resurvey_link: Option<ResurveyLink>,
    /// Dedup key (not part of the payload).
    #[serde(skip)]
    pub dedup: Option<String>,
}

impl Email {
    /// A plain e-mail of `kind` about `case_id`.
    pub fn new(kind: EmailKind, to: &str, subject: String, body: String) -> Self {
        Self {
            kind: Some(kind),
            to: to.to_owned(),
            subject,
            body,
            case_id: None,
            language: None,
            resurvey_link: None,
            dedup: None,
        }
    }

    /// The same e-mail, about a case.
    pub fn about(mut self, case_id: &str) -> Self {
        self.case_id = Some(case_id.to_owned());
        self
    }

    /// The kind's stored name, `email` when the payload had none.
    pub fn kind_name(&self) -> &'static str {
        self.kind.map_or("email", EmailKind::as_str)
    }
}

impl BackgroundJob for Email {
    const KIND: JobKind = JobKind::Email;
    fn dedup_key(&self) -> Option<String> {
        self.dedup.clone()
    }
}

/// Deliver one webhook event (signed by the worker with the webhook's secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookCall {
    /// Webhook.
    pub webhook_id: String,
    /// Event name, e.g. `case.opened`.
    pub event: String,
    /// Event id, the same for every webhook and retry.
    pub event_id: String,
    /// The JSON sent: `{"id", "event", "created_at", "data"}`.
    pub body: serde_json::Value,
}

impl BackgroundJob for WebhookCall {
    const KIND: JobKind = JobKind::Webhook;
}

/// Tell the customer what was done about their case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolutionMessage {
    /// The resolved case.
    pub case_id: String,
    /// Send a re-survey invitation with it.
    #[serde(default)]
    pub resurvey: bool,
}

impl BackgroundJob for ResolutionMessage {
    const KIND: JobKind = JobKind::ResolutionMessage;
}

/// The organisation's daily digest, of the 24 hours before `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyDigest {
    /// Organisation.
    pub org_id: String,
    /// End of the day covered, epoch ms.
    pub at: i64,
}

impl DailyDigest {
    /// The UTC day (days since 1970-01-01) the digest ends in.
    pub fn day(&self) -> i64 {
        self.at.div_euclid(crate::period::DAY_MS)
    }
}

impl BackgroundJob for DailyDigest {
    const KIND: JobKind = JobKind::Digest;
    const MAX_ATTEMPTS: i64 = 3;
    fn dedup_key(&self) -> Option<String> {
        Some(format!("digest:{}:{}", self.org_id, self.day()))
    }
}
