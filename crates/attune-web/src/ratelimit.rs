//! Token buckets per client, one set per kind of traffic: logins, public submissions (survey
//! answers) and the API (per token; per address for requests whose token is not valid). A
//! limit of 0 turns a kind off. IPv4 clients have a bucket per address; IPv6 clients one per
//! /64, the smallest network a household or a cloud machine is usually given, so hopping
//! through the addresses of one network buys nothing.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Whose bucket a request takes its token from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    /// An IPv4 client.
    V4(Ipv4Addr),
    /// An IPv6 client's /64.
    V6(u64),
    /// An API token (its id).
    Token(String),
}

impl Key {
    /// The bucket of a client address.
    pub(crate) fn addr(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self::V4(v4),
            IpAddr::V6(v6) => Self::V6((v6.to_bits() >> 64) as u64),
        }
    }
}

/// Allows `capacity` requests per `window` per key, refilled continuously.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    capacity: f64,
    per_second: f64,
    buckets: Mutex<HashMap<Key, (f64, Instant)>>,
}

impl RateLimiter {
    pub(crate) fn new(capacity: u32, window: Duration) -> Self {
        let capacity = f64::from(capacity.max(1));
        Self {
            capacity,
            per_second: capacity / window.as_secs_f64().max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`; when there is none, the whole seconds until there is.
    pub(crate) fn check(&self, key: Key) -> Result<(), u64> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: Key, now: Instant) -> Result<(), u64> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() > 100_000 {
            // Forget full buckets so a flood of addresses cannot grow memory without bound.
            let (cap, rate) = (self.capacity, self.per_second);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.saturating_duration_since(*at).as_secs_f64() * rate < cap
            });
        }
        let (tokens, at) = buckets.entry(key).or_insert((self.capacity, now));
        *tokens = (*tokens + now.saturating_duration_since(*at).as_secs_f64() * self.per_second)
            .min(self.capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - *tokens) / self.per_second).ceil();
            Err((wait as u64).max(1))
        }
    }
}

/// A limit that may be off.
#[derive(Debug)]
pub(crate) struct Limit(Option<RateLimiter>);

impl Limit {
    /// `per_minute` requests a minute per key; 0: no limit.
    pub(crate) fn per_minute(per_minute: u32) -> Self {
        Self((per_minute > 0).then(|| RateLimiter::new(per_minute, Duration::from_secs(60))))
    }

    /// Takes a token; `Err(seconds to wait)` when the key has none left.
    pub(crate) fn check(&self, key: Key) -> Result<(), u64> {
        self.0.as_ref().map_or(Ok(()), |l| l.check(key))
    }
}

/// The limits of every kind of traffic.
#[derive(Debug)]
pub(crate) struct Limits {
    /// `POST /login`, per client address.
    pub(crate) login: Limit,
    /// Public submissions (`POST /s/{id}`), per client address.
    pub(crate) public: Limit,
    /// `/api/v1`, per token (per client address for tokens that are not valid).
    pub(crate) api: Limit,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::addr(s.parse().unwrap())
    }

    #[test]
    fn a_client_gets_its_burst_then_waits_while_others_are_served() {
        let rl = RateLimiter::new(3, Duration::from_secs(60));
        let t = Instant::now();
        for _ in 0..3 {
            assert_eq!(rl.check_at(key("10.0.0.1"), t), Ok(()));
        }
        assert_eq!(
            rl.check_at(key("10.0.0.1"), t),
            Err(20),
            "one token per 20 s"
        );
        assert_eq!(rl.check_at(key("10.0.0.2"), t), Ok(()));
        let later = t + Duration::from_secs(15);
        assert_eq!(rl.check_at(key("10.0.0.1"), later), Err(5));
        let later = t + Duration::from_secs(20);
        assert_eq!(rl.check_at(key("10.0.0.1"), later), Ok(()));
    }

    #[test]
    fn ipv6_clients_share_a_bucket_per_64() {
        assert_eq!(
            key("2001:db8:1:2::1"),
            key("2001:db8:1:2:ffff:ffff:ffff:ffff")
        );
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_ne!(key("192.0.2.1"), key("192.0.2.2"), "IPv4: per address");
        assert_eq!(
            key("::ffff:192.0.2.1"),
            key("192.0.2.1"),
            "IPv4-mapped is IPv4"
        );
        let rl = RateLimiter::new(1, Duration::from_secs(60));
        let t = Instant::now();
        assert!(rl.check_at(key("2001:db8:1:2::1"), t).is_ok());
        assert!(rl.check_at(key("2001:db8:1:2::99"), t).is_err());
    }

    #[test]
    fn tokens_have_their_own_buckets_and_zero_turns_a_limit_off() {
        let rl = Limit::per_minute(1);
        assert!(rl.check(Key::Token("a".into())).is_ok());
        assert!(rl.check(Key::Token("a".into())).is_err());
        assert!(rl.check(Key::Token("b".into())).is_ok());
        let off = Limit::per_minute(0);
        for _ in 0..1000 {
            assert!(off.check(key("10.0.0.1")).is_ok());
        }
    }
}
