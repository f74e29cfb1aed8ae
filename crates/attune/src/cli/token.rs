//! `attune token`: API tokens.

use attune::config::Config;
use attune::db;
use attune_domain::org::Role;
use attune_storage::prelude::*;
use clap::Subcommand;

use super::org_by_slug;

#[derive(Debug, Subcommand)]
pub(crate) enum TokenCommand {
    /// Create an API token; prints it alone on the last line (it is shown only once).
    Create {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// admin, member or viewer.
        #[arg(long, default_value = "admin")]
        role: String,
        /// A note saying what the token is for.
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

/// Runs `attune token …`.
pub(crate) async fn run(config: &Config, command: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Create { org, role, label } = command;
    let store = db::open(&config.db).await?;
    let org = org_by_slug(&store, &org).await?;
    let role = Role::parse(&role)?;
    let token = attune_web::auth::new_api_token();
    store
        .create_token(&org.id, &attune_web::auth::sha256_hex(&token), role, &label)
        .await?;
    eprintln!(
        "API token for {} ({}); it is shown only once:",
        org.slug,
        role.as_str()
    );
    println!("{token}");
    Ok(())
}
