//! The closed loop: alert rules that turn feedback into cases, SLA deadlines, the case state
//! machine and its transitions, escalation, and the message the customer receives when their
//! case is resolved.

pub mod case;
pub mod durations;
pub mod escalation;
pub mod loop_counts;
pub mod metrics;
pub mod opening;
pub mod record;
pub mod rules;
pub mod sla;
pub mod template;
pub mod timeline;
pub mod transition;
