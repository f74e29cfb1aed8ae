//! `attune jobs`: the background jobs.

use std::sync::Arc;

use attune::config::Config;
use attune::db;
use clap::Subcommand;

use super::now_ms;

#[derive(Debug, Subcommand)]
pub(crate) enum JobsCommand {
    /// Run every job due now (or at --now) and exit: for cron-style deployments, where
    /// `attune serve` runs with worker_interval_secs = 0, and for tests. Safe to run from
    /// several machines at once against one PostgreSQL database.
    RunOnce {
        /// The instant to run at, RFC 3339 (e.g. 2026-11-24T09:00:00Z); default: now.
        #[arg(long)]
        now: Option<String>,
    },
    /// List jobs, newest first.
    List {
        /// Only jobs in this state: queued, running, done or dead.
        #[arg(long)]
        state: Option<String>,
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

/// Runs `attune jobs …`.
pub(crate) async fn run(config: &Config, command: JobsCommand) -> anyhow::Result<()> {
    let store: Arc<dyn attune_storage::Store> = db::open_store(&config.db).await?;
    match command {
        JobsCommand::RunOnce { now } => {
            let now = match now {
                Some(t) => attune_domain::period::parse_instant("--now", &t)?,
                None => now_ms(),
            };
            let worker = attune::worker::Worker::new(
                store.clone(),
                attune::server::worker_config(config, store.as_ref()).await?,
            )?;
            let report = worker.run_once(now).await?;
            println!("{}", serde_json::to_string(&report)?);
        }
        JobsCommand::List { state, limit } => {
            for j in store.list_jobs(state.as_deref(), limit).await? {
                println!(
                    "{}\t{}\t{}\t{}\tattempt {}/{}\t{}",
                    j.id,
                    j.kind,
                    j.state,
                    attune_domain::period::format_ms(j.run_at),
                    j.attempts,
                    j.max_attempts,
                    j.last_error.unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}
