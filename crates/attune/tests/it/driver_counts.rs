//! Key drivers read counts kept with the responses (per day and month blobs, live deltas,
//! partial days read comment by comment); their report equals the definition, which reads
//! every comment of the period. Checked on random comments over three months (phrases that
//! merge, three scripts, many periods with whole and partial days and months), imported in
//! several chunks and answered live, before and after the live counts are folded, after a
//! reindex and after the counts are built again from the rows.

use std::collections::BTreeMap;

use attune_app::text::{TextParams, drivers_by_definition, drivers_report};
use attune_domain::period::{DAY_MS, format_ms};
use attune_domain::response::{Answer, Channel, NewResponse};
use attune_storage::prelude::*;
use serde_json::json;

use crate::helpers::{Backend, NOW_MS, Rng, TestApp};
use crate::on_both_backends;

on_both_backends!(drivers_from_kept_counts_equal_the_definition);

const H: i64 = 3_600_000;

/// Phrases detractors use more, phrases promoters use more, and filler.
const UNHAPPY: [&str; 5] = [
    "app keeps crashing",
    "price too high",
    "support never answers",
    "ਕੀਮਤ ਬਹੁਤ ਜ਼ਿਆਦਾ",
    "سپورٹ بہت سست",
];
const HAPPY: [&str; 4] = [
    "great support team",
    "easy to use",
    "fast delivery",
    "ਵਧੀਆ ਸੇਵਾ",
];
const OTHER: [&str; 4] = ["monthly invoice", "new dashboard", "app", "team"];

fn comment(rng: &mut Rng, score: u64) -> String {
    let n = 1 + rng.below(2);
    let sentences: Vec<&str> = (0..n)
        .map(|_| match (score, rng.below(10)) {
            (0..=6, 0..=5) => rng.pick(&UNHAPPY),
            (9.., 0..=5) => rng.pick(&HAPPY),
            (_, 6..=7) => rng.pick(&UNHAPPY),
            _ => rng.pick(&OTHER),
        })
        .collect();
    sentences.join(". ")
}

fn when(rng: &mut Rng) -> i64 {
    // About 80 days back, across two month boundaries, at any hour.
    NOW_MS - rng.below(80 * 24) as i64 * H - rng.below(H as u64) as i64
}

fn imported(rng: &mut Rng, n: usize) -> Vec<NewResponse> {
    (0..n)
        .map(|i| {
            let score = rng.below(11);
            let mut answers = BTreeMap::new();
            answers.insert("nps".to_owned(), Answer::Score(score as i64));
            if rng.below(10) > 0 {
                answers.insert("why".to_owned(), Answer::Text(comment(rng, score)));
            }
            NewResponse {
                answers,
                language: None,
                channel: Channel::Import,
                contact_email: None,
                contact_name: None,
                account_external_id: None,
                account_name: None,
                submitted_at_ms: when(rng),
                metadata: serde_json::Map::new(),
                dedup_key: Some(format!("row-{i}")),
            }
        })
        .collect()
}

/// Periods: everything, open ends, whole days, partial days at either edge, one partial day,
/// whole months, an empty one.
fn periods() -> Vec<(Option<i64>, Option<i64>)> {
    let today = NOW_MS - NOW_MS.rem_euclid(DAY_MS);
    vec![
        (None, None),
        (Some(today - 30 * DAY_MS), None),
        (None, Some(today - 10 * DAY_MS + 5 * H)),
        (Some(today - 45 * DAY_MS), Some(today - 3 * DAY_MS)),
        (
            Some(today - 61 * DAY_MS + 7 * H),
            Some(today - 2 * DAY_MS + 19 * H),
        ),
        (
            Some(today - 5 * DAY_MS + 2 * H),
            Some(today - 5 * DAY_MS + 20 * H),
        ),
        (
            Some(today - 6 * DAY_MS + 22 * H),
            Some(today - 5 * DAY_MS + 3 * H),
        ),
        (Some(today - 90 * DAY_MS), Some(today + DAY_MS)),
        (Some(today - 20 * DAY_MS), Some(today - 20 * DAY_MS)),
    ]
}

async fn same_reports(app: &TestApp, survey: &str, stage: &str) {
    let mut compared = 0;
    for (from, to) in periods() {
        let p = TextParams {
            survey: Some(survey.to_owned()),
            from: from.map(format_ms),
            to: to.map(format_ms),
            ..TextParams::default()
        };
        let fast = drivers_report(app.store.as_ref(), &app.org_id, &p)
            .await
            .unwrap();
        let slow = drivers_by_definition(app.store.as_ref(), &app.org_id, &p)
            .await
            .unwrap();
        compared += usize::from(!slow.terms.is_empty());
        assert_eq!(
            serde_json::to_value(&fast).unwrap(),
            serde_json::to_value(&slow).unwrap(),
            "{stage}: {from:?}..{to:?}"
        );
    }
    assert!(
        compared >= 6,
        "{stage}: only {compared} periods found drivers"
    );
}

async fn drivers_from_kept_counts_equal_the_definition(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey_id = app.nps_survey(&app.admin_token).await;
    let survey = app.store.survey(&app.org_id, &survey_id).await.unwrap();
    let mut rng = Rng(0xd21_0013);
    let chunked = attune::db::open(&app.db_url)
        .await
        .unwrap()
        .with_import_chunk(97);
    chunked
        .import_responses(
            &app.org_id,
            &survey,
            &imported(&mut rng, 700),
            NOW_MS,
            &|_| {},
        )
        .await
        .unwrap();
    same_reports(&app, &survey_id, "imported").await;
    let whole = drivers_report(
        app.store.as_ref(),
        &app.org_id,
        &TextParams {
            survey: Some(survey_id.clone()),
            ..TextParams::default()
        },
    )
    .await
    .unwrap();
    let terms: Vec<&str> = whole.terms.iter().map(|t| t.term.as_str()).collect();
    assert!(terms.contains(&"app keeps crashing"), "{terms:?}");
    assert!(whole.terms[0].significant && !whole.terms[0].examples.is_empty());
    // Live answers: their counts wait as deltas until the writer folds them.
    for _ in 0..80 {
        let score = rng.below(11);
        app.answer(
            &survey_id,
            json!({"answers": {"nps": score, "why": comment(&mut rng, score)},
                   "submitted_at": format_ms(when(&mut rng))}),
        )
        .await;
    }
    same_reports(&app, &survey_id, "live, not folded").await;
    app.store.merge_terms().await.unwrap();
    app.store.fold_driver_counts().await.unwrap();
    same_reports(&app, &survey_id, "folded").await;
    app.store.reindex(&app.org_id, 100, &|_| {}).await.unwrap();
    same_reports(&app, &survey_id, "reindexed").await;
    // Built again from the rows (as for an upgraded database): the same blobs' sums.
    sqlx::query("DELETE FROM driver_counts_built")
        .execute(app.store.pool())
        .await
        .unwrap();
    assert!(app.store.build_missing_counts().await.unwrap() >= 1);
    same_reports(&app, &survey_id, "rebuilt").await;
}
