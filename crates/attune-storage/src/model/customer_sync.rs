//! Customer data sent by another system (a CRM export, a sync): accounts and people to create
//! or update in one transaction, where whatever a row leaves out is kept.

use attune_domain::customer::Roles;

/// How a row names an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRef {
    /// Its id in another system: `(source, id)`, e.g. `("hubspot", "18263")`.
    Source(String, String),
    /// Its id or external id.
    Key(String),
}

/// An account to create or update. It is found by its id in `source_id`'s system, else by its
/// external id (or, with none given, by the source id as external id); a new one takes that
/// external id. Fields left `None` keep what is stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountSync {
    /// Its id in another system: `(source, id)`.
    pub source_id: Option<(String, String)>,
    /// Its id in the customer's own systems.
    pub external_id: Option<String>,
    /// Display name (a new account without one is named after its external id).
    pub name: Option<String>,
    /// Plan.
    pub plan: Option<String>,
    /// Size band.
    pub size_band: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Owner (a user id of the organisation).
    pub owner_user_id: Option<String>,
    /// Attributes to set (`null` removes one); others are kept.
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// The parent account: `None` keeps it, `Some(None)` removes it.
    pub parent: Option<Option<AccountRef>>,
    /// Web domains (in [`attune_domain::customer::Domain`] form), replacing the stored ones.
    pub domains: Option<Vec<String>>,
    /// Further ids in other systems: each named source is set (or, with `None`, removed).
    pub other_ids: Vec<(String, Option<String>)>,
    /// When the other system created it (ms since the epoch): an earlier day than the one
    /// stored becomes the account's `created_at`.
    pub created_at: Option<i64>,
}

/// A person's place in an account, as a sync names it. Fields left `None` keep what is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct MembershipSync {
    /// The account.
    pub account: AccountRef,
    /// Job title there.
    pub title: Option<String>,
    /// Roles there.
    pub roles: Option<Roles>,
    /// First day (days since 1970-01-01).
    pub from_day: Option<i64>,
    /// Last day.
    pub to_day: Option<i64>,
}

/// A person to create or update, found by any of their addresses. Fields left `None` keep what
/// is stored; preferences, contact rules and accessibility needs are never touched by a sync.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonSync {
    /// The primary e-mail (lower-cased ASCII when compared).
    pub email: String,
    /// Further addresses (added; one of another person is a conflict).
    pub other_emails: Vec<String>,
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Language tag.
    pub language: Option<String>,
    /// IANA time zone.
    pub time_zone: Option<String>,
    /// Memberships to create or update; others are kept.
    pub memberships: Vec<MembershipSync>,
}

/// Accounts first (so people can name them), then people, in one transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncBatch {
    /// Accounts, in order (a later row for the same account wins).
    pub accounts: Vec<AccountSync>,
    /// People, in order.
    pub people: Vec<PersonSync>,
}

/// Which list of a batch a row is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncList {
    /// `accounts`.
    Accounts,
    /// `people`.
    People,
}

/// The row that stopped a sync (nothing of the batch was stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRefusal {
    /// Its list.
    pub list: SyncList,
    /// Its index there (0-based).
    pub index: usize,
    /// The field at fault: `domains`, `external_id`, `external_ids`, `source_id`, `parent`, `email`,
    /// `other_emails`, `memberships`, `owner`.
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
    /// Whether it clashes with stored data (HTTP 409) rather than being invalid (422).
    pub conflict: bool,
}

/// What a sync stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    /// Each account row's account id and whether it was created.
    pub accounts: Vec<(String, bool)>,
    /// Each person row's person id and whether they were created.
    pub people: Vec<(String, bool)>,
    /// Accounts whose owner the sync changed, with the previous owner (for the handover).
    pub owner_changes: Vec<(String, Option<String>)>,
}
