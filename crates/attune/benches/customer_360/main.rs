//! The customer 360 at scale: N accounts (default 100,000), ten people each, R answers per
//! account (default 100, `ATTUNE_BENCH_RESPONSES_PER_ACCOUNT`) over the last year, calls,
//! cases and subscriptions (see `seed.rs`).
//!
//! Timed, for the relationship flags: the first refresh (every account from one read of the
//! window's touches), a refresh after 100 calls are logged (only their accounts), one with
//! nothing new, and the list filtered to flagged accounts; baseline: the flag computed the way
//! an account's page does it, for 1,000 accounts, scaled to N (both must agree on them).
//! Then, on 200 accounts: the account page through the server, the timeline's first page from
//! the store and through the API; baseline: the page's reads as plain joins over the raw
//! tables (see `baseline.rs`), whose timeline and scores must equal the fast path's; and
//! customer search through the API beside plain `LIKE` scans (see `search.rs`).
//!
//! Run: `cargo bench -p attune --bench customer_360 -- [ACCOUNTS]
//! [--postgres postgres://root@127.0.0.1:5432/postgres]`. `ATTUNE_BENCH_KEEP=1` keeps the
//! SQLite file (in `$TMPDIR/attune-bench-c360-sqlite-N`) and reuses it on the next run at the
//! same size (to profile without seeding).

mod baseline;
#[path = "../common/mod.rs"]
mod common;
mod page;
mod search;
mod seed;

use std::time::Instant;

use attune_app::customers::flags::{FlagFilter, FlagQuery, accounts_with_flags};
use attune_domain::customer::InteractionKind;
use attune_domain::customer::relationship::threading;
use attune_storage::model::NewInteraction;
use attune_storage::prelude::*;
use attune_storage::sql::SqlStore;
use common::Scale;
use seed::{DAY_MS, DAYS, NOW_MS, Rng, STAFF, Seeded, account_id, person_id};

pub(crate) fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// 100 calls on 100 accounts, through the store's own write path.
async fn log_calls(store: &SqlStore, s: &Seeded, n: u64) -> anyhow::Result<()> {
    let mut rng = Rng(7);
    for k in 0..100 {
        let i = rng.below(n);
        store
            .insert_interaction(
                &s.org,
                &NewInteraction {
                    account_id: Some(account_id(i)),
                    kind: InteractionKind::Call,
                    occurred_at: NOW_MS - DAY_MS,
                    duration_minutes: None,
                    summary: format!("call {k}"),
                    internal: false,
                    follow_ups: Vec::new(),
                    people: vec![person_id(i, rng.below(10))],
                    staff: vec![s.staff[rng.below(STAFF) as usize].clone()],
                    created_by: None,
                    feedback: None,
                },
                NOW_MS,
            )
            .await?;
    }
    Ok(())
}

async fn flags(store: &SqlStore, s: &Seeded, n: u64) -> anyhow::Result<()> {
    let t = Instant::now();
    let full = store.refresh_account_flags(&s.org, NOW_MS, DAYS).await?;
    let full_s = secs(t);
    anyhow::ensure!(full.full && full.recomputed == n, "{full:?}");
    log_calls(store, s, n).await?;
    let t = Instant::now();
    let after = store.refresh_account_flags(&s.org, NOW_MS, DAYS).await?;
    let after_s = secs(t);
    let t = Instant::now();
    let quiet = store.refresh_account_flags(&s.org, NOW_MS, DAYS).await?;
    let quiet_s = secs(t);
    anyhow::ensure!(quiet.recomputed == 0, "{quiet:?}");
    let q = FlagQuery {
        days: DAYS,
        flag: Some(FlagFilter::Flagged),
        limit: 50,
        ..FlagQuery::default()
    };
    let t = Instant::now();
    let flagged = accounts_with_flags(store, &s.org, NOW_MS, &q).await?;
    let list_s = secs(t);
    // The baseline: each account's touches read by account, then the rule, as its page does.
    let kept: std::collections::HashMap<String, _> = store
        .account_flags(&s.org)
        .await?
        .into_iter()
        .map(|f| (f.account_id, f.threading))
        .collect();
    let sample = 1_000.min(n);
    let t = Instant::now();
    for k in 0..sample {
        let id = account_id(k * (n / sample));
        let touches = store
            .account_touches(&s.org, &id, NOW_MS - i64::from(DAYS) * DAY_MS)
            .await?;
        let slow = threading(&touches.touches);
        anyhow::ensure!(
            kept.get(&id) == Some(&slow),
            "{id}: kept {:?}, computed {slow:?}",
            kept.get(&id)
        );
    }
    let per_account_ms = secs(t) * 1e3 / sample as f64;
    println!(
        "flags: first refresh, every account: {full_s:.2} s; after 100 calls: {:.1} ms ({} accounts recomputed); nothing new: {:.1} ms; the flagged list's first page ({} accounts) end to end: {:.0} ms",
        after_s * 1e3,
        after.recomputed,
        quiet_s * 1e3,
        flagged.rows.len(),
        list_s * 1e3
    );
    println!(
        "baseline, each account the page's way: {per_account_ms:.2} ms an account, {:.0} s for all {n}; the same flag on all {sample} sampled accounts",
        per_account_ms * n as f64 / 1e3
    );
    Ok(())
}

/// The seeded store: fresh, or the kept SQLite file of an earlier run at the same size.
async fn prepare(
    scale: &Scale,
    dir: &std::path::Path,
    per_account: u64,
) -> anyhow::Result<(SqlStore, String, Seeded)> {
    let keep = std::env::var_os("ATTUNE_BENCH_KEEP").is_some() && scale.postgres.is_none();
    let url = dir.join("attune.db").display().to_string();
    if keep && dir.join("seeded").exists() {
        let store = attune::db::open(&url).await?;
        let org: String = sqlx::query_scalar("SELECT id FROM orgs")
            .fetch_one(store.pool())
            .await?;
        let staff = sqlx::query_scalar(
            "SELECT id FROM users WHERE email LIKE 'staff%' ORDER BY created_at, email",
        )
        .fetch_all(store.pool())
        .await?;
        // The first refresh must be a full one again.
        sqlx::query("DELETE FROM account_flag_runs")
            .execute(store.pool())
            .await?;
        println!("(reusing the seeded file in {})", dir.display());
        return Ok((store, url, Seeded { org, staff }));
    }
    let (store, url) = scale.fresh_store_with_url("c360", dir).await?;
    let s = seed::seed(&store, scale.n, per_account).await?;
    if keep {
        std::fs::write(dir.join("seeded"), b"")?;
    }
    Ok((store, url, s))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let scale = Scale::from_args(100_000);
    let n = scale.n;
    let per_account: u64 = std::env::var("ATTUNE_BENCH_RESPONSES_PER_ACCOUNT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    // One folder per backend: a PostgreSQL run must not remove a kept SQLite file.
    let backend = if scale.postgres.is_some() {
        "pg"
    } else {
        "sqlite"
    };
    let dir = std::env::temp_dir().join(format!("attune-bench-c360-{backend}-{n}"));
    println!(
        "\n## {n} accounts, {per_account} responses each ({})",
        scale.backend()
    );
    let (store, url, s) = prepare(&scale, &dir, per_account).await?;
    flags(&store, &s, n).await?;
    page::run(&store, &url, &s.org, n, 200.min(n), &dir).await?;
    if std::env::var_os("ATTUNE_BENCH_KEEP").is_none() {
        std::fs::remove_dir_all(&dir).ok();
    }
    Ok(())
}
