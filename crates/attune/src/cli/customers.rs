//! `attune accounts …` and `attune people …`: the customer 360 from a shell.

use attune::config::Config;
use attune::db;
use attune_app::import::customers::Target;
use attune_storage::model::{MergeKind, PeopleQuery, TimelineQuery};
use attune_storage::prelude::*;
use clap::Subcommand;

use super::org_by_slug;

#[derive(Debug, Subcommand)]
pub(crate) enum AccountsCommand {
    /// List accounts (tab-separated: id, external id, name, owner, archived, relationship
    /// flag over the last 90 days).
    List {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// Only accounts with this flag: flagged (single-threaded or no contact),
        /// single_threaded, no_contact or multi_threaded.
        #[arg(long)]
        flag: Option<String>,
        /// Only accounts of this owner (an e-mail, or `none`).
        #[arg(long)]
        owner: Option<String>,
        /// name (default), flag (no contact first) or owner.
        #[arg(long, default_value = "name")]
        sort: String,
    },
    /// One account as JSON: the account, its people and its relationship health
    /// (single-threaded or not, and why; the relationship map).
    Show {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// Account id, external id or an id in another system.
        account: String,
        /// The window of the relationship rule, in days.
        #[arg(long, default_value_t = 90)]
        days: u32,
    },
    /// The account's timeline, newest first (tab-separated: time, kind, id, person).
    Timeline {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// Account id or external id.
        account: String,
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Folds a duplicate account into another (everything moves; undo with `attune merges
    /// undo`); prints the merge as JSON.
    Merge {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// The account that keeps everything: id or external id.
        survivor: String,
        /// The duplicate: id or external id.
        duplicate: String,
    },
    /// Import accounts from CSV: a HubSpot companies export (`Record ID`, `Company name`,
    /// `Company Domain Name`, …), a Salesforce accounts export (`Id`, `Name`, `Website`,
    /// `ParentId`, …) or Attune's names (account_external_id, name, domains, plan, size_band,
    /// employees, industry, region, lifecycle_stage, parent, owner_email, created). Found by
    /// the CRM's id, else the external id; fields a file leaves empty are kept. Checked whole
    /// first (problems by line and column), stored all or nothing; importing again changes
    /// nothing.
    Import(CustomerImportArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum PeopleCommand {
    /// List people in creation order (tab-separated: id, e-mail, name, accounts).
    List {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// Only members (current or past) of this account (id or external id).
        #[arg(long)]
        account: Option<String>,
        /// How many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// One person as JSON, by id or any of their e-mail addresses.
    Show {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// Person id or e-mail.
        person: String,
    },
    /// Folds a duplicate person into another (addresses, memberships, answers, cases and
    /// interactions move; undo with `attune merges undo`); prints the merge as JSON.
    Merge {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// The person who keeps everything: id or e-mail.
        survivor: String,
        /// The duplicate: id or e-mail.
        duplicate: String,
    },
    /// Import people from CSV: a HubSpot contacts export (`Email`, `First Name`, `Last Name`,
    /// `Job Title`, `Associated Company IDs` with `;` between companies), a Salesforce
    /// contacts export (`Email`, `FirstName`, `LastName`, `Title`, `AccountId`; an
    /// AccountContactRelation export with `Contact.Email`, `Roles`, `StartDate`, `EndDate`
    /// gives a row per company) or Attune's names (email, other_emails, name, first_name,
    /// last_name, phone, title, language, time_zone, accounts, roles, from, to). Found by
    /// e-mail; their companies must be imported first. Checked whole, stored all or nothing.
    Import(CustomerImportArgs),
}

/// Where and how to import customers.
#[derive(Debug, clap::Args)]
pub(crate) struct CustomerImportArgs {
    /// Organisation slug.
    #[arg(long)]
    org: String,
    /// The CSV file.
    file: std::path::PathBuf,
    /// `hubspot`, `salesforce` or `attune`; default: detected from the header.
    #[arg(long)]
    layout: Option<String>,
    /// field=column for columns with other names; repeatable.
    #[arg(long = "map")]
    maps: Vec<String>,
    /// A column to keep as a custom attribute of each account; repeatable.
    #[arg(long = "attribute")]
    attributes: Vec<String>,
    /// How dates such as 03/04/2024 are read: `mdy` or `dmy` (ISO dates need neither).
    #[arg(long = "date-order")]
    date_order: Option<String>,
    /// `,`, `;`, `tab`; default: detected from the header.
    #[arg(long)]
    delimiter: Option<String>,
}

/// `attune accounts import` / `attune people import`.
async fn import_customers(
    store: &attune_storage::sql::SqlStore,
    org_id: &str,
    target: Target,
    args: CustomerImportArgs,
) -> anyhow::Result<()> {
    use attune_app::import::customers::{DateOrder, Layout, Options};
    let layout = args
        .layout
        .as_deref()
        .map(|l| {
            Layout::parse(l)
                .ok_or_else(|| anyhow::anyhow!("--layout must be hubspot, salesforce or attune"))
        })
        .transpose()?;
    let date_order = args
        .date_order
        .as_deref()
        .map(|d| {
            DateOrder::parse(d).ok_or_else(|| anyhow::anyhow!("--date-order must be mdy or dmy"))
        })
        .transpose()?;
    let delimiter = args
        .delimiter
        .as_deref()
        .map(|d| {
            attune_app::import::Delimiter::parse(d)
                .map_err(|_| anyhow::anyhow!("--delimiter must be one character or `tab`"))
        })
        .transpose()?;
    let opts = Options {
        layout,
        maps: attune::import::parse_maps(&args.maps)?,
        attributes: args.attributes,
        date_order,
    };
    attune::customer_import::import_file(
        store,
        org_id,
        target,
        &args.file,
        &opts,
        delimiter,
        super::now_ms(),
    )
    .await?;
    Ok(())
}

fn cell(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// Merges `duplicate` into `survivor` and prints the merge as JSON.
async fn print_merge(
    store: &attune_storage::sql::SqlStore,
    org: &str,
    kind: MergeKind,
    survivor: &str,
    duplicate: &str,
) -> anyhow::Result<()> {
    let m = store
        .merge(org, kind, survivor, duplicate, None, super::now_ms())
        .await?;
    println!("{}", serde_json::to_string_pretty(&m)?);
    Ok(())
}

/// `attune accounts list`.
async fn list_accounts(
    store: &attune_storage::sql::SqlStore,
    org_id: &str,
    flag: Option<String>,
    owner: Option<String>,
    sort: &str,
    now: i64,
) -> anyhow::Result<()> {
    use attune_app::customers::flags::{FlagFilter, FlagQuery, FlagSort, accounts_with_flags};
    let users = store.list_users(org_id).await?;
    let owner = match owner.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(e) => Some(Some(
            users
                .iter()
                .find(|u| u.email.eq_ignore_ascii_case(e))
                .map(|u| u.id.clone())
                .ok_or_else(|| anyhow::anyhow!("--owner: no user of this organisation is `{e}`"))?,
        )),
    };
    let q = FlagQuery {
        days: attune_domain::customer::relationship::DEFAULT_DAYS,
        flag: flag
            .as_deref()
            .map(FlagFilter::parse)
            .transpose()
            .map_err(|_| {
                anyhow::anyhow!(
                    "--flag must be flagged, single_threaded, no_contact or multi_threaded"
                )
            })?,
        owner,
        attribute: None,
        sort: FlagSort::parse(sort)
            .map_err(|_| anyhow::anyhow!("--sort must be name, flag or owner"))?,
        archived: true,
        after: None,
        limit: attune_app::customers::flags::MAX_PAGE,
    };
    // Every account, a page at a time.
    let mut q = q;
    loop {
        let page = accounts_with_flags(store, org_id, now, &q).await?;
        print_flag_rows(&users, page.rows);
        match page.next {
            Some(next) => q.after = Some(next),
            None => return Ok(()),
        }
    }
}

fn print_flag_rows(
    users: &[attune_storage::model::User],
    rows: Vec<(
        attune_storage::model::Account,
        attune_domain::customer::relationship::Threading,
    )>,
) {
    use attune_domain::customer::relationship::Threading;
    for (a, t) in rows {
        let owner = a
            .owner_user_id
            .as_ref()
            .and_then(|o| users.iter().find(|u| &u.id == o))
            .map_or("-", |u| u.email.as_str());
        let flag = match t {
            Threading::NoContact => "no_contact",
            Threading::SingleThreaded { .. } => "single_threaded",
            Threading::MultiThreaded { .. } => "multi_threaded",
        };
        println!(
            "{}\t{}\t{}\t{}\t{}\t{flag}",
            a.id,
            cell(a.external_id.as_deref().unwrap_or("-")),
            cell(&a.name),
            owner,
            if a.archived_at.is_some() {
                "archived"
            } else {
                "-"
            }
        );
    }
}

/// Runs `attune accounts …`.
pub(crate) async fn accounts(config: &Config, command: AccountsCommand) -> anyhow::Result<()> {
    let store = db::open(&config.db).await?;
    let slug = match &command {
        AccountsCommand::List { org, .. }
        | AccountsCommand::Show { org, .. }
        | AccountsCommand::Timeline { org, .. }
        | AccountsCommand::Merge { org, .. } => org.clone(),
        AccountsCommand::Import(args) => args.org.clone(),
    };
    let org = org_by_slug(&store, &slug).await?;
    let now = super::now_ms();
    match command {
        AccountsCommand::List {
            flag, owner, sort, ..
        } => list_accounts(&store, &org.id, flag, owner, &sort, now).await?,
        AccountsCommand::Show { account, days, .. } => {
            let a = store.account(&org.id, &account).await?;
            let q = PeopleQuery {
                account_id: Some(a.id.clone()),
                after: None,
                limit: 10_000,
            };
            let people = store.list_people(&org.id, &q).await?;
            let report =
                attune_app::customers::relationship::report(&store, &org.id, &a.id, days, now)
                    .await?;
            let out = serde_json::json!({"account": a, "people": people, "relationship": report});
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        AccountsCommand::Timeline { account, limit, .. } => {
            let a = store.account(&org.id, &account).await?;
            let q = TimelineQuery {
                account_id: Some(a.id.clone()),
                person_id: None,
                kinds: Vec::new(),
                after: None,
                limit: limit.clamp(1, 1_000),
            };
            for e in store.timeline(&org.id, &q).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    attune_domain::period::format_ms(e.at),
                    e.kind.as_str(),
                    e.id,
                    e.person_id.as_deref().unwrap_or("-")
                );
            }
        }
        AccountsCommand::Merge {
            survivor,
            duplicate,
            ..
        } => print_merge(&store, &org.id, MergeKind::Account, &survivor, &duplicate).await?,
        AccountsCommand::Import(args) => {
            import_customers(&store, &org.id, Target::Accounts, args).await?
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub(crate) enum MergesCommand {
    /// A merge as JSON, with what undoing it would do (records created on the survivor since
    /// stay with it).
    Show {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// Merge id (printed by `accounts merge` / `people merge`, and on the timeline).
        merge: String,
    },
    /// Undoes a merge: every moved record goes back; prints the merge as JSON.
    Undo {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// Merge id.
        merge: String,
    },
}

/// Runs `attune merges …`.
pub(crate) async fn merges(config: &Config, command: MergesCommand) -> anyhow::Result<()> {
    let store = db::open(&config.db).await?;
    let (MergesCommand::Show { org, .. } | MergesCommand::Undo { org, .. }) = &command;
    let org = org_by_slug(&store, org).await?;
    let out = match command {
        MergesCommand::Show { merge, .. } => {
            serde_json::to_value(store.merge_preview(&org.id, &merge).await?)?
        }
        MergesCommand::Undo { merge, .. } => serde_json::to_value(
            store
                .undo_merge(&org.id, &merge, None, super::now_ms())
                .await?,
        )?,
    };
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// Runs `attune people …`.
pub(crate) async fn people(config: &Config, command: PeopleCommand) -> anyhow::Result<()> {
    let store = db::open(&config.db).await?;
    let slug = match &command {
        PeopleCommand::List { org, .. }
        | PeopleCommand::Show { org, .. }
        | PeopleCommand::Merge { org, .. } => org.clone(),
        PeopleCommand::Import(args) => args.org.clone(),
    };
    let org = org_by_slug(&store, &slug).await?;
    match command {
        PeopleCommand::List { account, limit, .. } => {
            let account_id = match account {
                Some(a) => Some(store.account(&org.id, &a).await?.id),
                None => None,
            };
            let q = PeopleQuery {
                account_id,
                after: None,
                limit: limit.clamp(1, 10_000),
            };
            for p in store.list_people(&org.id, &q).await? {
                let accounts: Vec<String> = p
                    .memberships
                    .iter()
                    .map(|m| cell(&m.account_name))
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}",
                    p.id,
                    p.email.as_deref().unwrap_or("-"),
                    cell(p.name.as_deref().unwrap_or("-")),
                    accounts.join(", ")
                );
            }
        }
        PeopleCommand::Show { person, .. } => {
            let p = if person.contains('@') {
                store.person_by_email(&org.id, &person).await?
            } else {
                store.person(&org.id, &person).await?
            };
            println!("{}", serde_json::to_string_pretty(&p)?);
        }
        PeopleCommand::Merge {
            survivor,
            duplicate,
            ..
        } => print_merge(&store, &org.id, MergeKind::Person, &survivor, &duplicate).await?,
        PeopleCommand::Import(args) => {
            import_customers(&store, &org.id, Target::People, args).await?
        }
    }
    Ok(())
}
