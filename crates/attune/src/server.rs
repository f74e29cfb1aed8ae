//! Start-up: bind the listener (port 0 in tests), build the app, serve until SIGTERM/Ctrl-C,
//! finishing in-flight requests.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use attune_storage::Store;
use attune_web::{AppState, Clock, SystemClock, WebConfig};
use tokio::net::TcpListener;

use crate::config::Config;

/// The key that signs invitation links: from the configuration, else generated once and kept
/// in the database so that every instance (and the job worker) agrees.
pub async fn signing_key(config: &Config, store: &dyn Store) -> anyhow::Result<String> {
    Ok(match &config.signing_key {
        Some(k) if !k.expose().is_empty() => k.expose().to_owned(),
        _ => store
            .setting_or_init("signing_key", &attune_web::auth::random_token(32))
            .await
            .context("reading the signing key")?,
    })
}

/// What the job worker needs from the configuration.
pub async fn worker_config(
    config: &Config,
    store: &dyn Store,
) -> anyhow::Result<crate::worker::WorkerConfig> {
    let mailer = match &config.smtp_url {
        Some(url) => Some(crate::worker::Mailer::new(url.expose(), &config.mail_from)?),
        None => None,
    };
    Ok(crate::worker::WorkerConfig {
        mailer,
        signing_key: Arc::from(signing_key(config, store).await?.into_bytes()),
        public_url: config.public_url.clone(),
        webhook_allow_internal: config.webhook_allow_internal,
    })
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Binds the listener and prepares the state.
    pub async fn build(
        config: &Config,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let key = signing_key(config, store.as_ref()).await?;
        let state = AppState::new(
            store,
            clock,
            WebConfig {
                signing_key: Arc::from(key.into_bytes()),
                secure_cookies: config.secure_cookies,
                public_rate_per_minute: config.public_rate_per_minute,
                webhook_allow_internal: config.webhook_allow_internal,
                hsts: config.hsts_enabled(),
            },
        );
        let listener = TcpListener::bind(&config.bind)
            .await
            .with_context(|| format!("binding {}", config.bind))?;
        Ok(Self { listener, state })
    }

    /// Builds with the system clock.
    pub async fn build_default(config: &Config, store: Arc<dyn Store>) -> anyhow::Result<Self> {
        Self::build(config, store, Arc::new(SystemClock)).await
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
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP")
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
