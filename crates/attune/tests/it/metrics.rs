//! Metric endpoints against PRODUCT.md's worked examples, trends and segments.

use serde_json::json;

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    nps_worked_example_holds_through_the_api,
    csat_and_ces_follow_their_definitions,
    trends_and_segments_come_from_the_aggregates,
    an_unknown_segment_is_refused_naming_by_and_the_allowed_values,
);

fn close(v: &serde_json::Value, expected: f64) {
    let x = v.as_f64().unwrap_or(f64::NAN);
    assert!((x - expected).abs() < 1e-3, "{x} != {expected}");
}

async fn nps_worked_example_holds_through_the_api(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let (_, empty) = app.get(&app.admin_token, "/api/v1/metrics/nps").await;
    assert_eq!(
        empty,
        json!({"n": 0, "promoters": 0, "passives": 0, "detractors": 0, "nps": null, "se": null, "ci95": null})
    );
    let mut responses = Vec::new();
    for i in 0..100 {
        let score = match i {
            0..10 => i % 7,
            10..30 => 7 + i % 2,
            _ => 9 + i % 2,
        };
        responses.push(json!({"answers": {"nps": score}}));
    }
    // A response that skips the NPS question is not in the denominator.
    app.answer(&survey, json!({"answers": {"why": "no score"}}))
        .await;
    for r in responses {
        app.answer(&survey, r).await;
    }
    let (status, m) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/metrics/nps?survey={survey}&question=nps"),
        )
        .await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(
        (
            m["n"].as_u64(),
            m["detractors"].as_u64(),
            m["passives"].as_u64(),
            m["promoters"].as_u64()
        ),
        (Some(100), Some(10), Some(20), Some(70))
    );
    close(&m["nps"], 60.0);
    close(&m["se"], 6.6332);
    close(&m["ci95"][0], 45.2167);
    close(&m["ci95"][1], 71.2768);
    let (status, err) = app
        .get(&app.admin_token, "/api/v1/metrics/nps?question=why")
        .await;
    assert_eq!(status, 422, "only NPS questions get an NPS: {err}");
}

async fn csat_and_ces_follow_their_definitions(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, s) = app.post(&app.admin_token, "/api/v1/surveys", &json!({"name": "Support", "questions": [
        {"key": "csat", "type": "csat", "text": {"en": "Satisfied?"}},
        {"key": "csat10", "type": "csat", "text": {"en": "Satisfied (1-10)?"}, "scale": {"min": 1, "max": 10}},
        {"key": "ces", "type": "ces", "text": {"en": "Easy?"}}
    ]})).await;
    let survey = s["id"].as_str().unwrap().to_owned();
    // CSAT 1–5: 5,4,4,3,1 → 3 of 5 satisfied. CES: 7,5,4,2,1 → mean 3.8, 2 of 5 easy.
    for (c, ces) in [(5, 7), (4, 5), (4, 4), (3, 2), (1, 1)] {
        app.answer(&survey, json!({"answers": {"csat": c, "ces": ces}}))
            .await;
    }
    let (_, m) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/metrics/csat?question=csat&survey={survey}"),
        )
        .await;
    assert_eq!(
        (m["n"].as_u64(), m["satisfied"].as_u64()),
        (Some(5), Some(3))
    );
    close(&m["csat"], 60.0);
    // Wilson 95% for 3/5 (statsmodels): 0.23072245, 0.88237781.
    close(&m["ci95"][0], 23.0722);
    close(&m["ci95"][1], 88.2378);
    // On 1–10 the top-2 box is 9 and 10.
    for s10 in [10, 9, 8] {
        app.answer(&survey, json!({"answers": {"csat10": s10}}))
            .await;
    }
    let (_, m) = app
        .get(&app.admin_token, "/api/v1/metrics/csat?question=csat10")
        .await;
    assert_eq!(
        (m["n"].as_u64(), m["satisfied"].as_u64()),
        (Some(3), Some(2))
    );
    let (_, m) = app.get(&app.admin_token, "/api/v1/metrics/ces").await;
    assert_eq!(m["n"], 5);
    close(&m["mean"], 3.8);
    close(&m["share_easy"], 40.0);
}

async fn trends_and_segments_come_from_the_aggregates(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    for (day, score, lang) in [
        ("2026-09-10", 10, "en"),
        ("2026-09-20", 0, "ur"),
        ("2026-11-02", 9, "ur"),
        ("2026-11-03", 9, "ur-PK"),
    ] {
        app.answer(&survey, json!({"answers": {"nps": score}, "language": lang, "submitted_at": format!("{day}T08:00:00Z")})).await;
    }
    let (status, t) = app
        .get(
            &app.admin_token,
            "/api/v1/metrics/nps?interval=month&from=2026-09-01&to=2026-11-30",
        )
        .await;
    assert_eq!(status, 200, "{t}");
    let buckets = t["buckets"].as_array().unwrap();
    let starts: Vec<&str> = buckets
        .iter()
        .map(|b| b["start"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        ["2026-09-01", "2026-10-01", "2026-11-01"],
        "empty months are kept"
    );
    assert_eq!(buckets[0]["nps"], 0.0);
    assert!(
        buckets[1]["nps"].is_null(),
        "a month without data is null, not 0"
    );
    assert_eq!(buckets[2]["nps"], 100.0);
    let (_, by) = app
        .get(&app.admin_token, "/api/v1/metrics/nps?by=language")
        .await;
    let segs: Vec<(String, u64)> = by["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["segment"].as_str().unwrap().to_owned(),
                b["n"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        segs,
        [("en".to_owned(), 1), ("ur".to_owned(), 3)],
        "ur-PK counts as ur"
    );
    let (status, err) = app
        .get(&app.admin_token, "/api/v1/metrics/nps?interval=fortnight")
        .await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["fields"][0]["field"], "interval");
    // The aggregates are the only source: deleting raw rows leaves the metric unchanged.
    sqlx::query("DELETE FROM response_scores")
        .execute(app.store.pool())
        .await
        .unwrap();
    let (_, m) = app.get(&app.admin_token, "/api/v1/metrics/nps").await;
    assert_eq!(m["n"], 4);
}

async fn an_unknown_segment_is_refused_naming_by_and_the_allowed_values(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    attune_storage::CustomerStore::upsert_account(
        app.store.as_ref(),
        &app.org_id,
        &attune_storage::model::AccountUpsert {
            external_id: "ACME-1".into(),
            name: "Acme".into(),
            plan: Some("pro".into()),
            attributes: [("tier".to_owned(), json!("gold"))].into_iter().collect(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    app.answer(
        &survey,
        json!({"answers": {"nps": 10}, "account": {"external_id": "ACME-1"}}),
    )
    .await;
    let (status, err) = app
        .get(&app.admin_token, "/api/v1/metrics/nps?by=bogus")
        .await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error"]["fields"][0]["field"], "by");
    let message = err["error"]["fields"][0]["message"].as_str().unwrap();
    for allowed in [
        "channel",
        "language",
        "plan",
        "size_band",
        "region",
        "owner",
        "tier",
    ] {
        assert!(message.contains(allowed), "{message} names {allowed}");
    }
    let (status, _) = app
        .get(&app.admin_token, "/api/v1/metrics/nps?by=no%20such!")
        .await;
    assert_eq!(status, 422);
    // Built-in columns and the organisation's own attributes still segment.
    for by in ["plan", "tier", "channel"] {
        let (status, v) = app
            .get(&app.admin_token, &format!("/api/v1/metrics/nps?by={by}"))
            .await;
        assert_eq!(status, 200, "by={by}: {v}");
        assert_eq!(v["buckets"][0]["n"], 1, "by={by}");
    }
    let (_, tier) = app
        .get(&app.admin_token, "/api/v1/metrics/nps?by=tier")
        .await;
    assert_eq!(tier["buckets"][0]["segment"], "gold");
}
