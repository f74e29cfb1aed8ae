//! The loop metrics at scale: N cases (default 1,000,000) over a year, the report summed from
//! the maintained counts beside two baselines in the same database: the metrics by their
//! definition over every case of the default 30 days (the path the report took before the
//! counts), and a plain SQL `GROUP BY` of the same counts over the whole year. Checks that the
//! counted report equals the definition (30 days) and that its counts equal the `GROUP BY`
//! (the year).
//!
//! Run: `cargo bench -p attune --bench loop_metrics -- [CASES]
//! [--postgres postgres://root@127.0.0.1:5432/postgres]`.

mod common;

use std::time::Instant;

use attune_app::cases::loop_metrics::{every_case, loop_report};
use attune_domain::period::{DAY_MS, format_ms};
use attune_storage::prelude::*;
use attune_storage::sql::SqlStore;
use common::{Scale, percentile};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Row;

const NOW_MS: i64 = 1_795_435_200_000;
const H: i64 = 3_600_000;
const CAUSES: [&str; 6] = [
    "pricing",
    "billing error",
    "delivery delay",
    "bug",
    "staff",
    "other",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let scale = Scale::from_args(1_000_000);
    let n = scale.n;
    let dir = std::env::temp_dir().join(format!("attune-bench-loop-{n}"));
    let store = scale.fresh_store("loop", &dir).await?;
    let backend = scale.backend();
    println!("\n## {n} cases over a year ({backend})");
    let org = seed(&store, n).await?;
    let started = Instant::now();
    sqlx::query("DELETE FROM loop_counts_built")
        .execute(store.pool())
        .await?;
    store.build_missing_counts().await?;
    println!(
        "building the counts from every case (once, after the migration): {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let now = NOW_MS;
    let year = (format_ms(now - 365 * DAY_MS), format_ms(now + 1));
    for (label, from, to) in [
        ("default 30 days", None, None),
        (
            "the whole year",
            Some(year.0.as_str()),
            Some(year.1.as_str()),
        ),
    ] {
        let mut ms = Vec::new();
        let mut cases = 0;
        for _ in 0..30 {
            let t = Instant::now();
            let r = loop_report(&store, &org, from, to, now).await?;
            ms.push(t.elapsed().as_secs_f64() * 1e3);
            cases = r.metrics.cases;
        }
        println!(
            "loop metrics from the counts, {label} ({cases} cases): p50 {:.1} ms, p95 {:.1} ms",
            percentile(ms.clone(), 0.5),
            percentile(ms, 0.95)
        );
    }
    // Baseline 1 and the check: the definition over every case of the default period.
    let counted = loop_report(&store, &org, None, None, now).await?;
    let (from, to) = (now + 1 - 30 * DAY_MS, now + 1);
    let t = Instant::now();
    let defined = every_case(&store, &org, from, to, now).await?;
    println!(
        "baseline: the definition over every case of the default 30 days (the report before the counts): {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    anyhow::ensure!(
        counted.metrics == defined,
        "the counted report differs from the definition:\n{:?}\n{defined:?}",
        counted.metrics
    );
    println!("check: the counted report equals the definition over every case");
    group_by_beside(&store, &org, now).await
}

/// Baseline 2 and the second check: the year's counts by `GROUP BY` over the raw cases.
async fn group_by_beside(store: &SqlStore, org: &str, now: i64) -> anyhow::Result<()> {
    let (from, to) = (now - 365 * DAY_MS, now + 1);
    let sql = "SELECT COUNT(*) AS cases, \
               SUM(CASE WHEN first_responded_at <= first_response_due_at THEN 1 ELSE 0 END) AS within, \
               SUM(CASE WHEN first_breached_at IS NOT NULL OR resolution_breached_at IS NOT NULL \
                   THEN 1 ELSE 0 END) AS breached, \
               SUM(CASE WHEN root_cause IS NOT NULL THEN 1 ELSE 0 END) AS with_cause \
               FROM cases WHERE org_id = $1 AND opened_at >= $2 AND opened_at < $3";
    let mut ms = Vec::new();
    let mut row = None;
    for _ in 0..5 {
        let t = Instant::now();
        row = Some(
            sqlx::query(sql)
                .bind(org)
                .bind(from)
                .bind(to)
                .fetch_one(store.pool())
                .await?,
        );
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let row = row.ok_or_else(|| anyhow::anyhow!("no row"))?;
    let get = |c: &str| -> anyhow::Result<u64> {
        Ok(u64::try_from(row.try_get::<i64, _>(c).unwrap_or_else(
            |_| row.try_get::<f64, _>(c).map(|f| f as i64).unwrap_or(-1),
        ))?)
    };
    println!(
        "baseline: plain SQL GROUP BY of four of the counts over the year's cases (no medians, no Pareto): p50 {:.0} ms",
        percentile(ms, 0.5)
    );
    let r = loop_report(
        store,
        org,
        Some(&format_ms(from)),
        Some(&format_ms(to)),
        now,
    )
    .await?
    .metrics;
    let breached: u64 = r.breaches_by_team.iter().map(|(_, n)| n).sum();
    let with_cause: u64 = r.root_causes.iter().map(|p| p.count).sum();
    anyhow::ensure!(
        (
            r.cases,
            r.first_response_within_deadline.count,
            breached,
            with_cause
        ) == (
            get("cases")?,
            get("within")?,
            get("breached")?,
            get("with_cause")?
        ),
        "the counts differ from the GROUP BY"
    );
    println!("check: the year's counts equal the GROUP BY");
    Ok(())
}

/// 10 staff, 3 teams and 2,000 accounts: (user ids, team ids).
async fn staff(store: &SqlStore, org: &str) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let pool = store.pool();
    let mut users = Vec::new();
    for i in 0..10 {
        let u = store
            .create_user(
                org,
                &format!("staff{i}@bench.test"),
                "x",
                attune_domain::org::Role::Member,
            )
            .await?;
        users.push(u.id);
    }
    let mut teams = Vec::new();
    for i in 0..3 {
        let t = store
            .create_team(org, &format!("Team {i}"), None, &[], NOW_MS)
            .await?;
        teams.push(t.id);
    }
    for i in 0..2_000 {
        sqlx::query(
            "INSERT INTO accounts (id, org_id, external_id, name, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(format!("acc{i}"))
        .bind(org)
        .bind(format!("A-{i}"))
        .bind(format!("Account {i}"))
        .bind(NOW_MS)
        .execute(pool)
        .await?;
    }
    Ok((users, teams))
}

/// An organisation with 10 staff, 3 teams, 2,000 accounts and `n` cases over the year before
/// `NOW_MS`: 80 % first-responded (within 0–48 h of a 24 h deadline), 60 % resolved with a root
/// cause, 15 % breached, 70 % with an account. Written straight into the table in chunks
/// (opening a million cases through responses is the import benchmark's work), so they have no
/// response and no scores: recovery is pinned by the integration tests, not here.
async fn seed(store: &SqlStore, n: u64) -> anyhow::Result<String> {
    let org = store.create_org("Bench").await?.id;
    let pool = store.pool();
    let (users, teams) = staff(store, &org).await?;
    let mut rng = StdRng::seed_from_u64(11);
    let postgres = store.dialect() == attune_storage::sql::Dialect::Postgres;
    let source = if postgres {
        "jsonb_array_elements($1::jsonb) AS value"
    } else {
        "json_each($1)"
    };
    // Columns 0–6 are text, 7–11 integers (null where absent).
    let c: Vec<String> = (0..12)
        .map(|i| match (postgres, i >= 7) {
            (true, true) => format!("(value->>{i})::bigint"),
            (true, false) => format!("(value->>{i})"),
            (false, _) => format!("json_extract(value, '$[{i}]')"),
        })
        .collect();
    let sla = serde_json::to_string(&attune_domain::closed_loop::sla::SlaPolicy::default())?;
    let sql = format!(
        "INSERT INTO cases (id, org_id, rule_id, rule_ids, account_id, owner_user_id, team_id, \
         priority, state, title, sla, opened_at, first_response_warn_at, first_response_due_at, \
         resolution_warn_at, resolution_due_at, first_responded_at, resolved_at, \
         first_breached_at, root_cause, score_qtype, score_before, score_after, updated_at) \
         SELECT {}, {}, 'rule', 'rule', {}, {}, {}, 'high', {}, 'Feedback', '{sla}', \
         {}, {}, {}, {}, {}, {}, {}, {}, {}, NULL, NULL, NULL, {} FROM {source} WHERE true",
        c[0],
        c[1],
        c[2],
        c[3],
        c[4],
        c[5],
        c[7],
        c[7],
        c[8],
        c[8],
        c[8],
        c[9],
        c[10],
        c[11],
        c[6],
        c[7],
    );
    let started = Instant::now();
    let mut i = 0_u64;
    while i < n {
        let chunk = (n - i).min(10_000);
        let mut rows = Vec::with_capacity(chunk as usize);
        for k in i..i + chunk {
            let opened = NOW_MS - rng.random_range(0..365 * DAY_MS);
            let due = opened + 24 * H;
            let responded = rng
                .random_bool(0.8)
                .then(|| opened + rng.random_range(0..48 * H));
            let resolved = responded
                .filter(|_| rng.random_bool(0.75))
                .map(|r| r + rng.random_range(0..96 * H));
            let breached =
                (rng.random_bool(0.15) || responded.is_some_and(|r| r > due)).then_some(due);
            let cause = resolved.map(|_| CAUSES[rng.random_range(0..CAUSES.len())]);
            let account = rng
                .random_bool(0.7)
                .then(|| format!("acc{}", rng.random_range(0..2_000)));
            let owner = &users[rng.random_range(0..users.len())];
            let team = &teams[rng.random_range(0..teams.len())];
            let state = if resolved.is_some() {
                "resolved"
            } else {
                "open"
            };
            rows.push(serde_json::json!([
                format!("case{k}"),
                org,
                account,
                owner,
                team,
                state,
                cause,
                opened,
                due,
                responded,
                resolved,
                breached
            ]));
        }
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(serde_json::to_string(&rows)?)
            .execute(pool)
            .await?;
        i += chunk;
    }
    println!(
        "seeded {n} cases in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(org)
}
