//! Organisations, users, logins, tokens, sessions and the credentials stored among the settings.

use attune_domain::org::Role;
use serde::Serialize;

/// An organisation: the tenant boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    /// Opaque id.
    pub id: String,
    /// URL- and CLI-friendly name.
    pub slug: String,
    /// Display name.
    pub name: String,
}

/// A person who logs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Opaque id.
    pub id: String,
    /// Their organisation.
    pub org_id: String,
    /// Login name.
    pub email: String,
    /// What they may do.
    pub role: Role,
}

/// Failed logins of one e-mail, after recording another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    /// Failures in a row (since the last success, or the last day without one).
    pub failures: i64,
    /// When the next attempt may come (epoch ms; now when there is no back-off).
    pub next_allowed_at_ms: i64,
}

/// A logged-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The user.
    pub user: User,
    /// Token that forms must echo back.
    pub csrf_token: String,
    /// Expiry, epoch ms.
    pub expires_at_ms: i64,
}

/// What a valid API token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// Token id.
    pub token_id: String,
    /// Organisation it belongs to.
    pub org_id: String,
    /// Its role.
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialRow {
    /// A server-wide setting (`settings.value`).
    Setting {
        /// The setting's key.
        key: String,
    },
    /// A webhook's signing secret (`webhooks.secret`).
    WebhookSecret {
        /// The webhook's organisation.
        org_id: String,
        /// The webhook.
        webhook_id: String,
    },
}

/// A stored value that may be a credential, as [`Store::reseal_credentials`] hands it out.
///
/// [`Store::reseal_credentials`]: crate::Store::reseal_credentials
#[derive(Clone, PartialEq, Eq)]
pub struct StoredCredential {
    /// Where it lives.
    pub row: CredentialRow,
    /// The value as stored (sealed, or plain text from an older version).
    pub value: String,
}

impl std::fmt::Debug for StoredCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredCredential")
            .field("row", &self.row)
            .field("value", &"[redacted]")
            .finish()
    }
}

/// Decides what replaces a stored credential: `Ok(None)` keeps it, `Ok(Some(v))` stores `v`,
/// `Err(why)` abandons the whole change.
pub type Reseal<'a> =
    dyn Fn(&StoredCredential) -> Result<Option<String>, String> + Send + Sync + 'a;
