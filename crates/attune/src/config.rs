//! Configuration: defaults in code, then an optional `attune.toml`, then `ATTUNE_…`
//! environment variables, then command-line flags (applied by the caller).

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

/// A secret that never prints.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Everything `attune serve` can be told.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Database: a file path, `sqlite://…` or `postgres://…`.
    pub db: String,
    /// Address to listen on.
    pub bind: String,
    /// Mark session cookies `Secure` (browsers accept them on https and on localhost).
    pub secure_cookies: bool,
    /// Key for signing invitation links; generated and stored in the database when empty, so
    /// that every instance sharing the database agrees.
    pub signing_key: Option<Secret>,
    /// Public survey submissions and login attempts allowed per client address per minute.
    pub public_rate_per_minute: u32,
    /// Log filter, e.g. `info` or `attune_web=debug`.
    pub log: String,
    /// Outgoing mail server: `smtp://host:port` (plain, for a local relay),
    /// `smtp://user:pass@host:587` (STARTTLS required) or `smtps://…` (TLS). No e-mail is sent
    /// when empty: e-mail jobs fail with a message saying so.
    pub smtp_url: Option<Secret>,
    /// Sender of every e-mail.
    pub mail_from: String,
    /// The address customers and staff reach Attune at, for links in messages.
    pub public_url: String,
    /// Seconds between job-queue polls in `attune serve`; 0 runs no worker (use
    /// `attune jobs run-once` from cron instead).
    pub worker_interval_secs: u64,
    /// Let webhooks call loopback, private and link-local addresses (off: an admin's webhook
    /// cannot probe the server's own network).
    pub webhook_allow_internal: bool,
    /// Send `Strict-Transport-Security: max-age=31536000; includeSubDomains`. Unset: on exactly
    /// when `public_url` starts with `https://` (Attune speaks plain HTTP behind a proxy, so
    /// whether browsers reach it over HTTPS is known from the configuration, never from a
    /// request header). Set `false` when subdomains of that host must stay reachable by HTTP.
    pub hsts: Option<bool>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            db: "./attune.db".into(),
            bind: "127.0.0.1:8080".into(),
            secure_cookies: true,
            signing_key: None,
            public_rate_per_minute: 30,
            log: "info".into(),
            smtp_url: None,
            mail_from: "Attune <attune@localhost>".into(),
            public_url: "http://127.0.0.1:8080".into(),
            worker_interval_secs: 5,
            webhook_allow_internal: false,
            hsts: None,
        }
    }
}

impl Config {
    /// Whether responses carry HSTS: `hsts` when set, else whether `public_url` is HTTPS.
    pub fn hsts_enabled(&self) -> bool {
        self.hsts.unwrap_or_else(|| {
            self.public_url
                .get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        })
    }

    /// Defaults, then the TOML file (if it exists), then the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        let path = file.unwrap_or(Path::new("attune.toml"));
        let mut config = if path.exists() {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
        } else if file.is_some() {
            anyhow::bail!("configuration file {} does not exist", path.display());
        } else {
            Self::default()
        };
        config.apply_env(|k| std::env::var(k).ok())?;
        Ok(config)
    }

    /// Overrides from `ATTUNE_DB`, `ATTUNE_BIND`, `ATTUNE_SECURE_COOKIES`,
    /// `ATTUNE_SIGNING_KEY`, `ATTUNE_PUBLIC_RATE_PER_MINUTE`, `ATTUNE_LOG`, `ATTUNE_SMTP_URL`,
    /// `ATTUNE_MAIL_FROM`, `ATTUNE_PUBLIC_URL`, `ATTUNE_WORKER_INTERVAL_SECS`,
    /// `ATTUNE_WEBHOOK_ALLOW_INTERNAL`, `ATTUNE_HSTS`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = var("ATTUNE_DB") {
            self.db = v;
        }
        if let Some(v) = var("ATTUNE_BIND") {
            self.bind = v;
        }
        if let Some(v) = var("ATTUNE_SECURE_COOKIES") {
            self.secure_cookies = matches!(v.as_str(), "1" | "true" | "yes" | "on");
        }
        if let Some(v) = var("ATTUNE_SIGNING_KEY") {
            self.signing_key = Some(Secret::new(v));
        }
        if let Some(v) = var("ATTUNE_PUBLIC_RATE_PER_MINUTE") {
            self.public_rate_per_minute = v
                .parse()
                .context("ATTUNE_PUBLIC_RATE_PER_MINUTE must be a whole number")?;
        }
        if let Some(v) = var("ATTUNE_LOG") {
            self.log = v;
        }
        if let Some(v) = var("ATTUNE_SMTP_URL") {
            self.smtp_url = (!v.is_empty()).then(|| Secret::new(v));
        }
        if let Some(v) = var("ATTUNE_MAIL_FROM") {
            self.mail_from = v;
        }
        if let Some(v) = var("ATTUNE_PUBLIC_URL") {
            self.public_url = v;
        }
        if let Some(v) = var("ATTUNE_WEBHOOK_ALLOW_INTERNAL") {
            self.webhook_allow_internal = matches!(v.as_str(), "1" | "true" | "yes" | "on");
        }
        if let Some(v) = var("ATTUNE_HSTS") {
            self.hsts = match v.as_str() {
                "" => None,
                "1" | "true" | "yes" | "on" => Some(true),
                "0" | "false" | "no" | "off" => Some(false),
                _ => anyhow::bail!(
                    "ATTUNE_HSTS must be true or false (or empty to follow public_url)"
                ),
            };
        }
        if let Some(v) = var("ATTUNE_WORKER_INTERVAL_SECS") {
            self.worker_interval_secs = v
                .parse()
                .context("ATTUNE_WORKER_INTERVAL_SECS must be a whole number")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_file_and_secrets_never_print() {
        let mut c: Config = toml::from_str("db = \"a.db\"\nsigning_key = \"hunter2\"").unwrap();
        assert_eq!(c.db, "a.db");
        c.apply_env(|k| (k == "ATTUNE_DB").then(|| "postgres://x/y".to_owned()))
            .unwrap();
        assert_eq!(c.db, "postgres://x/y");
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn hsts_follows_the_public_url_unless_set() {
        let mut c = Config::default();
        assert!(!c.hsts_enabled(), "plain HTTP by default");
        c.public_url = "HTTPS://attune.example".into();
        assert!(c.hsts_enabled());
        c.apply_env(|k| (k == "ATTUNE_HSTS").then(|| "false".to_owned()))
            .unwrap();
        assert!(!c.hsts_enabled());
        let mut c: Config = toml::from_str("hsts = true").unwrap();
        assert!(c.hsts_enabled());
        assert!(
            c.apply_env(|k| (k == "ATTUNE_HSTS").then(|| "maybe".to_owned()))
                .is_err()
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Config>("dbb = \"typo\"").is_err());
    }
}
