//! Experience metrics over the pre-aggregated counts: NPS, CSAT and CES, overall, as a trend
//! (`interval`) and/or by segment (`by`).

mod compute;
pub mod output;
mod query;

pub use compute::compute;
pub use query::{ACCOUNT_COLUMNS, MetricParams, MetricQuery, Segment};
