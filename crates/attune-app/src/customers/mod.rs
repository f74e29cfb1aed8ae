//! The customer 360's use cases: interactions (and the feedback heard in them), relationship
//! health.

pub mod flags;
pub mod handover;
pub mod interactions;
pub mod relationship;
pub mod scores;
pub mod sync;
