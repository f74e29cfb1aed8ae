//! Benchmarks of the foundation, each beside a baseline in the same run and database:
//!
//! 1. bulk CSV import through `attune import responses` code vs `sqlite3 .import` of the same
//!    file into a plain table;
//! 2. the NPS monthly trend over 24 months from the daily aggregates vs a plain `GROUP BY` over
//!    the raw responses.
//!
//! Run: `cargo bench -p attune --bench listen -- [RESPONSES ...]` (default 1000000). Needs the
//! `sqlite3` command for the import baseline (`apt-get install sqlite3`); without it that
//! baseline is reported as missing.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use attune_domain::metrics::NpsCounts;
use attune_domain::period::{DAY_MS, Interval};
use attune_domain::survey::{QuestionType, SurveyDefinition, SurveyInput};
use attune_storage::model::{Org, ScoreFilter, Survey};
use attune_storage::prelude::*;
use attune_storage::sql::SqlStore;
use common::percentile;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const NOW_MS: i64 = 1_795_435_200_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sizes: Vec<u64> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000_000]
    } else {
        sizes
    };
    for n in sizes {
        run(n).await?;
    }
    Ok(())
}

async fn run(n: u64) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("attune-bench-{n}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("attune.db");
    let store = attune::db::open(db.to_str().unwrap_or("bench.db")).await?;
    let (org, survey) = bench_survey(&store).await?;
    let csv = dir.join("responses.csv");
    write_csv(&csv, n)?;
    let bytes = std::fs::metadata(&csv)?.len();
    println!("\n## {n} responses ({:.0} MB CSV)", bytes as f64 / 1e6);

    import_beside_sqlite3(&store, &org.id, &survey, &csv, &dir, n).await?;
    trend_beside_group_by(&store, &org.id, n).await?;
    drop(store);
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

/// The benchmark's organisation and its NPS survey, with the loop's case window from
/// `ATTUNE_BENCH_CASE_WINDOW_DAYS` when set.
async fn bench_survey(store: &SqlStore) -> anyhow::Result<(Org, Survey)> {
    let org = store.create_org("Bench").await?;
    let input: SurveyInput = serde_json::from_value(
        serde_json::json!({"name": "NPS", "questions": [
        {"key": "nps", "type": "nps", "text": {"en": "How likely?"}}, {"key": "why", "type": "text", "text": {"en": "Why?"}}]}),
    )?;
    let def = SurveyDefinition::parse(input).map_err(|e| anyhow::anyhow!("{e}"))?;
    let survey = store.create_survey(&org.id, &def, NOW_MS).await?;
    // The closed loop acts on responses submitted within the organisation's window (7 days by
    // default); `ATTUNE_BENCH_CASE_WINDOW_DAYS=0` makes every detractor open a case.
    if let Ok(days) = std::env::var("ATTUNE_BENCH_CASE_WINDOW_DAYS") {
        let mut settings = store.loop_settings(&org.id).await?;
        settings.case_window_days = days.parse()?;
        store.set_loop_settings(&org.id, &settings).await?;
    }
    let settings = store.loop_settings(&org.id).await?;
    println!(
        "closed loop: default rules on, case window {} days",
        settings.case_window_days
    );

    Ok((org, survey))
}

/// The CSV: `n` responses over the last 24 months, a third with a short comment.
fn write_csv(csv: &Path, n: u64) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(7);
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(csv)?);
        writeln!(w, "response_id,nps,why,submitted_at,language,channel")?;
        for i in 0..n {
            let day = rng.random_range(0..730);
            let t = attune_domain::period::format_ms(
                NOW_MS - day * DAY_MS - rng.random_range(0..DAY_MS),
            );
            let score: u8 = rng.random_range(0..=10);
            let why = if i % 3 == 0 {
                "slow support but good product"
            } else {
                ""
            };
            let lang = ["en", "es", "ur", "lo", "pa"][i as usize % 5];
            writeln!(w, "r{i},{score},{why},{t},{lang},email")?;
        }
    }
    Ok(())
}

/// The import through `attune import`'s code, then `sqlite3 .import` of the same file.
async fn import_beside_sqlite3(
    store: &SqlStore,
    org_id: &str,
    survey: &Survey,
    csv: &Path,
    dir: &Path,
    n: u64,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let outcome =
        attune::import::import_file(store, org_id, survey, csv, &HashMap::new(), NOW_MS).await?;
    let import_s = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        outcome.inserted == n,
        "imported {} of {n}",
        outcome.inserted
    );
    let cases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(store.pool())
        .await?;
    println!(
        "attune import (parse + validate + text analysis + store + aggregates + closed loop; all or nothing in chunks of 10,000): {:.1} s, {:.0} responses/s, {cases} cases opened",
        import_s,
        n as f64 / import_s
    );

    let baseline_db = dir.join("baseline.db");
    let started = Instant::now();
    let status = std::process::Command::new("sqlite3")
        .arg(&baseline_db)
        .arg(".mode csv")
        .arg(format!(".import {} responses", csv.display()))
        .status();
    match status {
        Ok(s) if s.success() => {
            let s = started.elapsed().as_secs_f64();
            println!(
                "baseline sqlite3 .import (text columns, no validation, no indexes): {:.1} s, {:.0} rows/s",
                s,
                n as f64 / s
            );
        }
        _ => println!("baseline sqlite3 .import: not run (the sqlite3 command is missing)"),
    }

    Ok(())
}

/// The NPS trend from the aggregates, then the same counts by `GROUP BY` over the raw rows;
/// both must count the same responses.
async fn trend_beside_group_by(store: &SqlStore, org_id: &str, n: u64) -> anyhow::Result<()> {
    // The trend query, as the API runs it: daily aggregates bucketed by month.
    let from_day = (NOW_MS / DAY_MS) - 730;
    let filter = ScoreFilter {
        qtype: QuestionType::Nps,
        survey_id: None,
        question_key: None,
        from_day: Some(from_day),
        to_day: None,
        daily: false,
    };
    let mut agg_ms = Vec::new();
    let mut agg_result = BTreeMap::new();
    for _ in 0..30 {
        let t = Instant::now();
        let rows = store.score_counts(org_id, &filter, None).await?;
        let mut months: BTreeMap<i64, NpsCounts> = BTreeMap::new();
        for r in rows {
            months
                .entry(Interval::Month.bucket_start(r.day))
                .or_default()
                .add(r.score as u8, r.n as u64);
        }
        let summaries: BTreeMap<i64, (u64, f64)> = months
            .iter()
            .filter_map(|(m, c)| c.summary().map(|s| (*m, (s.n, s.nps))))
            .collect();
        agg_ms.push(t.elapsed().as_secs_f64() * 1e3);
        agg_result = summaries;
    }
    // Baseline: the same numbers by GROUP BY over the raw scores, in the same database.
    let sql = "SELECT strftime('%Y-%m', submitted_at / 1000, 'unixepoch') AS month, \
               SUM(CASE WHEN s.score >= 9 THEN 1 ELSE 0 END) AS p, SUM(CASE WHEN s.score <= 6 THEN 1 ELSE 0 END) AS d, COUNT(*) AS n \
               FROM responses r JOIN response_scores s ON s.response_id = r.id \
               WHERE r.org_id = $1 AND s.qtype = 'nps' AND r.submitted_at >= $2 GROUP BY month ORDER BY month";
    let mut raw_ms = Vec::new();
    let mut raw_n = 0i64;
    let raw_runs = if n > 2_000_000 { 3 } else { 5 };
    for _ in 0..raw_runs {
        let t = Instant::now();
        let rows = sqlx::query(sql)
            .bind(org_id)
            .bind(from_day * DAY_MS)
            .fetch_all(store.pool())
            .await?;
        raw_ms.push(t.elapsed().as_secs_f64() * 1e3);
        raw_n = rows
            .iter()
            .map(|r| sqlx::Row::try_get::<i64, _>(r, "n").unwrap_or(0))
            .sum();
    }
    let agg_n: u64 = agg_result.values().map(|(n, _)| n).sum();
    anyhow::ensure!(
        agg_n as i64 == raw_n,
        "aggregates ({agg_n}) and raw GROUP BY ({raw_n}) disagree"
    );
    println!(
        "NPS monthly trend, 24 months, from aggregates: p50 {:.2} ms, p95 {:.2} ms ({} months)",
        percentile(agg_ms.clone(), 0.5),
        percentile(agg_ms, 0.95),
        agg_result.len()
    );
    println!(
        "baseline GROUP BY over raw responses: p50 {:.0} ms ({} runs)",
        percentile(raw_ms, 0.5),
        raw_runs
    );
    Ok(())
}
