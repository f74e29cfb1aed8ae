//! Accounts and contacts.

use serde::Serialize;

/// A customer account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    /// Opaque id.
    pub id: String,
    /// Id in the customer's own systems.
    pub external_id: Option<String>,
    /// Display name.
    pub name: String,
    /// Plan or product tier.
    pub plan: Option<String>,
    /// Company size band, e.g. `1-10`.
    pub size_band: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// The staff user who owns the relationship.
    pub owner_user_id: Option<String>,
    /// Other attributes; well-known keys are `lifecycle_stage` and `budget`.
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// The account this one belongs to (a group of companies).
    pub parent_id: Option<String>,
    /// When it was archived (ms since the epoch); archived accounts keep all their history.
    pub archived_at: Option<i64>,
    /// The account it was merged into, if it was (it is kept, and left out of lists).
    pub merged_into: Option<String>,
    /// When it was created (ms since the epoch).
    pub created_at: i64,
    /// Its ids in other systems, `(source, id)`, by source.
    pub other_ids: Vec<(String, String)>,
    /// Its web domains, sorted.
    pub domains: Vec<String>,
    /// Our team for it: (user id, role), by role.
    pub team: Vec<(String, attune_domain::customer::TeamRole)>,
}

impl Account {
    /// The value of a segmenting attribute (`plan`, `size_band`, `industry`, `region`, `owner`
    /// or a custom attribute key).
    pub fn attribute(&self, name: &str) -> Option<String> {
        match name {
            "plan" => self.plan.clone(),
            "size_band" | "size" => self.size_band.clone(),
            "industry" => self.industry.clone(),
            "region" => self.region.clone(),
            "owner" => self.owner_user_id.clone(),
            "name" => Some(self.name.clone()),
            other => self.attributes.get(other).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            }),
        }
    }
}

/// An account to create or update, matched by external id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountUpsert {
    /// Id in the customer's own systems.
    pub external_id: String,
    /// Display name.
    pub name: String,
    /// Plan.
    pub plan: Option<String>,
    /// Size band.
    pub size_band: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Owner user id.
    pub owner_user_id: Option<String>,
    /// Other attributes.
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// The parent account by id or external id: `None` keeps it, `Some(None)` removes it.
    pub parent: Option<Option<String>>,
    /// The web domains (already in [`attune_domain::customer::Domain`] form): `None` keeps
    /// them, a list replaces them.
    pub domains: Option<Vec<String>>,
    /// Ids in other systems: each named source is set (or, with `None`, removed); sources not
    /// named are kept.
    pub other_ids: Vec<(String, Option<String>)>,
}

/// A person on the customer's side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    /// Opaque id.
    pub id: String,
    /// Their account.
    pub account_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Job role.
    pub role: Option<String>,
    /// Whether they decide on purchases.
    pub decision_maker: bool,
    /// Preferred language.
    pub language: Option<String>,
    /// Preferences (channels, room temperature, …).
    pub preferences: serde_json::Map<String, serde_json::Value>,
}

/// A contact to create or update, matched by e-mail.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactUpsert {
    /// E-mail (the match key).
    pub email: String,
    /// Account, by external id.
    pub account_external_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Job role.
    pub role: Option<String>,
    /// Decision maker.
    pub decision_maker: bool,
    /// Language tag.
    pub language: Option<String>,
    /// Preferences.
    pub preferences: serde_json::Map<String, serde_json::Value>,
}

/// A person on the customer's side, who can belong to several accounts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    /// Opaque id (responses, invitations and cases name it as their `contact_id`).
    pub id: String,
    /// Name.
    pub name: Option<String>,
    /// The primary e-mail address.
    pub email: Option<String>,
    /// Every other address (lower-cased: the form people are found by), sorted.
    pub other_emails: Vec<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Preferred language.
    pub language: Option<String>,
    /// IANA time zone.
    pub time_zone: Option<String>,
    /// Personal preferences ("prefers morning calls", "room at 20 °C"): sensitive.
    pub preferences: serde_json::Map<String, serde_json::Value>,
    /// How and when they want to be contacted.
    pub contact_rules: attune_domain::customer::preferences::ContactRules,
    /// Accessibility needs: sensitive.
    pub accessibility: Vec<attune_domain::customer::preferences::AccessNeed>,
    /// Their accounts, current ones first, then by start.
    pub memberships: Vec<Membership>,
    /// The person they were merged into, if they were (kept, and left out of lists).
    pub merged_into: Option<String>,
    /// When the person was first recorded (ms since the epoch).
    pub created_at: i64,
}

impl Person {
    /// The membership a response from this person counts for when it names no account: the
    /// current one that started last (memberships come in that order).
    pub fn primary(&self, today: i64) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.is_current(today))
    }
}

/// A person's place in one account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Membership {
    /// The account.
    pub account_id: String,
    /// The account's name.
    pub account_name: String,
    /// Job title there.
    pub title: Option<String>,
    /// Roles there.
    #[serde(serialize_with = "roles_as_list")]
    pub roles: attune_domain::customer::Roles,
    /// First day (days since 1970-01-01), if known.
    pub from_day: Option<i64>,
    /// Last day, once they have left.
    pub to_day: Option<i64>,
    /// When it was recorded (ms since the epoch).
    pub created_at: i64,
}

impl Membership {
    /// Whether the person is still with the account on `today` (days since 1970-01-01).
    pub fn is_current(&self, today: i64) -> bool {
        self.to_day.is_none_or(|d| d >= today)
    }
}

fn roles_as_list<S: serde::Serializer>(
    roles: &attune_domain::customer::Roles,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(roles.iter())
}

/// A person to create or update, matched by any of their e-mail addresses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PersonUpsert {
    /// The primary e-mail (the match key, with `other_emails`).
    pub email: String,
    /// Further addresses (kept; an address of another person is a conflict).
    pub other_emails: Vec<String>,
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Language tag.
    pub language: Option<String>,
    /// IANA time zone.
    pub time_zone: Option<String>,
    /// Personal preferences (replaced).
    pub preferences: serde_json::Map<String, serde_json::Value>,
    /// How and when to contact them: `None` keeps what is stored.
    pub contact_rules: Option<attune_domain::customer::preferences::ContactRules>,
    /// Accessibility needs: `None` keeps what is stored.
    pub accessibility: Option<Vec<attune_domain::customer::preferences::AccessNeed>>,
    /// Memberships to create or update; the person's other memberships are kept.
    pub memberships: Vec<MembershipUpsert>,
}

/// A membership to create or update.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MembershipUpsert {
    /// The account, by id or external id.
    pub account: String,
    /// Job title.
    pub title: Option<String>,
    /// Roles.
    pub roles: attune_domain::customer::Roles,
    /// First day.
    pub from_day: Option<i64>,
    /// Last day.
    pub to_day: Option<i64>,
}

/// Which people to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeopleQuery {
    /// Only members (current or past) of this account id.
    pub account_id: Option<String>,
    /// Only people whose id sorts after this one (the previous page's last).
    pub after: Option<String>,
    /// At most this many.
    pub limit: u32,
}

/// What the relationship rules read about one account over a window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountTouches {
    /// Every touch in the window: one per customer participant of a non-internal interaction,
    /// one per response tied to a person.
    pub touches: Vec<attune_domain::customer::relationship::Touch>,
    /// People who answered a survey in the window.
    pub answered: std::collections::BTreeSet<String>,
    /// Each person's latest NPS score at the account, with its time (any age).
    pub latest_nps: std::collections::BTreeMap<String, (i64, u8)>,
}

/// A customer found by [`crate::store::CustomerStore::search_customers`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerHit {
    /// An account or a person.
    pub kind: crate::model::MergeKind,
    /// Its id.
    pub id: String,
    /// Its name (a person without one: their primary address).
    pub name: String,
    /// What matched: `name`, `external_id`, `domain` or `email`.
    pub matched: &'static str,
    /// The value that matched.
    pub value: String,
}

/// The relationship flag of one account, as kept by
/// [`crate::store::CustomerStore::refresh_account_flags`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountFlag {
    /// The account.
    pub account_id: String,
    /// The verdict with its numbers.
    pub threading: attune_domain::customer::relationship::Threading,
    /// When its oldest touch leaves the window (the verdict may change then).
    pub expires_at: Option<i64>,
}

/// The order of the account list (each then by name and id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FlagOrder {
    /// By name.
    #[default]
    Name,
    /// No contact first, then single-threaded, then multi-threaded.
    Flag,
    /// By owner (user id; unowned last).
    Owner,
}

/// One page of the account list with the kept flags, filtered and ordered by the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagListQuery {
    /// Only accounts whose flag is one of these (`no_contact`, `single_threaded`,
    /// `multi_threaded`; an account without a kept flag has had no contact); empty: any.
    pub flags: Vec<&'static str>,
    /// Only accounts of this owner (a user id; `Some(None)`: accounts nobody owns).
    pub owner: Option<Option<String>>,
    /// Only accounts whose attribute (`plan`, `size_band`, `industry`, `region`, or a custom
    /// key) has this value.
    pub attribute: Option<(String, String)>,
    /// The order.
    pub order: FlagOrder,
    /// Archived accounts too.
    pub archived: bool,
    /// The page after this account (the last id of the previous page).
    pub after: Option<String>,
    /// At most this many accounts.
    pub limit: u32,
}

/// What a refresh of the flags did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlagRefresh {
    /// Accounts recomputed.
    pub recomputed: u64,
    /// Whether every account was (the first refresh, or another window).
    pub full: bool,
}
