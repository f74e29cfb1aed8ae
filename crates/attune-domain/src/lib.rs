//! Attune's domain: the types, rules and metric arithmetic. Pure: no I/O, no HTTP, no SQL.
//!
//! Values that reach storage are built through `parse` functions, so an invalid state (an NPS
//! of 11, an unknown language tag, an empty survey name) cannot be represented past the edge.
#![forbid(unsafe_code)]

pub mod closed_loop;
pub mod csv;
pub mod customer;
pub mod error;
pub mod jobs;
pub mod login;
pub mod metrics;
pub mod net;
pub mod org;
pub mod period;
pub mod response;
pub mod survey;
pub mod survey_access;
pub mod text;

pub use error::{FieldError, Invalid};
