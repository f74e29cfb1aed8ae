//! Where the server and the OpenAPI document disagreed and the server was wrong (found by
//! schemathesis): `null` for a field that may only be left out, a JSON number the decimal
//! reader refused, a billing period of the wrong type.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    null_is_refused_where_a_field_may_only_be_left_out,
    amounts_are_read_from_any_json_number_and_billing_periods_are_typed,
);

/// The field the first problem of a 422 names.
fn field(body: &Value) -> &str {
    body["error"]["fields"][0]["field"].as_str().unwrap_or("")
}

async fn put(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let res = app
        .client
        .put(app.url(path))
        .bearer_auth(&app.admin_token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn null_is_refused_where_a_field_may_only_be_left_out(b: Backend) {
    let app = TestApp::spawn(b).await;
    let t = app.admin_token.clone();
    for (path, with_null, named) in [
        (
            "/api/v1/contacts",
            json!({"email": "a@example.com", "language": null}),
            "language",
        ),
        (
            "/api/v1/contacts",
            json!({"email": "a@example.com", "role": null}),
            "role",
        ),
        (
            "/api/v1/accounts",
            json!({"external_id": "A-1", "owner_email": null}),
            "owner_email",
        ),
        (
            "/api/v1/teams",
            json!({"name": "Care", "lead": null}),
            "lead",
        ),
        (
            "/api/v1/sla-policies",
            json!({"name": "P", "first_response_minutes": 60, "resolution_minutes": 120, "business_hours": null}),
            "business_hours",
        ),
    ] {
        let (status, body) = app.post(&t, path, &with_null).await;
        assert_eq!((status, field(&body)), (422, named), "{path}: {body}");
        let mut left_out = with_null.clone();
        left_out.as_object_mut().expect("object").remove(named);
        let (status, body) = app.post(&t, path, &left_out).await;
        assert_eq!(status, 201, "{path} without {named}: {body}");
    }

    let settings = "/api/v1/loop/settings";
    let (status, body) = put(
        &app,
        settings,
        &json!({"digest_emails": [], "digest_hour": 6, "case_window_days": null}),
    )
    .await;
    assert_eq!((status, field(&body)), (422, "case_window_days"), "{body}");
    let (status, body) = put(
        &app,
        settings,
        &json!({"digest_emails": [], "digest_hour": 6, "case_window_days": 30}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // Left out, it keeps its value.
    let (status, body) = put(
        &app,
        settings,
        &json!({"digest_emails": [], "digest_hour": 7}),
    )
    .await;
    assert_eq!(
        (status, body["case_window_days"].as_i64()),
        (200, Some(30)),
        "{body}"
    );
}

async fn amounts_are_read_from_any_json_number_and_billing_periods_are_typed(b: Backend) {
    let app = TestApp::spawn(b).await;
    let t = app.admin_token.clone();
    // serde_json writes 1e-7 in exponent form; it is an amount all the same (0 cents).
    let (status, body) = app
        .post(
            &t,
            "/api/v1/subscriptions",
            &json!([
                {"account_external_id": "A-1", "start_date": "2026-01-01", "mrr": 1e-7},
                {"account_external_id": "A-2", "start_date": "2026-01-01", "mrr": 49.905},
                {"account_external_id": "A-3", "start_date": "2026-01-01", "mrr": 12, "billing_period": 12}
            ]),
        )
        .await;
    assert_eq!(
        (status, body["inserted"].as_u64()),
        (201, Some(3)),
        "{body}"
    );

    let (status, body) = app
        .post(
            &t,
            "/api/v1/subscriptions",
            &json!([{"account_external_id": "A-4", "start_date": "2026-01-01", "billing_period": {}}]),
        )
        .await;
    assert_eq!(
        (status, field(&body)),
        (422, "[0].billing_period"),
        "{body}"
    );

    let (status, body) = app
        .post(
            &t,
            "/api/v1/activity",
            &json!([{"account_external_id": "A-1", "date": "2026-02-01", "value": 2.5e-9}]),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = app
        .post(
            &t,
            "/api/v1/activity",
            &json!([{"account_external_id": "A-1", "date": "2026-02-02", "value": 1e300}]),
        )
        .await;
    assert_eq!((status, field(&body)), (422, "[0].value"), "{body}");
}
