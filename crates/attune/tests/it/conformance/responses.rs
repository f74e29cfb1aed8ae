//! Responses (links, dedup, aggregates), the feed, and the text analysis of comments.

use attune_domain::survey::QuestionType;
use attune_storage::StoreError;
use attune_storage::model::{
    Account, FeedQuery, Org, ScoreFilter, SegmentDim, StoredResponse, Survey, TextDocsQuery,
};
use attune_storage::prelude::*;

use super::{Rec, recorded};
use super::{Tenant, nps_definition, response, tenant};
use crate::helpers::Backend;
use crate::helpers::NOW_MS;
use crate::on_both_backends;

on_both_backends!(responses_story);

async fn responses_story(b: Backend) {
    let store: Rec = recorded(&b).await;
    let Tenant {
        a,
        a2,
        account: saved,
        contact,
        ..
    } = tenant(&store).await;
    let survey = store
        .create_survey(&a.id, &nps_definition(), NOW_MS)
        .await
        .unwrap();
    // Responses: links, dedup, aggregates.
    let r1 = store
        .insert_response(
            &a.id,
            &survey,
            &response(
                2,
                Some("ਕੀਮਤ ਬਹੁਤ ਜ਼ਿਆਦਾ ਹੈ"),
                1,
                Some("simran@acme.example"),
                Some("ext:1"),
            ),
            None,
            NOW_MS,
        )
        .await
        .unwrap();
    assert_eq!(r1.contact_id.as_deref(), Some(contact.id.as_str()));
    assert_eq!(r1.account_id.as_deref(), Some(saved.id.as_str()));
    assert!(matches!(
        store
            .insert_response(
                &a.id,
                &survey,
                &response(9, None, 1, None, Some("ext:1")),
                None,
                NOW_MS
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        matches!(
            store
                .insert_response(
                    &a2.id,
                    &survey,
                    &response(9, None, 1, None, None),
                    None,
                    NOW_MS
                )
                .await,
            Err(StoreError::NotFound)
        ),
        "a survey of another organisation"
    );
    let batch = vec![
        response(9, None, 40, None, Some("imp:1")),
        response(10, Some("ਵਧੀਆ"), 40, None, Some("imp:2")),
        response(10, None, 40, None, Some("imp:2")),
        response(5, None, 2, None, Some("ext:1")),
    ];
    let out = store
        .import_responses(&a.id, &survey, &batch, NOW_MS, &|_| {})
        .await
        .unwrap();
    assert_eq!((out.inserted, out.duplicates), (2, 2));
    // A finished import is never removed as abandoned, however late.
    let late = NOW_MS + 100 * attune_storage::sql::IMPORT_LEASE_MS;
    assert_eq!(store.remove_abandoned_imports(late).await.unwrap(), 0);
    assert_eq!(
        store
            .response(&a.id, &r1.id)
            .await
            .unwrap()
            .comment
            .as_deref(),
        Some("ਕੀਮਤ ਬਹੁਤ ਜ਼ਿਆਦਾ ਹੈ")
    );
    assert!(matches!(
        store.response(&a2.id, &r1.id).await,
        Err(StoreError::NotFound)
    ));
    let filter = ScoreFilter {
        qtype: QuestionType::Nps,
        survey_id: Some(survey.id.clone()),
        question_key: None,
        from_day: None,
        to_day: None,
        daily: true,
    };
    let counts = store.score_counts(&a.id, &filter, None).await.unwrap();
    let total: i64 = counts.iter().map(|c| c.n).sum();
    assert_eq!(total, 3);
    monthly_and_segments(&store, &a, &a2, &saved, &filter).await;
    feed(&store, &a, &a2, &r1).await;
    text_analysis(&store, &a, &a2, &survey, &r1).await;
    store.assert_all_called("ResponseStore", <dyn ResponseStore>::METHODS);
    store.assert_all_called("FeedStore", <dyn FeedStore>::METHODS);
    store.assert_all_called("ScoreStore", <dyn ScoreStore>::METHODS);
    store.assert_all_called("TextStore", <dyn TextStore>::METHODS);
}

/// The monthly aggregates agree with the daily ones; segments and tenancy.
async fn monthly_and_segments(
    store: &Rec,
    a: &Org,
    a2: &Org,
    saved: &Account,
    filter: &ScoreFilter,
) {
    // Monthly aggregates (with daily edges for partial months) count the same responses,
    // per month, as the daily ones.
    let per_month = |rows: &[attune_storage::model::ScoreCount]| {
        let mut m = std::collections::BTreeMap::new();
        for r in rows {
            *m.entry((
                attune_domain::period::Interval::Month.bucket_start(r.day),
                r.score,
                r.segment.clone(),
            ))
            .or_insert(0) += r.n;
        }
        m
    };
    let today = NOW_MS / 86_400_000;
    for (from, to) in [
        (None, None),
        (Some(today - 45), Some(today + 1)),
        (Some(today - 3), None),
    ] {
        for seg in [None, Some(SegmentDim::Language)] {
            let daily = ScoreFilter {
                from_day: from,
                to_day: to,
                ..filter.clone()
            };
            let monthly = ScoreFilter {
                daily: false,
                ..daily.clone()
            };
            let d = store.score_counts(&a.id, &daily, seg).await.unwrap();
            let m = store.score_counts(&a.id, &monthly, seg).await.unwrap();
            assert_eq!(
                per_month(&d),
                per_month(&m),
                "range {from:?}..{to:?}, segment {seg:?}"
            );
        }
    }
    let by_account = store
        .score_counts(&a.id, filter, Some(SegmentDim::Account))
        .await
        .unwrap();
    assert!(
        by_account
            .iter()
            .all(|c| c.segment.as_deref() == Some(saved.id.as_str()))
    );
    assert!(
        store
            .score_counts(&a2.id, filter, None)
            .await
            .unwrap()
            .is_empty()
    );
    // One account's histogram holds what the account segment counts hold for it.
    let hist = store
        .account_histogram(
            &a.id,
            &saved.id,
            filter.survey_id.as_deref().unwrap(),
            "nps",
            0,
        )
        .await
        .unwrap();
    let segmented: i64 = store
        .score_counts(&a.id, filter, Some(SegmentDim::Account))
        .await
        .unwrap()
        .iter()
        .map(|c| c.n)
        .sum();
    assert!(segmented > 0);
    assert_eq!(hist.iter().map(|(_, n)| *n as i64).sum::<i64>(), segmented);
    assert!(
        store
            .account_histogram(
                &a2.id,
                &saved.id,
                filter.survey_id.as_deref().unwrap(),
                "nps",
                0
            )
            .await
            .unwrap()
            .is_empty()
    );
}

/// The feed: newest first, searched, filtered by score, per organisation.
async fn feed(store: &Rec, a: &Org, a2: &Org, r1: &StoredResponse) {
    // Feed.
    let feed = store
        .feed(
            &a.id,
            &FeedQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(feed.len(), 3);
    assert_eq!(feed[0].response.id, r1.id, "newest first");
    assert_eq!(
        feed[0].contact_email.as_deref(),
        Some("simran@acme.example")
    );
    let words = store
        .feed(
            &a.id,
            &FeedQuery {
                text: Some("ਕੀਮਤ".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(words.len(), 1);
    let promoters = store
        .feed(
            &a.id,
            &FeedQuery {
                score_range: Some((9, 10)),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(promoters.len(), 2);
    let literal = store
        .feed(
            &a.id,
            &FeedQuery {
                text: Some("100%_".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        literal.is_empty(),
        "LIKE wildcards in the query are literal"
    );
    assert!(
        store
            .feed(
                &a2.id,
                &FeedQuery {
                    limit: 10,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .is_empty()
    );
}

/// The text analysis of comments, and re-analysis.
async fn text_analysis(store: &Rec, a: &Org, a2: &Org, survey: &Survey, r1: &StoredResponse) {
    // Analysed comments, newest first, with their terms and score; re-analysing every
    // response is safe to repeat and changes none of them.
    let query = TextDocsQuery {
        survey_id: Some(survey.id.clone()),
        limit: 100,
        ..Default::default()
    };
    let docs = store.text_docs(&a.id, &query).await.unwrap();
    assert_eq!(docs.len(), 2, "{docs:?}");
    let first = docs.iter().find(|d| d.id == r1.id).expect("r1 analysed");
    assert_eq!(first.score, Some(2));
    assert_eq!(first.language.as_deref(), Some("pa"));
    assert!(!first.terms.is_empty());
    assert!(store.text_docs(&a2.id, &query).await.unwrap().is_empty());
    // The drivers' counts hold the comments of the compared groups, of this organisation only.
    let nps = survey
        .definition
        .questions
        .iter()
        .find(|q| q.qtype == attune_domain::survey::QuestionType::Nps)
        .expect("an NPS question");
    let groups = nps.driver_groups().unwrap();
    let dq = attune_storage::model::DriverCountsQuery {
        survey_id: survey.id.clone(),
        question_key: nps.key.clone(),
        groups,
        from_ms: None,
        to_ms: None,
    };
    let counted = store
        .driver_counts(&a.id, &dq)
        .await
        .unwrap()
        .expect("built");
    let in_group =
        |f: &dyn Fn(i64) -> bool| docs.iter().filter(|d| d.score.is_some_and(f)).count() as u64;
    assert_eq!(counted.focus_docs, in_group(&|s| s <= groups.0));
    assert_eq!(counted.background_docs, in_group(&|s| s >= groups.1));
    assert!(counted.focus_docs > 0 && !counted.terms.is_empty());
    let other = store
        .driver_counts(&a2.id, &dq)
        .await
        .unwrap()
        .expect("built");
    assert!(other.is_empty(), "{other:?}");
    let seen = std::sync::Mutex::new(0);
    let out = store
        .reindex(&a.id, 2, &|n| *seen.lock().unwrap() = n)
        .await
        .unwrap();
    assert_eq!(out.responses, 3);
    assert_eq!(*seen.lock().unwrap(), 3);
    // New organisations start on the current index version; one an older analysis indexed is
    // listed until it is re-indexed.
    assert!(store.outdated_text_indexes().await.unwrap().is_empty());
    sqlx::query("UPDATE orgs SET text_index_version = 1 WHERE id = $1")
        .bind(&a.id)
        .execute(store.inner().pool())
        .await
        .unwrap();
    let outdated = store.outdated_text_indexes().await.unwrap();
    assert_eq!(
        outdated.iter().map(|o| &o.id).collect::<Vec<_>>(),
        vec![&a.id]
    );
    store.reindex(&a.id, 2, &|_| {}).await.unwrap();
    assert!(store.outdated_text_indexes().await.unwrap().is_empty());
    assert_eq!(store.text_docs(&a.id, &query).await.unwrap(), docs);
    assert_eq!(
        store
            .feed(
                &a.id,
                &FeedQuery {
                    text: Some("ਕੀਮਤ".into()),
                    limit: 10,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .len(),
        1,
        "the search index is rebuilt"
    );
}
