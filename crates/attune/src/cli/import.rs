//! `attune import`: responses, subscriptions, activity and accounts from files.

use anyhow::Context;
use attune::config::Config;
use attune::db;
use attune::import;
use attune::retention_import::{Delimiter, Kind};
use attune_storage::prelude::*;
use clap::Subcommand;
use std::path::PathBuf;

use super::{now_ms, org_by_slug};

#[derive(Debug, Subcommand)]
pub(crate) enum ImportCommand {
    /// Import survey responses from CSV: one row a response, a column per question key (or
    /// mapped with --map), optional columns submitted_at, language, channel, email, name,
    /// account_external_id, account_name, response_id. Checked whole first; errors are
    /// reported by line and column; stored all or nothing; re-importing stores nothing twice.
    Responses {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// Survey id.
        #[arg(long)]
        survey: String,
        /// The CSV file.
        file: PathBuf,
        /// question=column (or field=column for the optional columns); repeatable.
        #[arg(long = "map")]
        maps: Vec<String>,
    },
    /// Import subscriptions or contracts: one row a subscription, canonical columns
    /// account_external_id,start_date,end_date,mrr,product (empty end_date = still active;
    /// optional quantity, billing_period, cancellation_reason). Files that only know tenures
    /// map tenure_months and churned instead of the dates (counted back from --as-of).
    /// Accounts are created on first sight; checked whole first, stored all or nothing;
    /// re-importing stores nothing twice.
    Subscriptions(RetentionImportArgs),
    /// Import purchase or activity events: canonical columns account_external_id,date,value.
    Activity(RetentionImportArgs),
    /// Import account attributes for the churn audit: account_external_id, name, plan,
    /// size_band, industry, region; every other column becomes a custom attribute. Stored all
    /// or nothing; an account already known is updated. (Accounts and people exported from a
    /// CRM, with domains, parents and memberships: `attune accounts import`, `attune people
    /// import`.)
    Accounts(RetentionImportArgs),
}

/// Where and what to import.
#[derive(Debug, clap::Args)]
pub(crate) struct RetentionImportArgs {
    /// Organisation slug.
    #[arg(long)]
    org: String,
    /// The file (CSV, or another delimiter; see --delimiter).
    file: PathBuf,
    /// field=column for columns with other names; repeatable.
    #[arg(long = "map")]
    maps: Vec<String>,
    /// `,`, `;`, `tab` or `whitespace` (runs of spaces); default: detected from the header.
    #[arg(long)]
    delimiter: Option<String>,
    /// The day tenures are counted back from (subscriptions mapped with tenure_months and
    /// churned), YYYY-MM-DD; default today.
    #[arg(long = "as-of")]
    as_of: Option<String>,
}

/// Runs `attune import …`.
pub(crate) async fn run(config: &Config, command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::Subscriptions(args) => {
            import_retention(config, Kind::Subscriptions, args).await
        }
        ImportCommand::Activity(args) => import_retention(config, Kind::Activity, args).await,
        ImportCommand::Accounts(args) => import_retention(config, Kind::Accounts, args).await,
        ImportCommand::Responses {
            org,
            survey,
            file,
            maps,
        } => {
            let store = db::open(&config.db).await?;
            let org = org_by_slug(&store, &org).await?;
            let survey = store
                .survey(&org.id, &survey)
                .await
                .with_context(|| format!("no survey `{survey}` in {}", org.slug))?;
            let maps = import::parse_maps(&maps)?;
            import::import_file(&store, &org.id, &survey, &file, &maps, now_ms()).await?;
            Ok(())
        }
    }
}

/// `attune import subscriptions|activity|accounts`.
async fn import_retention(
    config: &Config,
    kind: Kind,
    args: RetentionImportArgs,
) -> anyhow::Result<()> {
    let delimiter = args
        .delimiter
        .as_deref()
        .map(|d| {
            Delimiter::parse(d).map_err(|_| {
                anyhow::anyhow!("--delimiter must be one character, `tab` or `whitespace`")
            })
        })
        .transpose()?;
    let store = db::open(&config.db).await?;
    let org = org_by_slug(&store, &args.org).await?;
    let maps = import::parse_maps(&args.maps)?;
    let as_of = args
        .as_of
        .as_deref()
        .map(|raw| {
            attune_retention::parse_day(raw)
                .with_context(|| format!("--as-of `{raw}` is not a date (YYYY-MM-DD)"))
        })
        .transpose()?;
    attune::retention_import::import_file(
        &store,
        &org.id,
        kind,
        &args.file,
        &maps,
        delimiter,
        as_of,
        now_ms(),
    )
    .await?;
    Ok(())
}
