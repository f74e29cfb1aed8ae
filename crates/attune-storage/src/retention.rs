//! What the retention reports read and write: subscription rows and activity events as
//! imported, and an organisation's rows loaded as `attune_retention` inputs, with accounts
//! numbered densely (`0..n_accounts`) so that the arithmetic works on plain integers.

use attune_retention::{ActivityEvent, Day, Subscription};
use serde::Serialize;

/// One subscription or contract row to store; accounts are named by external id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscription {
    /// The account's external id (created on first sight).
    pub account_external_id: String,
    /// Product or plan ('' when the source has none); part of the dedup key.
    pub product: String,
    /// First active day.
    pub start: Day,
    /// First day no longer active; `None` while it runs.
    pub end: Option<Day>,
    /// Monthly recurring revenue in cents.
    pub mrr_cents: i64,
    /// Seats, units, …
    pub quantity: Option<i64>,
    /// E.g. `1` (months) or `annual`, as given.
    pub billing_period: Option<String>,
    /// Why it ended, as given.
    pub cancellation_reason: Option<String>,
}

/// One stored subscription row of an account, as its page and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountSubscription {
    /// Product or plan ('' when the source has none).
    pub product: String,
    /// First active day (days since 1970-01-01).
    pub start_day: i64,
    /// First day no longer active; `None` while it runs.
    pub end_day: Option<i64>,
    /// Monthly recurring revenue in cents.
    pub mrr_cents: i64,
    /// Seats, units, …
    pub quantity: Option<i64>,
    /// As given.
    pub billing_period: Option<String>,
    /// Why it ended, as given.
    pub cancellation_reason: Option<String>,
}

/// One purchase or usage event to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    /// The account's external id (created on first sight).
    pub account_external_id: String,
    /// The day it happened.
    pub day: Day,
    /// Its value in cents (0 when there is none).
    pub value_cents: i64,
}

/// Which rows a report reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RetentionSource {
    /// Subscription / contract rows.
    Subscriptions,
    /// Purchase / activity events.
    Activity,
}

/// An organisation's rows as the arithmetic wants them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionRows {
    /// Accounts are `0..n_accounts`.
    pub n_accounts: usize,
    /// Subscription rows (empty when the source is activity).
    pub subscriptions: Vec<Subscription>,
    /// Activity events (empty when the source is subscriptions).
    pub activity: Vec<ActivityEvent>,
}

/// An account behind a number, for drill-down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionAccount {
    /// Its dense number in the reports.
    pub idx: u32,
    /// Account id.
    pub id: String,
    /// The id in the customer's own systems.
    pub external_id: Option<String>,
    /// Display name.
    pub name: String,
}

/// Account attributes stored in their own columns; any other name is a key of the account's
/// custom `attributes`. `owner` is the owner's e-mail.
pub const BUILTIN_ATTRIBUTES: &[&str] = &["plan", "size_band", "industry", "region", "owner"];

/// Account attributes read from the subscriptions: `product` (every product the account had,
/// sorted, joined with " + ") and `cancellation_reason` (the reason on its latest cancelled
/// subscription). They shadow custom attributes of the same names.
pub const SUBSCRIPTION_ATTRIBUTES: &[&str] = &["product", "cancellation_reason"];
