//! Ranked search at scale: N responses (default 1,000,000), every one with a distinct comment of
//! three to six words from a vocabulary of 6,000, imported through `attune import`'s code. Planted:
//! `slow` in a third of the comments, `crashing` in a fifth (English comments hold its stem
//! `crash`, Urdu-tagged ones the word itself, so the query reads two forms), `refund` in 100.
//! Each query's first page (50, as the feed shows) through the feed's search beside the
//! definition in the same database (every match ranked in one query: the search before this
//! change); the two must return the same responses in the same order.
//!
//! Run: `cargo bench -p attune --bench search -- [RESPONSES]
//! [--postgres postgres://root@127.0.0.1:5432/postgres]`.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;

use attune_domain::period::{DAY_MS, format_ms};
use attune_domain::survey::{SurveyDefinition, SurveyInput};
use attune_storage::model::FeedQuery;
use attune_storage::prelude::*;
use attune_storage::sql::{Ranking, SqlStore};
use common::{Scale, percentile};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const NOW_MS: i64 = 1_795_435_200_000;
const SYLLABLES: [&str; 20] = [
    "ba", "ko", "ri", "tu", "me", "sa", "lo", "ni", "va", "de", "pu", "ga", "fe", "zo", "hi", "ma",
    "te", "ru", "no", "ki",
];

/// 6,000 made-up words of three syllables (none an English word the stemmer would merge with
/// the planted ones).
fn vocabulary() -> Vec<String> {
    let mut words = Vec::new();
    'out: for a in SYLLABLES {
        for b in SYLLABLES {
            for c in SYLLABLES {
                words.push(format!("{a}{b}{c}"));
                if words.len() == 6_000 {
                    break 'out;
                }
            }
        }
    }
    words
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let scale = Scale::from_args(1_000_000);
    let n = scale.n;
    let dir = std::env::temp_dir().join(format!("attune-bench-search-{n}"));
    let store = scale.fresh_store("search", &dir).await?;
    let backend = scale.backend();
    println!("\n## {n} responses with comments ({backend})");
    let org = seed(&store, n, &dir).await?;
    for (label, q) in queries() {
        compare(&store, &org, label, &q).await?;
    }
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

fn queries() -> Vec<(&'static str, FeedQuery)> {
    let q = |text: &str| FeedQuery {
        text: Some(text.to_owned()),
        limit: 50,
        ..FeedQuery::default()
    };
    vec![
        ("`refund` (100 comments)", q("refund")),
        ("`slow` (a third of the comments)", q("slow")),
        ("`crashing` (a fifth, two forms)", q("crashing")),
        ("`slow crashing`, both required", q("slow crashing")),
        (
            "`slow refund`, any",
            FeedQuery {
                any_term: true,
                ..q("slow refund")
            },
        ),
        (
            "`slow`, English detractors only",
            FeedQuery {
                language: Some("en".into()),
                score_range: Some((0, 6)),
                question_key: Some("nps".into()),
                ..q("slow")
            },
        ),
        (
            "`slow`, page 10",
            FeedQuery {
                offset: 450,
                ..q("slow")
            },
        ),
    ]
}

/// Times `q` both ways and checks they agree.
async fn compare(store: &SqlStore, org: &str, label: &str, q: &FeedQuery) -> anyhow::Result<()> {
    let ids = |items: Vec<attune_storage::model::FeedItem>| -> Vec<String> {
        items.into_iter().map(|i| i.response.id).collect()
    };
    let mut fast = Vec::new();
    let mut page = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        page = ids(store.feed_ranked(org, q, Ranking::Fastest).await?);
        fast.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut slow = Vec::new();
    let mut defined = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        defined = ids(store.feed_ranked(org, q, Ranking::Exhaustive).await?);
        slow.push(t.elapsed().as_secs_f64() * 1e3);
    }
    anyhow::ensure!(
        page == defined,
        "{label}: the page differs from the definition's"
    );
    println!(
        "{label}: first page (50 items, {} found) p50 {:.1} ms, p95 {:.1} ms; \
         baseline, every match ranked: p50 {:.0} ms; same responses in the same order",
        page.len(),
        percentile(fast.clone(), 0.5),
        percentile(fast, 0.95),
        percentile(slow, 0.5)
    );
    Ok(())
}

/// The organisation, its survey and `n` imported responses; returns the organisation's id.
async fn seed(store: &SqlStore, n: u64, dir: &std::path::Path) -> anyhow::Result<String> {
    let org = store.create_org("Bench").await?;
    let input: SurveyInput = serde_json::from_value(serde_json::json!({
        "name": "NPS", "questions": [
            {"key": "nps", "type": "nps", "text": {"en": "How likely?"}},
            {"key": "why", "type": "text", "text": {"en": "Why?"}}]}))?;
    let def = SurveyDefinition::parse(input).map_err(|e| anyhow::anyhow!("{e}"))?;
    let survey = store.create_survey(&org.id, &def, NOW_MS).await?;
    let words = vocabulary();
    let csv = dir.join("responses.csv");
    let mut rng = StdRng::seed_from_u64(13);
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&csv)?);
        writeln!(w, "response_id,nps,why,submitted_at,language,channel")?;
        for i in 0..n {
            let t = format_ms(NOW_MS - rng.random_range(0..365 * DAY_MS));
            let mut comment: Vec<&str> = (0..rng.random_range(3..=6))
                .map(|_| words[rng.random_range(0..words.len())].as_str())
                .collect();
            if i % 3 == 0 {
                comment.push("slow");
            }
            if i % 5 == 0 {
                comment.push("crashing");
            }
            if i % (n / 100).max(1) == 7 {
                comment.push("refund");
            }
            let lang = if i % 7 == 0 { "ur" } else { "en" };
            let score: u8 = rng.random_range(0..=10);
            writeln!(w, "r{i},{score},{},{t},{lang},email", comment.join(" "))?;
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
    let postings: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM response_terms")
        .fetch_one(store.pool())
        .await?;
    println!(
        "seeded by import: {n} responses, {postings} postings, in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(org.id)
}
