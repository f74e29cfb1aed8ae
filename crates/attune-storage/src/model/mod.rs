//! Rows as storage hands them out, and the queries it answers, by feature. Every type is
//! re-exported here, so `attune_storage::model::X` names it whichever file it lives in.

mod access;
mod closed_loop;
mod customer_sync;
mod customers;
mod interactions;
mod merges;
mod responses;
mod timeline;

pub use access::*;
pub use closed_loop::*;
pub use customer_sync::*;
pub use customers::*;
pub use interactions::*;
pub use merges::*;
pub use responses::*;
pub use timeline::*;
