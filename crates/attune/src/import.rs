//! `attune import responses`: a CSV file into one survey, checked whole before anything is
//! written (by `attune_app::import::responses`), then stored all or nothing (in chunked
//! transactions, invisible until the last; see `ResponseStore::import_responses`), with
//! progress on stderr.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Context;
use attune_app::import::responses::{parse_csv as parse_rows, store_responses};
use attune_storage::Store;
use attune_storage::model::{ImportOutcome, Survey};

pub use attune_app::import::RowError;
pub use attune_app::import::responses::parse_csv;

/// Parses `question=column` mappings.
pub fn parse_maps(maps: &[String]) -> anyhow::Result<HashMap<String, String>> {
    maps.iter()
        .map(|m| {
            m.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                .with_context(|| format!("`--map {m}` must look like question=column"))
        })
        .collect()
}

/// Checks and stores a whole file. Prints progress to stderr.
pub async fn import_file(
    store: &dyn Store,
    org_id: &str,
    survey: &Survey,
    path: &std::path::Path,
    maps: &HashMap<String, String>,
    now_ms: i64,
) -> anyhow::Result<ImportOutcome> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let started = Instant::now();
    let mut report = |rows: u64| {
        let secs = started.elapsed().as_secs_f64().max(1e-3);
        eprint!(
            "\rchecked {rows} rows ({:.0} rows/s)   ",
            rows as f64 / secs
        );
    };
    let parsed = parse_rows(
        survey,
        std::io::BufReader::new(file),
        maps,
        now_ms,
        &mut report,
    )?;
    eprintln!();
    let responses = match parsed {
        Ok(r) => r,
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
    let removed = store
        .remove_abandoned_imports(now_ms)
        .await
        .context("removing imports whose process died")?;
    if removed > 0 {
        eprintln!("removed {removed} unfinished import(s) whose process had died");
    }
    eprintln!(
        "storing {} responses ({} bytes), all or nothing: nothing is visible until the end…",
        responses.len(),
        size
    );
    let total = responses.len() as u64;
    let storing = Instant::now();
    let bar = move |done: u64| {
        eprint!(
            "\r{}",
            progress_bar(done, total, storing.elapsed().as_secs_f64())
        )
    };
    let outcome = store_responses(store, org_id, survey, &responses, now_ms, &bar)
        .await
        .context("storing the import (nothing was written)")?;
    eprintln!();
    eprintln!(
        "done in {:.1}s: {} stored, {} already present",
        started.elapsed().as_secs_f64(),
        outcome.inserted,
        outcome.duplicates
    );
    Ok(outcome)
}

/// `[########            ]  40% 400000/1000000 (52000/s)`
pub fn progress_bar(done: u64, total: u64, secs: f64) -> String {
    const WIDTH: u64 = 30;
    let filled = (done.min(total) * WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH);
    let percent = (done.min(total) * 100).checked_div(total).unwrap_or(100);
    format!(
        "[{}{}] {percent:>3}% {done}/{total} ({:.0}/s)",
        "#".repeat(filled as usize),
        " ".repeat((WIDTH - filled) as usize),
        done as f64 / secs.max(1e-3)
    )
}

#[cfg(test)]
mod tests {
    use super::progress_bar;

    #[test]
    fn the_bar_fills_with_the_work() {
        assert_eq!(
            progress_bar(0, 10, 1.0),
            format!("[{}]   0% 0/10 (0/s)", " ".repeat(30))
        );
        assert!(progress_bar(5, 10, 1.0).starts_with(&format!(
            "[{}{}]  50%",
            "#".repeat(15),
            " ".repeat(15)
        )));
        assert!(progress_bar(10, 10, 2.0).ends_with("100% 10/10 (5/s)"));
        assert!(
            progress_bar(0, 0, 1.0).contains("100%"),
            "an empty import is complete"
        );
    }
}
