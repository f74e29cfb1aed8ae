//! Retention reports over stored rows, shared by the API, the page, the CLI and the
//! benchmark: parameters become a [`Spec`], an organisation's rows are loaded once, and the
//! arithmetic of `attune_retention` runs off the async executor. Days travel as `YYYY-MM-DD`;
//! ratios are fractions (0.95 = 95%); undefined ratios are `null`.

mod drill;
mod money;
pub mod output;
mod report;
mod service;
mod spec;

pub use drill::{AtStep, Drill, drill_options};
pub use money::parse_cents;
pub use report::Report;
pub use service::{
    attributes, audit, cohorts, day_of_ms, drill, members, summary, survival, with_report,
    with_report_and_attribute,
};
pub use spec::{
    AuditOptions, BasisKind, PeriodChoice, RetentionParams, Spec, SpecInput, SpecText,
    SurvivalOptions, both,
};
