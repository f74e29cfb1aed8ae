//! Key drivers at scale: N responses (default 1,000,000) over a year, each with a comment of
//! two real sentences (`../shared/data`, so no two comments need be alike), detractors more
//! often saying "the app keeps crashing", imported through `attune import`'s code. Each period's
//! report from the kept counts (`GET /api/v1/text/drivers`) beside the definition in the same
//! database (every comment of the period read and counted: what the report computes, the slow
//! way); the two reports must be equal, number for number.
//!
//! Run: `cargo bench -p attune --bench drivers -- [RESPONSES]
//! [--postgres postgres://root@127.0.0.1:5432/postgres]`.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use attune_app::text::{TextParams, drivers_by_definition, drivers_report};
use attune_domain::period::{DAY_MS, format_ms};
use attune_domain::survey::{SurveyDefinition, SurveyInput};
use attune_storage::prelude::*;
use attune_storage::sql::SqlStore;
use common::{Scale, percentile, sentences};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const NOW_MS: i64 = 1_795_435_200_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let scale = Scale::from_args(1_000_000);
    let n = scale.n;
    let dir = std::env::temp_dir().join(format!("attune-bench-drivers-{n}"));
    let store = scale.fresh_store("drivers", &dir).await?;
    println!("\n## {n} responses with comments ({})", scale.backend());
    let (org, survey) = seed(&store, n, &dir).await?;
    let today = NOW_MS - NOW_MS.rem_euclid(DAY_MS);
    let periods = [
        ("the whole year", None, None),
        ("the last 30 days", Some(today - 30 * DAY_MS), None),
        (
            "a quarter, from and to mid-day",
            Some(today - 120 * DAY_MS + 9 * 3_600_000),
            Some(today - 30 * DAY_MS + 15 * 3_600_000),
        ),
    ];
    for (label, from, to) in periods {
        let p = TextParams {
            survey: Some(survey.clone()),
            from: from.map(format_ms),
            to: to.map(format_ms),
            ..TextParams::default()
        };
        compare(&store, &org, label, &p).await?;
    }
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

/// Times the report both ways and checks they agree.
async fn compare(store: &SqlStore, org: &str, label: &str, p: &TextParams) -> anyhow::Result<()> {
    let mut fast = Vec::new();
    let mut report = None;
    for _ in 0..15 {
        let t = Instant::now();
        report = Some(drivers_report(store, org, p).await?);
        fast.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut slow = Vec::new();
    let mut defined = None;
    for _ in 0..2 {
        let t = Instant::now();
        defined = Some(drivers_by_definition(store, org, p).await?);
        slow.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (report, defined) = (report.expect("ran"), defined.expect("ran"));
    anyhow::ensure!(
        serde_json::to_value(&report)? == serde_json::to_value(&defined)?,
        "{label}: the report differs from the definition's"
    );
    println!(
        "{label}: {} + {} comments compared, {} terms listed ({} significant); \
         from kept counts p50 {:.1} ms, p95 {:.1} ms; baseline, every comment read: \
         p50 {:.0} ms; equal reports",
        report.focus_docs,
        report.background_docs,
        report.terms.len(),
        report.terms.iter().filter(|t| t.significant).count(),
        percentile(fast.clone(), 0.5),
        percentile(fast, 0.95),
        percentile(slow, 0.5)
    );
    Ok(())
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\"").replace(['\n', '\r'], " "))
}

/// The organisation, its survey and `n` imported responses; returns their ids.
async fn seed(store: &SqlStore, n: u64, dir: &std::path::Path) -> anyhow::Result<(String, String)> {
    let org = store.create_org("Bench").await?;
    let input: SurveyInput = serde_json::from_value(serde_json::json!({
        "name": "NPS", "questions": [
            {"key": "nps", "type": "nps", "text": {"en": "How likely?"}},
            {"key": "why", "type": "text", "text": {"en": "Why?"}}]}))?;
    let def = SurveyDefinition::parse(input).map_err(|e| anyhow::anyhow!("{e}"))?;
    let survey = store.create_survey(&org.id, &def, NOW_MS).await?;
    let sentences = sentences()?;
    let csv = dir.join("responses.csv");
    let mut rng = StdRng::seed_from_u64(13);
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&csv)?);
        writeln!(w, "response_id,nps,why,submitted_at,channel")?;
        for i in 0..n {
            let t = format_ms(NOW_MS - rng.random_range(0..365 * DAY_MS));
            let score: u8 = rng.random_range(0..=10);
            let a = &sentences[rng.random_range(0..sentences.len())];
            let b = &sentences[rng.random_range(0..sentences.len())];
            let mut comment = format!("{a} {b}");
            if score <= 6 && rng.random_range(0..4) == 0 {
                comment.push_str(" The app keeps crashing.");
            }
            writeln!(w, "r{i},{score},{},{t},email", quoted(&comment))?;
        }
    }
    let started = Instant::now();
    let outcome =
        attune::import::import_file(store, &org.id, &survey, &csv, &HashMap::new(), NOW_MS).await?;
    anyhow::ensure!(
        outcome.inserted == n,
        "imported {} of {n}",
        outcome.inserted
    );
    println!(
        "seeded by import: {n} responses in {:.0} s ({} sentences to draw from)",
        started.elapsed().as_secs_f64(),
        sentences.len()
    );
    Ok((org.id, survey.id))
}
