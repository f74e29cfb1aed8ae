//! One timeline per account and per person: everything that happened with the customer,
//! newest first.

use attune_domain::customer::InteractionKind;
use serde::Serialize;

/// The kinds of entries, in the order entries of the same instant are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// A survey answer.
    Response,
    /// A case opened.
    CaseOpened,
    /// A case resolved.
    CaseResolved,
    /// A call, meeting, e-mail, note or visit.
    Interaction,
    /// A subscription started.
    SubscriptionStarted,
    /// A subscription ended.
    SubscriptionEnded,
    /// A person joined the account.
    MembershipStarted,
    /// A person left the account.
    MembershipEnded,
    /// The account's owner on our side changed.
    OwnerChanged,
    /// Another record was merged into this one, or this one into another.
    Merged,
    /// A merge was undone.
    MergeUndone,
}

impl TimelineKind {
    /// Every kind.
    pub const ALL: [Self; 11] = [
        Self::Response,
        Self::CaseOpened,
        Self::CaseResolved,
        Self::Interaction,
        Self::SubscriptionStarted,
        Self::SubscriptionEnded,
        Self::MembershipStarted,
        Self::MembershipEnded,
        Self::OwnerChanged,
        Self::Merged,
        Self::MergeUndone,
    ];

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Response => "response",
            Self::CaseOpened => "case_opened",
            Self::CaseResolved => "case_resolved",
            Self::Interaction => "interaction",
            Self::SubscriptionStarted => "subscription_started",
            Self::SubscriptionEnded => "subscription_ended",
            Self::MembershipStarted => "membership_started",
            Self::MembershipEnded => "membership_ended",
            Self::OwnerChanged => "owner_changed",
            Self::Merged => "merged",
            Self::MergeUndone => "merge_undone",
        }
    }

    /// The kind with this name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// Where a timeline page starts: after the entry with this time, kind and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineCursor {
    /// Its time (ms since the epoch).
    pub at: i64,
    /// Its kind.
    pub kind: TimelineKind,
    /// Its id.
    pub id: String,
}

/// Which timeline, and which page of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineQuery {
    /// The account's timeline, or …
    pub account_id: Option<String>,
    /// … the person's.
    pub person_id: Option<String>,
    /// Only these kinds (empty: all).
    pub kinds: Vec<TimelineKind>,
    /// Entries after this one.
    pub after: Option<TimelineCursor>,
    /// At most this many.
    pub limit: u32,
}

/// What one entry is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineDetail {
    /// A survey answer: its survey, channel, first score and comment.
    Response {
        /// Survey id.
        survey_id: String,
        /// How it arrived.
        channel: String,
        /// Its first NPS, CSAT, CES or rating answer.
        score: Option<TimelineScore>,
        /// Its free text (at most 280 characters here).
        comment: Option<String>,
    },
    /// A case.
    Case {
        /// Its title.
        title: String,
        /// Its state now.
        state: String,
        /// Its priority.
        priority: String,
        /// Its owner.
        owner_user_id: Option<String>,
    },
    /// An interaction.
    Interaction {
        /// Call, meeting, …
        kind: InteractionKind,
        /// What was said (at most 280 characters here).
        summary: String,
        /// An internal note.
        internal: bool,
        /// Who logged it.
        created_by: Option<String>,
    },
    /// A subscription row.
    Subscription {
        /// Product.
        product: String,
        /// Monthly recurring revenue in cents.
        mrr_cents: i64,
        /// Why it ended.
        cancellation_reason: Option<String>,
    },
    /// A membership.
    Membership {
        /// Title at the account.
        title: Option<String>,
    },
    /// An owner change: user ids, before and after.
    Owner {
        /// The previous owner.
        from: Option<String>,
        /// The new owner.
        to: Option<String>,
        /// Who changed it.
        by: Option<String>,
    },
    /// A merge: `merged_id` was folded into `survivor_id` (or that was undone).
    Merge {
        /// The survivor.
        survivor_id: String,
        /// The record folded in.
        merged_id: String,
        /// Who merged (or undid).
        by: Option<String>,
    },
}

/// A score shown on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineScore {
    /// `nps`, `csat`, `ces` or `rating`.
    pub question_type: String,
    /// The score given.
    pub score: i64,
}

/// One entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    /// When (ms since the epoch; a day's start for day-dated entries).
    pub at: i64,
    /// What.
    pub kind: TimelineKind,
    /// The id of what it is about (response, case, interaction; for subscriptions and
    /// memberships a key of the row).
    pub id: String,
    /// The account it belongs to.
    pub account_id: Option<String>,
    /// The person it involves.
    pub person_id: Option<String>,
    /// The details.
    pub detail: TimelineDetail,
}

impl TimelineEntry {
    /// The cursor that starts the page after this entry.
    pub fn cursor(&self) -> TimelineCursor {
        TimelineCursor {
            at: self.at,
            kind: self.kind,
            id: self.id.clone(),
        }
    }

    /// Whether this entry comes after `c` in timeline order (time descending, then kind, then
    /// id descending).
    pub fn is_after(&self, c: &TimelineCursor) -> bool {
        (
            std::cmp::Reverse(self.at),
            self.kind,
            std::cmp::Reverse(self.id.as_str()),
        ) > (
            std::cmp::Reverse(c.at),
            c.kind,
            std::cmp::Reverse(c.id.as_str()),
        )
    }
}
