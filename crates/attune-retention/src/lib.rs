//! Retention analytics over plain data: who was a customer when, and what that means for the
//! retention rate, churn, revenue retention, cohorts, survival and the churn audit.
//!
//! Pure and total: no I/O, no clock (every report takes an explicit `as_of` day), and undefined
//! ratios (S = 0, MRR₀ = 0, an empty cohort) are `None`, never NaN or a division by zero.
//!
//! The flow: build a [`Ledger`] once from subscription rows or activity events (this sorts by
//! account and merges each account's active intervals with the grace period), then ask it for
//! period summaries over a [`Grid`], cohort tables, lifetimes for [`KaplanMeier`], or churn
//! outcomes for [`churn_audit`]. Every count can be drilled into with the matching `*_members`
//! method, which recomputes the account ids behind it by a separate, simpler path.
#![forbid(unsafe_code)]

pub mod audit;
pub mod calendar;
pub mod cohort;
pub mod ledger;
pub mod packed;
mod par;
pub mod patch;
pub mod stats;
pub mod summary;
pub mod survival;

pub use audit::{AttributeColumn, AuditRow, Outcome, SignificanceTest, audit_members, churn_audit};
pub use calendar::{Day, Grid, GridError, Period, PeriodUnit, parse_day};
pub use cohort::{CohortRow, CohortTable};
pub use ledger::{ActivityEvent, Basis, Ledger, LedgerError, Subscription};
pub use summary::{Member, PeriodSummary};
pub use survival::{CiKind, KaplanMeier, KmStep, Lifetime, Median, TimeUnit};
