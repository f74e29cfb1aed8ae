//! A token of organisation B sees nothing of organisation A, on every endpoint.

use serde_json::json;

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(other_organisations_get_404_everywhere);

async fn other_organisations_get_404_everywhere(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let response = app
        .answer(&survey, json!({"answers": {"nps": 2, "why": "secret complaint"}, "account": {"external_id": "A-1"}, "contact": {"email": "a@a-corp.example"}}))
        .await;
    let response_id = response["id"].as_str().unwrap();
    let account_id = response["account_id"].as_str().unwrap();
    let (_, b_token) = app.other_org("Beta").await;

    for path in [
        format!("/api/v1/surveys/{survey}"),
        format!("/api/v1/surveys/{survey}/responses"),
        format!("/api/v1/responses/{response_id}"),
        format!("/api/v1/accounts/{account_id}"),
        "/api/v1/accounts/A-1".to_owned(),
        format!("/api/v1/feedback?survey={survey}"),
        format!("/api/v1/metrics/nps?survey={survey}"),
        format!("/api/v1/metrics/csat?survey={survey}"),
        format!("/api/v1/metrics/ces?survey={survey}"),
        "/api/v1/contacts?account=A-1".to_owned(),
    ] {
        let (status, body) = app.get(&b_token, &path).await;
        assert_eq!(status, 404, "GET {path} from another organisation: {body}");
        let (status, _) = app.get(&app.admin_token, &path).await;
        assert_eq!(status, 200, "GET {path} from the owner");
    }
    for (path, body) in [
        (
            format!("/api/v1/surveys/{survey}/responses"),
            json!({"answers": {"nps": 10}}),
        ),
        (format!("/api/v1/surveys/{survey}/invitations"), json!({})),
    ] {
        let (status, _) = app.post(&b_token, &path, &body).await;
        assert_eq!(status, 404, "POST {path} from another organisation");
    }
    // Unscoped reads show only B's own (empty) data.
    for path in [
        "/api/v1/feedback",
        "/api/v1/surveys",
        "/api/v1/accounts",
        "/api/v1/contacts",
    ] {
        let (status, body) = app.get(&b_token, path).await;
        assert_eq!(status, 200);
        assert_eq!(
            body["items"].as_array().unwrap().len(),
            0,
            "{path} leaks: {body}"
        );
    }
    let (_, nps) = app.get(&b_token, "/api/v1/metrics/nps").await;
    assert_eq!(nps["n"], 0);
    assert!(nps["nps"].is_null(), "no data is null, never 0");
    let (_, feed) = app.get(&b_token, "/api/v1/feedback?q=secret").await;
    assert_eq!(feed["items"].as_array().unwrap().len(), 0);
}
