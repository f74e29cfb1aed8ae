//! `attune report`: reports computed from stored data.

use attune::config::Config;
use attune::db;
use attune::retention_report::{Format, Options, Range, Show, compute, render};
use clap::Subcommand;

use super::{now_ms, org_by_slug};

#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
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

/// Runs `attune report …`.
pub(crate) async fn run(config: &Config, command: ReportCommand) -> anyhow::Result<()> {
    let ReportCommand::Retention {
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
    } = command;
    let format = Format::parse(&format)?;
    let show = Show::parse(&show)?;
    let store = db::open(&config.db).await?;
    let org = org_by_slug(&store, &org).await?;
    let range = Range {
        period,
        from,
        to,
        as_of,
        basis,
        grace_days,
        window_days,
    };
    let options = Options {
        unit,
        ci,
        attribute,
        min_support,
    };
    let report = compute(&store, &org.id, show, &range, &options, now_ms()).await?;
    print!("{}", render(&report, format));
    Ok(())
}
