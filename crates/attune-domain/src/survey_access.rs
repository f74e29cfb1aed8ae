//! Who may answer a survey, and from where its page may be embedded: the per-survey access
//! settings, and the pure decisions the public page makes with them.
//!
//! - `public`: the link works for anyone (the behaviour before these settings existed, and the
//!   default).
//! - `invitation`: only a valid signed personal invitation link opens and answers the survey.
//! - `one_per_respondent`: as `invitation`, and a known respondent (the invitation's contact,
//!   or the contact an API response names) answers at most once, however many invitations
//!   they hold.
//!
//! `anonymous_dedup` turns on the one-time form token and the "already answered" cookie for
//! anonymous answers through the public link; `embed_origins` lists the pages allowed to frame
//! the survey (the `frame-ancestors` of its page).

use serde::{Deserialize, Serialize};

use crate::Invalid;
use crate::error::Problems;

/// Most origins one survey may be embedded from.
pub const MAX_EMBED_ORIGINS: usize = 20;

/// How long a form token stays valid after the form was shown.
pub const FORM_TOKEN_TTL_MS: i64 = 24 * 3_600_000;

/// How far in the future a token's issue time may be (clocks of several instances differ).
const CLOCK_SKEW_MS: i64 = 5 * 60_000;

/// Who may open and answer a survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessMode {
    /// Anyone with the link.
    #[default]
    Public,
    /// Only holders of a personal invitation link.
    Invitation,
    /// Only invited or known respondents, each once.
    OnePerRespondent,
}

impl AccessMode {
    /// Parses the wire name.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Ok(match raw {
            "public" => Self::Public,
            "invitation" => Self::Invitation,
            "one_per_respondent" => Self::OnePerRespondent,
            other => {
                return Err(Invalid::one(
                    "mode",
                    format!(
                        "`{other}` is not an access mode: use public, invitation or one_per_respondent"
                    ),
                ));
            }
        })
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Invitation => "invitation",
            Self::OnePerRespondent => "one_per_respondent",
        }
    }
}

/// An origin allowed to embed a survey page: `https://host[:port]`, `http://host[:port]`, or
/// `https://*.example.com` (any subdomain of a registrable name), lower case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EmbedOrigin(String);

impl EmbedOrigin {
    /// Parses an origin, or says what is wrong with it.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let s = raw.trim();
        if !s.is_ascii() {
            return Err(format!(
                "`{raw}` must be ASCII: write an international domain name in its xn-- form"
            ));
        }
        let s = s.to_ascii_lowercase();
        let (scheme, rest) = if let Some(r) = s.strip_prefix("https://") {
            ("https", r)
        } else if let Some(r) = s.strip_prefix("http://") {
            ("http", r)
        } else {
            return Err(format!(
                "`{raw}` must be an origin starting with https:// or http://"
            ));
        };
        if let Some(c) = rest
            .chars()
            .find(|c| "/?#@\\".contains(*c) || c.is_whitespace())
        {
            return Err(format!(
                "`{raw}` must be only scheme://host[:port], without `{c}` (no path, query, user or spaces)"
            ));
        }
        if rest.starts_with('[') {
            return Err(format!(
                "`{raw}`: IPv6 addresses cannot be used here; use a host name"
            ));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        };
        if let Some(p) = port {
            let ok = !p.is_empty()
                && p.len() <= 5
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|n| (1..=65_535).contains(&n));
            if !ok {
                return Err(format!(
                    "`{raw}`: the port must be a number from 1 to 65535"
                ));
            }
        }
        match host.strip_prefix("*.") {
            Some(base) => {
                if scheme != "https" {
                    return Err(format!("`{raw}`: a wildcard origin must use https://"));
                }
                if !is_dns_name(base) || is_ipv4(base) || !base.contains('.') {
                    return Err(format!(
                        "`{raw}`: a wildcard stands only for the subdomains of a name with at least two labels, as in https://*.example.com"
                    ));
                }
            }
            None if is_ipv4(host) || is_dns_name(host) => {}
            None => {
                return Err(format!(
                    "`{raw}`: `{host}` is not a host name (letters, digits and `-` between dots; no wildcard except a leading `*.`)"
                ));
            }
        }
        Ok(Self(s))
    }

    /// The origin as written in a Content-Security-Policy source list.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_ipv4(host: &str) -> bool {
    host.parse::<std::net::Ipv4Addr>().is_ok()
}

fn is_dns_name(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    !host.is_empty()
        && host.len() <= 253
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

/// A survey's access settings, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SurveyAccess {
    /// Who may open and answer it.
    pub mode: AccessMode,
    /// One-time form tokens and an "already answered" cookie for anonymous public answers.
    pub anonymous_dedup: bool,
    /// Pages allowed to frame the survey page.
    pub embed_origins: Vec<EmbedOrigin>,
}

/// Access settings as received: each field left out keeps its current value.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveyAccessInput {
    /// `public`, `invitation` or `one_per_respondent`.
    pub mode: Option<String>,
    /// Whether anonymous answers are deduplicated.
    pub anonymous_dedup: Option<bool>,
    /// Origins allowed to embed the survey page (replaces the list).
    pub embed_origins: Option<Vec<String>>,
}

impl SurveyAccess {
    /// These settings changed by `input`; field paths in errors start with `at` (`access.` at
    /// creation, empty on the settings endpoint).
    pub fn apply(&self, input: SurveyAccessInput, at: &str) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let mut next = self.clone();
        if let Some(m) = input.mode {
            match AccessMode::parse(&m) {
                Ok(mode) => next.mode = mode,
                Err(e) => {
                    for f in e.0 {
                        p.push(format!("{at}mode"), f.message);
                    }
                }
            }
        }
        if let Some(d) = input.anonymous_dedup {
            next.anonymous_dedup = d;
        }
        if let Some(list) = input.embed_origins {
            if list.len() > MAX_EMBED_ORIGINS {
                p.push(
                    format!("{at}embed_origins"),
                    format!(
                        "at most {MAX_EMBED_ORIGINS} origins (got {}); use https://*.example.com for many subdomains",
                        list.len()
                    ),
                );
            } else {
                let mut origins: Vec<EmbedOrigin> = Vec::new();
                for (i, raw) in list.iter().enumerate() {
                    match EmbedOrigin::parse(raw) {
                        Ok(o) if origins.contains(&o) => {}
                        Ok(o) => origins.push(o),
                        Err(m) => p.push(format!("{at}embed_origins[{i}]"), m),
                    }
                }
                next.embed_origins = origins;
            }
        }
        p.finish(next)
    }

    /// Whether the public link needs a personal invitation.
    pub fn needs_invitation(&self) -> bool {
        self.mode != AccessMode::Public
    }

    /// The key that makes a known respondent's second answer a duplicate, in
    /// `one_per_respondent` mode: one per survey and contact.
    pub fn respondent_key(&self, survey_id: &str, contact_id: Option<&str>) -> Option<String> {
        match (self.mode, contact_id) {
            (AccessMode::OnePerRespondent, Some(c)) => Some(format!("once:{survey_id}:{c}")),
            _ => None,
        }
    }

    /// The sources of the survey page's `frame-ancestors` directive: the listed origins, or
    /// `'none'` when there are none (no site may frame the page).
    pub fn frame_ancestors(&self) -> String {
        if self.embed_origins.is_empty() {
            return "'none'".to_owned();
        }
        self.embed_origins
            .iter()
            .map(EmbedOrigin::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What a one-time form token says (its signature is checked by the web layer, which holds
/// the key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormToken {
    /// The survey whose form it was put in.
    pub survey_id: String,
    /// When the form was shown, epoch ms.
    pub issued_ms: i64,
    /// When it stops being accepted, epoch ms.
    pub expires_ms: i64,
    /// Random, unique per form shown; the answer's dedup key is made from it.
    pub nonce: String,
}

/// Whether a form token can be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormTokenCheck {
    /// Good for this survey, now.
    Valid,
    /// Past its expiry (or issued in the future): re-render the form with a fresh token.
    Expired,
    /// Made for another survey.
    WrongSurvey,
}

impl FormToken {
    /// A token for a form shown at `now_ms`.
    pub fn issue(survey_id: &str, now_ms: i64, nonce: String) -> Self {
        Self {
            survey_id: survey_id.to_owned(),
            issued_ms: now_ms,
            expires_ms: now_ms + FORM_TOKEN_TTL_MS,
            nonce,
        }
    }

    /// The signed part: `v1.<survey>.<issued>.<expires>.<nonce>`.
    pub fn payload(&self) -> String {
        format!(
            "v1.{}.{}.{}.{}",
            self.survey_id, self.issued_ms, self.expires_ms, self.nonce
        )
    }

    /// Reads a payload made by [`FormToken::payload`].
    pub fn from_payload(payload: &str) -> Option<Self> {
        let mut it = payload.split('.');
        let (Some("v1"), Some(survey), Some(issued), Some(expires), Some(nonce), None) = (
            it.next(),
            it.next(),
            it.next(),
            it.next(),
            it.next(),
            it.next(),
        ) else {
            return None;
        };
        let nonce_ok = !nonce.is_empty()
            && nonce.len() <= 64
            && nonce
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        (!survey.is_empty() && nonce_ok).then(|| Self {
            survey_id: survey.to_owned(),
            issued_ms: issued.parse().ok().unwrap_or(i64::MAX),
            expires_ms: expires.parse().ok().unwrap_or(i64::MIN),
            nonce: nonce.to_owned(),
        })
    }

    /// Whether the token may answer `survey_id` at `now_ms`.
    pub fn check(&self, survey_id: &str, now_ms: i64) -> FormTokenCheck {
        if self.survey_id != survey_id {
            FormTokenCheck::WrongSurvey
        } else if now_ms >= self.expires_ms || self.issued_ms > now_ms + CLOCK_SKEW_MS {
            FormTokenCheck::Expired
        } else {
            FormTokenCheck::Valid
        }
    }

    /// The dedup key of the answer made with this token: a second use is refused by
    /// `UNIQUE (org_id, dedup_key)`.
    pub fn dedup_key(&self) -> String {
        format!("ft:{}", self.nonce)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        for ok in [
            "https://shop.example.com",
            "http://localhost:8080",
            "https://*.example.org",
            "https://10.0.0.5:8443",
            "HTTPS://Shop.Example.COM",
        ] {
            assert!(EmbedOrigin::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            EmbedOrigin::parse("HTTPS://Shop.Example.COM")
                .unwrap()
                .as_str(),
            "https://shop.example.com"
        );
        for bad in [
            "*",
            "https://*",
            "https://*.com",
            "http://*.example.com",
            "https://a.*.example.com",
            "https://*example.com",
            "example.com",
            "ftp://example.com",
            "javascript:alert(1)",
            "https://example.com/",
            "https://example.com/path",
            "https://example.com?x",
            "https://u@example.com",
            "https://exa mple.com",
            "https://example.com:0",
            "https://example.com:65536",
            "https://example.com:",
            "https://[::1]",
            "https://-bad.example",
            "https://1.2.3",
            "https://bücher.example",
            "'self'",
        ] {
            assert!(EmbedOrigin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn settings_change_only_what_is_named_and_report_each_field() {
        let base = SurveyAccess::default();
        let next = base
            .apply(
                SurveyAccessInput {
                    mode: Some("invitation".into()),
                    ..Default::default()
                },
                "",
            )
            .unwrap();
        assert_eq!(next.mode, AccessMode::Invitation);
        assert!(!next.anonymous_dedup && next.embed_origins.is_empty());
        let err = base
            .apply(
                SurveyAccessInput {
                    mode: Some("open".into()),
                    anonymous_dedup: None,
                    embed_origins: Some(vec!["https://ok.example".into(), "https://x/y".into()]),
                },
                "access.",
            )
            .unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["access.mode", "access.embed_origins[1]"]);
        let many = (0..=MAX_EMBED_ORIGINS)
            .map(|i| format!("https://s{i}.example"))
            .collect();
        let err = base
            .apply(
                SurveyAccessInput {
                    embed_origins: Some(many),
                    ..Default::default()
                },
                "",
            )
            .unwrap_err();
        assert_eq!(err.0[0].field, "embed_origins");
    }

    #[test]
    fn only_one_per_respondent_keys_answers_by_contact() {
        let mut a = SurveyAccess::default();
        assert_eq!(a.respondent_key("s", Some("c")), None);
        a.mode = AccessMode::OnePerRespondent;
        assert_eq!(
            a.respondent_key("s", Some("c")).as_deref(),
            Some("once:s:c")
        );
        assert_eq!(a.respondent_key("s", None), None);
        assert!(a.needs_invitation());
        assert_eq!(a.frame_ancestors(), "'none'");
        a.embed_origins = vec![
            EmbedOrigin::parse("https://a.example").unwrap(),
            EmbedOrigin::parse("https://*.b.example:8443").unwrap(),
        ];
        assert_eq!(
            a.frame_ancestors(),
            "https://a.example https://*.b.example:8443"
        );
    }

    /// Nothing that could add a directive, a header or a source a survey did not mean gets in
    /// (this value goes into the page's Content-Security-Policy as it is).
    #[test]
    fn embed_origins_cannot_inject_into_the_policy() {
        for raw in [
            "",
            "*",
            "shop.example",
            "'self'",
            "'unsafe-inline'",
            "javascript:alert(1)",
            "data:",
            "ftp://shop.example",
            "https://",
            "https://shop.example/path",
            "https://shop.example?x",
            "https://shop.example; script-src *",
            "https://shop.example https://evil.example",
            "https://shop.example\r\nSet-Cookie: x=1",
            "https://shop.example:0",
            "https://shop.example:99999",
            "https://shop.example:80:80",
            "https://user@shop.example",
            "https://-shop.example",
            "https://shop..example",
            "https://a.*.example",
            "https://[zz::1]",
            "https://[::1",
        ] {
            assert!(EmbedOrigin::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn form_tokens_expire_and_belong_to_one_survey() {
        let t = FormToken::issue("s1", 1_000, "n0nce".into());
        let back = FormToken::from_payload(&t.payload()).unwrap();
        assert_eq!(back, t);
        assert_eq!(t.check("s1", 1_000), FormTokenCheck::Valid);
        assert_eq!(
            t.check("s1", 1_000 + FORM_TOKEN_TTL_MS),
            FormTokenCheck::Expired
        );
        assert_eq!(t.check("s2", 1_000), FormTokenCheck::WrongSurvey);
        assert_eq!(
            t.check("s1", 1_000 - CLOCK_SKEW_MS - 1),
            FormTokenCheck::Expired,
            "issued in the future"
        );
        assert_eq!(t.dedup_key(), "ft:n0nce");
        for bad in [
            "",
            "v1",
            "v2.s.1.2.n",
            "v1.s.1.2.n.extra",
            "v1.s.1.2.",
            "v1..1.2.n",
        ] {
            assert_eq!(FormToken::from_payload(bad), None, "{bad}");
        }
        let garbled = FormToken::from_payload("v1.s.x.y.n").unwrap();
        assert_eq!(garbled.check("s", 0), FormTokenCheck::Expired);
    }
}
