//! `attune import subscriptions|activity|accounts`: a delimited file checked whole before
//! anything is written (errors name the line and column; `attune_app::import`), then stored in
//! one transaction, with progress on stderr. Columns are found by their canonical names or
//! mapped with `--map field=column`; the delimiter is detected from the header (comma,
//! semicolon, tab, or runs of spaces) unless `--delimiter` says.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Context;
use attune_app::import::read_table;
use attune_app::import::retention::{parse_rows, refresh_snapshots, store_rows};
use attune_retention::Day;
use attune_storage::Store;
use attune_storage::model::ImportOutcome;

pub use attune_app::import::{Delimiter, Kind};

use crate::import::progress_bar;

/// Reads and checks a whole file, then stores it; prints progress to stderr.
#[expect(
    clippy::too_many_arguments,
    reason = "each is one flag of `attune import`; the CLI and the tests name them positionally"
)]
pub async fn import_file(
    store: &dyn Store,
    org_id: &str,
    kind: Kind,
    path: &std::path::Path,
    maps: &HashMap<String, String>,
    delimiter: Option<Delimiter>,
    as_of: Option<Day>,
    now_ms: i64,
) -> anyhow::Result<ImportOutcome> {
    let as_of = as_of.unwrap_or_else(|| attune_app::retention::day_of_ms(now_ms));
    let started = Instant::now();
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let parsed = read_table(&text, delimiter).and_then(|t| {
        eprintln!("checking {} rows…", t.rows.len());
        parse_rows(kind, &t, maps, as_of)
    });
    let parsed = match parsed {
        Ok(p) => p,
        Err(errors) => {
            let shown: Vec<String> = errors.iter().take(20).map(ToString::to_string).collect();
            anyhow::bail!(
                "{} problem(s) in {}; nothing was imported:\n  {}{}",
                errors.len(),
                path.display(),
                shown.join("\n  "),
                if errors.len() > 20 { "\n  …" } else { "" }
            );
        }
    };
    let total = parsed.len() as u64;
    eprintln!("storing {total} rows in one transaction…");
    let storing = Instant::now();
    let bar = move |done: u64| {
        eprint!(
            "\r{}",
            progress_bar(done, total, storing.elapsed().as_secs_f64())
        )
    };
    let outcome = store_rows(store, org_id, &parsed, now_ms, &bar)
        .await
        .context("storing the import (nothing was written)")?;
    eprintln!();
    let (stored, present) = match kind {
        Kind::Accounts => ("new", "updated"),
        _ => ("stored", "already present"),
    };
    eprintln!(
        "stored in {:.1}s: {} {stored}, {} {present}",
        started.elapsed().as_secs_f64(),
        outcome.inserted,
        outcome.duplicates
    );
    // The reports read a packed snapshot of the organisation's rows; build it now rather
    // than on the first report.
    let packing = Instant::now();
    eprintln!("preparing the retention reports…");
    let built = refresh_snapshots(store, org_id)
        .await
        .context("preparing the retention reports (the import itself is stored)")?;
    eprintln!(
        "done in {:.1}s ({built} snapshot(s) built in {:.1}s)",
        started.elapsed().as_secs_f64(),
        packing.elapsed().as_secs_f64()
    );
    Ok(outcome)
}
