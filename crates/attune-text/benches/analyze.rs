//! Throughput of the text pipeline on real comments, single thread, plain std timing.
//!
//! Run: `cargo bench -p attune-text`. Reads ../shared/data/text/*.txt (11,601 Thai comments) and
//! feedback-multilingual.jsonl; measures (a) word segmentation alone (ICU dictionary + the
//! Thai/Lao repair), (b) the full analysis (normalise + detect + segment + stop words) and (c)
//! the analysis plus the search index rows storage writes (terms in order, counts per term).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let mut comments: Vec<String> = Vec::new();
    for name in [
        "text/thai-negative-comments.txt",
        "text/thai-positive-comments.txt",
    ] {
        match std::fs::read_to_string(data.join(name)) {
            Ok(text) => comments.extend(text.lines().map(str::to_owned)),
            Err(e) => eprintln!("SKIPPED {name}: {e}"),
        }
    }
    if let Ok(text) = std::fs::read_to_string(data.join("feedback-multilingual.jsonl")) {
        for line in text.lines() {
            if let Some(t) = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v["text"].as_str().map(str::to_owned))
            {
                comments.push(t);
            }
        }
    }
    if comments.is_empty() {
        eprintln!("SKIPPED: no shared data at {}", data.display());
        return;
    }
    let bytes: usize = comments.iter().map(String::len).sum();
    println!(
        "{} comments, {:.1} KiB, mean {:.0} bytes",
        comments.len(),
        bytes as f64 / 1024.0,
        bytes as f64 / comments.len() as f64
    );
    // Warm the lazily built tables and the segmenter.
    black_box(attune_text::analyze(&comments[0], None));

    run("tokenisation alone (segment::words)", &comments, |c| {
        attune_text::segment::words(c).len()
    });
    run(
        "full analysis (normalise + detect + segment + stop words)",
        &comments,
        |c| attune_text::analyze(c, None).tokens.len(),
    );
    run(
        "analysis + index rows as stored (normalise + detect + segment + stop words + terms and counts)",
        &comments,
        |c| {
            attune_text::index_terms(&attune_text::analyze(c, None))
                .1
                .len()
        },
    );
}

fn run(name: &str, comments: &[String], f: impl Fn(&str) -> usize) {
    let mut best = Duration::MAX;
    let mut tokens = 0;
    for _ in 0..5 {
        let start = Instant::now();
        tokens = 0;
        for c in comments {
            tokens += black_box(f(black_box(c)));
        }
        best = best.min(start.elapsed());
    }
    let per_s = comments.len() as f64 / best.as_secs_f64();
    println!(
        "{name}: {per_s:.0} comments/s ({:.2} µs each, {tokens} tokens, best of 5 passes)",
        best.as_secs_f64() * 1e6 / comments.len() as f64
    );
}
