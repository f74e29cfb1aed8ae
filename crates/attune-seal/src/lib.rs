//! Sealing of credentials kept in the database (webhook signing secrets, the invitation signing
//! key): XChaCha20-Poly1305 with a random 24-byte nonce per value, and the value's *purpose*
//! (which row it belongs to, e.g. the organisation of a webhook) as associated data, so a
//! sealed value copied into another row does not open.
//!
//! A sealed value reads `sealed:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`. The key id
//! names the key that sealed it, so a [`Sealer`] holding the current key and previous ones opens
//! values sealed before a rotation and re-seals them with the current key.
//!
//! This crate knows no schema and does no I/O besides drawing random nonces: the storage layer
//! only ever sees the sealed strings, and the binary loads the keys from its configuration.
#![forbid(unsafe_code)]

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What every sealed value starts with.
pub const PREFIX: &str = "sealed:v1:";

const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// The purposes (associated data) of the credentials Attune stores, one per kind of row.
pub mod purpose {
    /// The invitation signing key kept in `settings` when none is configured.
    pub const SIGNING_KEY: &str = "settings.signing_key";
    /// The check value that tells whether a key is the database's key.
    pub const KEY_CHECK: &str = "settings.secret_key_check";

    /// The signing secret of a webhook of organisation `org_id`.
    pub fn webhook_secret(org_id: &str) -> String {
        format!("webhooks.secret org={org_id}")
    }
}

/// Why a value could not be sealed or opened, or a key not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The value has no `sealed:v1:` prefix (plain text from an older version).
    #[error("is not sealed (stored in plain text)")]
    NotSealed,
    /// The value starts like a sealed one but is cut or garbled.
    #[error("is not a well-formed sealed value")]
    Malformed,
    /// No configured key has the id the value was sealed with.
    #[error(
        "was sealed with key {0}, which is not configured (set it as secret_key, or list it in \
         previous_secret_keys)"
    )]
    UnknownKey(String),
    /// The key id matches but the value does not open: it was altered, or sealed for another
    /// row (another organisation, another purpose).
    #[error("does not open: it was altered or sealed for another row")]
    DoesNotOpen,
    /// A configured key is not 32 bytes in base64 or hex.
    #[error(
        "a secret key must be 32 random bytes written as base64 (44 characters) or hex (64 \
         characters), e.g. from `attune secrets generate-key`; this one {0}"
    )]
    BadKey(String),
}

/// A 32-byte key and its id.
#[derive(Clone)]
pub struct Key {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Key {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        let digest = Sha256::new()
            .chain_update(b"attune-seal key id v1\0")
            .chain_update(bytes)
            .finalize();
        let id = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            id,
            cipher: XChaCha20Poly1305::new(&(*bytes).into()),
        }
    }

    /// A key written as base64 (standard or URL-safe, padded or not) or as 64 hex digits;
    /// surrounding white space (a key file's newline) is ignored.
    pub fn parse(text: &str) -> Result<Self, SealError> {
        let text = text.trim();
        let bytes: Option<Vec<u8>> =
            if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
                (0..32)
                    .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok())
                    .collect()
            } else {
                [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
                    .iter()
                    .find_map(|engine| engine.decode(text).ok())
            };
        match bytes {
            Some(b) => match <[u8; 32]>::try_from(b.as_slice()) {
                Ok(arr) => Ok(Self::from_bytes(&arr)),
                Err(_) => Err(SealError::BadKey(format!("holds {} bytes", b.len()))),
            },
            None if text.is_empty() => Err(SealError::BadKey("is empty".into())),
            None => Err(SealError::BadKey(format!(
                "is {} characters that are neither base64 nor hex",
                text.chars().count()
            ))),
        }
    }

    /// A new random key, written as base64 (what [`Key::parse`] reads).
    pub fn generate() -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        STANDARD.encode(bytes)
    }

    /// The key's id: 12 hex digits derived from the key, shown in sealed values and messages.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Seals with the current key; opens with the current key or a previous one.
#[derive(Debug, Clone)]
pub struct Sealer {
    current: Key,
    previous: Vec<Key>,
}

fn aad(purpose: &str) -> Vec<u8> {
    let mut a = PREFIX.as_bytes().to_vec();
    a.extend_from_slice(purpose.as_bytes());
    a
}

/// The key id a sealed value names, or `None` for a plain (or malformed) value.
pub fn key_id_of(value: &str) -> Option<&str> {
    let rest = value.strip_prefix(PREFIX)?;
    rest.split_once(':').map(|(id, _)| id)
}

/// Whether a stored value is sealed (rather than plain text from an older version).
pub fn is_sealed(value: &str) -> bool {
    value.starts_with(PREFIX)
}

impl Sealer {
    /// A sealer sealing with `current` and also opening with `previous`.
    pub fn new(current: Key, previous: Vec<Key>) -> Self {
        let previous = previous
            .into_iter()
            .filter(|k| k.id != current.id)
            .collect();
        Self { current, previous }
    }

    /// The id of the key new values are sealed with.
    pub fn key_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plain` for `purpose` with the current key and a fresh random nonce.
    pub fn seal(&self, purpose: &str, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let aad = aad(purpose);
        // Encryption fails only for messages beyond 256 GiB, which no credential is.
        let ct = self
            .current
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: &aad,
                },
            )
            .unwrap_or_default();
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ct);
        format!(
            "{PREFIX}{}:{}",
            self.current.id,
            URL_SAFE_NO_PAD.encode(blob)
        )
    }

    /// Opens a value sealed for `purpose` by any configured key.
    pub fn open(&self, purpose: &str, sealed: &str) -> Result<String, SealError> {
        let rest = sealed.strip_prefix(PREFIX).ok_or(SealError::NotSealed)?;
        let (id, body) = rest.split_once(':').ok_or(SealError::Malformed)?;
        let blob = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| SealError::Malformed)?;
        if blob.len() < NONCE_LEN + TAG_LEN {
            return Err(SealError::Malformed);
        }
        let (nonce, ct) = blob.split_at(NONCE_LEN);
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| SealError::Malformed)?;
        let aad = aad(purpose);
        let mut keys = std::iter::once(&self.current)
            .chain(&self.previous)
            .filter(|k| k.id == id)
            .peekable();
        if keys.peek().is_none() {
            return Err(SealError::UnknownKey(id.to_owned()));
        }
        for key in keys {
            if let Ok(plain) = key
                .cipher
                .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad: &aad })
            {
                return String::from_utf8(plain).map_err(|_| SealError::Malformed);
            }
        }
        Err(SealError::DoesNotOpen)
    }

    /// Whether `value` is sealed with the current key (nothing for a rotation to do).
    pub fn is_current(&self, value: &str) -> bool {
        key_id_of(value) == Some(self.current.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> Key {
        Key::from_bytes(&[b; 32])
    }

    #[test]
    fn a_sealed_value_opens_only_for_its_purpose() {
        let s = Sealer::new(key(1), vec![]);
        let sealed = s.seal(&purpose::webhook_secret("org-a"), "whsec_123");
        assert!(sealed.starts_with(&format!("sealed:v1:{}:", s.key_id())));
        assert!(!sealed.contains("whsec_123"));
        assert_eq!(
            s.open(&purpose::webhook_secret("org-a"), &sealed)
                .as_deref(),
            Ok("whsec_123")
        );
        assert_eq!(
            s.open(&purpose::webhook_secret("org-b"), &sealed),
            Err(SealError::DoesNotOpen)
        );
        assert_eq!(
            s.open(purpose::SIGNING_KEY, &sealed),
            Err(SealError::DoesNotOpen)
        );
    }

    #[test]
    fn each_seal_draws_a_new_nonce() {
        let s = Sealer::new(key(1), vec![]);
        assert_ne!(s.seal("p", "x"), s.seal("p", "x"));
    }

    #[test]
    fn previous_keys_open_and_unknown_keys_are_named() {
        let old = Sealer::new(key(1), vec![]);
        let sealed = old.seal("p", "v");
        let rotated = Sealer::new(key(2), vec![key(1)]);
        assert_eq!(rotated.open("p", &sealed).as_deref(), Ok("v"));
        assert!(!rotated.is_current(&sealed));
        assert!(rotated.is_current(&rotated.seal("p", "v")));
        let other = Sealer::new(key(3), vec![]);
        assert_eq!(
            other.open("p", &sealed),
            Err(SealError::UnknownKey(old.key_id().to_owned()))
        );
    }

    #[test]
    fn tampering_and_plain_text_are_refused() {
        let s = Sealer::new(key(1), vec![]);
        let sealed = s.seal("p", "value");
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 1;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).expect("ascii");
        assert!(s.open("p", &tampered).is_err());
        assert_eq!(s.open("p", "whsec_plain"), Err(SealError::NotSealed));
        assert_eq!(s.open("p", "sealed:v1:abc"), Err(SealError::Malformed));
    }

    #[test]
    fn keys_parse_from_base64_or_hex_and_never_echo() {
        let generated = Key::generate();
        assert!(Key::parse(&format!("{generated}\n")).is_ok());
        let hex = "ab".repeat(32);
        assert_eq!(
            Key::parse(&hex).map(|k| k.id().to_owned()),
            Ok(key(0xab).id().to_owned())
        );
        let err = Key::parse("hunter2").expect_err("too short").to_string();
        assert!(!err.contains("hunter2"), "{err}");
        assert!(Key::parse("").is_err());
        assert!(!format!("{:?}", key(7)).contains("cipher"));
    }
}
