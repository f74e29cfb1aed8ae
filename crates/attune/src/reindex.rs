//! `attune reindex`: analyses every stored comment again (language, terms, search index), one
//! organisation at a time, in batches that each commit, so an interrupted run loses nothing
//! and running it again gives the same index. [`spawn_outdated`] is what `attune serve` runs
//! at start for organisations whose postings an older analysis wrote (see `INDEX_VERSION` in
//! `attune-text`).

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use attune_storage::Store;

/// Responses per transaction.
pub const BATCH: u32 = 5_000;

/// Responses per transaction when `attune serve` re-indexes beside live traffic: each batch
/// holds the database's write lock, so it is kept short for the answers waiting behind it.
pub const BACKGROUND_BATCH: u32 = 500;

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

/// Re-indexes, one after another, the organisations whose search postings an older analysis
/// wrote; returns the responses analysed. Search keeps working meanwhile: a query term also
/// matches itself, so words are found as typed until their stems arrive, batch by batch.
pub async fn outdated(store: &dyn Store, batch: u32) -> anyhow::Result<u64> {
    let orgs = store
        .outdated_text_indexes()
        .await
        .context("finding out-of-date search indexes")?;
    if !orgs.is_empty() {
        tracing::warn!(
            organisations = orgs.len(),
            "search indexes written by an older version: re-indexing in the background \
             (until done, search finds words as typed but not all their inflections)"
        );
    }
    let mut total = 0;
    for org in orgs {
        let started = Instant::now();
        let outcome = store
            .reindex(&org.id, batch.max(1), &|_| {})
            .await
            .with_context(|| format!("reindexing {}", org.slug))?;
        tracing::info!(
            org.id = %org.id,
            responses = outcome.responses,
            duration_ms = started.elapsed().as_millis() as u64,
            "search index up to date"
        );
        total += outcome.responses;
    }
    Ok(total)
}

/// Runs [`outdated`] on its own task; a failure is logged with what to run by hand. Stopping
/// the task (or the process) loses at most the batch in flight; the next start runs it again.
pub fn spawn_outdated(store: Arc<dyn Store>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(e) = outdated(store.as_ref(), BACKGROUND_BATCH).await {
            tracing::error!(
                error = format!("{e:#}"),
                "re-indexing stopped; search finds words only as typed until `attune reindex` runs"
            );
        }
    })
}
