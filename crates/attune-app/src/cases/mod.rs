//! The closed loop's use cases: acting on a case (update, note, assign), the loop metrics of a
//! period, and the daily digest. Each loads through the `Store`, lets the domain decide, and
//! answers a typed value whose JSON is what the API has always sent.

pub mod actions;
pub mod digest;
pub mod loop_metrics;

pub use actions::{add_note, assign, update};
pub use digest::{Digest, DigestCases, Quote};
pub use loop_metrics::{LoopReport, loop_report};
