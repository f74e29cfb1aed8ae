//! `attune org`: organisations.

use attune::config::Config;
use attune::db;
use attune_storage::prelude::*;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub(crate) enum OrgCommand {
    /// Create an organisation; prints its slug.
    Create {
        /// Display name.
        name: String,
    },
    /// List organisations.
    List,
}

/// Runs `attune org …`.
pub(crate) async fn run(config: &Config, command: OrgCommand) -> anyhow::Result<()> {
    let store = db::open(&config.db).await?;
    match command {
        OrgCommand::Create { name } => {
            let name = attune_domain::text::parse_name("name", &name, 200)?;
            let org = store.create_org(&name).await?;
            println!("{}", org.slug);
        }
        OrgCommand::List => {
            for o in store.list_orgs().await? {
                println!("{}\t{}", o.slug, o.name);
            }
        }
    }
    Ok(())
}
