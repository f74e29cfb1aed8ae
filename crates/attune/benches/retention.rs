//! The retention report at the scale, end to end from the database, beside pandas and
//! DuckDB on the same rows in the same run:
//!
//! 1,000,000 accounts, 5,000,000 subscription rows and 5 account attributes stored through
//! `Store::import_subscriptions` (SQLite; PostgreSQL too when `ATTUNE_BENCH_POSTGRES_URL` is
//! set), then the full report for 36 monthly periods: summary, cohorts, survival and the audit
//! over the 5 attributes, timed as load (rows and attributes from the database) and compute
//! (the same code as the API). The rows are also written to CSV and
//! `tools/bench/retention_baseline.py` computes the same summary and cohorts with pandas and
//! DuckDB (from Parquet); the results are compared.
//!
//! Then one write as the API makes it and the first report after it (the saved snapshot patched
//! with the touched accounts), beside the report that builds the snapshot from every row.
//!
//! Run: `cargo bench -p attune --bench retention -- [ACCOUNTS]` (default 1000000). Needs
//! `python3` with pandas, pyarrow and duckdb (`pip install pandas pyarrow duckdb`).

use attune_storage::prelude::*;
use std::io::Write;
use std::time::{Duration, Instant};

use attune_app::retention::{Report, Spec, SurvivalOptions};
use attune_retention::calendar::format_day;
use attune_retention::{CiKind, PeriodUnit, TimeUnit, parse_day};
use attune_storage::model::AccountUpsert;
use attune_storage::retention::{NewSubscription, RetentionSource};
use attune_storage::sql::SqlStore;
use serde_json::Value;

const NOW_MS: i64 = 1_795_435_200_000;
const ATTRIBUTES: [&str; 5] = ["plan", "size_band", "industry", "region", "channel"];
const RUNS: usize = 3;

/// xorshift64*: the same deterministic data as `attune-retention`'s scale example.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) % n
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let accounts: usize = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let from = parse_day("2023-01-01").unwrap_or(19_358);
    let to = parse_day("2026-01-01").unwrap_or(20_454);
    let as_of = to - 1;

    let t = Instant::now();
    let rows = generate(accounts, from, to);
    println!(
        "generated {accounts} accounts, {} subscription rows in {:.1} s",
        rows.len(),
        t.elapsed().as_secs_f64()
    );
    let dir = std::env::temp_dir().join(format!("attune-bench-retention-{accounts}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;

    let sqlite = attune::db::open(dir.join("attune.db").to_str().unwrap_or("bench.db")).await?;
    let sqlite_result = bench_backend("SQLite", &sqlite, &rows, from, to, as_of).await?;
    if let Ok(url) = std::env::var("ATTUNE_BENCH_POSTGRES_URL") {
        let pg = attune::db::open(&url).await?;
        bench_backend("PostgreSQL", &pg, &rows, from, to, as_of).await?;
    }

    // The same rows for pandas and DuckDB (writing is not timed).
    let csv = dir.join("subscriptions.csv");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&csv)?);
        writeln!(w, "account,start,end,mrr")?;
        for r in &rows {
            let account: u32 = r.account_external_id.parse()?;
            match r.end {
                Some(e) => writeln!(w, "{account},{},{e},{}", r.start, r.mrr_cents)?,
                None => writeln!(w, "{account},{},,{}", r.start, r.mrr_cents)?,
            }
        }
    }
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tools/bench/retention_baseline.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&csv)
        .args([as_of, from, to, 7].map(|d| d.to_string()))
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let v: Value = serde_json::from_slice(&o.stdout)?;
            for lib in ["pandas", "duckdb"] {
                let r = &v[lib];
                let same = compare(&sqlite_result, r);
                println!(
                    "{lib} {}: load {:.0} ms, summary + cohorts {:.0} ms, total {:.0} ms; {}",
                    v[format!("{lib}_version")].as_str().unwrap_or("?"),
                    r["load_s"].as_f64().unwrap_or(0.0) * 1e3,
                    r["compute_s"].as_f64().unwrap_or(0.0) * 1e3,
                    (r["load_s"].as_f64().unwrap_or(0.0) + r["compute_s"].as_f64().unwrap_or(0.0))
                        * 1e3,
                    same
                );
            }
        }
        Ok(o) => println!(
            "baseline failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => println!("baseline missing: python3 could not run ({e})"),
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn generate(accounts: usize, from: i32, to: i32) -> Vec<NewSubscription> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut rows = Vec::with_capacity(accounts * 5);
    for a in 0..accounts {
        // Five contracts of one to twelve months, mostly back to back, sometimes with a gap,
        // an overlap or no end.
        let mut start = from - 365 + rng.below((to - from + 365) as u64) as i32;
        let mut mrr = 1_000 + rng.below(50_000) as i64;
        for i in 0..5 {
            let len = 30 * (1 + rng.below(12) as i32);
            let open = i == 4 && rng.below(3) == 0;
            rows.push(NewSubscription {
                account_external_id: a.to_string(),
                product: String::new(),
                start,
                end: (!open).then_some(start + len),
                mrr_cents: mrr,
                quantity: None,
                billing_period: None,
                cancellation_reason: None,
            });
            start += len + [0, 0, 0, 3, 10, 45, -15][rng.below(7) as usize];
            mrr = (mrr + rng.below(4_001) as i64 - 2_000).max(0);
        }
    }
    rows
}

/// What the Rust side computed, for the comparison with the baselines.
struct Computed {
    summary: Value,
    cohorts: Value,
}

async fn bench_backend(
    name: &str,
    store: &SqlStore,
    rows: &[NewSubscription],
    from: i32,
    to: i32,
    as_of: i32,
) -> anyhow::Result<Computed> {
    let org = store.create_org(&format!("Bench {name}")).await?;
    let t = Instant::now();
    let outcome = store
        .import_subscriptions(&org.id, rows, NOW_MS, &|_| {})
        .await?;
    let import = t.elapsed();
    // Five attributes of cardinality 4, 6, 20, 30 and 200 (four columns, one custom), set by
    // the account import (one transaction).
    let accounts: Vec<AccountUpsert> = (0..rows.len() / 5)
        .map(|a| AccountUpsert {
            external_id: a.to_string(),
            name: format!("Account {a}"),
            plan: Some(format!("plan-{}", a % 4)),
            size_band: Some(format!("size-{}", a % 6)),
            industry: Some(format!("industry-{}", (a / 7) % 30)),
            region: Some(format!("region-{}", (a / 3) % 20)),
            owner_user_id: None,
            attributes: [(
                "channel".to_owned(),
                Value::from(format!("ch-{}", (a / 11) % 200)),
            )]
            .into_iter()
            .collect(),
            ..AccountUpsert::default()
        })
        .collect();
    let t = Instant::now();
    store
        .import_accounts(&org.id, &accounts, NOW_MS, &|_| {})
        .await?;
    let attrs = t.elapsed();
    // The first report after a change reads the rows and packs them: timed here as the
    // refresh an import ends with.
    let t = Instant::now();
    let built = store.retention_refresh(Some(&org.id)).await?;
    let refresh = t.elapsed();
    let bytes: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(LENGTH(data)), 0) AS BIGINT) FROM retention_snapshots WHERE org_id = $1",
    )
    .bind(&org.id)
    .fetch_one(store.pool())
    .await?;
    println!(
        "{name}: stored {} rows of {} accounts in {:.1} s ({:.0} rows/s); attributes imported in {:.1} s; \
         {built} snapshots ({:.1} MB) built in {:.1} s",
        outcome.inserted,
        rows.len() / 5,
        import.as_secs_f64(),
        outcome.inserted as f64 / import.as_secs_f64().max(1e-9),
        attrs.as_secs_f64(),
        bytes as f64 / 1e6,
        refresh.as_secs_f64()
    );
    let spec = Spec {
        unit: Some(PeriodUnit::Month),
        from: Some(from),
        to: Some(to),
        as_of,
        basis: attune_retention::Basis::Subscription { grace_days: 7 },
    };
    let (mut load_rows, mut load_attrs, mut compute, mut total) = (vec![], vec![], vec![], vec![]);
    let mut last = None;
    for _ in 0..RUNS {
        let t0 = Instant::now();
        let data = store
            .retention_rows(&org.id, RetentionSource::Subscriptions)
            .await?;
        let t1 = Instant::now();
        let names: Vec<String> = ATTRIBUTES.iter().map(|a| (*a).to_owned()).collect();
        let columns = store
            .retention_attributes(&org.id, &names, data.n_accounts)
            .await?;
        let t2 = Instant::now();
        let (summary, cohorts, periods, km_steps, audit_rows) =
            tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                let report = Report::build(&data, spec).map_err(|e| anyhow::anyhow!("{e:?}"))?;
                compute_parts(&report, &columns)
            })
            .await??;
        let t3 = Instant::now();
        load_rows.push(ms(t1 - t0));
        load_attrs.push(ms(t2 - t1));
        compute.push(ms(t3 - t2));
        total.push(ms(t3 - t0));
        println!(
            "{name}: load rows {:.0} ms, load 5 attributes {:.0} ms, compute {:.0} ms, total {:.0} ms ({periods} periods, {km_steps} KM steps, {audit_rows} audit rows)",
            ms(t1 - t0),
            ms(t2 - t1),
            ms(t3 - t2),
            ms(t3 - t0)
        );
        last = Some(Computed { summary, cohorts });
    }
    println!(
        "{name} median of {RUNS}: load rows {:.0} ms + attributes {:.0} ms + compute {:.0} ms = {:.0} ms end to end (as of {})",
        median(load_rows),
        median(load_attrs),
        median(compute),
        median(total),
        format_day(as_of)
    );
    write_then_report(name, store, &org.id, &accounts, spec, as_of).await?;
    last.ok_or_else(|| anyhow::anyhow!("no run"))
}

/// How long a whole report took: loading rows, loading attributes, end to end.
struct Took {
    rows: Duration,
    attributes: Duration,
    total: Duration,
}

/// Load, compute and serialise the whole report (summary, cohorts, survival, the audits of
/// the five attributes), as one value, with the time it took.
async fn full_report(store: &SqlStore, org_id: &str, spec: Spec) -> anyhow::Result<(Value, Took)> {
    let t = Instant::now();
    let data = store
        .retention_rows(org_id, RetentionSource::Subscriptions)
        .await?;
    let rows = t.elapsed();
    let names: Vec<String> = ATTRIBUTES.iter().map(|a| (*a).to_owned()).collect();
    let columns = store
        .retention_attributes(org_id, &names, data.n_accounts)
        .await?;
    let attributes = t.elapsed() - rows;
    let value = tokio::task::spawn_blocking(move || -> anyhow::Result<Value> {
        let report = Report::build(&data, spec).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let km = report.survival(SurvivalOptions {
            unit: TimeUnit::Day,
            ci: CiKind::Log,
        });
        let audits: Vec<_> = columns.iter().map(|c| report.audit(c, None, 30)).collect();
        Ok(serde_json::json!({
            "summary": report.summary(),
            "cohorts": report.cohorts(),
            "survival": km,
            "audits": audits,
        }))
    })
    .await??;
    let took = Took {
        rows,
        attributes,
        total: t.elapsed(),
    };
    Ok((value, took))
}

/// One write as the API makes it (a new contract for one account, another account's plan
/// changed), then the first report: the saved snapshot patched with the two touched accounts.
/// Baseline in the same run: the same report when the snapshot has to be built from every row,
/// which is what every first report after a write paid before the change log. The answers
/// must be equal.
async fn write_then_report(
    name: &str,
    store: &SqlStore,
    org_id: &str,
    accounts: &[AccountUpsert],
    spec: Spec,
    as_of: i32,
) -> anyhow::Result<()> {
    let t = Instant::now();
    let contract = NewSubscription {
        account_external_id: "17".to_owned(),
        product: String::new(),
        start: as_of - 40,
        end: None,
        mrr_cents: 4_200,
        quantity: None,
        billing_period: None,
        cancellation_reason: None,
    };
    store
        .import_subscriptions(org_id, &[contract], NOW_MS, &|_| {})
        .await?;
    let mut changed = accounts[42].clone();
    changed.plan = Some("plan-9".to_owned());
    store.upsert_account(org_id, &changed).await?;
    let write = t.elapsed();
    let (patched, after_write) = full_report(store, org_id, spec).await?;
    let t = Instant::now();
    store.retention_refresh(Some(org_id)).await?;
    let save = t.elapsed();
    let (saved, from_saved) = full_report(store, org_id, spec).await?;
    sqlx::query("DELETE FROM retention_snapshots WHERE org_id = $1")
        .bind(org_id)
        .execute(store.pool())
        .await?;
    let (rebuilt, rebuild) = full_report(store, org_id, spec).await?;
    let same = patched == rebuilt && saved == rebuilt;
    println!(
        "{name}: write then report: write {:.0} ms, first report after it {:.0} ms (patched snapshot: \
         rows {:.0} ms, attributes {:.0} ms); the worker's refresh saves the patch in {:.0} ms, \
         the next report {:.0} ms (rows {:.0} ms, attributes {:.0} ms); baseline, the report that \
         builds the snapshot from every row: {:.0} ms; answers {}",
        ms(write),
        ms(after_write.total),
        ms(after_write.rows),
        ms(after_write.attributes),
        ms(save),
        ms(from_saved.total),
        ms(from_saved.rows),
        ms(from_saved.attributes),
        ms(rebuild.total),
        if same { "equal" } else { "DIFFERENT" }
    );
    anyhow::ensure!(same, "the patched report differs from the rebuilt one");
    Ok(())
}

/// Summary, cohorts, survival and the audits of every column, serialised as the API answers
/// them (so the cost stays comparable); with the sizes the run prints.
fn compute_parts(
    report: &Report,
    columns: &[attune_retention::AttributeColumn],
) -> anyhow::Result<(Value, Value, usize, usize, usize)> {
    let summary = serde_json::to_value(report.summary())?;
    let cohorts = serde_json::to_value(report.cohorts())?;
    let opts = SurvivalOptions {
        unit: TimeUnit::Day,
        ci: CiKind::Log,
    };
    let km = serde_json::to_value(report.survival(opts))?;
    let audits = columns
        .iter()
        .map(|c| serde_json::to_value(report.audit(c, None, 30)))
        .collect::<Result<Vec<Value>, _>>()?;
    let periods = summary["periods"].as_array().map_or(0, Vec::len);
    let km_steps = km["steps"].as_array().map_or(0, Vec::len);
    let audit_rows: usize = audits
        .iter()
        .map(|a| a["rows"].as_array().map_or(0, Vec::len))
        .sum();
    Ok((summary, cohorts, periods, km_steps, audit_rows))
}

/// Whether a baseline's summary (S, E, N, lost) and cohorts agree with ours.
fn compare(ours: &Computed, theirs: &Value) -> String {
    let empty = Vec::new();
    let a = ours.summary["periods"].as_array().unwrap_or(&empty);
    let b = theirs["summary"].as_array().unwrap_or(&empty);
    let mut diffs = 0;
    if a.len() != b.len() {
        return format!("DIFFERENT: {} periods vs {}", a.len(), b.len());
    }
    for (x, y) in a.iter().zip(b) {
        for k in ["S", "E", "N", "lost"] {
            if x[k] != y[k] {
                diffs += 1;
            }
        }
    }
    let sizes: Vec<u64> = ours.cohorts["cohorts"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .map(|r| r["size"].as_u64().unwrap_or(0))
        .collect();
    let active: u64 = ours.cohorts["cohorts"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .flat_map(|r| r["active"].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_u64())
        .sum();
    let their_sizes: Vec<u64> = theirs["cohort_sizes"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .map(|v| v.as_u64().unwrap_or(0))
        .collect();
    if diffs == 0 && sizes == their_sizes && Some(active) == theirs["active_total"].as_u64() {
        format!(
            "same S/E/N/lost in all {} periods and same cohorts",
            a.len()
        )
    } else {
        format!(
            "DIFFERENT: {diffs} summary cells; cohort sizes equal: {}; active {active} vs {}",
            sizes == their_sizes,
            theirs["active_total"]
        )
    }
}
