//! `attune reindex`: analyses every stored comment again (language, terms, search index), one
//! organisation at a time, in batches that each commit, so an interrupted run loses nothing
//! and running it again gives the same index.

use std::time::Instant;

use anyhow::Context;
use attune_storage::Store;

/// Responses per transaction.
pub const BATCH: u32 = 5_000;

/// Reindexes one organisation (by slug) or all of them; returns the responses analysed.
/// Progress goes to stderr.
pub async fn run(store: &dyn Store, org_slug: Option<&str>, batch: u32) -> anyhow::Result<u64> {
    let orgs = match org_slug {
        Some(slug) => vec![
            store
                .org_by_slug(slug)
                .await
                .with_context(|| format!("no organisation with slug `{slug}`"))?,
        ],
        None => store.list_orgs().await.context("listing organisations")?,
    };
    let mut total = 0;
    for org in orgs {
        let started = Instant::now();
        let slug = org.slug.clone();
        let bar = move |done: u64| {
            eprint!(
                "\r{slug}: {done} responses analysed ({:.0}/s)",
                done as f64 / started.elapsed().as_secs_f64().max(1e-3)
            );
        };
        let outcome = store
            .reindex(&org.id, batch.max(1), &bar)
            .await
            .with_context(|| format!("reindexing {}", org.slug))?;
        eprintln!(
            "\r{}: {} responses analysed in {:.1}s",
            org.slug,
            outcome.responses,
            started.elapsed().as_secs_f64()
        );
        total += outcome.responses;
    }
    Ok(total)
}
