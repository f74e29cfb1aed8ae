//! Limits that keep the server serving whatever some clients do: heavy analytics reads are
//! bounded per organisation and per process.

use serde_json::json;

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(heavy_reads_are_bounded_and_ingest_goes_on);

async fn heavy_reads_are_bounded_and_ingest_goes_on(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.heavy_reads_per_org = 1;
        c.heavy_reads_total = 2;
        c.heavy_read_wait_ms = 0;
    })
    .await;
    let survey = app.nps_survey(&app.admin_token).await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 3, "why": "slow support"}}),
    )
    .await;
    let drivers = format!("/api/v1/text/drivers?survey={survey}");
    let (status, _) = app.get(&app.viewer_token, &drivers).await;
    assert_eq!(status, 200, "a free slot serves the read");

    // With the organisation's permit held, its next heavy read is a 503 with Retry-After, by
    // the API and by the page; a submission, a light read and /healthz still succeed.
    let held = app
        .state
        .heavy_read_permit(&app.org_id)
        .await
        .expect("a permit");
    for path in [
        drivers.as_str(),
        "/api/v1/text/themes",
        "/api/v1/loop/metrics",
        "/api/v1/retention/summary",
    ] {
        let res = app
            .client
            .get(app.url(path))
            .bearer_auth(&app.viewer_token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 503, "{path}");
        assert_eq!(res.headers()["retry-after"], "5", "{path}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unavailable", "{path}: {body}");
    }
    let cookie = crate::pages::login(&app).await;
    let page = app
        .client
        .get(app.url("/insights"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 503);
    assert!(page.headers().contains_key("retry-after"));
    assert!(page.text().await.unwrap().contains("try again"));
    let stored = app
        .answer(&survey, json!({"answers": {"nps": 9, "why": "fine"}}))
        .await;
    assert!(stored["id"].is_string());
    let (status, _) = app
        .get(
            &app.viewer_token,
            &format!("/api/v1/surveys/{survey}/responses"),
        )
        .await;
    assert_eq!(status, 200);
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    // Another organisation is not held up by this one's reports ...
    let (_, other_token) = app.other_org("Globex").await;
    let (status, _) = app.get(&other_token, "/api/v1/loop/metrics").await;
    assert_eq!(status, 200);
    // ... until the process's permits are all taken.
    let (third_org, third_token) = app.other_org("Initech").await;
    let second = app
        .state
        .heavy_read_permit(&third_org)
        .await
        .expect("a permit");
    let (status, body) = app.get(&other_token, "/api/v1/loop/metrics").await;
    assert_eq!(status, 503, "{body}");
    let (status, _) = app.get(&third_token, "/api/v1/loop/metrics").await;
    assert_eq!(status, 503);

    // Released, the reads are served again.
    drop(held);
    drop(second);
    let (status, _) = app.get(&app.viewer_token, &drivers).await;
    assert_eq!(status, 200);
}
