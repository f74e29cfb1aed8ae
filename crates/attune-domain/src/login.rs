//! Login back-off: how long an e-mail waits after repeated failed logins. Pure arithmetic; the
//! counts live in the database (`login_failures`) so every instance agrees.
//!
//! Back-off, never lock-out: the first [`BackoffPolicy::after`]` - 1` failures cost nothing,
//! then each failure makes the next attempt wait 1 s, 2 s, 4 s, … up to
//! [`BackoffPolicy::max_ms`]. A successful login forgets the count, and so does a day without
//! failures. An attacker can slow guessing to a crawl but can only ever make the real user wait
//! the cap, and a browser that logged in before is not held back at all (see the web layer's
//! known-device cookie).

/// The first delay once back-off starts.
pub const BASE_DELAY_MS: i64 = 1_000;
/// Failures older than this (since the last one) are forgotten.
pub const FORGET_AFTER_MS: i64 = 24 * 3_600_000;

/// When logins of an e-mail start to wait, and for how long at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// The failure that starts the back-off (0: never back off).
    pub after: u32,
    /// The longest wait, in milliseconds.
    pub max_ms: i64,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        Self {
            after: 5,
            max_ms: 300_000,
        }
    }
}

impl BackoffPolicy {
    /// How long the next attempt waits after `failures` failures in a row.
    pub fn delay_ms(&self, failures: i64) -> i64 {
        let after = i64::from(self.after);
        if after == 0 || failures < after {
            return 0;
        }
        let doublings = u32::try_from((failures - after).min(40)).unwrap_or(40);
        BASE_DELAY_MS
            .saturating_mul(1_i64 << doublings)
            .min(self.max_ms.max(0))
    }
}

/// The form e-mails are stored and compared in (as `users.email`).
pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_start_at_the_nth_failure_double_and_stop_at_the_cap() {
        let p = BackoffPolicy::default();
        let delays: Vec<i64> = (1..=15).map(|n| p.delay_ms(n)).collect();
        assert_eq!(
            delays,
            [
                0, 0, 0, 0, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000,
                300_000, 300_000
            ]
        );
        assert_eq!(p.delay_ms(1_000_000), 300_000, "no overflow");
        let off = BackoffPolicy {
            after: 0,
            max_ms: 300_000,
        };
        assert_eq!(off.delay_ms(100), 0);
    }

    #[test]
    fn emails_compare_trimmed_and_lower_case() {
        assert_eq!(normalize_email(" Lead@ACME.example "), "lead@acme.example");
    }
}
