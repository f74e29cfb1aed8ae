//! `attune accounts import` and `attune people import`: a CRM export (HubSpot, Salesforce) or
//! a file with Attune's field names, checked whole before anything is written (problems by
//! line and column; `attune_app::import::customers`), then stored in one transaction, with
//! progress on stderr.

use std::time::Instant;

use anyhow::Context;
use attune_app::customers::sync::SyncReport;
use attune_app::import::customers::{Options, Target, check, store};
use attune_app::import::{Delimiter, RowError, read_table};
use attune_storage::Store;

use crate::import::progress_bar;

fn problems(errors: &[RowError], path: &std::path::Path) -> anyhow::Error {
    let shown: Vec<String> = errors.iter().take(20).map(ToString::to_string).collect();
    anyhow::anyhow!(
        "{} problem(s) in {}; nothing was imported:\n  {}{}",
        errors.len(),
        path.display(),
        shown.join("\n  "),
        if errors.len() > 20 { "\n  …" } else { "" }
    )
}

/// Reads, checks and stores a whole file; prints what it found and its progress to stderr.
pub async fn import_file(
    store_: &dyn Store,
    org_id: &str,
    target: Target,
    path: &std::path::Path,
    opts: &Options,
    delimiter: Option<Delimiter>,
    now_ms: i64,
) -> anyhow::Result<SyncReport> {
    let started = Instant::now();
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let table = read_table(&text, delimiter).map_err(|e| problems(&e, path))?;
    let users = store_.list_users(org_id).await?;
    eprintln!("checking {} rows…", table.rows.len());
    let checked = check(target, &table, opts, &users).map_err(|e| problems(&e, path))?;
    eprintln!("read as a {} export", checked.layout.as_str());
    if !checked.ignored.is_empty() {
        eprintln!(
            "columns left out (map them with --map, or keep one on accounts with --attribute): {}",
            checked.ignored.join(", ")
        );
    }
    let total = (checked.batch.accounts.len() + checked.batch.people.len()) as u64;
    eprintln!("storing {total} rows in one transaction…");
    let storing = Instant::now();
    let bar = move |done: u64| {
        eprint!(
            "\r{}",
            progress_bar(done, total, storing.elapsed().as_secs_f64())
        )
    };
    let report = store(store_, org_id, &checked, now_ms, &bar)
        .await
        .context("storing the import (nothing was written)")?;
    eprintln!();
    let report = report.map_err(|e| problems(&[e], path))?;
    let secs = started.elapsed().as_secs_f64();
    match target {
        Target::Accounts => eprintln!(
            "stored in {secs:.1}s: {} new account(s), {} updated; {} open case(s) handed to new owners",
            report.accounts_created, report.accounts_updated, report.cases_reassigned
        ),
        Target::People => eprintln!(
            "stored in {secs:.1}s: {} new person(s), {} updated",
            report.people_created, report.people_updated
        ),
    }
    Ok(report)
}
