//! The `attune` command: serve, migrate, demo, and administration.
#![forbid(unsafe_code)]

use attune::config::Config;
use clap::Parser;

mod cli;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = cli::Cli::parse();
    let mut config = Config::load(args.config.as_deref())?;
    if let Some(db) = &args.db {
        config.db.clone_from(db);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&config.log)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    cli::run(config, args.command).await
}
