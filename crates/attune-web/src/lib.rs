//! Attune's HTTP layer: the JSON API under `/api/v1`, the pages, and authentication.
//!
//! Handlers parse input into domain types, call the [`Store`] with the caller's organisation,
//! and shape the answer. SQL never appears here; metric arithmetic lives in `attune-domain`.
#![forbid(unsafe_code)]

pub mod auth;
pub mod clock;
pub mod error;
mod extract;
mod metrics;
mod nul;
pub mod openapi;
mod pages;
mod ratelimit;
pub mod retention;
pub(crate) mod routes;
pub mod security;

use std::sync::Arc;
use std::time::Duration;

use attune_storage::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::trace::TraceLayer;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::ApiError;

/// Largest request body accepted (a 100,000-character comment in any script fits).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Settings the HTTP layer needs.
#[derive(Clone)]
pub struct WebConfig {
    /// Key for signing invitation links (HMAC-SHA256).
    pub signing_key: Arc<[u8]>,
    /// Whether session cookies carry `Secure` (on behind HTTPS; browsers also accept it on
    /// `localhost`).
    pub secure_cookies: bool,
    /// Public submissions allowed per client address per minute.
    pub public_rate_per_minute: u32,
    /// Whether webhooks may target internal addresses (loopback, private ranges).
    pub webhook_allow_internal: bool,
    /// Whether responses carry `Strict-Transport-Security` (browsers reach Attune over HTTPS;
    /// decided by the configuration, never by a request header).
    pub hsts: bool,
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("signing_key", &"[redacted]")
            .field("secure_cookies", &self.secure_cookies)
            .field("public_rate_per_minute", &self.public_rate_per_minute)
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
    limiter: Arc<ratelimit::RateLimiter>,
}

impl AppState {
    /// Builds the state.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: WebConfig) -> Self {
        let limiter = Arc::new(ratelimit::RateLimiter::new(
            config.public_rate_per_minute,
            Duration::from_secs(60),
        ));
        Self {
            store,
            clock,
            config,
            limiter,
        }
    }

    /// Now, in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// The whole application: API, pages, health checks.
pub fn app(state: AppState) -> Router {
    let hsts = state.config.hsts;
    Router::new()
        .merge(routes::router())
        .merge(pages::router())
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn(nul::refuse_in_uri))
        .layer(axum::middleware::from_fn_with_state(
            hsts,
            security::add_headers,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
