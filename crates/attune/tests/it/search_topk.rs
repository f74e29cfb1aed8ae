//! The feed's term search finds its page without ranking every match (walking responses newest
//! first, or starting from the rarest term's postings); what it returns is the page of the
//! definition (every match ranked in one query). Checked, each way forced and as chosen, on
//! random comments in three languages (stemmed and not, repeated words, many equal times),
//! imported and live, with random filters, pages and both matching modes, before and after the
//! recent postings merge and after a reindex.

use std::collections::BTreeMap;

use attune_domain::period::format_ms;
use attune_domain::response::{Answer, Channel, NewResponse};
use attune_domain::text::LanguageTag;
use attune_storage::model::FeedQuery;
use attune_storage::prelude::*;
use attune_storage::sql::Ranking;
use serde_json::json;

use crate::helpers::{Backend, NOW_MS, Rng, TestApp};
use crate::on_both_backends;

on_both_backends!(the_search_returns_the_definitions_page_each_way);

const H: i64 = 3_600_000;

const WORDS: [&str; 12] = [
    "cancel",
    "cancelling",
    "cancelled",
    "crash",
    "crashing",
    "slow",
    "price",
    "support",
    "refund",
    "annulation",
    "قیمت",
    "سپورٹ",
];

fn comment(rng: &mut Rng) -> String {
    let n = 1 + rng.below(5);
    let words: Vec<&str> = (0..n).map(|_| rng.pick(&WORDS)).collect();
    words.join(" ")
}

fn language(rng: &mut Rng) -> &'static str {
    rng.pick(&["en", "fr", "ur"])
}

fn imported(rng: &mut Rng, n: usize) -> Vec<NewResponse> {
    (0..n)
        .map(|i| {
            let mut answers = BTreeMap::new();
            answers.insert("nps".to_owned(), Answer::Score(rng.below(11) as i64));
            answers.insert("why".to_owned(), Answer::Text(comment(rng)));
            NewResponse {
                answers,
                language: Some(LanguageTag::parse(language(rng)).expect("tag")),
                channel: Channel::Import,
                contact_email: None,
                contact_name: None,
                account_external_id: Some(format!("acct-{}", rng.below(4))),
                account_name: None,
                // Few distinct times, so ties between equal ranks are common.
                submitted_at_ms: NOW_MS - 48 * H - rng.below(12) as i64 * H,
                metadata: serde_json::Map::new(),
                dedup_key: Some(format!("row-{i}")),
            }
        })
        .collect()
}

fn queries(survey: &str) -> Vec<FeedQuery> {
    let texts = [
        "cancel",
        "cancelling",
        "slow",
        "refund",
        "قیمت",
        "crashing slow",
        "price support refund",
        "annulation cancel",
        "nothing",
    ];
    let mut out = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        for variant in 0..6 {
            let mut q = FeedQuery {
                text: Some((*text).to_owned()),
                limit: [1, 3, 10, 50][(i + variant) % 4],
                offset: [0, 0, 2, 7][(i * 3 + variant) % 4],
                any_term: variant % 2 == 1,
                ..FeedQuery::default()
            };
            match variant {
                2 => q.score_range = Some((0, 6)),
                3 => q.language = Some("en".into()),
                4 => q.account = Some("acct-1".into()),
                5 => {
                    q.survey_id = Some(survey.to_owned());
                    q.from_ms = Some(NOW_MS - 52 * H);
                }
                _ => {}
            }
            out.push(q);
        }
    }
    out
}

async fn same_pages(app: &TestApp, survey: &str, when: &str) {
    let open = || async { attune::db::open(&app.db_url).await.unwrap() };
    let walk = open().await.with_rare_postings(0);
    let driven = open().await.with_rare_postings(1_000_000);
    let ids = |items: Vec<attune_storage::model::FeedItem>| -> Vec<String> {
        items.into_iter().map(|i| i.response.id).collect()
    };
    let mut answered = 0;
    let qs = queries(survey);
    for q in &qs {
        let slow = ids(app
            .store
            .feed_ranked(&app.org_id, q, Ranking::Exhaustive)
            .await
            .unwrap());
        answered += usize::from(!slow.is_empty());
        for (way, store) in [
            ("walk", &walk),
            ("driven", &driven),
            ("chosen", &*app.store),
        ] {
            let fast = store
                .feed_ranked(&app.org_id, q, Ranking::Fastest)
                .await
                .unwrap();
            assert_eq!(ids(fast), slow, "{when}, {way}: {q:?}");
        }
    }
    assert!(
        answered * 3 >= qs.len() * 2,
        "{when}: {answered} of {}",
        qs.len()
    );
}

async fn the_search_returns_the_definitions_page_each_way(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey_id = app.nps_survey(&app.admin_token).await;
    let survey = app.store.survey(&app.org_id, &survey_id).await.unwrap();
    let mut rng = Rng(0x5eed_0013);
    app.store
        .import_responses(
            &app.org_id,
            &survey,
            &imported(&mut rng, 400),
            NOW_MS,
            &|_| {},
        )
        .await
        .unwrap();
    same_pages(&app, &survey_id, "imported").await;
    // Live answers wait in the recent postings, some at the times of imported ones.
    for i in 0..60 {
        let at = NOW_MS - 48 * H - (i % 12) * H;
        let at = format_ms(at);
        let comment = comment(&mut rng);
        app.answer(
            &survey_id,
            json!({"answers": {"nps": rng.below(11), "why": comment}, "submitted_at": at,
                   "language": language(&mut rng)}),
        )
        .await;
    }
    same_pages(&app, &survey_id, "with recent postings").await;
    app.store.merge_terms().await.unwrap();
    same_pages(&app, &survey_id, "merged").await;
    app.store.reindex(&app.org_id, 50, &|_| {}).await.unwrap();
    same_pages(&app, &survey_id, "reindexed").await;
}
