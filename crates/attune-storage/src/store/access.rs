//! Users, login back-off, tokens and sessions.

use attune_domain::org::Role;

use crate::StoreResult;
use crate::model::{LoginFailures, Session, TokenGrant, User};

store_trait! {
    /// Who may come in: users, the login back-off, API tokens and sessions.
    pub trait AccessStore {
        /// Creates a user; e-mails are unique across the server (they are login names).
        async fn create_user(
            &self,
            org_id: &str,
            email: &str,
            password_hash: &str,
            role: Role,
        ) -> StoreResult<User>;
        /// A user and their password hash, by e-mail (for login).
        async fn user_for_login(&self, email: &str) -> StoreResult<(User, String)>;
        /// Until when (epoch ms) logins of this e-mail wait, if that is after `now_ms`.
        async fn login_backoff_until(&self, email: &str, now_ms: i64) -> StoreResult<Option<i64>>;
        /// Counts a failed login of an e-mail, with or without an account, and sets when the next
        /// attempt may come by `policy`; forgets failures a day old, of every e-mail.
        async fn record_login_failure(
            &self,
            email: &str,
            now_ms: i64,
            policy: &attune_domain::login::BackoffPolicy,
        ) -> StoreResult<LoginFailures>;
        /// Forgets an e-mail's failed logins (after a successful one).
        async fn forget_login_failures(&self, email: &str) -> StoreResult<()>;
        /// Clears the login back-off of the organisation's user with this e-mail; true when
        /// failures were recorded. `NotFound` when the organisation has no such user.
        async fn clear_login_backoff(&self, org_id: &str, email: &str) -> StoreResult<bool>;
        /// Users of an organisation.
        async fn list_users(&self, org_id: &str) -> StoreResult<Vec<User>>;
        /// Stores an API token by its hash.
        async fn create_token(
            &self,
            org_id: &str,
            token_hash: &str,
            role: Role,
            label: &str,
        ) -> StoreResult<String>;
        /// What a token hash grants.
        async fn token_grant(&self, token_hash: &str) -> StoreResult<TokenGrant>;
        /// Starts a session stored by the hash of its cookie value.
        async fn create_session(
            &self,
            id_hash: &str,
            user_id: &str,
            csrf_token: &str,
            expires_at_ms: i64,
        ) -> StoreResult<()>;
        /// A live session (expired ones are `NotFound`).
        async fn session(&self, id_hash: &str, now_ms: i64) -> StoreResult<Session>;
        /// Ends a session.
        async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    }
}
