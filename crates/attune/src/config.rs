//! Configuration: defaults in code, then an optional `attune.toml`, then `ATTUNE_…`
//! environment variables, then command-line flags (applied by the caller).

use std::path::{Path, PathBuf};

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
    /// Key that seals the credentials stored in the database (webhook signing secrets, the
    /// generated invitation signing key): 32 random bytes as base64 or hex. When empty, the
    /// key is read from `secret_key_file`, and generated there on first start.
    pub secret_key: Option<Secret>,
    /// File holding the sealing key when `secret_key` is empty (mode 0600 when generated).
    /// Default: beside a SQLite database (`attune.db` → `attune.db.key`), or `attune.key` in
    /// the working directory for PostgreSQL.
    pub secret_key_file: Option<PathBuf>,
    /// Keys that sealed values before a rotation: they still open them, new values are
    /// sealed with `secret_key`. `attune secrets rotate` re-seals everything; then remove them.
    pub previous_secret_keys: Vec<Secret>,
    /// Login attempts allowed per client address per minute (0: no limit).
    pub login_rate_per_minute: u32,
    /// Public submissions (survey answers on `/s/{id}`) allowed per client address per
    /// minute (0: no limit). Until 0.1 this also covered logins; they have
    /// `login_rate_per_minute` now.
    pub public_rate_per_minute: u32,
    /// API requests allowed per token per minute; requests with a token that is not valid
    /// count per client address (0: no limit).
    pub api_rate_per_minute: u32,
    /// Reverse proxies (addresses or CIDR ranges, e.g. `["10.0.0.0/8", "::1"]`) whose
    /// forwarded-address header names the client; from any other peer the header is ignored.
    pub trusted_proxies: Vec<String>,
    /// The header those proxies write: `x-forwarded-for` or `forwarded` (RFC 7239). The other
    /// one is ignored, since a client could have written it.
    pub trusted_proxy_header: String,
    /// The failed login (in a row, per e-mail) from which the next attempt waits: 1 s, then
    /// doubling with each failure (0: no back-off).
    pub login_backoff_after: u32,
    /// The longest wait of the login back-off, in seconds.
    pub login_backoff_max_secs: u64,
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
    /// Heavy analytics reads (themes, drivers, loop metrics, retention reports and their pages)
    /// running at once for one organisation; more wait, then get a 503.
    pub heavy_reads_per_org: u32,
    /// Submitted responses that may wait for the writer (group commit); past this many, a
    /// submission is answered 503 with `Retry-After` instead of holding more memory.
    pub ingest_queue: u32,
    /// Heavy analytics reads running at once in this process.
    pub heavy_reads_total: u32,
    /// Milliseconds a heavy read waits for a free slot before it is answered 503.
    pub heavy_read_wait_ms: u64,
    /// Seconds a heavy read may run before it is answered 503 (it finishes in the background).
    pub heavy_read_timeout_secs: u64,
    /// Seconds a client has to send a request's headers (also ends idle keep-alive
    /// connections); a half-sent request cannot hold a connection longer.
    pub header_read_timeout_secs: u64,
    /// Connections served at once; further clients wait in the listen queue.
    pub max_connections: u32,
    /// The slowest request body accepted, in bytes per second on average once
    /// `body_rate_grace_secs` have passed (0 turns the check off). No fixed body timeout, so
    /// large imports at any ordinary speed still work.
    pub min_body_bytes_per_sec: u64,
    /// Seconds a body may take before its average rate counts.
    pub body_rate_grace_secs: u64,
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
            secret_key: None,
            secret_key_file: None,
            previous_secret_keys: Vec::new(),
            login_rate_per_minute: 10,
            public_rate_per_minute: 30,
            api_rate_per_minute: 1200,
            trusted_proxies: Vec::new(),
            trusted_proxy_header: "x-forwarded-for".into(),
            login_backoff_after: 5,
            login_backoff_max_secs: 300,
            log: "info".into(),
            smtp_url: None,
            mail_from: "Attune <attune@localhost>".into(),
            public_url: "http://127.0.0.1:8080".into(),
            worker_interval_secs: 5,
            webhook_allow_internal: false,
            heavy_reads_per_org: 2,
            heavy_reads_total: 4,
            heavy_read_wait_ms: 2_000,
            heavy_read_timeout_secs: 30,
            ingest_queue: 8192,
            header_read_timeout_secs: 10,
            max_connections: 1024,
            min_body_bytes_per_sec: 1024,
            body_rate_grace_secs: 10,
            hsts: None,
        }
    }
}

impl Config {
    /// The slowest request body accepted.
    pub fn body_rate(&self) -> attune_web::BodyRate {
        attune_web::BodyRate {
            min_bytes_per_sec: self.min_body_bytes_per_sec,
            grace: std::time::Duration::from_secs(self.body_rate_grace_secs),
        }
    }

    /// The bounds of heavy analytics reads.
    pub fn heavy_limits(&self) -> attune_web::HeavyLimits {
        attune_web::HeavyLimits {
            per_org: self.heavy_reads_per_org.max(1),
            total: self.heavy_reads_total.max(1),
            wait: std::time::Duration::from_millis(self.heavy_read_wait_ms),
            timeout: std::time::Duration::from_secs(self.heavy_read_timeout_secs.max(1)),
        }
    }

    /// The trusted proxies, parsed (a typo is an error at start-up, not a silent hole).
    pub fn trusted_proxies(&self) -> anyhow::Result<attune_web::TrustedProxies> {
        attune_web::TrustedProxies::parse(&self.trusted_proxies, &self.trusted_proxy_header)
            .map_err(|e| anyhow::anyhow!(e))
            .context("reading trusted_proxies / trusted_proxy_header")
    }

    /// The login back-off.
    pub fn login_backoff(&self) -> attune_web::BackoffPolicy {
        attune_web::BackoffPolicy {
            after: self.login_backoff_after,
            max_ms: i64::try_from(self.login_backoff_max_secs.saturating_mul(1000))
                .unwrap_or(i64::MAX),
        }
    }

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
        config.trusted_proxies()?;
        Ok(config)
    }

    /// Overrides from `ATTUNE_DB`, `ATTUNE_BIND`, `ATTUNE_SECURE_COOKIES`,
    /// `ATTUNE_SIGNING_KEY`, `ATTUNE_SECRET_KEY`, `ATTUNE_SECRET_KEY_FILE`,
    /// `ATTUNE_PREVIOUS_SECRET_KEYS` (comma-separated), `ATTUNE_LOGIN_RATE_PER_MINUTE`,
    /// `ATTUNE_PUBLIC_RATE_PER_MINUTE`, `ATTUNE_API_RATE_PER_MINUTE`, `ATTUNE_TRUSTED_PROXIES`
    /// (comma-separated), `ATTUNE_TRUSTED_PROXY_HEADER`, `ATTUNE_LOGIN_BACKOFF_AFTER`,
    /// `ATTUNE_LOGIN_BACKOFF_MAX_SECS`, `ATTUNE_LOG`, `ATTUNE_SMTP_URL`, `ATTUNE_MAIL_FROM`,
    /// `ATTUNE_PUBLIC_URL`, `ATTUNE_WORKER_INTERVAL_SECS`, `ATTUNE_WEBHOOK_ALLOW_INTERNAL`,
    /// `ATTUNE_HEAVY_READS_PER_ORG`, `ATTUNE_HEAVY_READS_TOTAL`, `ATTUNE_HEAVY_READ_WAIT_MS`,
    /// `ATTUNE_HEAVY_READ_TIMEOUT_SECS`, `ATTUNE_HEADER_READ_TIMEOUT_SECS`,
    /// `ATTUNE_MAX_CONNECTIONS`, `ATTUNE_MIN_BODY_BYTES_PER_SEC`, `ATTUNE_BODY_RATE_GRACE_SECS`,
    /// `ATTUNE_INGEST_QUEUE`, `ATTUNE_HSTS`.
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
        if let Some(v) = var("ATTUNE_SECRET_KEY") {
            self.secret_key = (!v.is_empty()).then(|| Secret::new(v));
        }
        if let Some(v) = var("ATTUNE_SECRET_KEY_FILE") {
            self.secret_key_file = (!v.is_empty()).then(|| PathBuf::from(v));
        }
        if let Some(v) = var("ATTUNE_PREVIOUS_SECRET_KEYS") {
            self.previous_secret_keys = v
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(Secret::new)
                .collect();
        }
        let number = |name: &str| env_number(&var, name);
        let small = |name: &str| env_small(&var, name);
        if let Some(v) = small("ATTUNE_LOGIN_RATE_PER_MINUTE")? {
            self.login_rate_per_minute = v;
        }
        if let Some(v) = small("ATTUNE_PUBLIC_RATE_PER_MINUTE")? {
            self.public_rate_per_minute = v;
        }
        if let Some(v) = small("ATTUNE_API_RATE_PER_MINUTE")? {
            self.api_rate_per_minute = v;
        }
        if let Some(v) = var("ATTUNE_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(v) = var("ATTUNE_TRUSTED_PROXY_HEADER") {
            self.trusted_proxy_header = v;
        }
        if let Some(v) = small("ATTUNE_LOGIN_BACKOFF_AFTER")? {
            self.login_backoff_after = v;
        }
        if let Some(v) = number("ATTUNE_LOGIN_BACKOFF_MAX_SECS")? {
            self.login_backoff_max_secs = v;
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
        self.apply_limits_env(&var)?;
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

    /// The environment variables of the resource limits (heavy reads, the ingest queue,
    /// connections, slow bodies).
    fn apply_limits_env(&mut self, var: &impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        let number = |name: &str| env_number(&var, name);
        let small = |name: &str| env_small(&var, name);
        if let Some(v) = small("ATTUNE_HEAVY_READS_PER_ORG")? {
            self.heavy_reads_per_org = v;
        }
        if let Some(v) = small("ATTUNE_HEAVY_READS_TOTAL")? {
            self.heavy_reads_total = v;
        }
        if let Some(v) = number("ATTUNE_HEAVY_READ_WAIT_MS")? {
            self.heavy_read_wait_ms = v;
        }
        if let Some(v) = number("ATTUNE_HEAVY_READ_TIMEOUT_SECS")? {
            self.heavy_read_timeout_secs = v;
        }
        if let Some(v) = small("ATTUNE_INGEST_QUEUE")? {
            self.ingest_queue = v;
        }
        if let Some(v) = number("ATTUNE_HEADER_READ_TIMEOUT_SECS")? {
            self.header_read_timeout_secs = v;
        }
        if let Some(v) = small("ATTUNE_MAX_CONNECTIONS")? {
            self.max_connections = v;
        }
        if let Some(v) = number("ATTUNE_MIN_BODY_BYTES_PER_SEC")? {
            self.min_body_bytes_per_sec = v;
        }
        if let Some(v) = number("ATTUNE_BODY_RATE_GRACE_SECS")? {
            self.body_rate_grace_secs = v;
        }
        Ok(())
    }
}

/// A whole number from the environment variable `name`, if set.
fn env_number(var: &impl Fn(&str) -> Option<String>, name: &str) -> anyhow::Result<Option<u64>> {
    var(name)
        .map(|v| v.trim().parse::<u64>())
        .transpose()
        .with_context(|| format!("{name} must be a whole number"))
}

/// A whole number that fits 32 bits from the environment variable `name`, if set.
fn env_small(var: &impl Fn(&str) -> Option<String>, name: &str) -> anyhow::Result<Option<u32>> {
    env_number(var, name)?
        .map(u32::try_from)
        .transpose()
        .with_context(|| format!("{name} is too large"))
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
    fn secret_keys_come_from_the_environment_and_never_print() {
        let mut c = Config::default();
        c.apply_env(|k| match k {
            "ATTUNE_SECRET_KEY" => Some("k-new".to_owned()),
            "ATTUNE_PREVIOUS_SECRET_KEYS" => Some("k-old1, k-old2,".to_owned()),
            "ATTUNE_SECRET_KEY_FILE" => Some("/etc/attune/key".to_owned()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.secret_key.as_ref().map(Secret::expose), Some("k-new"));
        let previous: Vec<&str> = c.previous_secret_keys.iter().map(Secret::expose).collect();
        assert_eq!(previous, ["k-old1", "k-old2"]);
        assert_eq!(c.secret_key_file, Some(PathBuf::from("/etc/attune/key")));
        assert!(!format!("{c:?}").contains("k-old1") && !format!("{c:?}").contains("k-new"));
    }

    #[test]
    fn rate_limits_proxies_and_backoff_come_from_file_and_environment() {
        let mut c: Config = toml::from_str(
            "trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\nlogin_rate_per_minute = 3\npublic_rate_per_minute = 7",
        )
        .unwrap();
        assert_eq!((c.login_rate_per_minute, c.public_rate_per_minute), (3, 7));
        assert!(c.trusted_proxies().is_ok());
        c.apply_env(|k| match k {
            "ATTUNE_TRUSTED_PROXIES" => Some("192.0.2.1, 2001:db8::/32".into()),
            "ATTUNE_API_RATE_PER_MINUTE" => Some("0".into()),
            "ATTUNE_LOGIN_BACKOFF_MAX_SECS" => Some("60".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.trusted_proxies, ["192.0.2.1", "2001:db8::/32"]);
        assert_eq!(c.api_rate_per_minute, 0);
        assert_eq!(c.login_backoff().max_ms, 60_000);
        c.trusted_proxies = vec!["10.0.0.0/40".into()];
        let e = format!("{:#}", c.trusted_proxies().unwrap_err());
        assert!(e.contains("10.0.0.0/40"), "{e}");
        let mut c = Config::default();
        let e = c
            .apply_env(|k| (k == "ATTUNE_LOGIN_RATE_PER_MINUTE").then(|| "ten".into()))
            .unwrap_err();
        assert!(
            e.to_string().contains("ATTUNE_LOGIN_RATE_PER_MINUTE"),
            "{e}"
        );
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
