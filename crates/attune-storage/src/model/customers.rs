//! Accounts and contacts.

use serde::Serialize;

/// A customer account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    /// Opaque id.
    pub id: String,
    /// Id in the customer's own systems.
    pub external_id: Option<String>,
    /// Display name.
    pub name: String,
    /// Plan or product tier.
    pub plan: Option<String>,
    /// Company size band, e.g. `1-10`.
    pub size_band: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// The staff user who owns the relationship.
    pub owner_user_id: Option<String>,
    /// Other attributes.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl Account {
    /// The value of a segmenting attribute (`plan`, `size_band`, `industry`, `region`, `owner`
    /// or a custom attribute key).
    pub fn attribute(&self, name: &str) -> Option<String> {
        match name {
            "plan" => self.plan.clone(),
            "size_band" | "size" => self.size_band.clone(),
            "industry" => self.industry.clone(),
            "region" => self.region.clone(),
            "owner" => self.owner_user_id.clone(),
            "name" => Some(self.name.clone()),
            other => self.attributes.get(other).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            }),
        }
    }
}

/// An account to create or update, matched by external id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountUpsert {
    /// Id in the customer's own systems.
    pub external_id: String,
    /// Display name.
    pub name: String,
    /// Plan.
    pub plan: Option<String>,
    /// Size band.
    pub size_band: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Owner user id.
    pub owner_user_id: Option<String>,
    /// Other attributes.
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

/// A person on the customer's side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    /// Opaque id.
    pub id: String,
    /// Their account.
    pub account_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Job role.
    pub role: Option<String>,
    /// Whether they decide on purchases.
    pub decision_maker: bool,
    /// Preferred language.
    pub language: Option<String>,
    /// Preferences (channels, room temperature, …).
    pub preferences: serde_json::Map<String, serde_json::Value>,
}

/// A contact to create or update, matched by e-mail.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactUpsert {
    /// E-mail (the match key).
    pub email: String,
    /// Account, by external id.
    pub account_external_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Job role.
    pub role: Option<String>,
    /// Decision maker.
    pub decision_maker: bool,
    /// Language tag.
    pub language: Option<String>,
    /// Preferences.
    pub preferences: serde_json::Map<String, serde_json::Value>,
}
