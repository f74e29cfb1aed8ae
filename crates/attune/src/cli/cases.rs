//! `attune cases`: the closed loop's follow-up cases.

use attune::config::Config;
use attune::db;
use attune_storage::prelude::*;
use clap::Subcommand;

use super::org_by_slug;

#[derive(Debug, Subcommand)]
pub(crate) enum CasesCommand {
    /// List cases by first-response deadline (tab-separated: id, state, priority, owner,
    /// first response due, breached, title).
    List {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// Only cases in this state: open, in_progress, waiting, resolved or closed.
        #[arg(long)]
        state: Option<String>,
        /// Only open, in-progress and waiting cases.
        #[arg(long)]
        active: bool,
        /// How many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// List the organisation's alert rules as JSON.
    Rules {
        /// Organisation slug.
        #[arg(long)]
        org: String,
    },
}

/// Runs `attune cases …`.
pub(crate) async fn run(config: &Config, command: CasesCommand) -> anyhow::Result<()> {
    let store = db::open(&config.db).await?;
    let slug = match &command {
        CasesCommand::List { org, .. } | CasesCommand::Rules { org } => org.clone(),
    };
    let org = org_by_slug(&store, &slug).await?;
    match command {
        CasesCommand::List {
            state,
            active,
            limit,
            ..
        } => {
            let state = state
                .map(|s| attune_domain::closed_loop::case::CaseState::parse(&s))
                .transpose()?;
            let users = store.list_users(&org.id).await?;
            let q = attune_storage::model::CaseQuery {
                state,
                active,
                limit: limit.clamp(1, 1000),
                ..Default::default()
            };
            for c in store.cases(&org.id, &q).await? {
                let owner = c
                    .owner
                    .as_ref()
                    .and_then(|o| users.iter().find(|u| &u.id == o))
                    .map_or("unassigned", |u| u.email.as_str());
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    c.id,
                    c.state,
                    c.priority,
                    owner,
                    attune_domain::period::format_ms(c.first_response_due_at),
                    if c.breached { "breached" } else { "-" },
                    c.title.replace(['\t', '\n'], " ")
                );
            }
        }
        CasesCommand::Rules { .. } => {
            let rules = store.list_rules(&org.id).await?;
            println!("{}", serde_json::to_string_pretty(&rules)?);
        }
    }
    Ok(())
}
