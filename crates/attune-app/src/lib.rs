//! Attune's application layer: the use cases. The web crate (API and pages), the CLI, the
//! worker and the benchmarks call these functions and get typed answers; none of them calls
//! another's internals. Decisions stay in `attune-domain`, SQL in `attune-storage`; a use case
//! loads through a store trait, asks the domain, and writes through the store.
#![forbid(unsafe_code)]

pub mod cases;
pub mod customers;
pub mod error;
pub mod import;
pub mod metrics;
pub mod retention;
pub mod text;

pub use error::{AppError, AppResult};
