//! The `attune` command: serve, migrate, demo, and administration.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use attune::config::Config;
use attune::server::Application;
use attune::{db, demo, import, reindex};
use attune_domain::org::Role;
use attune_domain::text::Email;
use attune_web::Clock;
use clap::{Parser, Subcommand};

/// Attune: listen to every customer, act on every unhappy voice, measure retention.
#[derive(Debug, Parser)]
#[command(name = "attune", version, about)]
struct Cli {
    /// Configuration file (default: ./attune.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Database: a file path, sqlite://… or postgres://… (default ./attune.db; env ATTUNE_DB).
    #[arg(long, global = true)]
    db: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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
        command: ReportCommand,
    },
    /// Organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Users (people who log in).
    #[command(alias = "users")]
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Import data from files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
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
        command: JobsCommand,
    },
    /// Follow-up cases (the closed loop).
    Cases {
        #[command(subcommand)]
        command: CasesCommand,
    },
    /// The key that seals stored credentials (webhook signing secrets, the invitation signing
    /// key): generate one, rotate to a new one.
    Secrets {
        #[command(subcommand)]
        command: SecretsCommand,
    },
}

#[derive(Debug, Subcommand)]
enum SecretsCommand {
    /// Print a new random key (32 bytes, base64) for secret_key / ATTUNE_SECRET_KEY or a key
    /// file.
    GenerateKey,
    /// Seal every stored credential again with the current key (secret_key or the key file),
    /// opening each with it or one of previous_secret_keys, in one transaction; afterwards the
    /// previous keys can be removed from the configuration.
    Rotate,
}

#[derive(Debug, Subcommand)]
enum CasesCommand {
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

#[derive(Debug, Subcommand)]
enum JobsCommand {
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

#[derive(Debug, Subcommand)]
enum OrgCommand {
    /// Create an organisation; prints its slug.
    Create {
        /// Display name.
        name: String,
    },
    /// List organisations.
    List,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from ATTUNE_PASSWORD or prompted for, never taken
    /// from an argument. It needs at least 15 characters (up to 256, any script; a few
    /// unrelated words work well), must not be common or easily guessed, nor contain the
    /// e-mail; there are no rules about digits or symbols.
    Create {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// Login e-mail.
        #[arg(long)]
        email: String,
        /// admin, member or viewer.
        #[arg(long, default_value = "member")]
        role: String,
    },
    /// Forget the failed logins of a user, so they can log in at once (the login back-off
    /// otherwise ends by itself, within `login_backoff_max_secs`).
    ClearBackoff {
        /// The user's login e-mail.
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
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

#[derive(Debug, Subcommand)]
enum ImportCommand {
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
    /// or nothing; an account already known is updated.
    Accounts(RetentionImportArgs),
}

/// Where and what to import.
#[derive(Debug, clap::Args)]
struct RetentionImportArgs {
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

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Customer retention per period: S, E, N, lost, CRR beside the retained share, churn,
    /// reactivations, GRR and NRR.
    Retention {
        /// Organisation slug.
        #[arg(long)]
        org: String,
        /// month, quarter, year, or custom (one period [--from, --to)); default quarter for the
        /// summary, month for cohorts, survival and the audit.
        #[arg(long)]
        period: Option<String>,
        /// First day covered, YYYY-MM-DD (default: the first day with data).
        #[arg(long)]
        from: Option<String>,
        /// First day not covered (default: the day after --as-of).
        #[arg(long)]
        to: Option<String>,
        /// The day the data is taken as known (default: today).
        #[arg(long)]
        as_of: Option<String>,
        /// subscription or activity.
        #[arg(long, default_value = "subscription")]
        basis: String,
        /// Gaps shorter than this many days are not churn (subscription basis).
        #[arg(long)]
        grace_days: Option<u32>,
        /// A purchase keeps a customer active this many days (activity basis).
        #[arg(long)]
        window_days: Option<u32>,
        /// table, csv or json.
        #[arg(long, default_value = "table")]
        format: String,
        /// Which part: summary (per period), cohorts, survival or audit.
        #[arg(long, default_value = "summary")]
        show: String,
        /// Survival: day or month.
        #[arg(long)]
        unit: Option<String>,
        /// Survival interval: log or loglog.
        #[arg(long)]
        ci: Option<String>,
        /// Audit: the account attribute (plan, size_band, industry, region, owner, product,
        /// cancellation_reason or a custom one).
        #[arg(long)]
        attribute: Option<String>,
        /// Audit: values with fewer customers show counts only.
        #[arg(long, default_value_t = 30)]
        min_support: u64,
    },
}

fn password_from_env_or_prompt() -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if let Ok(p) = std::env::var("ATTUNE_PASSWORD") {
        return Ok(p);
    }
    let prompt = format!("Password ({}): ", attune_web::password::requirements());
    if std::io::stdin().is_terminal() {
        // Typed at a terminal: not echoed.
        return rpassword::prompt_password(prompt).context("reading the password");
    }
    eprint!("{prompt}");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn now_ms() -> i64 {
    attune_web::SystemClock.now_ms()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(db) = &cli.db {
        config.db.clone_from(db);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&config.log)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Serve {
            bind,
            demo: with_demo,
        } => {
            if let Some(b) = bind {
                config.bind = b;
            }
            let store = db::open_store(&config.db).await?;
            if with_demo {
                if store.list_orgs().await?.is_empty() {
                    eprintln!("loading the demo organisation (about 20,000 responses)…");
                    let password = std::env::var("ATTUNE_PASSWORD").ok();
                    let d = demo::create(store.as_ref(), password, now_ms()).await?;
                    print_demo(&d, &config.bind);
                } else {
                    eprintln!("the database already has organisations; not loading the demo again");
                }
            }
            let app = Application::build(&config, store.clone(), Arc::new(attune_web::SystemClock))
                .await?;
            let addr = app.addr()?;
            tracing::info!(%addr, db = %db::redact(&config.db), "attune is listening");
            eprintln!("Attune is running at http://{addr}/ (Ctrl-C to stop)");
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let worker = if config.worker_interval_secs > 0 {
                let w = attune::worker::Worker::new(
                    store.clone(),
                    attune::server::worker_config(&config, store.as_ref()).await?,
                )?;
                let mut stopped = stopped.clone();
                Some(tokio::spawn(w.run_until(
                    Arc::new(attune_web::SystemClock),
                    std::time::Duration::from_secs(config.worker_interval_secs),
                    async move {
                        let _ = stopped.wait_for(|s| *s).await;
                    },
                )))
            } else {
                None
            };
            app.run().await?;
            let _ = stop.send(true);
            if let Some(w) = worker {
                let _ = w.await;
            }
        }
        Command::Migrate => {
            db::open(&config.db).await?;
            eprintln!("database {} is migrated", db::redact(&config.db));
        }
        Command::Demo => {
            let store = db::open(&config.db).await?;
            let password = std::env::var("ATTUNE_PASSWORD").ok();
            let d = demo::create(&store, password, now_ms()).await?;
            print_demo(&d, &config.bind);
        }
        Command::Org { command } => {
            let store = db::open(&config.db).await?;
            match command {
                OrgCommand::Create { name } => {
                    let name = attune_domain::text::parse_name("name", &name, 200)?;
                    let org = attune_storage::Store::create_org(&store, &name).await?;
                    println!("{}", org.slug);
                }
                OrgCommand::List => {
                    for o in attune_storage::Store::list_orgs(&store).await? {
                        println!("{}\t{}", o.slug, o.name);
                    }
                }
            }
        }
        Command::User {
            command: UserCommand::Create { org, email, role },
        } => {
            let store = db::open(&config.db).await?;
            let org = attune_storage::Store::org_by_slug(&store, &org)
                .await
                .with_context(|| format!("no organisation with slug `{org}`"))?;
            let email = Email::parse(&email)?;
            let role = Role::parse(&role)?;
            let password = password_from_env_or_prompt()?;
            attune_web::password::check(&password, email.as_str())
                .map_err(|e| anyhow::anyhow!("password refused: {e}"))?;
            let hash = attune_web::auth::hash_password(password)
                .await
                .map_err(|e| anyhow::anyhow!(e.message()))?;
            let user =
                attune_storage::Store::create_user(&store, &org.id, email.as_str(), &hash, role)
                    .await
                    .context("creating the user (is the e-mail already taken?)")?;
            println!("created {} ({}) in {}", user.email, role.as_str(), org.slug);
        }
        Command::User {
            command: UserCommand::ClearBackoff { email },
        } => {
            let store = db::open(&config.db).await?;
            let (user, _) = attune_storage::Store::user_for_login(&store, &email)
                .await
                .with_context(|| format!("no user with e-mail `{email}`"))?;
            let cleared =
                attune_storage::Store::clear_login_backoff(&store, &user.org_id, &user.email)
                    .await
                    .context("clearing the login back-off")?;
            if cleared {
                println!("cleared the failed logins of {}", user.email);
            } else {
                println!("{} had no failed logins to clear", user.email);
            }
        }
        Command::Token {
            command: TokenCommand::Create { org, role, label },
        } => {
            let store = db::open(&config.db).await?;
            let org = attune_storage::Store::org_by_slug(&store, &org)
                .await
                .with_context(|| format!("no organisation with slug `{org}`"))?;
            let role = Role::parse(&role)?;
            let token = attune_web::auth::new_api_token();
            attune_storage::Store::create_token(
                &store,
                &org.id,
                &attune_web::auth::sha256_hex(&token),
                role,
                &label,
            )
            .await?;
            eprintln!(
                "API token for {} ({}); it is shown only once:",
                org.slug,
                role.as_str()
            );
            println!("{token}");
        }
        Command::Import {
            command: ImportCommand::Subscriptions(args),
        } => import_retention(&config, attune::retention_import::Kind::Subscriptions, args).await?,
        Command::Import {
            command: ImportCommand::Activity(args),
        } => import_retention(&config, attune::retention_import::Kind::Activity, args).await?,
        Command::Import {
            command: ImportCommand::Accounts(args),
        } => import_retention(&config, attune::retention_import::Kind::Accounts, args).await?,
        Command::Report {
            command:
                ReportCommand::Retention {
                    org,
                    period,
                    from,
                    to,
                    as_of,
                    basis,
                    grace_days,
                    window_days,
                    format,
                    show,
                    unit,
                    ci,
                    attribute,
                    min_support,
                },
        } => {
            let format = attune::retention_report::Format::parse(&format)?;
            let show = attune::retention_report::Show::parse(&show)?;
            let store = db::open(&config.db).await?;
            let org = attune_storage::Store::org_by_slug(&store, &org)
                .await
                .with_context(|| format!("no organisation with slug `{org}`"))?;
            let params = attune_web::retention::RetentionParams {
                period,
                from,
                to,
                as_of,
                basis: Some(basis),
                grace_days: grace_days.map(|d| d.to_string()),
                window_days: window_days.map(|d| d.to_string()),
                ..Default::default()
            };
            let options = attune::retention_report::Options {
                unit,
                ci,
                attribute,
                min_support,
            };
            let report = attune::retention_report::compute(
                &store,
                &org.id,
                show,
                &params,
                &options,
                now_ms(),
            )
            .await?;
            print!(
                "{}",
                attune::retention_report::render(show, &report, format)
            );
        }
        Command::Import {
            command:
                ImportCommand::Responses {
                    org,
                    survey,
                    file,
                    maps,
                },
        } => {
            let store = db::open(&config.db).await?;
            let org = attune_storage::Store::org_by_slug(&store, &org)
                .await
                .with_context(|| format!("no organisation with slug `{org}`"))?;
            let survey = attune_storage::Store::survey(&store, &org.id, &survey)
                .await
                .with_context(|| format!("no survey `{survey}` in {}", org.slug))?;
            let maps = import::parse_maps(&maps)?;
            import::import_file(&store, &org.id, &survey, &file, &maps, now_ms()).await?;
        }
        Command::Reindex { org, batch } => {
            let store = db::open(&config.db).await?;
            let n = reindex::run(&store, org.as_deref(), batch).await?;
            eprintln!("reindexed {n} responses");
        }
        Command::Cases { command } => {
            let store = db::open(&config.db).await?;
            let slug = match &command {
                CasesCommand::List { org, .. } | CasesCommand::Rules { org } => org.clone(),
            };
            let org = attune_storage::Store::org_by_slug(&store, &slug)
                .await
                .with_context(|| format!("no organisation with slug `{slug}`"))?;
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
                    let users = attune_storage::Store::list_users(&store, &org.id).await?;
                    let q = attune_storage::model::CaseQuery {
                        state,
                        active,
                        limit: limit.clamp(1, 1000),
                        ..Default::default()
                    };
                    for c in attune_storage::Store::cases(&store, &org.id, &q).await? {
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
                    let rules = attune_storage::Store::list_rules(&store, &org.id).await?;
                    println!("{}", serde_json::to_string_pretty(&rules)?);
                }
            }
        }
        Command::Secrets { command } => match command {
            SecretsCommand::GenerateKey => println!("{}", attune_seal::Key::generate()),
            SecretsCommand::Rotate => {
                let store = db::open(&config.db).await?;
                let r = attune::secrets::rotate(&config, &store).await?;
                eprintln!(
                    "re-sealed {} stored credentials with key {}: the current key alone opens \
                     everything now, so previous_secret_keys can be emptied",
                    r.resealed, r.key_id
                );
            }
        },
        Command::Jobs { command } => {
            let store: Arc<dyn attune_storage::Store> = db::open_store(&config.db).await?;
            match command {
                JobsCommand::RunOnce { now } => {
                    let now = match now {
                        Some(t) => attune_domain::period::parse_instant("--now", &t)?,
                        None => now_ms(),
                    };
                    let worker = attune::worker::Worker::new(
                        store.clone(),
                        attune::server::worker_config(&config, store.as_ref()).await?,
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
        }
    }
    Ok(())
}

/// `attune import subscriptions|activity|accounts`.
async fn import_retention(
    config: &Config,
    kind: attune::retention_import::Kind,
    args: RetentionImportArgs,
) -> anyhow::Result<()> {
    let delimiter = args
        .delimiter
        .as_deref()
        .map(attune::retention_import::Delimiter::parse)
        .transpose()?;
    let store = db::open(&config.db).await?;
    let org = attune_storage::Store::org_by_slug(&store, &args.org)
        .await
        .with_context(|| format!("no organisation with slug `{}`", args.org))?;
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

fn print_demo(d: &demo::DemoOutcome, bind: &str) {
    eprintln!(
        "Demo organisation `{}` is ready with {} responses.\n  Log in at http://{bind}/login as {} with password {}\n  API token (shown once):",
        d.org.slug, d.responses, d.email, d.password
    );
    println!("{}", d.token);
}
