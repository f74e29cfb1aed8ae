//! The `attune` command line: the argument definitions (clap) and one module per command
//! group, each parsing its flags and calling the application layer or the server.

use std::path::PathBuf;

use anyhow::Context;
use attune::config::Config;
use attune::{db, reindex};
use attune_storage::Store;
use attune_storage::model::Org;
use attune_web::Clock;
use clap::{Parser, Subcommand};

mod cases;
mod customers;
mod demo;
mod import;
mod jobs;
mod org;
mod report;
mod secrets;
mod serve;
mod token;
mod user;

/// Attune: listen to every customer, act on every unhappy voice, measure retention.
#[derive(Debug, Parser)]
#[command(name = "attune", version, about)]
pub(crate) struct Cli {
    /// Configuration file (default: ./attune.toml when present).
    #[arg(long, global = true)]
    pub(crate) config: Option<PathBuf>,
    /// Database: a file path, sqlite://… or postgres://… (default ./attune.db; env ATTUNE_DB).
    #[arg(long, global = true)]
    pub(crate) db: Option<String>,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the web server (API and pages). Creates and migrates the database on first start,
    /// and the key that seals its stored credentials unless one is configured (secret_key;
    /// default file: beside a SQLite database, or ./attune.key for PostgreSQL).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080; env ATTUNE_BIND).
        #[arg(long)]
        bind: Option<String>,
        /// First load the demo organisation if the database has no organisation yet.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Create the demo organisation "Demo" with ~20,000 responses; prints a login and a token.
    /// The password comes from ATTUNE_PASSWORD (it must meet the password policy, see `user
    /// create`), else it is generated.
    Demo,
    /// Reports computed from stored data.
    Report {
        #[command(subcommand)]
        command: report::ReportCommand,
    },
    /// Organisations.
    Org {
        #[command(subcommand)]
        command: org::OrgCommand,
    },
    /// Users (people who log in).
    #[command(alias = "users")]
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: token::TokenCommand,
    },
    /// Import data from files.
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// Analyse every stored comment again (language, terms, search index); safe to re-run.
    Reindex {
        /// Only this organisation (slug); default: all.
        #[arg(long)]
        org: Option<String>,
        /// Responses per transaction.
        #[arg(long, default_value_t = reindex::BATCH)]
        batch: u32,
    },
    /// Background jobs: SLA warnings and escalations, e-mail, webhooks, digests.
    Jobs {
        #[command(subcommand)]
        command: jobs::JobsCommand,
    },
    /// Follow-up cases (the closed loop).
    Cases {
        #[command(subcommand)]
        command: cases::CasesCommand,
    },
    /// Customer accounts: list, show one with its people and relationship health, its timeline,
    /// merge a duplicate.
    Accounts {
        #[command(subcommand)]
        command: customers::AccountsCommand,
    },
    /// People on the customers' side: list, show one, merge a duplicate.
    People {
        #[command(subcommand)]
        command: customers::PeopleCommand,
    },
    /// Merges of duplicate accounts and people: show one with its undo preview, undo it.
    Merges {
        #[command(subcommand)]
        command: customers::MergesCommand,
    },
    /// The key that seals stored credentials (webhook signing secrets, the invitation signing
    /// key): generate one, rotate to a new one.
    Secrets {
        #[command(subcommand)]
        command: secrets::SecretsCommand,
    },
}

/// The current time, in epoch milliseconds.
pub(crate) fn now_ms() -> i64 {
    attune_web::SystemClock.now_ms()
}

/// The organisation with this slug, or an error naming it.
pub(crate) async fn org_by_slug(store: &dyn Store, slug: &str) -> anyhow::Result<Org> {
    store
        .org_by_slug(slug)
        .await
        .with_context(|| format!("no organisation with slug `{slug}`"))
}

/// Runs one command.
pub(crate) async fn run(mut config: Config, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve { bind, demo } => serve::run(&mut config, bind, demo).await,
        Command::Migrate => {
            db::open(&config.db).await?;
            eprintln!("database {} is migrated", db::redact(&config.db));
            Ok(())
        }
        Command::Demo => demo::run(&config).await,
        Command::Org { command } => org::run(&config, command).await,
        Command::User { command } => user::run(&config, command).await,
        Command::Token { command } => token::run(&config, command).await,
        Command::Import { command } => import::run(&config, command).await,
        Command::Report { command } => report::run(&config, command).await,
        Command::Reindex { org, batch } => {
            let store = db::open(&config.db).await?;
            let n = reindex::run(&store, org.as_deref(), batch).await?;
            eprintln!("reindexed {n} responses");
            Ok(())
        }
        Command::Cases { command } => cases::run(&config, command).await,
        Command::Accounts { command } => customers::accounts(&config, command).await,
        Command::People { command } => customers::people(&config, command).await,
        Command::Merges { command } => customers::merges(&config, command).await,
        Command::Secrets { command } => secrets::run(&config, command).await,
        Command::Jobs { command } => jobs::run(&config, command).await,
    }
}
