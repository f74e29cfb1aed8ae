//! Start-up: bind the listener (port 0 in tests), build the app, serve until SIGTERM/Ctrl-C,
//! finishing in-flight requests.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use attune_storage::Store;
use attune_web::{AppState, Clock, SystemClock, WebConfig};
use tokio::net::TcpListener;

use crate::config::Config;
use crate::secrets::Secrets;

/// What the job worker needs from the configuration.
pub async fn worker_config(
    config: &Config,
    store: &dyn Store,
) -> anyhow::Result<crate::worker::WorkerConfig> {
    let mailer = match &config.smtp_url {
        Some(url) => Some(crate::worker::Mailer::new(url.expose(), &config.mail_from)?),
        None => None,
    };
    let secrets = crate::secrets::prepare(config, store).await?;
    Ok(crate::worker::WorkerConfig {
        mailer,
        signing_key: secrets.signing_key,
        sealer: secrets.sealer,
        public_url: config.public_url.clone(),
        webhook_allow_internal: config.webhook_allow_internal,
    })
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    limits: crate::http::ConnectionLimits,
    secrets: Secrets,
}

impl Application {
    /// Binds the listener and prepares the state.
    pub async fn build(
        config: &Config,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let secrets = crate::secrets::prepare(config, store.as_ref()).await?;
        let trusted_proxies = config.trusted_proxies()?;
        let state = AppState::new(
            store,
            clock,
            WebConfig {
                signing_key: secrets.signing_key.clone(),
                sealer: secrets.sealer.clone(),
                secure_cookies: config.secure_cookies,
                login_rate_per_minute: config.login_rate_per_minute,
                public_rate_per_minute: config.public_rate_per_minute,
                api_rate_per_minute: config.api_rate_per_minute,
                trusted_proxies,
                login_backoff: config.login_backoff(),
                webhook_allow_internal: config.webhook_allow_internal,
                heavy: config.heavy_limits(),
                body_rate: config.body_rate(),
                hsts: config.hsts_enabled(),
            },
        );
        let listener = TcpListener::bind(&config.bind)
            .await
            .with_context(|| format!("binding {}", config.bind))?;
        let limits = crate::http::ConnectionLimits {
            header_read_timeout: std::time::Duration::from_secs(
                config.header_read_timeout_secs.max(1),
            ),
            max_connections: config.max_connections.max(1),
        };
        Ok(Self {
            listener,
            state,
            limits,
            secrets,
        })
    }

    /// Builds with the system clock.
    pub async fn build_default(config: &Config, store: Arc<dyn Store>) -> anyhow::Result<Self> {
        Self::build(config, store, Arc::new(SystemClock)).await
    }

    /// The shared state (tests hold its limits and read its counters).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The sealer and signing key it started with (checked against the database).
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// The address actually bound.
    pub fn addr(&self) -> anyhow::Result<SocketAddr> {
        self.listener
            .local_addr()
            .context("reading the bound address")
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let app = attune_web::app(self.state);
        crate::http::serve(self.listener, app, self.limits, shutdown).await
    }

    /// Serves until SIGTERM or Ctrl-C.
    pub async fn run(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
