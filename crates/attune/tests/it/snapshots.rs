//! Snapshots (insta) of API answers and a rendered page, so any change to what clients see
//! shows up in review. Ids and times are redacted. Update with `INSTA_UPDATE=always` (or
//! `cargo insta review`) after an intended change.

use serde_json::json;

use crate::helpers::{Backend, TestApp};

#[tokio::test]
async fn api_answers_keep_their_shape() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (status, survey) = app
        .post(&app.admin_token, "/api/v1/surveys", &json!({
            "name": "Relationship", "default_language": "en",
            "questions": [
                {"key": "nps", "type": "nps", "required": true, "text": {"en": "How likely…?", "ur": "کتنا امکان ہے؟"}},
                {"key": "why", "type": "text", "text": {"en": "Why?"}},
                {"key": "csat", "type": "csat", "text": {"en": "Satisfied?"}, "scale": {"min": 1, "max": 10}},
                {"key": "plan", "type": "single_choice", "text": {"en": "Plan?"}, "choices": ["basic", {"key": "pro", "label": {"en": "Pro"}}]}
            ]}))
        .await;
    assert_eq!(status, 201);
    insta::assert_json_snapshot!("survey_created", survey, {
        ".id" => "[id]", ".created_at" => "[time]", ".public_url" => "[url]"
    });
    let id = survey["id"].as_str().unwrap();
    let (status, err) = app
        .post(
            &app.admin_token,
            &format!("/api/v1/surveys/{id}/responses"),
            &json!({"answers": {"nps": 11, "plan": "gold", "nope": 1}, "language": "x!"}),
        )
        .await;
    assert_eq!(status, 422);
    insta::assert_json_snapshot!("response_invalid", err);
    let response = app
        .answer(
            id,
            json!({"answers": {"nps": 3, "why": "سروس سست ہے"}, "language": "ur",
            "account": {"external_id": "A-1"}, "submitted_at": "2026-11-20T10:00:00Z"}),
        )
        .await;
    insta::assert_json_snapshot!("response_created", response, {
        ".id" => "[id]", ".survey_id" => "[id]", ".account_id" => "[id]"
    });
    for score in [9, 10, 7] {
        app.answer(
            id,
            json!({"answers": {"nps": score}, "submitted_at": "2026-10-05T10:00:00Z"}),
        )
        .await;
    }
    let (_, nps) = app
        .get(
            &app.admin_token,
            "/api/v1/metrics/nps?interval=month&from=2026-09-01&to=2026-11-30",
        )
        .await;
    insta::assert_json_snapshot!("nps_monthly", nps);
    let (_, feed) = app.get(&app.admin_token, "/api/v1/feedback?limit=1").await;
    insta::assert_json_snapshot!("feed_page", feed, {
        ".items[].id" => "[id]", ".items[].survey_id" => "[id]", ".items[].account_id" => "[id]",
        ".items[].account.id" => "[id]", ".items[].case.id" => "[id]", ".next_cursor" => "[cursor]"
    });
}

#[tokio::test]
async fn public_survey_page_keeps_its_markup() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let id = app.nps_survey(&app.admin_token).await;
    let html = app
        .client
        .get(app.url(&format!("/s/{id}?lang=ur")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // Only the markup after the stylesheet: the page body.
    let body = html
        .split("</head>")
        .nth(1)
        .unwrap_or(&html)
        .replace(&id, "[id]");
    insta::assert_snapshot!("public_survey_ur", body);
}

#[test]
fn openapi_document_is_reviewed_when_it_changes() {
    insta::assert_json_snapshot!("openapi", attune_web::openapi::document());
}
