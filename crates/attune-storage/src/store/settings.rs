//! Settings, organisations and credentials.

use crate::StoreResult;
use crate::model::{Org, Reseal};

store_trait! {
    /// Server-wide settings, organisations and the credentials stored among them.
    pub trait SettingsStore {
        /// Fails when the database cannot be reached.
        async fn ping(&self) -> StoreResult<()>;
        /// Reads a server-wide setting, creating it with `init` when absent (first writer wins).
        async fn setting_or_init(&self, key: &str, init: &str) -> StoreResult<String>;
        /// Reads a server-wide setting, `None` when absent.
        async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
        /// Hands every stored value that may hold a credential (each server setting, each
        /// webhook's signing secret) to `f` and stores what it answers in its place, all in one
        /// transaction: an `Err` from `f` changes nothing. A value changed meanwhile by someone
        /// else is left alone. Returns how many values were replaced.
        async fn reseal_credentials(&self, f: &Reseal<'_>) -> StoreResult<u64>;
        /// Creates an organisation with a unique slug derived from its name.
        async fn create_org(&self, name: &str) -> StoreResult<Org>;
        /// Finds an organisation by slug.
        async fn org_by_slug(&self, slug: &str) -> StoreResult<Org>;
        /// Finds an organisation by id.
        async fn org_by_id(&self, org_id: &str) -> StoreResult<Org>;
        /// Every organisation.
        async fn list_orgs(&self) -> StoreResult<Vec<Org>>;
    }
}
