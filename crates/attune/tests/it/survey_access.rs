//! Per-survey access settings (security review finding 9): invitation-only and
//! one-answer-per-respondent surveys, invitations bound to their own contact and survey,
//! one-time form tokens and the "already answered" cookie against replayed anonymous answers,
//! and the validated `embed_origins` list.

use attune_domain::response::{Answer, Channel, NewResponse};
use attune_domain::text::Email;
use attune_storage::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{Backend, NOW_MS, TestApp};
use crate::on_both_backends;

on_both_backends!(
    invitation_only_survey_refuses_the_public_link_and_accepts_a_valid_invitation,
    one_per_respondent_refuses_a_second_answer_by_the_same_contact,
    an_invitation_cannot_answer_as_another_contact_or_another_survey,
    anonymous_duplicates_are_refused_but_a_late_first_answer_is_kept,
    access_settings_refuse_unknown_fields_and_bad_origins_naming_the_field,
    another_organisation_cannot_read_or_change_access_settings,
    the_survey_page_may_be_framed_only_by_its_embed_origins,
);

const DAY_MS: i64 = 86_400_000;

async fn put(app: &TestApp, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let res = app
        .client
        .put(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Creates an NPS survey (English and Urdu) with the given access settings.
async fn survey_with(app: &TestApp, access: Value) -> String {
    let (status, body) = app
        .post(&app.admin_token, "/api/v1/surveys", &json!({
            "name": "Relationship",
            "default_language": "en",
            "questions": [
                {"key": "nps", "type": "nps", "text": {"en": "How likely…?", "ur": "آپ ہمیں تجویز کرنے کا کتنا امکان رکھتے ہیں؟"}},
                {"key": "why", "type": "text", "text": {"en": "Why?", "ur": "کیوں؟"}}
            ],
            "access": access,
        }))
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().expect("id").to_owned()
}

/// A personal link for `email`: (invitation id, url, token).
async fn invite(app: &TestApp, survey: &str, email: &str) -> (String, String, String) {
    let (status, inv) = app
        .post(
            &app.admin_token,
            &format!("/api/v1/surveys/{survey}/invitations"),
            &json!({ "email": email }),
        )
        .await;
    assert_eq!(status, 201, "{inv}");
    let url = inv["url"].as_str().unwrap().to_owned();
    let token = url.split("t=").nth(1).unwrap().to_owned();
    (inv["id"].as_str().unwrap().to_owned(), url, token)
}

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let res = app
        .client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn nps_n(app: &TestApp, survey: &str) -> u64 {
    let (_, m) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/metrics/nps?survey={survey}"),
        )
        .await;
    m["n"].as_u64().unwrap_or(0)
}

/// The value of the hidden one-time form token in a rendered survey page.
fn form_token(html: &str) -> String {
    let at = html
        .find("name=\"ft\" value=\"")
        .unwrap_or_else(|| panic!("no form token in {html}"));
    let rest = &html[at + "name=\"ft\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn invitation_only_survey_refuses_the_public_link_and_accepts_a_valid_invitation(b: Backend) {
    let app = TestApp::spawn(b).await;
    // Existing behaviour stays the default.
    let open = app.nps_survey(&app.admin_token).await;
    let (_, shown) = app
        .get(&app.admin_token, &format!("/api/v1/surveys/{open}"))
        .await;
    assert_eq!(shown["access"]["mode"], "public", "{shown}");
    assert_eq!(shown["access"]["anonymous_dedup"], false);
    assert_eq!(shown["access"]["embed_origins"], json!([]));

    let survey = survey_with(&app, json!({"mode": "invitation"})).await;
    let (_, shown) = app
        .get(&app.admin_token, &format!("/api/v1/surveys/{survey}"))
        .await;
    assert_eq!(shown["access"]["mode"], "invitation", "{shown}");
    // The public link says so politely, in the respondent's language.
    let res = app
        .client
        .get(app.url(&format!("/s/{survey}")))
        .header("accept-language", "ur")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"ur\" dir=\"rtl\">"), "{html}");
    assert!(html.contains("صرف دعوت"), "{html}");
    assert!(!html.contains("<form"), "no form to fill: {html}");
    let (status, html) = post_form(
        &app,
        &format!("/s/{survey}"),
        &[("lang", "en"), ("q.nps", "0")],
    )
    .await;
    assert_eq!(status, 403, "{html}");
    assert!(html.contains("invitation only"), "{html}");
    assert_eq!(nps_n(&app, &survey).await, 0, "nothing stored");

    // A valid personal link works.
    let (_, url, token) = invite(&app, &survey, "noy@example.la").await;
    let res = app.client.get(app.url(&url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("<form"));
    let (status, html) = post_form(
        &app,
        &format!("/s/{survey}"),
        &[("t", &token), ("q.nps", "10")],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(nps_n(&app, &survey).await, 1);
    let (_, feed) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/feedback?survey={survey}"),
        )
        .await;
    assert_eq!(feed["items"][0]["contact"]["email"], "noy@example.la");
    // A forged token is still refused.
    let (status, _) = post_form(
        &app,
        &format!("/s/{survey}"),
        &[("t", &format!("{token}x")), ("q.nps", "10")],
    )
    .await;
    assert_eq!(status, 403);

    // Switching back to public opens the link again.
    let (status, body) = put(
        &app,
        &app.admin_token,
        &format!("/api/v1/surveys/{survey}/access"),
        &json!({"mode": "public"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mode"], "public");
    let res = app
        .client
        .get(app.url(&format!("/s/{survey}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn one_per_respondent_refuses_a_second_answer_by_the_same_contact(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = survey_with(&app, json!({"mode": "one_per_respondent"})).await;
    // Anonymous visitors are not known respondents.
    let res = app
        .client
        .get(app.url(&format!("/s/{survey}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Two invitations for the same person: only one answer counts.
    let (_, _, first) = invite(&app, &survey, "simran@example.in").await;
    let (_, _, second) = invite(&app, &survey, "simran@example.in").await;
    let (status, html) = post_form(
        &app,
        &format!("/s/{survey}"),
        &[("t", &first), ("q.nps", "3"), ("q.why", "ਕੀਮਤ ਬਹੁਤ ਜ਼ਿਆਦਾ ਹੈ")],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let (status, html) = post_form(
        &app,
        &format!("/s/{survey}"),
        &[("t", &second), ("q.nps", "10")],
    )
    .await;
    assert_eq!(status, 409, "{html}");
    assert!(html.contains("already answered"), "{html}");
    // Someone else answers fine.
    let (_, _, other) = invite(&app, &survey, "noy@example.la").await;
    let (status, _) = post_form(
        &app,
        &format!("/s/{survey}"),
        &[("t", &other), ("q.nps", "9")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(nps_n(&app, &survey).await, 2);
    // The same holds for known respondents through the API.
    let path = format!("/api/v1/surveys/{survey}/responses");
    let (status, body) = app
        .post(
            &app.admin_token,
            &path,
            &json!({"answers": {"nps": 8}, "contact": {"email": "rahim@example.bd"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = app
        .post(
            &app.admin_token,
            &path,
            &json!({"answers": {"nps": 0}, "contact": {"email": "rahim@Example.BD"}}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = app
        .post(
            &app.admin_token,
            &path,
            &json!({"answers": {"nps": 0}, "contact": {"email": "simran@example.in"}}),
        )
        .await;
    assert_eq!(status, 409, "the invited contact already answered");
    assert_eq!(nps_n(&app, &survey).await, 3);
}

async fn an_invitation_cannot_answer_as_another_contact_or_another_survey(b: Backend) {
    let app = TestApp::spawn(b).await;
    let x = app.nps_survey(&app.admin_token).await;
    let y = app.nps_survey(&app.admin_token).await;
    for (acc, email) in [("ACC-A", "a@a-corp.example"), ("ACC-B", "b@b-corp.example")] {
        let (s, body) = app
            .post(
                &app.admin_token,
                "/api/v1/accounts",
                &json!({"external_id": acc, "name": acc}),
            )
            .await;
        assert_eq!(s, 201, "{body}");
        let (s, body) = app
            .post(
                &app.admin_token,
                "/api/v1/contacts",
                &json!({"email": email, "account": acc}),
            )
            .await;
        assert!(s == 201 || s == 200, "{body}");
    }
    let (inv_id, _, token) = invite(&app, &x, "a@a-corp.example").await;
    // A token of survey X does not open or answer survey Y.
    let res = app
        .client
        .get(app.url(&format!("/s/{y}?t={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let (status, _) = post_form(&app, &format!("/s/{y}"), &[("t", &token), ("q.nps", "1")]).await;
    assert_eq!(status, 403);
    assert_eq!(nps_n(&app, &y).await, 0);
    // Form fields and query parameters naming someone else change nothing.
    let (status, html) = post_form(
        &app,
        &format!("/s/{x}?contact=b@b-corp.example&email=b@b-corp.example&account=ACC-B"),
        &[
            ("t", &token),
            ("q.nps", "2"),
            ("contact", "b@b-corp.example"),
            ("contact.email", "b@b-corp.example"),
            ("email", "b@b-corp.example"),
            ("contact_id", "b"),
            ("account", "ACC-B"),
            ("account.external_id", "ACC-B"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let (_, feed) = app
        .get(&app.admin_token, &format!("/api/v1/feedback?survey={x}"))
        .await;
    assert_eq!(feed["items"][0]["contact"]["email"], "a@a-corp.example");
    let (_, acc_a) = app.get(&app.admin_token, "/api/v1/accounts/ACC-A").await;
    assert_eq!(feed["items"][0]["account_id"], acc_a["id"], "{feed}");
    // Even a caller of the store that names another contact and account gets the invited
    // contact: the binding is made server-side, in the response's transaction.
    let (inv2, _, _) = invite(&app, &x, "a@a-corp.example").await;
    let survey = app.store.survey(&app.org_id, &x).await.unwrap();
    let mut answers = std::collections::BTreeMap::new();
    answers.insert("nps".to_owned(), Answer::Score(5));
    let forged = NewResponse {
        answers,
        language: None,
        channel: Channel::Link,
        contact_email: Some(Email::parse("b@b-corp.example").unwrap()),
        contact_name: None,
        account_external_id: Some("ACC-B".into()),
        account_name: None,
        submitted_at_ms: NOW_MS,
        metadata: serde_json::Map::new(),
        dedup_key: None,
    };
    let stored = app
        .store
        .insert_response(&app.org_id, &survey, &forged, Some(&inv2), NOW_MS)
        .await
        .unwrap();
    let a = app
        .store
        .contact_by_email(&app.org_id, "a@a-corp.example")
        .await
        .unwrap();
    assert_eq!(stored.contact_id.as_deref(), Some(a.id.as_str()));
    assert_eq!(
        stored.account_id, a.account_id,
        "the invited contact's account"
    );
    // The first invitation is used up, and cannot be replayed on Y through the store either.
    let other = app.store.survey(&app.org_id, &y).await.unwrap();
    assert!(
        app.store
            .insert_response(&app.org_id, &other, &forged, Some(&inv_id), NOW_MS)
            .await
            .is_err()
    );
    assert_eq!(nps_n(&app, &y).await, 0);
}

async fn anonymous_duplicates_are_refused_but_a_late_first_answer_is_kept(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = survey_with(&app, json!({"anonymous_dedup": true})).await;
    let path = format!("/s/{survey}");
    let html = app
        .client
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let ft = form_token(&html);
    let fields = [
        ("lang", "en"),
        ("ft", ft.as_str()),
        ("q.nps", "10"),
        ("q.why", "Fast and friendly"),
    ];
    let res = app
        .client
        .post(app.url(&path))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(&format!("attune_answered_{survey}=")))
        .expect("a cookie marks this browser as having answered");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    let cookie = cookie.split(';').next().unwrap().to_owned();
    // The same form posted again (a replay, without the cookie) is refused.
    let (status, html) = post_form(&app, &path, &fields).await;
    assert_eq!(status, 409, "{html}");
    assert_eq!(nps_n(&app, &survey).await, 1);
    // The same browser coming back sees that it already answered.
    let res = app
        .client
        .get(app.url(&path))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("already answered"), "{html}");
    assert!(!html.contains("<form"), "{html}");

    // A first-time respondent whose form token expired keeps what they typed.
    let html = app
        .client
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let old = form_token(&html);
    app.clock.set(NOW_MS + 3 * DAY_MS);
    let (status, html) = post_form(
        &app,
        &path,
        &[
            ("lang", "en"),
            ("ft", old.as_str()),
            ("q.nps", "4"),
            ("q.why", "the typed words stay"),
        ],
    )
    .await;
    assert_eq!(status, 422, "re-rendered, not stored: {html}");
    assert!(html.contains("the typed words stay"), "{html}");
    assert!(html.contains("value=\"4\" checked"), "{html}");
    let fresh = form_token(&html);
    assert_ne!(fresh, old);
    assert_eq!(nps_n(&app, &survey).await, 1);
    let (status, html) = post_form(
        &app,
        &path,
        &[
            ("lang", "en"),
            ("ft", fresh.as_str()),
            ("q.nps", "4"),
            ("q.why", "the typed words stay"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(nps_n(&app, &survey).await, 2);
    // A missing token, or one made for another survey, also re-renders rather than loses.
    let (status, html) = post_form(&app, &path, &[("lang", "en"), ("q.nps", "7")]).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("value=\"7\" checked"), "{html}");
    form_token(&html);
    let elsewhere = survey_with(&app, json!({"anonymous_dedup": true})).await;
    let html = app
        .client
        .get(app.url(&format!("/s/{elsewhere}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let foreign = form_token(&html);
    let (status, _) = post_form(
        &app,
        &path,
        &[("lang", "en"), ("ft", foreign.as_str()), ("q.nps", "7")],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(nps_n(&app, &survey).await, 2);
}

async fn access_settings_refuse_unknown_fields_and_bad_origins_naming_the_field(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let path = format!("/api/v1/surveys/{survey}/access");
    let many: Vec<String> = (0..21).map(|i| format!("https://s{i}.example")).collect();
    for (body, field) in [
        (json!({"mode": "public", "colour": "red"}), "colour"),
        (json!({"mode": "secret"}), "mode"),
        (
            json!({"embed_origins": ["https://ok.example", "https://x.example/path"]}),
            "embed_origins[1]",
        ),
        (json!({ "embed_origins": many }), "embed_origins"),
    ] {
        let (status, err) = put(&app, &app.admin_token, &path, &body).await;
        assert_eq!(status, 422, "{body}: {err}");
        assert_eq!(err["error"]["fields"][0]["field"], field, "{body}: {err}");
    }
    // Each of these origins alone is refused, naming its place in the list.
    for origin in [
        "*",
        "javascript:alert(1)",
        "https://*.com",
        "http://*.example.com",
        "https://a.*.example.com",
        "ftp://a.example",
        "https://a.example:99999",
        "https://u@a.example",
        "https://a.example?x=1",
        "https://a.example/",
        "https://a example",
    ] {
        let body = json!({"embed_origins": [origin]});
        let (status, err) = put(&app, &app.admin_token, &path, &body).await;
        assert_eq!(status, 422, "{body}: {err}");
        assert_eq!(
            err["error"]["fields"][0]["field"], "embed_origins[0]",
            "{body}: {err}"
        );
    }
    // At creation, the fields are named inside `access`.
    for (access, field) in [
        (
            json!({"embed_origins": ["https://a.example/b"]}),
            "access.embed_origins[0]",
        ),
        (json!({"mode": "everyone"}), "access.mode"),
    ] {
        let (status, err) = app
            .post(
                &app.admin_token,
                "/api/v1/surveys",
                &json!({
                    "name": "S", "questions": [{"key": "nps", "type": "nps", "text": {"en": "?"}}],
                    "access": access,
                }),
            )
            .await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(err["error"]["fields"][0]["field"], field, "{err}");
    }
    let (status, err) = app
        .post(
            &app.admin_token,
            "/api/v1/surveys",
            &json!({
                "name": "S", "questions": [{"key": "nps", "type": "nps", "text": {"en": "?"}}],
                "access": {"mode": "public", "frame": "x"},
            }),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    assert!(
        err["error"]["message"].as_str().unwrap().contains("frame"),
        "{err}"
    );
    // Nothing was changed by the refused updates.
    let (_, shown) = app.get(&app.admin_token, &path).await;
    assert_eq!(
        shown,
        json!({"mode": "public", "anonymous_dedup": false, "embed_origins": []})
    );
    // Good origins are kept, normalised; unnamed settings stay as they were.
    let (status, saved) = put(
        &app,
        &app.admin_token,
        &path,
        &json!({"anonymous_dedup": true, "embed_origins": ["https://Shop.Example.com", "http://localhost:8080", "https://*.example.org", "https://shop.example.com"]}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        saved,
        json!({"mode": "public", "anonymous_dedup": true,
               "embed_origins": ["https://shop.example.com", "http://localhost:8080", "https://*.example.org"]})
    );
    let (status, saved) = put(
        &app,
        &app.admin_token,
        &path,
        &json!({"mode": "invitation"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(saved["anonymous_dedup"], true);
    assert_eq!(saved["embed_origins"].as_array().unwrap().len(), 3);
    let (_, shown) = app
        .get(&app.admin_token, &format!("/api/v1/surveys/{survey}"))
        .await;
    assert_eq!(shown["access"], saved);
    // Viewers read but do not change.
    let (status, _) = app.get(&app.viewer_token, &path).await;
    assert_eq!(status, 200);
    let (status, _) = put(&app, &app.viewer_token, &path, &json!({"mode": "public"})).await;
    assert_eq!(status, 403);
}

async fn another_organisation_cannot_read_or_change_access_settings(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = survey_with(
        &app,
        json!({"mode": "invitation", "embed_origins": ["https://acme.example"]}),
    )
    .await;
    let (_, b_token) = app.other_org("Beta").await;
    let path = format!("/api/v1/surveys/{survey}/access");
    let (status, body) = app.get(&b_token, &path).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = put(&app, &b_token, &path, &json!({"mode": "public"})).await;
    assert_eq!(status, 404, "{body}");
    let (_, shown) = app.get(&app.admin_token, &path).await;
    assert_eq!(shown["mode"], "invitation");
    assert_eq!(shown["embed_origins"], json!(["https://acme.example"]));
    let res = app
        .client
        .get(app.url(&format!("/s/{survey}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "still invitation-only");
}

async fn the_survey_page_may_be_framed_only_by_its_embed_origins(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = survey_with(
        &app,
        json!({"embed_origins": ["https://shop.example", "https://*.partner.example:8443"]}),
    )
    .await;
    let csp = |res: &reqwest::Response| {
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    let page = app
        .client
        .get(app.url(&format!("/s/{survey}")))
        .send()
        .await
        .unwrap();
    assert!(
        csp(&page).ends_with("frame-ancestors https://shop.example https://*.partner.example:8443"),
        "{}",
        csp(&page)
    );
    // The thank-you page that replaces the form inside the frame carries it too.
    let thanks = app
        .client
        .post(app.url(&format!("/s/{survey}")))
        .form(&[("q.nps", "9"), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert!(
        csp(&thanks).contains("https://shop.example"),
        "{}",
        csp(&thanks)
    );
    // Emptied, no one may frame it; other pages never may.
    let (status, body) = put(
        &app,
        &app.admin_token,
        &format!("/api/v1/surveys/{survey}/access"),
        &json!({"embed_origins": []}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let page = app
        .client
        .get(app.url(&format!("/s/{survey}")))
        .send()
        .await
        .unwrap();
    assert!(
        csp(&page).ends_with("frame-ancestors 'none'"),
        "{}",
        csp(&page)
    );
    let login = app.client.get(app.url("/login")).send().await.unwrap();
    assert!(csp(&login).ends_with("frame-ancestors 'none'"));
}
