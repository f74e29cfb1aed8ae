//! Organisations, roles and what each role may do.

use serde::{Deserialize, Serialize};

use crate::Invalid;

/// What a user or token may do inside its organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads everything, changes nothing.
    Viewer,
    /// Reads and writes surveys, responses, accounts.
    Member,
    /// Everything, including users and tokens.
    Admin,
}

impl Role {
    /// Parses `admin`, `member` or `viewer`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Self::Admin),
            "member" => Ok(Self::Member),
            "viewer" => Ok(Self::Viewer),
            other => Err(Invalid::one(
                "role",
                format!("`{other}` is not a role: use admin, member or viewer"),
            )),
        }
    }

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Member => "member",
            Self::Viewer => "viewer",
        }
    }

    /// Viewers read only.
    pub fn can_write(self) -> bool {
        self >= Self::Member
    }
}

/// Who is acting, and for which organisation: every storage call that touches tenant data is
/// given the organisation from here, never from the request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The organisation the caller belongs to.
    pub org_id: String,
    /// The caller's role in it.
    pub role: Role,
    /// The user, when the caller is a logged-in person rather than an API token.
    pub user_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_members_and_admins_write() {
        assert!(!Role::Viewer.can_write());
        assert!(Role::Member.can_write());
        assert!(Role::Admin.can_write());
        assert_eq!(Role::parse(" Admin ").unwrap(), Role::Admin);
        assert!(Role::parse("owner").is_err());
    }
}
