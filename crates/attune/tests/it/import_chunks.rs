//! Imports commit in chunks yet stay all or nothing: while one runs, its rows are in the
//! database but read nowhere (feed, search, the response API, the aggregates, the cases), live
//! answers are stored between its chunks, and at its end everything appears at once. An import
//! whose process dies is removed, rows and all, at the next start; one that fails removes itself.

use std::collections::BTreeMap;
use std::sync::mpsc;

use attune_domain::response::{Answer, Channel, NewResponse};
use attune_domain::text::LanguageTag;
use attune_storage::prelude::*;
use attune_storage::sql::{IMPORT_LEASE_MS, SqlStore};
use serde_json::json;
use sqlx::Row;

use crate::helpers::{Backend, NOW_MS, TestApp, org_count};
use crate::on_both_backends;

on_both_backends!(
    an_import_is_invisible_until_it_finishes_while_live_answers_go_in_between,
    an_import_whose_process_died_is_removed_at_the_next_start,
);

/// `n` imported answers, every third a detractor, each with a comment naming `word`.
fn rows(n: usize, word: &str) -> Vec<NewResponse> {
    (0..n)
        .map(|i| {
            let mut answers = BTreeMap::new();
            answers.insert(
                "nps".to_owned(),
                Answer::Score(if i % 3 == 0 { 2 } else { 9 }),
            );
            answers.insert("why".to_owned(), Answer::Text(format!("{word} number {i}")));
            NewResponse {
                answers,
                language: Some(LanguageTag::parse("en").expect("tag")),
                channel: Channel::Import,
                contact_email: None,
                contact_name: None,
                account_external_id: None,
                account_name: None,
                submitted_at_ms: NOW_MS - 3_600_000,
                metadata: serde_json::Map::new(),
                dedup_key: Some(format!("row-{i}")),
            }
        })
        .collect()
}

/// Counts in the organisation: response rows (hidden or not), aggregated NPS answers, cases,
/// scores and search postings.
async fn physical(app: &TestApp) -> (i64, i64, i64, i64, i64) {
    let one = |sql: &'static str| org_count(app, &app.org_id, sql);
    (
        one("SELECT count(*) FROM responses WHERE org_id = $1").await,
        one("SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM score_daily WHERE org_id = $1").await,
        one("SELECT count(*) FROM cases WHERE org_id = $1").await,
        one("SELECT count(*) FROM response_scores WHERE org_id = $1").await,
        one("SELECT count(*) FROM response_terms WHERE org_id = $1").await,
    )
}

/// Items the feed API shows (all pages of up to 200), optionally searching for `q`.
async fn feed_len(app: &TestApp, survey: &str, q: Option<&str>) -> usize {
    let mut path = format!("/api/v1/surveys/{survey}/responses?limit=200");
    if let Some(q) = q {
        path += &format!("&q={q}");
    }
    let mut n = 0;
    let mut next = path.clone();
    loop {
        let (status, page) = app.get(&app.admin_token, &next).await;
        assert_eq!(status, 200, "{page}");
        n += page["items"].as_array().expect("items").len();
        match page["next_cursor"].as_str() {
            Some(c) => next = format!("{path}&cursor={c}"),
            None => return n,
        }
    }
}

/// Runs an import on its own thread and runtime (as another process would), through a second
/// pool writing chunks of 100; `progress` runs after each chunk commits.
fn import_on_thread(
    app: &TestApp,
    survey_id: &str,
    batch: Vec<NewResponse>,
    progress: impl Fn(u64) + Send + Sync + 'static,
) -> std::thread::JoinHandle<attune_storage::StoreResult<attune_storage::model::ImportOutcome>> {
    let (db, org, survey) = (app.db_url.clone(), app.org_id.clone(), survey_id.to_owned());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let store: SqlStore = attune::db::open(&db)
                .await
                .expect("a second pool")
                .with_import_chunk(100);
            let survey = store.survey(&org, &survey).await.expect("survey");
            store
                .import_responses(&org, &survey, &batch, NOW_MS, &progress)
                .await
        })
    })
}

/// Comments the key drivers compare (detractors and promoters), from the kept counts.
async fn driver_docs(app: &TestApp, survey: &str) -> u64 {
    let p = attune_app::text::TextParams {
        survey: Some(survey.to_owned()),
        ..Default::default()
    };
    let r = attune_app::text::drivers_report(app.store.as_ref(), &app.org_id, &p)
        .await
        .expect("drivers");
    (r.focus_docs + r.background_docs) as u64
}

async fn an_import_is_invisible_until_it_finishes_while_live_answers_go_in_between(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let (paused_tx, paused) = mpsc::channel::<u64>();
    let (go, go_rx) = mpsc::channel::<()>();
    let go_rx = std::sync::Mutex::new(go_rx);
    let import = import_on_thread(&app, &survey, rows(350, "parcel"), move |done| {
        // Stops after the first chunk until the test has looked.
        if done == 100 {
            paused_tx.send(done).expect("signal");
            go_rx.lock().expect("lock").recv().expect("go");
        }
    });
    let done = tokio::task::spawn_blocking(move || paused.recv().expect("the first chunk"))
        .await
        .expect("wait");
    assert_eq!(done, 100);
    // The first chunk is committed, and read nowhere.
    let (rows_in_db, aggregated, cases, scores, terms) = physical(&app).await;
    assert_eq!(rows_in_db, 100, "the chunk is in the database");
    assert!(scores == 100 && terms > 0, "with its scores and postings");
    assert_eq!((aggregated, cases), (0, 0), "no metric or case sees it yet");
    assert_eq!(driver_docs(&app, &survey).await, 0, "nor the drivers");
    assert_eq!(feed_len(&app, &survey, None).await, 0, "the feed hides it");
    assert_eq!(
        feed_len(&app, &survey, Some("parcel")).await,
        0,
        "search hides it"
    );
    let hidden: String = sqlx::query("SELECT id FROM responses WHERE import_id IS NOT NULL")
        .fetch_one(app.store.pool())
        .await
        .expect("a hidden row")
        .try_get("id")
        .expect("id");
    let (status, _) = app
        .get(&app.admin_token, &format!("/api/v1/responses/{hidden}"))
        .await;
    assert_eq!(status, 404, "the response API hides it");
    // A live answer goes in between the chunks, and is visible at once.
    let live = app
        .answer(
            &survey,
            json!({"answers": {"nps": 1, "why": "parcel lost"}}),
        )
        .await;
    assert_eq!(feed_len(&app, &survey, None).await, 1);
    assert_eq!(feed_len(&app, &survey, Some("parcel")).await, 1);
    assert_eq!(physical(&app).await.2, 1, "the live detractor has its case");
    assert_eq!(
        driver_docs(&app, &survey).await,
        1,
        "and counts among the drivers"
    );
    go.send(()).expect("go on");
    let outcome = tokio::task::spawn_blocking(move || import.join().expect("import thread"))
        .await
        .expect("wait")
        .expect("the import");
    assert_eq!((outcome.inserted, outcome.duplicates), (350, 0));
    // Everything appears at once: rows, aggregates and the cases of its detractors.
    let detractors = (0..350).filter(|i| i % 3 == 0).count() as i64;
    let (rows_in_db, aggregated, cases, _, _) = physical(&app).await;
    assert_eq!((rows_in_db, aggregated, cases), (351, 351, detractors + 1));
    assert_eq!(feed_len(&app, &survey, None).await, 351);
    assert_eq!(feed_len(&app, &survey, Some("parcel")).await, 351);
    assert_eq!(
        driver_docs(&app, &survey).await,
        351,
        "every answer is a 2, a 9 or the live 1"
    );
    let (status, _) = app
        .get(&app.admin_token, &format!("/api/v1/responses/{hidden}"))
        .await;
    assert_eq!(status, 200);
    assert!(live["id"].is_string());
}

async fn an_import_whose_process_died_is_removed_at_the_next_start(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let survey = app.nps_survey(&app.admin_token).await;
    // The process "dies" after its second chunk: nothing of the import's code runs after it.
    let import = import_on_thread(&app, &survey, rows(350, "parcel"), |done| {
        assert!(done < 200, "the importing process dies here");
    });
    assert!(import.join().is_err(), "the import's thread died");
    let (rows_in_db, aggregated, cases, _, _) = physical(&app).await;
    assert_eq!((rows_in_db, aggregated, cases), (200, 0, 0));
    assert_eq!(
        feed_len(&app, &survey, None).await,
        0,
        "its rows are hidden"
    );
    // A start soon after leaves it (it could be a live import of another process) …
    assert_eq!(
        app.store
            .remove_abandoned_imports(NOW_MS)
            .await
            .expect("check"),
        0
    );
    assert_eq!(physical(&app).await.0, 200);
    // … a start after the lease removes it, rows, scores and postings.
    let later = NOW_MS + IMPORT_LEASE_MS + 60_000;
    assert_eq!(
        app.store
            .remove_abandoned_imports(later)
            .await
            .expect("clean"),
        1
    );
    assert_eq!(physical(&app).await, (0, 0, 0, 0, 0));
    // Importing the file again stores every row (its keys are free again).
    let again = import_on_thread(&app, &survey, rows(350, "parcel"), |_| {});
    let outcome = again.join().expect("thread").expect("import");
    assert_eq!((outcome.inserted, outcome.duplicates), (350, 0));
    assert_eq!(feed_len(&app, &survey, None).await, 350);
}

/// On PostgreSQL a NUL in a comment of the third chunk fails the import (the database refuses
/// the text): the chunks already committed are removed before the error is returned.
#[tokio::test]
async fn a_failed_import_removes_its_committed_chunks() {
    let Some(backend) = Backend::postgres() else {
        return crate::helpers::skip("on PostgreSQL: ATTUNE_TEST_POSTGRES_URL is not set");
    };
    let app = TestApp::spawn(backend).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let mut batch = rows(350, "parcel");
    batch[250]
        .answers
        .insert("why".into(), Answer::Text("bad \u{0} byte".into()));
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let seen2 = seen.clone();
    let import = import_on_thread(&app, &survey, batch, move |done| {
        seen2.store(done, std::sync::atomic::Ordering::SeqCst);
    });
    let result = import.join().expect("thread");
    assert!(
        matches!(result, Err(attune_storage::StoreError::Invalid(_))),
        "{result:?}"
    );
    assert_eq!(
        seen.load(std::sync::atomic::Ordering::SeqCst),
        200,
        "two chunks had committed"
    );
    assert_eq!(
        physical(&app).await,
        (0, 0, 0, 0, 0),
        "nothing of the import stays"
    );
    let n: i64 = sqlx::query("SELECT count(*) FROM imports")
        .fetch_one(app.store.pool())
        .await
        .expect("count")
        .try_get(0)
        .expect("n");
    assert_eq!(n, 0, "nor its record");
}
