//! Credentials: passwords (Argon2id, hashed off the async executor), API tokens (32 random
//! bytes shown once, stored as SHA-256), browser sessions, and signed invitation links.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use attune_domain::org::{Actor, Role};
use attune_domain::survey_access::FormToken;
use attune_storage::StoreError;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::ratelimit::Key;
use crate::{ApiError, AppState};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "attune_session";
/// How long a session lasts.
pub const SESSION_MS: i64 = 12 * 3_600_000;

/// `n` random bytes, URL-safe base64.
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new API token: `att_` and 32 random bytes. Only its hash is stored.
pub fn new_api_token() -> String {
    format!("att_{}", random_token(32))
}

/// Hex SHA-256, how tokens and session ids are stored.
pub fn sha256_hex(s: &str) -> String {
    let digest = Sha256::digest(s.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The Argon2id parameters of every new hash, and of the dummy one.
fn argon2() -> Argon2<'static> {
    Argon2::default()
}

fn hash_blocking(password: &str) -> Result<String, ApiError> {
    argon2()
        .hash_password(crate::password::normalize(password).as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(format!("hashing a password: {e}")))
}

/// Hashes a password (its NFKC form) with Argon2id on a blocking thread (~40 ms of CPU).
/// New passwords go through [`crate::password::check`] first.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| ApiError::Internal(format!("hashing task: {e}")))?
}

/// A hash of a random password, made once with the parameters of real ones: a login for an
/// e-mail without an account is verified against it, so it costs the same Argon2 work as a
/// login for a real account and the answer's timing does not tell which e-mails exist.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_blocking(&random_token(32)).unwrap_or_else(|e| {
            tracing::error!(error = ?e, "making the dummy password hash");
            String::new()
        })
    })
}

/// Checks a password against a stored hash, or (`None`, an unknown e-mail) against the dummy
/// hash and then answers false, on a blocking thread. `checks` counts Argon2 verifications.
pub(crate) async fn verify_password(
    password: String,
    hash: Option<String>,
    checks: Arc<AtomicU64>,
) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let Ok(parsed) = PasswordHash::new(hash.as_deref().unwrap_or_else(|| dummy_hash())) else {
            return false;
        };
        let verify = |candidate: &str| {
            checks.fetch_add(1, Ordering::Relaxed);
            argon2()
                .verify_password(candidate.as_bytes(), &parsed)
                .is_ok()
        };
        let normalized = crate::password::normalize(&password);
        // Hashes made before passwords were normalised hold the bytes as typed.
        let matched = verify(&normalized) || (normalized != password && verify(&password));
        matched && known
    })
    .await
    .unwrap_or(false)
}

/// Minimum password length, in characters (see [`crate::password`]).
pub const MIN_PASSWORD_CHARS: usize = crate::password::MIN_CHARS;

/// How long a browser that logged in is recognised as one the user has used.
pub const KNOWN_DEVICE_MS: i64 = 90 * 86_400_000;

/// The value of the known-device cookie a successful login of `email` sets:
/// `<issued ms>.<HMAC-SHA256 of "known-device:<email>:<issued ms>">`.
pub fn sign_known_device(key: &[u8], email: &str, issued_ms: i64) -> String {
    let sig = URL_SAFE_NO_PAD.encode(mac(key, &format!("known-device:{email}:{issued_ms}")));
    format!("{issued_ms}.{sig}")
}

/// Whether a known-device cookie was issued to `email` by this server less than
/// [`KNOWN_DEVICE_MS`] ago.
pub fn verify_known_device(key: &[u8], email: &str, value: &str, now_ms: i64) -> bool {
    let Some(issued) = value
        .split_once('.')
        .and_then(|(t, _)| t.parse::<i64>().ok())
    else {
        return false;
    };
    issued <= now_ms
        && now_ms - issued < KNOWN_DEVICE_MS
        && constant_time_eq(
            sign_known_device(key, email, issued).as_bytes(),
            value.as_bytes(),
        )
}

/// The caller of an API endpoint, from `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub Actor);

impl ApiCaller {
    /// Refuses viewers.
    pub fn writer(&self) -> Result<&Actor, ApiError> {
        if self.0.role.can_write() {
            Ok(&self.0)
        } else {
            Err(ApiError::Forbidden(
                "this token is read-only (viewer); a member or admin token is needed".into(),
            ))
        }
    }

    /// Refuses everyone but admins (settings that affect the whole organisation).
    pub fn admin(&self) -> Result<&Actor, ApiError> {
        if self.0.role == Role::Admin {
            Ok(&self.0)
        } else {
            Err(ApiError::Forbidden(
                "only an admin may change this setting".into(),
            ))
        }
    }

    /// The caller's organisation.
    pub fn org(&self) -> &str {
        &self.0.org_id
    }

    /// Whether the caller may see sensitive personal data (accessibility needs, personal
    /// preferences): members and admins, not viewers.
    pub fn sees_sensitive(&self) -> bool {
        self.0.role.can_write()
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::Unauthorized)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() < 200)
            .ok_or(ApiError::Unauthorized)?;
        match state.store.token_grant(&sha256_hex(token)).await {
            Ok(g) => {
                state
                    .limits
                    .api
                    .check(Key::Token(g.token_id))
                    .map_err(ApiError::TooManyRequests)?;
                Ok(Self(Actor {
                    org_id: g.org_id,
                    role: g.role,
                    user_id: None,
                }))
            }
            Err(StoreError::NotFound) => {
                // Guessed tokens count against the address they come from.
                let ip = crate::client_ip::client_of(parts, state);
                state
                    .limits
                    .api
                    .check(Key::addr(ip))
                    .map_err(ApiError::TooManyRequests)?;
                Err(ApiError::Unauthorized)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// A logged-in page visitor, from the session cookie.
#[derive(Debug, Clone)]
pub struct PageUser {
    /// Who, for which organisation.
    pub actor: Actor,
    /// Their e-mail.
    pub email: String,
    /// The token forms must carry.
    pub csrf_token: String,
    /// The language of their pages.
    pub(crate) tr: crate::i18n::Tr,
}

/// Reads a cookie's value from the request.
pub fn cookie<'a>(parts: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    parts
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Why a page visitor could not be identified.
#[derive(Debug)]
pub enum PageAuthError {
    /// Not logged in: send to the login page.
    Login,
    /// Storage failed.
    Api(ApiError),
}

impl axum::response::IntoResponse for PageAuthError {
    fn into_response(self) -> axum::response::Response {
        match self {
            Self::Login => axum::response::Redirect::to("/login").into_response(),
            Self::Api(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = PageAuthError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let id = cookie(&parts.headers, SESSION_COOKIE).ok_or(PageAuthError::Login)?;
        match state.store.session(&sha256_hex(id), state.now_ms()).await {
            Ok(s) => Ok(Self {
                actor: Actor {
                    org_id: s.user.org_id,
                    role: s.user.role,
                    user_id: Some(s.user.id),
                },
                email: s.user.email,
                csrf_token: s.csrf_token,
                // People have no language of their own yet: when they do, it goes first here.
                tr: crate::i18n::Tr::from_headers(&parts.headers),
            }),
            Err(StoreError::NotFound) => Err(PageAuthError::Login),
            Err(e) => Err(PageAuthError::Api(e.into())),
        }
    }
}

/// Compares secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], message: &str) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| {
        // HMAC accepts keys of any length; this branch cannot be reached.
        HmacSha256::new_from_slice(b"attune").unwrap_or_else(|_| unreachable!())
    });
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Signs an invitation id into the `t` parameter of a personal survey link.
pub fn sign_invitation(key: &[u8], invitation_id: &str) -> String {
    let sig = URL_SAFE_NO_PAD.encode(mac(key, &format!("invitation:{invitation_id}")));
    format!("{invitation_id}.{sig}")
}

/// The invitation id of a correctly signed `t` parameter.
pub fn verify_invitation(key: &[u8], token: &str) -> Option<String> {
    let (id, _) = token.split_once('.')?;
    let expected = sign_invitation(key, id);
    constant_time_eq(expected.as_bytes(), token.as_bytes()).then(|| id.to_owned())
}

/// Signs a one-time form token (`<payload>.<sig>`), put in an anonymous survey form.
pub fn sign_form_token(key: &[u8], token: &FormToken) -> String {
    let payload = token.payload();
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| {
        // HMAC accepts keys of any length; this branch cannot be reached.
        HmacSha256::new_from_slice(b"attune").unwrap_or_else(|_| unreachable!())
    });
    mac.update(b"form:");
    mac.update(payload.as_bytes());
    let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{payload}.{sig}")
}

/// What a correctly signed form token says (expiry and survey are checked by the caller).
pub fn verify_form_token(key: &[u8], token: &str) -> Option<FormToken> {
    if token.len() > 300 {
        return None;
    }
    let (payload, _) = token.rsplit_once('.')?;
    let claims = FormToken::from_payload(payload)?;
    let expected = sign_form_token(key, &claims);
    constant_time_eq(expected.as_bytes(), token.as_bytes()).then_some(claims)
}

/// The role names accepted on the command line and in the API.
pub fn parse_role(raw: &str) -> Result<Role, ApiError> {
    Role::parse(raw).map_err(ApiError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_signatures_reject_tampering() {
        let t = sign_invitation(b"k1", "abc");
        assert_eq!(verify_invitation(b"k1", &t).as_deref(), Some("abc"));
        assert_eq!(verify_invitation(b"k2", &t), None);
        let forged = t.replacen("abc", "abd", 1);
        assert_eq!(verify_invitation(b"k1", &forged), None);
        assert_eq!(verify_invitation(b"k1", "abc"), None);
    }

    #[test]
    fn known_device_cookies_are_bound_to_the_email_and_expire() {
        let v = sign_known_device(b"k1", "lead@acme.example", 1_000);
        assert!(verify_known_device(b"k1", "lead@acme.example", &v, 2_000));
        assert!(!verify_known_device(b"k2", "lead@acme.example", &v, 2_000));
        assert!(!verify_known_device(b"k1", "other@acme.example", &v, 2_000));
        assert!(!verify_known_device(
            b"k1",
            "lead@acme.example",
            &v,
            1_000 + KNOWN_DEVICE_MS
        ));
        let forged = v.replacen("1000", "1001", 1);
        assert!(!verify_known_device(
            b"k1",
            "lead@acme.example",
            &forged,
            2_000
        ));
    }

    #[tokio::test]
    async fn unknown_users_cost_one_argon2_verification_against_a_hash_like_real_ones() {
        let checks = Arc::new(AtomicU64::new(0));
        let real = hash_password("flamingo quartz lantern".into())
            .await
            .unwrap();
        assert!(
            verify_password(
                "flamingo quartz lantern".into(),
                Some(real.clone()),
                checks.clone()
            )
            .await
        );
        assert_eq!(checks.load(Ordering::Relaxed), 1);
        assert!(!verify_password("flamingo quartz lantern".into(), None, checks.clone()).await);
        assert_eq!(
            checks.load(Ordering::Relaxed),
            2,
            "the dummy hash was verified"
        );
        // Same algorithm and parameters, so the same work.
        let params = |h: &str| h.rsplitn(3, '$').nth(2).map(str::to_owned);
        assert_eq!(params(dummy_hash()), params(&real));
        assert!(dummy_hash().starts_with("$argon2id$"));
    }

    #[tokio::test]
    async fn passwords_are_checked_in_their_normalised_form() {
        let checks = Arc::new(AtomicU64::new(0));
        let hash = hash_password("café au lait, s'il vous plaît".into())
            .await
            .unwrap();
        let decomposed = "cafe\u{301} au lait, s'il vous plai\u{302}t".to_owned();
        assert!(verify_password(decomposed, Some(hash), checks).await);
    }

    #[test]
    fn form_tokens_reject_tampering() {
        let t = FormToken::issue("s1", 1_000, random_token(16));
        let signed = sign_form_token(b"k1", &t);
        assert_eq!(verify_form_token(b"k1", &signed), Some(t.clone()));
        assert_eq!(verify_form_token(b"k2", &signed), None);
        let later = signed.replacen(&t.expires_ms.to_string(), "99999999999999", 1);
        assert_eq!(
            verify_form_token(b"k1", &later),
            None,
            "expiry cannot be moved"
        );
        let other = signed.replacen("s1", "s2", 1);
        assert_eq!(
            verify_form_token(b"k1", &other),
            None,
            "survey cannot be changed"
        );
        // An invitation signature is not a form signature.
        assert_eq!(verify_form_token(b"k1", &sign_invitation(b"k1", "x")), None);
    }

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = new_api_token();
        assert!(a.starts_with("att_") && a.len() > 40);
        assert_ne!(a, new_api_token());
        assert_eq!(sha256_hex("abc").len(), 64);
    }
}
