//! Attune's storage: one store trait per feature (`CaseStore`, `SurveyStore`, …) gathered in
//! the [`Store`] umbrella handlers and jobs talk to, its error type, and the SQL implementation
//! shared by the SQLite and PostgreSQL backends.
//!
//! Every method that reads or writes tenant data takes the organisation id first; no query
//! here touches tenant rows without it.
#![forbid(unsafe_code)]

pub mod error;
pub mod model;
#[cfg(feature = "testing")]
mod recorded;
pub mod retention;
pub mod sql;
mod store;

pub use error::{StoreError, StoreResult};
#[cfg(feature = "testing")]
pub use recorded::Recorded;
pub use store::{
    AccessStore, CaseStore, CustomerStore, FeedStore, InteractionStore, JobStore, LoopConfigStore,
    MergeStore, OutboxStore, ResponseStore, RetentionStore, ScoreStore, SettingsStore,
    SnapshotStore, Store, SurveyStore, TeamStore, TextStore,
};

/// The store traits, to bring every feature's methods into scope: `use attune_storage::prelude::*;`.
pub mod prelude {
    pub use crate::store::{
        AccessStore, CaseStore, CustomerStore, FeedStore, InteractionStore, JobStore,
        LoopConfigStore, MergeStore, OutboxStore, ResponseStore, RetentionStore, ScoreStore,
        SettingsStore, SnapshotStore, Store, SurveyStore, TeamStore, TextStore,
    };
}
