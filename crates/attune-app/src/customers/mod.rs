//! The customer 360's use cases: interactions (and the feedback heard in them).

pub mod interactions;
