//! The password policy, after NIST SP 800-63B-4 (§3.1.1.2): a password used alone has at
//! least [`MIN_CHARS`] characters and may have up to [`MAX_CHARS`]; common, repetitive or
//! otherwise easily guessed ones (zxcvbn score below [`MIN_SCORE`]) and ones containing the
//! user's e-mail or its name part are refused. No composition rules (no "one digit, one
//! symbol"), no truncation. Characters are Unicode code points after NFKC normalisation, so
//! a Punjabi or Urdu passphrase counts what its writer typed, not its UTF-8 bytes, and the same
//! passphrase typed on another keyboard (composed or decomposed) is the same password.
//!
//! [`check`] is the one gate every place that sets a password goes through (the CLI's
//! `user create`, the demo).

use unicode_normalization::UnicodeNormalization;

/// Fewest characters of a password (NIST: 15 for a password used as a single factor).
pub const MIN_CHARS: usize = 15;
/// Most characters accepted (NIST: at least 64 should be).
pub const MAX_CHARS: usize = 256;
/// Lowest zxcvbn score accepted (3: "safely unguessable", about 10^10 guesses).
pub const MIN_SCORE: u8 = 3;

/// Why a password is refused; the message says it to the person choosing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRefused {
    /// Fewer than [`MIN_CHARS`] characters.
    #[error(
        "the password has {chars} characters; it needs at least {MIN_CHARS} (a few unrelated words make a good one)"
    )]
    TooShort {
        /// Characters given.
        chars: usize,
    },
    /// More than [`MAX_CHARS`] characters.
    #[error("the password has {chars} characters; at most {MAX_CHARS} are accepted")]
    TooLong {
        /// Characters given.
        chars: usize,
    },
    /// Contains the e-mail address or its part before the `@`.
    #[error("the password contains your e-mail address or its name part; choose one without it")]
    ContainsEmail,
    /// Common, repetitive or following a pattern.
    #[error("the password is too easy to guess{}; choose a longer phrase of unrelated words", .hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default())]
    Guessable {
        /// What makes it guessable, when known (e.g. "This is a very common password").
        hint: Option<String>,
    },
}

/// The form a password is hashed and checked in: NFKC.
pub fn normalize(password: &str) -> String {
    password.nfkc().collect()
}

/// Checks a new password of the user with `email` against the policy.
pub fn check(password: &str, email: &str) -> Result<(), PasswordRefused> {
    let password = normalize(password);
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordRefused::TooShort { chars });
    }
    if chars > MAX_CHARS {
        return Err(PasswordRefused::TooLong { chars });
    }
    let folded = password.to_lowercase();
    let email = normalize(email.trim()).to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    // A name part of one or two letters would refuse half of all passphrases for nothing.
    if (!email.is_empty() && folded.contains(&email))
        || (local.chars().count() >= 3 && folded.contains(local))
    {
        return Err(PasswordRefused::ContainsEmail);
    }
    let entropy = zxcvbn::zxcvbn(&password, &[&email, local, "attune"]);
    if (entropy.score() as u8) < MIN_SCORE {
        let hint = entropy
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| w.to_string().trim_end_matches('.').to_owned());
        return Err(PasswordRefused::Guessable { hint });
    }
    Ok(())
}

/// What a password prompt tells the person typing it.
pub fn requirements() -> String {
    format!(
        "at least {MIN_CHARS} characters (at most {MAX_CHARS}), not a common or easily guessed one, not containing your e-mail; a few unrelated words in any language work well"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "amrit.kaur@acme.example";

    #[test]
    fn the_review_examples_are_refused_as_too_short() {
        for p in ["aaaaaaaaaa", "password12", "          "] {
            assert_eq!(
                check(p, EMAIL),
                Err(PasswordRefused::TooShort { chars: 10 }),
                "{p:?}"
            );
        }
    }

    #[test]
    fn long_but_guessable_passwords_are_refused() {
        for p in [
            "aaaaaaaaaaaaaaaaaaaa",
            "password12345678",
            "                    ",
            "qwertyuiopasdfghjkl",
            "123456789012345678",
            "abcdefghijklmnopqrstu",
        ] {
            assert!(
                matches!(check(p, EMAIL), Err(PasswordRefused::Guessable { .. })),
                "{p:?}: {:?}",
                check(p, EMAIL)
            );
        }
    }

    #[test]
    fn passwords_with_the_email_are_refused() {
        for p in ["xq7 amrit.kaur vz9 lp", "my AMRIT.KAUR@acme.example pass"] {
            assert_eq!(check(p, EMAIL), Err(PasswordRefused::ContainsEmail), "{p}");
        }
        // A very short name part is not a reason.
        assert_eq!(check("flamingo quartz lantern", "al@acme.example"), Ok(()));
    }

    #[test]
    fn good_passphrases_are_accepted_in_any_script() {
        for p in [
            "correct horse battery staple",
            "ਸਵੇਰੇ ਦੀ ਚਾਹ ਨਾਲ ਮੱਠੀ",
            "صبح کی چائے کے ساتھ بسکٹ",
            "ຝົນຕົກໜັກຢູ່ວຽງຈັນມື້ນີ້",
            "the quick brown fox jumps over the lazy dog by the old mill pond",
        ] {
            assert_eq!(check(p, EMAIL), Ok(()), "{p}");
        }
        let words = "amber basil cobalt dune ember fjord garnet harbor indigo juniper kelp lumen \
                     marble nectar onyx pewter quill russet saffron tundra umber velvet willow \
                     xenon yarrow zephyr alder birch cedar dogwood elm fir ginkgo hazel iris ";
        let longest: String = words.repeat(2).chars().take(MAX_CHARS).collect();
        assert_eq!(check(&longest, EMAIL), Ok(()), "{MAX_CHARS} characters");
    }

    #[test]
    fn characters_are_counted_not_bytes() {
        // 10 characters, 18 bytes.
        assert_eq!(
            check("چائے کا کپ", EMAIL),
            Err(PasswordRefused::TooShort { chars: 10 })
        );
        assert_eq!(
            check(&"x".repeat(257), EMAIL),
            Err(PasswordRefused::TooLong { chars: 257 })
        );
    }

    #[test]
    fn messages_say_why() {
        let short = check("password12", EMAIL).unwrap_err().to_string();
        assert!(short.contains("at least 15"), "{short}");
        let common = check("password12345678", EMAIL).unwrap_err().to_string();
        assert!(common.contains("too easy to guess"), "{common}");
        let e = check("xq7 amrit.kaur vz9 lp", EMAIL)
            .unwrap_err()
            .to_string();
        assert!(e.contains("e-mail"), "{e}");
    }

    #[test]
    fn composed_and_decomposed_forms_are_one_password() {
        assert_eq!(normalize("cafe\u{301}"), normalize("caf\u{e9}"));
    }
}
