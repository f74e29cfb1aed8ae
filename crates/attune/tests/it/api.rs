//! The JSON API contract: creation, validation errors, auth, limits, the feed.

use serde_json::json;

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    survey_and_response_round_trip,
    invalid_input_is_422_naming_the_field,
    auth_is_required_and_viewers_cannot_write,
    oversized_and_malformed_bodies_are_rejected_without_500,
    feed_filters_and_pages_newest_first,
    duplicate_external_id_is_not_counted_twice,
    openapi_document_covers_every_route,
    hostile_inputs_are_stored_byte_for_byte,
    unknown_fields_and_values_are_422_naming_them,
);

async fn survey_and_response_round_trip(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let created = app
        .answer(
            &survey,
            json!({
                "answers": {"nps": 9, "why": "بہت اچھی سروس"},
                "language": "ur", "channel": "api",
                "contact": {"email": "ayesha@example.com"},
                "account": {"external_id": "ACME-1"},
                "submitted_at": "2026-11-20T10:00:00Z"
            }),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["answers"]["nps"], 9);
    assert_eq!(created["language"], "ur");
    assert_eq!(created["submitted_at"], "2026-11-20T10:00:00Z");
    let (status, fetched) = app
        .get(&app.admin_token, &format!("/api/v1/responses/{id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(fetched["answers"]["why"], "بہت اچھی سروس");
    assert!(
        fetched["account_id"].is_string(),
        "the account was created on first sight"
    );
    let (status, accounts) = app.get(&app.admin_token, "/api/v1/accounts").await;
    assert_eq!(status, 200);
    assert_eq!(accounts["items"][0]["external_id"], "ACME-1");
    let (_, surveys) = app.get(&app.admin_token, "/api/v1/surveys").await;
    assert_eq!(surveys["items"].as_array().unwrap().len(), 1);
    assert_eq!(surveys["items"][0]["languages"], json!(["en", "ur"]));
}

async fn invalid_input_is_422_naming_the_field(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let path = format!("/api/v1/surveys/{survey}/responses");
    for (body, field) in [
        (json!({"answers": {"nps": 11}}), "answers.nps"),
        (json!({"answers": {"nps": -1}}), "answers.nps"),
        (json!({"answers": {"nps": "nine"}}), "answers.nps"),
        (json!({"answers": {"nope": 1}}), "answers.nope"),
        (json!({"answers": {"why": 5}}), "answers.why"),
        (
            json!({"answers": {"nps": 5}, "language": "english!"}),
            "language",
        ),
        (
            json!({"answers": {"nps": 5}, "channel": "pigeon"}),
            "channel",
        ),
        (
            json!({"answers": {"nps": 5}, "contact": {"email": "not-an-email"}}),
            "contact.email",
        ),
        (
            json!({"answers": {"nps": 5}, "submitted_at": "yesterday"}),
            "submitted_at",
        ),
        (json!({}), "answers"),
    ] {
        let (status, err) = app.post(&app.admin_token, &path, &body).await;
        assert_eq!(status, 422, "{body} -> {err}");
        assert_eq!(err["error"]["code"], "invalid");
        let fields: Vec<&str> = err["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&field),
            "{body}: expected {field} in {fields:?}"
        );
    }
    let (status, err) = app.post(&app.admin_token, "/api/v1/surveys", &json!({"name": "x", "questions": [{"key": "a", "type": "stars", "text": {"en": "?"}}]})).await;
    assert_eq!(status, 422);
    assert_eq!(err["error"]["fields"][0]["field"], "questions[0].type");
    let (status, _) = app
        .post(
            &app.admin_token,
            "/api/v1/surveys/nope/responses",
            &json!({"answers": {"nps": 1}}),
        )
        .await;
    assert_eq!(status, 404);
}

async fn auth_is_required_and_viewers_cannot_write(b: Backend) {
    let app = TestApp::spawn(b).await;
    let res = app
        .client
        .get(app.url("/api/v1/surveys"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let (status, err) = app.get("att_forged", "/api/v1/surveys").await;
    assert_eq!(status, 401);
    assert_eq!(err["error"]["code"], "unauthorized");
    let (status, _) = app
        .post(
            &app.viewer_token,
            "/api/v1/surveys",
            &json!({"name": "x", "questions": []}),
        )
        .await;
    assert_eq!(status, 403);
    let survey = app.nps_survey(&app.admin_token).await;
    let (status, _) = app
        .post(
            &app.viewer_token,
            &format!("/api/v1/surveys/{survey}/responses"),
            &json!({"answers": {"nps": 3}}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app.get(&app.viewer_token, "/api/v1/feedback").await;
    assert_eq!(status, 200, "viewers read");
}

async fn oversized_and_malformed_bodies_are_rejected_without_500(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let url = app.url(&format!("/api/v1/surveys/{survey}/responses"));
    let huge = format!(
        "{{\"answers\": {{\"why\": \"{}\"}}}}",
        "x".repeat(3 * 1024 * 1024)
    );
    let res = app
        .client
        .post(&url)
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let res = app
        .client
        .post(&url)
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    let (status, body) = app
        .get(&app.admin_token, "/api/v1/feedback?limit=100000")
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = app
        .get(&app.admin_token, "/api/v1/feedback?cursor=%%%")
        .await;
    assert!(status == 422 || status == 400);
}

async fn feed_filters_and_pages_newest_first(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let lao = "ລາຄາແພງເກີນໄປ ຂ້ອຍຢາກຍົກເລີກ";
    for (i, (score, lang, text)) in [
        (10, "en", "Great support team"),
        (2, "lo", lao),
        (3, "ur", "سروس بہت سست ہے"),
        (8, "en", "Fine, but the app is slow"),
        (0, "en", "I want to cancel"),
    ]
    .into_iter()
    .enumerate()
    {
        app.answer(
            &survey,
            json!({"answers": {"nps": score, "why": text}, "language": lang,
            "submitted_at": format!("2026-11-0{}T10:00:00Z", i + 1)}),
        )
        .await;
    }
    let (_, all) = app.get(&app.admin_token, "/api/v1/feedback").await;
    let scores: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["answers"]["nps"].as_i64().unwrap())
        .collect();
    assert_eq!(scores, [0, 8, 3, 2, 10], "newest first");
    assert!(all["next_cursor"].is_null());
    let (_, det) = app
        .get(&app.admin_token, "/api/v1/feedback?band=detractor")
        .await;
    assert_eq!(det["items"].as_array().unwrap().len(), 3);
    assert!(
        det["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["band"] == "detractor")
    );
    let (_, lo) = app
        .get(&app.admin_token, "/api/v1/feedback?language=lo")
        .await;
    assert_eq!(lo["items"][0]["comment"], lao);
    let (_, q) = app
        .get(&app.admin_token, &format!("/api/v1/feedback?q={}", "ແພງ"))
        .await;
    assert_eq!(
        q["items"].as_array().unwrap().len(),
        1,
        "a Lao word inside an unspaced Lao sentence is found"
    );
    let (_, q) = app.get(&app.admin_token, "/api/v1/feedback?q=SLOW").await;
    assert_eq!(q["items"][0]["answers"]["nps"], 8, "search ignores case");
    let (_, ranged) = app
        .get(
            &app.admin_token,
            "/api/v1/feedback?from=2026-11-02&to=2026-11-04",
        )
        .await;
    assert_eq!(ranged["items"].as_array().unwrap().len(), 2);
    // Paging: two at a time, no item twice, none lost.
    let mut seen = Vec::new();
    let mut path = "/api/v1/feedback?limit=2".to_owned();
    loop {
        let (status, page) = app.get(&app.admin_token, &path).await;
        assert_eq!(status, 200);
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/feedback?limit=2&cursor={c}"),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (5, 5));
}

async fn duplicate_external_id_is_not_counted_twice(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let body = json!({"answers": {"nps": 9}, "external_id": "typeform-123"});
    app.answer(&survey, body.clone()).await;
    let (status, err) = app
        .post(
            &app.admin_token,
            &format!("/api/v1/surveys/{survey}/responses"),
            &body,
        )
        .await;
    assert_eq!(status, 409, "{err}");
    let (_, nps) = app.get(&app.admin_token, "/api/v1/metrics/nps").await;
    assert_eq!(nps["n"], 1);
}

async fn openapi_document_covers_every_route(b: Backend) {
    let app = TestApp::spawn(b).await;
    let res = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let doc: serde_json::Value = res.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for expected in [
        "/api/v1/surveys",
        "/api/v1/surveys/{id}/responses",
        "/api/v1/feedback",
        "/api/v1/metrics/{kind}",
    ] {
        assert!(
            paths.contains_key(expected),
            "{expected} missing from the document"
        );
    }
    // Every documented operation is routed: the router's fallback answers `no_route`.
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            let url = app.url(
                &path
                    .replace("{id}", "unknown")
                    .replace("{lang}", "ur")
                    .replace("{kind}", "nps")
                    .replace("{email}", "nobody@example.com"),
            );
            let req = match method.as_str() {
                "get" => app.client.get(&url),
                "post" => app.client.post(&url).json(&json!({})),
                "put" => app.client.put(&url).json(&json!({})),
                "patch" => app.client.patch(&url).json(&json!({})),
                "delete" => app.client.delete(&url),
                other => panic!("unexpected method {other}"),
            };
            let res = req.bearer_auth(&app.admin_token).send().await.unwrap();
            let status = res.status().as_u16();
            let body: serde_json::Value = res.json().await.unwrap_or_default();
            assert_ne!(
                body["error"]["code"], "no_route",
                "{method} {path} is documented but not routed"
            );
            assert!(status < 500, "{method} {path} gave {status}");
            assert_ne!(status, 405, "{method} {path} is documented but not routed");
        }
    }
    let (status, body) = app.get(&app.admin_token, "/api/v1/nothing-here").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("no_route"))
    );
}

async fn hostile_inputs_are_stored_byte_for_byte(b: Backend) {
    let Some(data) = crate::helpers::shared_data("hostile-inputs.jsonl") else {
        return;
    };
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = entry["text"].as_str().unwrap();
        let (status, body) = app
            .post(
                &app.admin_token,
                &format!("/api/v1/surveys/{survey}/responses"),
                &json!({"answers": {"nps": 5, "why": text}}),
            )
            .await;
        if text.contains('\0') {
            // PostgreSQL text cannot hold NUL: refused at the edge, naming the field.
            assert_eq!(status, 422, "{}: {body}", entry["case"]);
            assert_eq!(body["error"]["fields"][0]["field"], "answers.why");
            continue;
        }
        assert_eq!(status, 201, "{}: {body}", entry["case"]);
        let (_, fetched) = app
            .get(
                &app.admin_token,
                &format!("/api/v1/responses/{}", body["id"].as_str().unwrap()),
            )
            .await;
        if text.trim().is_empty() {
            assert!(
                fetched["answers"].get("why").is_none(),
                "blank comments are not stored as answers"
            );
        } else {
            assert_eq!(
                fetched["answers"]["why"], text,
                "{} is kept byte for byte",
                entry["case"]
            );
        }
    }
}

async fn unknown_fields_and_values_are_422_naming_them(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let invitations = format!("/api/v1/surveys/{survey}/invitations");
    let responses = format!("/api/v1/surveys/{survey}/responses");
    let question = json!({"key": "nps", "type": "nps", "text": {"en": "?"}});
    for (path, body, field) in [
        (
            invitations.as_str(),
            json!({"email": "a@example.com", "langauge": "ur"}),
            "langauge",
        ),
        (
            invitations.as_str(),
            json!({"emial": "a@example.com"}),
            "emial",
        ),
        (
            invitations.as_str(),
            json!({"contact": {"email": "a@example.com"}}),
            "contact",
        ),
        (
            "/api/v1/surveys",
            json!({"name": "S", "questions": [question], "colour": "red"}),
            "colour",
        ),
        (
            "/api/v1/surveys",
            json!({"name": "S", "questions": [{"key": "nps", "type": "nps", "text": {"en": "?"}, "hint": "x"}]}),
            "questions[0].hint",
        ),
        (
            "/api/v1/surveys",
            json!({"name": "S", "questions": [question], "access": {"mode": "secret"}}),
            "access.mode",
        ),
        (
            responses.as_str(),
            json!({"answers": {"nps": 9}, "langauge": "ur"}),
            "langauge",
        ),
        (
            responses.as_str(),
            json!({"answers": {"nps": 9}, "contact": {"emial": "a@example.com"}}),
            "contact.emial",
        ),
        (
            "/api/v1/accounts",
            json!({"external_id": "A-1", "tier": "gold"}),
            "tier",
        ),
        (
            "/api/v1/contacts",
            json!({"email": "a@example.com", "company": "ACME"}),
            "company",
        ),
        (
            "/api/v1/sla-policies",
            json!({"name": "P", "first_response_minutes": 60, "resolution_minutes": 600, "default": true}),
            "default",
        ),
    ] {
        let (status, err) = app.post(&app.admin_token, path, &body).await;
        assert_eq!(status, 422, "{path} {body}: {err}");
        assert_eq!(err["error"]["code"], "invalid", "{err}");
        assert_eq!(
            err["error"]["fields"][0]["field"], field,
            "{path} {body}: {err}"
        );
    }
    // A closed set refuses values it does not hold, naming the parameter.
    for (path, field) in [
        ("/api/v1/feedback?band=bogus", "band"),
        ("/api/v1/feedback?channel=bogus", "channel"),
        ("/api/v1/feedback?match=bogus", "match"),
        ("/api/v1/cases?state=bogus", "state"),
        ("/api/v1/cases?status=bogus", "status"),
        ("/api/v1/feedback?limit=201", "limit"),
    ] {
        let (status, err) = app.get(&app.admin_token, path).await;
        assert_eq!(status, 422, "{path}: {err}");
        assert_eq!(err["error"]["fields"][0]["field"], field, "{path}: {err}");
    }
    let (_, invitation) = app
        .post(
            &app.admin_token,
            &invitations,
            &json!({"email": "a@example.com"}),
        )
        .await;
    assert!(invitation["url"].is_string(), "{invitation}");
}
