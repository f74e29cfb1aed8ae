//! The customer 360's closed sets and the shapes of what identifies a customer: the roles a
//! person holds in an account, web domains, the names of other systems' ids, time zones.

pub mod handover;
pub mod preferences;
pub mod relationship;

use serde::{Deserialize, Serialize};

use crate::error::Invalid;

/// A role a person holds at one of our customers (beside their job title).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MembershipRole {
    /// Decides on buying and renewing.
    DecisionMaker,
    /// Speaks for us inside the customer.
    Champion,
    /// The customer's executive who sponsors the relationship.
    ExecutiveSponsor,
    /// Uses the product.
    User,
    /// Pays the bills.
    Billing,
}

impl MembershipRole {
    /// Every role, in the order they are stored and shown.
    pub const ALL: [Self; 5] = [
        Self::DecisionMaker,
        Self::Champion,
        Self::ExecutiveSponsor,
        Self::User,
        Self::Billing,
    ];

    /// The stored and API name, e.g. `decision_maker`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DecisionMaker => "decision_maker",
            Self::Champion => "champion",
            Self::ExecutiveSponsor => "executive_sponsor",
            Self::User => "user",
            Self::Billing => "billing",
        }
    }

    /// The role with this name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// The set of roles a person holds in one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Roles(u8);

impl Roles {
    /// No role.
    pub const NONE: Self = Self(0);

    /// Whether the set holds `role`.
    pub fn contains(self, role: MembershipRole) -> bool {
        self.0 & role.bit() != 0
    }

    /// The set with `role` added.
    pub fn with(self, role: MembershipRole) -> Self {
        Self(self.0 | role.bit())
    }

    /// The set without `role`.
    pub fn without(self, role: MembershipRole) -> Self {
        Self(self.0 & !role.bit())
    }

    /// The roles, in [`MembershipRole::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = MembershipRole> {
        MembershipRole::ALL
            .into_iter()
            .filter(move |r| self.contains(*r))
    }

    /// The stored form: names joined by commas in [`MembershipRole::ALL`] order (empty for none).
    pub fn encode(self) -> String {
        self.iter()
            .map(MembershipRole::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored form; unknown names (from a newer version) are skipped.
    pub fn decode(raw: &str) -> Self {
        raw.split(',')
            .filter_map(MembershipRole::parse)
            .fold(Self::NONE, Self::with)
    }

    /// Parses names given by a user (API, CSV); `field` names the input in the error.
    pub fn parse<'a>(
        field: &str,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, Invalid> {
        let mut roles = Self::NONE;
        for name in names {
            let name = name.trim();
            let key = name.to_ascii_lowercase().replace([' ', '-'], "_");
            match MembershipRole::parse(&key) {
                Some(r) => roles = roles.with(r),
                None if name.is_empty() => {}
                None => {
                    let known: Vec<&str> = MembershipRole::ALL.iter().map(|r| r.as_str()).collect();
                    return Err(Invalid::one(
                        field,
                        format!("`{name}` is not a role; roles are {}", known.join(", ")),
                    ));
                }
            }
        }
        Ok(roles)
    }
}

/// A role on our side of the relationship with an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamRole {
    /// Customer success manager.
    Csm,
    /// Account executive (sales).
    AccountExecutive,
    /// Support lead.
    SupportLead,
    /// Our executive sponsor.
    ExecutiveSponsor,
}

impl TeamRole {
    /// Every role.
    pub const ALL: [Self; 4] = [
        Self::Csm,
        Self::AccountExecutive,
        Self::SupportLead,
        Self::ExecutiveSponsor,
    ];

    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csm => "csm",
            Self::AccountExecutive => "account_executive",
            Self::SupportLead => "support_lead",
            Self::ExecutiveSponsor => "executive_sponsor",
        }
    }

    /// The role with this name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// What is done with an account's open cases when its owner changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverRule {
    /// The previous owner's open cases go to the new owner.
    #[default]
    Move,
    /// They stay with whoever has them.
    Stay,
    /// They are dealt round the account's team (the new owner included).
    RoundRobin,
}

impl HandoverRule {
    /// Every rule.
    pub const ALL: [Self; 3] = [Self::Move, Self::Stay, Self::RoundRobin];

    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Move => "move",
            Self::Stay => "stay",
            Self::RoundRobin => "round_robin",
        }
    }

    /// The rule with this name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// What kind of conversation an interaction was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    /// A phone or video call.
    Call,
    /// A meeting.
    Meeting,
    /// An e-mail exchange.
    Email,
    /// A note (with `internal`, one that never counts as a touch with the customer).
    Note,
    /// A visit on site.
    Visit,
}

impl InteractionKind {
    /// Every kind.
    pub const ALL: [Self; 5] = [
        Self::Call,
        Self::Meeting,
        Self::Email,
        Self::Note,
        Self::Visit,
    ];

    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Meeting => "meeting",
            Self::Email => "email",
            Self::Note => "note",
            Self::Visit => "visit",
        }
    }

    /// The kind with this name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// Something promised or to do after an interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    /// What is to be done.
    pub text: String,
    /// By when (days since 1970-01-01), if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_day: Option<i64>,
    /// Whether it is done.
    #[serde(default)]
    pub done: bool,
}

/// A web domain of an account, e.g. `example.com`: lower-case, international names in their
/// ASCII (punycode) form, without a scheme, `www.`, port or path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Domain(String);

impl Domain {
    /// Accepts `example.com`, `Example.COM`, `https://www.example.com/about` or `bücher.de`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let text = raw.trim();
        let bad = || {
            Invalid::one(
                field,
                format!("`{text}` is not a web domain (e.g. `example.com`)"),
            )
        };
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
            .unwrap_or(text);
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host
            }
        });
        if host.is_empty() || host.contains('@') || text.len() > 253 {
            return Err(bad());
        }
        // An ASCII name is checked here; an international one is converted by IDNA first.
        let ascii = if host.is_ascii() {
            host.to_ascii_lowercase()
        } else {
            match url::Host::parse(host) {
                Ok(url::Host::Domain(d)) => d,
                _ => return Err(bad()),
            }
        };
        let ascii = ascii.trim_end_matches('.');
        let ascii = match ascii.strip_prefix("www.") {
            Some(rest) if rest.contains('.') => rest,
            _ => ascii,
        };
        let labels: Vec<&str> = ascii.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        let tld_ok = labels
            .last()
            .is_some_and(|t| !t.chars().all(|c| c.is_ascii_digit()));
        if labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
            return Err(bad());
        }
        Ok(Self(ascii.to_owned()))
    }

    /// The domain as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name of another system an account has an id in, e.g. `crm`, `billing`, `hubspot`:
/// 1–40 characters of lower-case letters, digits, `_` and `-`.
pub fn parse_source(field: &str, raw: &str) -> Result<String, Invalid> {
    let s = raw.trim().to_ascii_lowercase();
    let ok = (1..=40).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(s)
    } else {
        Err(Invalid::one(
            field,
            format!(
                "`{}` is not a source name: use 1 to 40 letters, digits, `_` or `-` (e.g. `crm`)",
                raw.trim()
            ),
        ))
    }
}

/// An IANA time-zone name such as `Asia/Karachi`, `America/Argentina/Buenos_Aires` or `UTC`,
/// checked for its shape (areas and places of letters, digits, `_`, `-` and `+`).
pub fn parse_time_zone(field: &str, raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let part_ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 30
            && p.starts_with(|c: char| c.is_ascii_alphabetic())
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
    };
    let parts: Vec<&str> = s.split('/').collect();
    let known_single = matches!(s, "UTC" | "GMT" | "Etc/UTC");
    if known_single || (parts.len() >= 2 && parts.len() <= 3 && parts.iter().all(|p| part_ok(p))) {
        Ok(s.to_owned())
    } else {
        Err(Invalid::one(
            field,
            format!("`{s}` is not a time zone: use an IANA name such as `Asia/Karachi` or `UTC`"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_in_a_fixed_order() {
        let r = Roles::parse("roles", ["billing", "Decision maker", "champion"]).unwrap();
        assert_eq!(r.encode(), "decision_maker,champion,billing");
        assert_eq!(Roles::decode(&r.encode()), r);
        assert_eq!(Roles::decode(""), Roles::NONE);
        assert_eq!(
            Roles::decode("champion,from_the_future"),
            Roles::NONE.with(MembershipRole::Champion)
        );
        assert!(
            !r.without(MembershipRole::Champion)
                .contains(MembershipRole::Champion)
        );
        let err = Roles::parse("roles", ["boss"]).unwrap_err();
        assert!(err.0[0].message.contains("`boss` is not a role"), "{err}");
    }

    #[test]
    fn every_set_of_roles_round_trips() {
        for bits in 0u8..32 {
            let roles = MembershipRole::ALL
                .into_iter()
                .filter(|r| bits & (1 << (*r as u8)) != 0)
                .fold(Roles::NONE, Roles::with);
            assert_eq!(Roles::decode(&roles.encode()), roles);
            assert_eq!(roles.iter().count(), bits.count_ones() as usize);
        }
    }

    #[test]
    fn domains_are_kept_in_one_form() {
        let d = |s: &str| Domain::parse("domains", s).map(|d| d.0);
        assert_eq!(d("Example.COM").unwrap(), "example.com");
        assert_eq!(
            d("https://www.example.com/about?x=1").unwrap(),
            "example.com"
        );
        assert_eq!(
            d("http://shop.example.co.uk:8080").unwrap(),
            "shop.example.co.uk"
        );
        assert_eq!(d("bücher.de").unwrap(), "xn--bcher-kva.de");
        assert_eq!(d("example.com.").unwrap(), "example.com");
        assert_eq!(
            d("www.com").unwrap(),
            "www.com",
            "www. is kept when it is the name"
        );
        assert_eq!(
            d("xn--abc.de").unwrap(),
            "xn--abc.de",
            "an ASCII name is taken as written"
        );
        for bad in [
            "",
            "localhost",
            "10.0.0.1",
            "exa mple.com",
            "-a.com",
            "a..com",
            "me@x.com",
            "[::1]",
        ] {
            assert!(d(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn sources_and_time_zones_have_a_shape() {
        assert_eq!(parse_source("s", " HubSpot ").unwrap(), "hubspot");
        assert!(parse_source("s", "crm system").is_err());
        assert!(parse_source("s", "").is_err());
        for ok in [
            "Asia/Karachi",
            "America/Argentina/Buenos_Aires",
            "UTC",
            "Etc/GMT+5",
        ] {
            assert_eq!(parse_time_zone("tz", ok).unwrap(), ok);
        }
        for bad in [
            "",
            "Karachi",
            "Asia/",
            "../etc/passwd",
            "Asia/Kara chi",
            "a/b/c/d",
        ] {
            assert!(parse_time_zone("tz", bad).is_err(), "{bad:?} accepted");
        }
    }
}
