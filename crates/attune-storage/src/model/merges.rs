//! Merges of duplicate accounts and people, and what undoing one would do.

use serde::Serialize;

/// What was merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeKind {
    /// Two accounts.
    Account,
    /// Two people.
    Person,
}

impl MergeKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MergeKind::Account => "account",
            MergeKind::Person => "person",
        }
    }

    /// The kind of a stored name.
    pub fn parse(s: &str) -> Option<MergeKind> {
        match s {
            "account" => Some(MergeKind::Account),
            "person" => Some(MergeKind::Person),
            _ => None,
        }
    }
}

/// How many records of one kind a merge moved (or dropped as duplicates of the survivor's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MovedCount {
    /// What the records are: `responses`, `cases`, `interactions`, `memberships`, …
    pub what: String,
    /// How many moved to the survivor.
    pub moved: u64,
    /// How many were dropped because the survivor already had an equal one (undo brings them
    /// back).
    pub dropped: u64,
}

/// A merge: `merged` was folded into `survivor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Merge {
    /// Opaque id.
    pub id: String,
    /// Accounts or people.
    pub kind: MergeKind,
    /// The record that kept everything.
    pub survivor_id: String,
    /// The record that was folded in (kept, pointing at the survivor).
    pub merged_id: String,
    /// When (ms since the epoch).
    pub at: i64,
    /// Who merged them (a user id), when known.
    pub actor_user_id: Option<String>,
    /// When it was undone, if it was.
    pub undone_at: Option<i64>,
    /// Who undid it.
    pub undone_by: Option<String>,
    /// What moved, by kind of record.
    pub moved: Vec<MovedCount>,
}

/// Records of one kind created on the survivor after the merge: they stay with it on undo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StayingRecords {
    /// `responses`, `cases` or `interactions`.
    pub what: String,
    /// How many.
    pub count: u64,
    /// The first ids (at most [`STAYING_LISTED`]), oldest first.
    pub ids: Vec<String>,
}

/// Most ids of staying records listed per kind in an undo preview.
pub const STAYING_LISTED: usize = 50;

/// A merge with what undoing it would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergePreview {
    /// The merge.
    pub merge: Merge,
    /// Whether it can be undone now, and if not why (`undone`, `survivor_merged`).
    pub blocked: Option<&'static str>,
    /// Records created on the survivor after the merge, which stay with it.
    pub staying: Vec<StayingRecords>,
}
