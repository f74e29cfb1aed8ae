//! The life of a follow-up case: open → in progress → waiting on customer (clock paused) →
//! resolved → closed, and reopen. Resolving needs a root cause and a resolution text.

use serde::{Deserialize, Serialize};

use crate::error::{Invalid, Problems};
use crate::text::{parse_name, parse_text};

use super::rules::Priority;

/// Where a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Nobody has acted yet.
    Open,
    /// The owner is working on it.
    InProgress,
    /// Waiting on the customer: the SLA clock is paused.
    Waiting,
    /// Resolved; the customer is told what was done.
    Resolved,
    /// Closed for good (can still be reopened).
    Closed,
}

impl CaseState {
    /// Every state, in lifecycle order.
    pub const ALL: [CaseState; 5] = [
        Self::Open,
        Self::InProgress,
        Self::Waiting,
        Self::Resolved,
        Self::Closed,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InProgress => "in_progress",
            Self::Waiting => "waiting",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
        }
    }

    /// Parses a wire name.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                Invalid::one(
                    "state",
                    format!(
                        "`{raw}` is not a state: use open, in_progress, waiting, resolved or closed"
                    ),
                )
            })
    }

    /// Whether the case still needs work (its deadlines run).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Open | Self::InProgress | Self::Waiting)
    }

    /// Whether a case may move from `self` to `to`. Moving back to `open` from resolved or
    /// closed is a reopen.
    pub fn can_move_to(self, to: CaseState) -> bool {
        use CaseState::*;
        matches!(
            (self, to),
            (Open, InProgress | Waiting | Resolved)
                | (InProgress, Waiting | Resolved)
                | (Waiting, InProgress | Resolved)
                | (Resolved, Closed | Open | InProgress)
                | (Closed, Open)
        )
    }
}

impl std::fmt::Display for CaseState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Longest resolution or note, in graphemes.
pub const MAX_TEXT: usize = 10_000;

/// A change to a case as the API receives it (every field optional).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CasePatchInput {
    /// New state.
    pub state: Option<String>,
    /// New owner (a user id of the organisation).
    pub owner: Option<String>,
    /// New priority.
    pub priority: Option<String>,
    /// Root-cause category from the organisation's taxonomy.
    pub root_cause: Option<String>,
    /// What was done.
    pub resolution: Option<String>,
    /// Send the customer a re-survey invitation with the resolution message.
    pub resurvey: Option<bool>,
}

/// A checked change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CasePatch {
    /// New state.
    pub state: Option<CaseState>,
    /// New owner.
    pub owner: Option<String>,
    /// New priority.
    pub priority: Option<Priority>,
    /// Root cause.
    pub root_cause: Option<String>,
    /// Resolution text.
    pub resolution: Option<String>,
    /// Re-survey on resolution.
    pub resurvey: bool,
    /// Do not message the customer on resolution (history loaded after the fact, e.g. the
    /// demo); not settable through the API.
    pub silent: bool,
}

impl CasePatch {
    /// Checks the shape of a change (what it may do given the case's current state is
    /// [`CasePatch::apply_to`]'s job).
    pub fn parse(input: CasePatchInput) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let state = input.state.and_then(|s| p.take(CaseState::parse(&s)));
        let priority = input.priority.and_then(|s| p.take(Priority::parse(&s)));
        let root_cause = input
            .root_cause
            .and_then(|s| p.take(parse_name("root_cause", &s, 200)));
        let resolution = input
            .resolution
            .and_then(|s| p.take(parse_text("resolution", &s, MAX_TEXT)));
        let owner = input.owner.map(|o| o.trim().to_owned());
        if owner.as_deref() == Some("") {
            p.push("owner", "must be a user id");
        }
        if state.is_none()
            && owner.is_none()
            && priority.is_none()
            && root_cause.is_none()
            && resolution.is_none()
        {
            p.push(
                "",
                "nothing to change: send state, owner, priority, root_cause or resolution",
            );
        }
        p.finish(Self {
            state,
            owner,
            priority,
            root_cause,
            resolution,
            resurvey: input.resurvey.unwrap_or(false),
            silent: false,
        })
    }

    /// Checks the change against the case: the move must be allowed, and resolving needs a
    /// root cause from `taxonomy` and a resolution (sent now or already on the case).
    pub fn check(
        &self,
        current: CaseState,
        has_root_cause: bool,
        has_resolution: bool,
        taxonomy: &[String],
    ) -> Result<(), Invalid> {
        let mut p = Problems::default();
        if let Some(to) = self.state
            && to != current
            && !current.can_move_to(to)
        {
            p.push(
                "state",
                format!(
                    "a case that is {} cannot become {}",
                    current.as_str(),
                    to.as_str()
                ),
            );
        }
        if let Some(rc) = &self.root_cause
            && !taxonomy.iter().any(|t| t == rc)
        {
            p.push(
                "root_cause",
                format!(
                    "`{rc}` is not in the organisation's root-cause taxonomy ({})",
                    taxonomy.join(", ")
                ),
            );
        }
        if self.state == Some(CaseState::Resolved) && current != CaseState::Resolved {
            if self.root_cause.is_none() && !has_root_cause {
                p.push("root_cause", "a root cause is required to resolve a case");
            }
            if self.resolution.is_none() && !has_resolution {
                p.push("resolution", "say what was done to resolve the case");
            }
        }
        p.finish(())
    }
}

/// The root-cause taxonomy a new organisation starts with.
pub const DEFAULT_ROOT_CAUSES: [&str; 8] = [
    "product defect",
    "missing feature",
    "pricing",
    "billing error",
    "delivery or service delay",
    "staff behaviour",
    "documentation or onboarding",
    "customer expectation",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Vec<String> {
        DEFAULT_ROOT_CAUSES.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn lifecycle_moves() {
        use CaseState::*;
        assert!(Open.can_move_to(InProgress));
        assert!(InProgress.can_move_to(Waiting));
        assert!(Waiting.can_move_to(InProgress));
        assert!(Waiting.can_move_to(Resolved));
        assert!(Resolved.can_move_to(Closed));
        assert!(Closed.can_move_to(Open));
        assert!(!Closed.can_move_to(Resolved));
        assert!(!Open.can_move_to(Closed));
        assert!(!InProgress.can_move_to(Open));
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.as_str()).unwrap(), s);
        }
    }

    #[test]
    fn resolving_needs_a_known_root_cause_and_a_resolution() {
        let patch = CasePatch::parse(CasePatchInput {
            state: Some("resolved".into()),
            ..Default::default()
        })
        .unwrap();
        let err = patch
            .check(CaseState::InProgress, false, false, &taxonomy())
            .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["root_cause", "resolution"]);
        // Already on the case is enough.
        assert!(
            patch
                .check(CaseState::InProgress, true, true, &taxonomy())
                .is_ok()
        );
        let patch = CasePatch::parse(CasePatchInput {
            state: Some("resolved".into()),
            root_cause: Some("weather".into()),
            resolution: Some("Refunded".into()),
            ..Default::default()
        })
        .unwrap();
        let err = patch
            .check(CaseState::Open, false, false, &taxonomy())
            .unwrap_err();
        assert_eq!(err.0[0].field, "root_cause");
        assert!(err.0[0].message.contains("taxonomy"));
    }

    #[test]
    fn empty_or_malformed_patches_are_refused() {
        assert!(CasePatch::parse(CasePatchInput::default()).is_err());
        let err = CasePatch::parse(CasePatchInput {
            state: Some("done".into()),
            priority: Some("extreme".into()),
            owner: Some(" ".into()),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["state", "priority", "owner"]);
        let p = CasePatch::parse(CasePatchInput {
            state: Some("closed".into()),
            ..Default::default()
        })
        .unwrap();
        assert!(p.check(CaseState::Open, false, false, &[]).is_err());
    }
}
