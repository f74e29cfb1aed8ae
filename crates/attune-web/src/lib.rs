//! Attune's HTTP layer: the JSON API under `/api/v1`, the pages, and authentication.
//!
//! Handlers parse input into domain types, call the [`Store`] with the caller's organisation,
//! and shape the answer. SQL never appears here; metric arithmetic lives in `attune-domain`.
#![forbid(unsafe_code)]

pub mod auth;
mod body_rate;
pub mod client_ip;
pub mod clock;
pub mod error;
mod extract;
mod heavy;
mod i18n;
mod nul;
pub mod openapi;
mod pages;
pub mod password;
mod ratelimit;
pub mod request_log;
pub(crate) mod routes;
pub mod security;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use attune_storage::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::trace::TraceLayer;

pub use attune_domain::login::BackoffPolicy;
pub use body_rate::BodyRate;
pub use client_ip::TrustedProxies;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::ApiError;
pub use heavy::{HeavyLimits, HeavyPermit};

/// Largest request body accepted (a 100,000-character comment in any script fits).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Settings the HTTP layer needs.
#[derive(Clone)]
pub struct WebConfig {
    /// Key for signing invitation links (HMAC-SHA256).
    pub signing_key: Arc<[u8]>,
    /// Seals credentials before they are stored (webhook signing secrets).
    pub sealer: Arc<attune_seal::Sealer>,
    /// Whether session cookies carry `Secure` (on behind HTTPS; browsers also accept it on
    /// `localhost`).
    pub secure_cookies: bool,
    /// Login attempts allowed per client address per minute (0: no limit).
    pub login_rate_per_minute: u32,
    /// Public submissions (survey answers) allowed per client address per minute (0: no
    /// limit).
    pub public_rate_per_minute: u32,
    /// API requests allowed per token per minute; requests with a token that is not valid
    /// count per client address (0: no limit).
    pub api_rate_per_minute: u32,
    /// Proxies whose forwarded-address header names the client.
    pub trusted_proxies: TrustedProxies,
    /// When repeated failed logins of an e-mail start to wait, and how long at most.
    pub login_backoff: BackoffPolicy,
    /// Whether webhooks may target internal addresses (loopback, private ranges).
    pub webhook_allow_internal: bool,
    /// Bounds of heavy analytics reads.
    pub heavy: HeavyLimits,
    /// The slowest request body accepted.
    pub body_rate: BodyRate,
    /// Whether responses carry `Strict-Transport-Security` (browsers reach Attune over HTTPS;
    /// decided by the configuration, never by a request header).
    pub hsts: bool,
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("signing_key", &"[redacted]")
            .field("sealer.key_id", &self.sealer.key_id())
            .field("secure_cookies", &self.secure_cookies)
            .field("login_rate_per_minute", &self.login_rate_per_minute)
            .field("public_rate_per_minute", &self.public_rate_per_minute)
            .field("heavy", &self.heavy)
            .field("api_rate_per_minute", &self.api_rate_per_minute)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("login_backoff", &self.login_backoff)
            .field("webhook_allow_internal", &self.webhook_allow_internal)
            .field("hsts", &self.hsts)
            .finish()
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// Where "now" comes from.
    pub clock: Arc<dyn Clock>,
    /// Settings.
    pub config: WebConfig,
    limits: Arc<ratelimit::Limits>,
    password_checks: Arc<AtomicU64>,
    heavy: Arc<heavy::HeavyReads>,
}

impl AppState {
    /// Builds the state.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: WebConfig) -> Self {
        let limits = Arc::new(ratelimit::Limits {
            login: ratelimit::Limit::per_minute(config.login_rate_per_minute),
            public: ratelimit::Limit::per_minute(config.public_rate_per_minute),
            api: ratelimit::Limit::per_minute(config.api_rate_per_minute),
        });
        let heavy = Arc::new(heavy::HeavyReads::new(config.heavy));
        Self {
            store,
            clock,
            config,
            limits,
            password_checks: Arc::new(AtomicU64::new(0)),
            heavy,
        }
    }

    /// Takes one of the organisation's heavy-read permits, as a report would (a 503 when none
    /// is free in time): for operations that must share the bound, and for tests that hold it.
    pub async fn heavy_read_permit(&self, org_id: &str) -> Result<HeavyPermit, ApiError> {
        self.heavy.acquire(org_id).await
    }

    /// Now, in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// How many Argon2 password verifications logins have run: one per attempt, whether or
    /// not the e-mail has an account (so a test can see that unknown e-mails cost the same).
    pub fn password_checks(&self) -> u64 {
        self.password_checks.load(Ordering::Relaxed)
    }
}

/// The whole application: API, pages, health checks.
pub fn app(state: AppState) -> Router {
    let (api, heavy_api, _) = routes::api();
    let heavy =
        heavy_api
            .merge(pages::heavy_router())
            .route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                heavy::gate,
            ));
    let hsts = state.config.hsts;
    Router::new()
        .merge(api)
        .merge(pages::router())
        .merge(heavy)
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn(nul::refuse_in_uri))
        .layer(axum::middleware::from_fn(pages::error_page::html_errors))
        .layer(axum::middleware::from_fn_with_state(
            hsts,
            security::add_headers,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            body_rate::enforce,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_log::make_span))
        .with_state(state)
}
