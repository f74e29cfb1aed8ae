//! The closed loop: alert rules that turn feedback into cases, SLA deadlines, the case state
//! machine, and the message the customer receives when their case is resolved.

pub mod case;
pub mod metrics;
pub mod rules;
pub mod sla;
pub mod template;
