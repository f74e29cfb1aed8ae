//! NUL (U+0000) anywhere in a request is bad input, never a 500: PostgreSQL `TEXT` cannot hold
//! it, so before it was refused at the edge 19 of 24 routes tried failed there. Every route is
//! tried with NUL in the path, in the query and in the body, on both backends.

use attune_storage::StoreError;
use attune_storage::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use crate::route_table::{Kind, ROUTES, Route};

on_both_backends!(
    nul_in_path_query_or_body_of_any_route_is_never_a_5xx,
    nul_is_refused_naming_the_field,
    pages_answer_nul_with_their_html_page,
    json_without_json_content_type_is_415,
    storage_refuses_nul_as_invalid_input_not_an_internal_error,
);

/// Query parameter names the routes read (each is tried alone).
const QUERY_KEYS: &[&str] = &[
    "account",
    "survey",
    "question",
    "q",
    "lang",
    "t",
    "from",
    "to",
    "band",
    "language",
    "channel",
    "cursor",
    "owner",
    "state",
    "status",
    "response",
    "period",
    "as_of",
    "attribute",
    "period_start",
    "which",
    "all",
    "interval",
    "by",
    "\u{0}",
];

/// JSON bodies with NUL in a string, per route (other write routes get `{"name": "\u0000"}`).
fn json_bodies(path: &str) -> Vec<Value> {
    let nul = "a\u{0}b";
    match path {
        "/api/v1/surveys" => vec![
            json!({"name": nul, "default_language": "en", "questions": [{"key": "nps", "type": "nps", "text": {"en": "?"}}]}),
            json!({"name": "x", "default_language": "en", "questions": [{"key": "nps", "type": "nps", "text": {"en": nul}}]}),
        ],
        "/api/v1/surveys/{id}/responses" => vec![
            json!({"answers": {"nps": 5, "why": nul}}),
            json!({"answers": {"nps": 5}, "external_id": nul}),
            json!({"answers": {"nps": 5}, "account": {"external_id": nul}}),
            json!({"answers": {"nps": 5}, "contact": {"email": "a@example.com", "name": nul}}),
            json!({"answers": {"nps": 5}, "metadata": {"k": nul}}),
            json!({"answers": {"nps": 5}, "metadata": {nul: "v"}}),
            json!({"answers": {"nps": 5}, "language": nul}),
        ],
        "/api/v1/surveys/{id}/invitations" => vec![json!({"email": "a\u{0}@example.com"})],
        "/api/v1/accounts" => vec![
            json!({"external_id": nul, "name": "x"}),
            json!({"external_id": "A-1", "name": nul, "plan": nul}),
            json!({"external_id": "A-2", "attributes": {"tier": nul}}),
        ],
        "/api/v1/contacts" => vec![
            json!({"email": "c@example.com", "name": nul}),
            json!({"email": "c@example.com", "account": nul}),
        ],
        "/api/v1/cases/{id}" => vec![json!({"state": nul}), json!({"owner": nul})],
        "/api/v1/cases/{id}/notes" => vec![json!({"text": nul})],
        "/api/v1/loop/settings" => {
            vec![json!({"digest_emails": ["a\u{0}@example.com"], "digest_hour": 9})]
        }
        "/api/v1/rules" | "/api/v1/rules/{id}" => vec![
            json!({"name": nul, "conditions": [{"type": "band", "band": "detractor"}]}),
            json!({"name": "r", "conditions": [{"type": "comment", "any": [nul]}]}),
        ],
        "/api/v1/sla-policies" | "/api/v1/sla-policies/{id}" => {
            vec![json!({"name": nul, "first_response_minutes": 60, "resolution_minutes": 600})]
        }
        "/api/v1/teams" => vec![json!({"name": nul}), json!({"name": "t", "members": [nul]})],
        "/api/v1/root-causes" => vec![json!({"items": [nul]})],
        "/api/v1/templates/resolution/{lang}" => vec![json!({"subject": nul, "body": "b"})],
        "/api/v1/webhooks" => {
            vec![json!({"url": "https://example.com/\u{0}", "events": ["case.opened"]})]
        }
        "/api/v1/subscriptions" => vec![
            json!([{"account_external_id": nul, "start_date": "2026-01-01", "mrr": 10}]),
            json!([{"account_external_id": "A", "start_date": "2026-01-01", "mrr": 10, "product": nul}]),
        ],
        "/api/v1/activity" => vec![json!([{"account_external_id": nul, "date": "2026-01-01"}])],
        _ => vec![json!({"name": nul})],
    }
}

/// Form bodies with NUL in a field, per page.
fn form_bodies(path: &str, csrf: &str) -> Vec<Vec<(String, String)>> {
    let f = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).replace("CSRF", csrf)))
            .collect()
    };
    let nul = "a\u{0}b";
    match path {
        "/login" => vec![
            f(&[("csrf", "CSRF"), ("email", nul), ("password", "x")]),
            f(&[
                ("csrf", "CSRF"),
                ("email", "a@example.com"),
                ("password", nul),
            ]),
            f(&[("csrf", nul), ("email", "a@example.com"), ("password", "x")]),
        ],
        "/logout" => vec![f(&[("csrf", nul)])],
        "/cases/{id}" => vec![
            f(&[("csrf", "CSRF"), ("action", "note"), ("note", nul)]),
            f(&[("csrf", "CSRF"), ("action", "update"), ("state", nul)]),
            f(&[("csrf", "CSRF"), ("action", nul)]),
        ],
        "/settings/loop" => vec![
            f(&[
                ("csrf", "CSRF"),
                ("action", "add_rule"),
                ("name", nul),
                ("kind", "comment"),
                ("value", nul),
            ]),
            f(&[
                ("csrf", "CSRF"),
                ("action", "toggle_rule"),
                ("rule_id", nul),
            ]),
            f(&[
                ("csrf", "CSRF"),
                ("action", "root_causes"),
                ("root_causes", nul),
            ]),
            f(&[
                ("csrf", "CSRF"),
                ("action", "digest"),
                ("digest_emails", nul),
            ]),
        ],
        "/s/{id}" => vec![
            f(&[("lang", "en"), ("q.nps", "5"), ("q.why", nul)]),
            f(&[("lang", nul), ("q.nps", "5")]),
            f(&[("t", nul), ("q.nps", "5")]),
            f(&[("q.nps", nul)]),
            f(&[("q.\u{0}", "x"), ("q.nps", "5")]),
        ],
        _ => vec![f(&[("csrf", "CSRF"), ("name", nul)])],
    }
}

/// The standard test survey and a logged-in page session.
struct Fixture {
    app: TestApp,
    survey: String,
    cookie: String,
    csrf: String,
}

impl Fixture {
    async fn new(b: Backend) -> Self {
        let app = TestApp::spawn(b).await;
        let survey = app.nps_survey(&app.admin_token).await;
        let cookie = crate::pages::login(&app).await;
        let html = app
            .client
            .get(app.url("/settings/loop"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("the page carries the session's CSRF token")
            .to_owned();
        Self {
            app,
            survey,
            cookie,
            csrf,
        }
    }

    /// A route's path with real ids (or "unknown") in its placeholders.
    fn real_path(&self, r: &Route) -> String {
        let id = if r.path.contains("/s/") || r.path.starts_with("/api/v1/surveys/") {
            self.survey.as_str()
        } else {
            "unknown"
        };
        r.path
            .replace("{id}", id)
            .replace("{kind}", "nps")
            .replace("{lang}", "ur")
    }

    fn request(&self, r: &Route, path_and_query: &str) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(r.method.as_bytes()).unwrap();
        let req = self
            .app
            .client
            .request(method, self.app.url(path_and_query));
        match r.kind {
            Kind::Api => req.bearer_auth(&self.app.admin_token),
            Kind::Page => req.header("cookie", &self.cookie),
        }
    }

    /// The request with a harmless body for its method.
    fn with_plain_body(&self, r: &Route, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match (r.method, r.kind) {
            ("GET" | "DELETE", _) => req,
            (_, Kind::Api) => req.json(&json!({})),
            (_, Kind::Page) => req.form(&[("csrf", self.csrf.as_str())]),
        }
    }
}

/// Sends and records `what` when the answer is a 5xx.
async fn expect_no_5xx(req: reqwest::RequestBuilder, what: String, failures: &mut Vec<String>) {
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    if status >= 500 {
        let body = res.text().await.unwrap_or_default();
        failures.push(format!("{what} -> {status} {body}"));
    }
}

async fn nul_in_path_query_or_body_of_any_route_is_never_a_5xx(b: Backend) {
    let fx = Fixture::new(b).await;
    let mut failures = Vec::new();
    for r in ROUTES {
        // In the path: every placeholder, or a path without any, carries a NUL.
        let path = if r.path.contains('{') {
            r.path
                .replace("{id}", "a%00b")
                .replace("{kind}", "nps%00")
                .replace("{lang}", "ur%00")
        } else {
            format!("{}/%00", r.path.trim_end_matches('/'))
        };
        let req = fx.with_plain_body(r, fx.request(r, &path));
        expect_no_5xx(req, format!("{} {path}", r.method), &mut failures).await;
        // In the query, one parameter at a time.
        let real = fx.real_path(r);
        for key in QUERY_KEYS {
            let key = key.replace('\0', "%00");
            let url = format!("{real}?{key}=%00x");
            let req = fx.with_plain_body(r, fx.request(r, &url));
            expect_no_5xx(req, format!("{} {url}", r.method), &mut failures).await;
        }
        // In the body.
        match (r.method, r.kind) {
            ("GET" | "DELETE", _) => {}
            (_, Kind::Api) => {
                for body in json_bodies(r.path) {
                    let req = fx.request(r, &real).json(&body);
                    expect_no_5xx(req, format!("{} {real} {body}", r.method), &mut failures).await;
                }
            }
            (_, Kind::Page) => {
                for form in form_bodies(r.path, &fx.csrf) {
                    let mut req = fx.request(r, &real).form(&form);
                    if r.path == "/login" {
                        req = login_request(&fx, &form).await;
                    }
                    expect_no_5xx(req, format!("{} {real} {form:?}", r.method), &mut failures)
                        .await;
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} requests with NUL answered 5xx:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `POST /login` with the login form's CSRF cookie (and its token in the form).
async fn login_request(fx: &Fixture, form: &[(String, String)]) -> reqwest::RequestBuilder {
    let res = fx
        .app
        .client
        .get(fx.app.url("/login"))
        .send()
        .await
        .unwrap();
    let pair = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("attune_login_csrf="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let token = pair.split_once('=').unwrap().1.to_owned();
    let form: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| (k.clone(), v.replace(&fx.csrf, &token)))
        .collect();
    fx.app
        .client
        .post(fx.app.url("/login"))
        .header("cookie", pair)
        .form(&form)
}

/// The `field`s of a 422 answer.
fn fields(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn nul_is_refused_naming_the_field(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let (status, body) = app
        .get(&app.admin_token, "/api/v1/feedback?account=%00x")
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["account"], "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("NUL"),
        "{body}"
    );
    let responses = format!("/api/v1/surveys/{survey}/responses");
    for (body, field) in [
        (
            json!({"answers": {"nps": 5, "why": "a\u{0}b"}}),
            "answers.why",
        ),
        (
            json!({"answers": {"nps": 5}, "account": {"external_id": "\u{0}"}}),
            "account.external_id",
        ),
        (
            json!({"answers": {"nps": 5}, "metadata": {"tags": ["ok", "\u{0}"]}}),
            "metadata.tags[1]",
        ),
    ] {
        let (status, err) = app.post(&app.admin_token, &responses, &body).await;
        assert_eq!(status, 422, "{body} -> {err}");
        assert_eq!(fields(&err), [field], "{err}");
    }
    let (status, err) = app
        .post(
            &app.admin_token,
            "/api/v1/subscriptions",
            &json!([{"account_external_id": "A", "start_date": "2026-01-01"}, {"account_external_id": "B\u{0}"}]),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(fields(&err), ["[1].account_external_id"], "{err}");
    // In the path: there is nothing to name, so it is a 400.
    let (status, err) = app.get(&app.admin_token, "/api/v1/surveys/a%00b").await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["error"]["code"], "bad_request");
    // A backslash before `u0000` is text, not NUL: accepted and kept.
    let created = app
        .answer(&survey, json!({"answers": {"nps": 5, "why": "C:\\u0000"}}))
        .await;
    assert_eq!(created["answers"]["why"], "C:\\u0000");
}

async fn pages_answer_nul_with_their_html_page(b: Backend) {
    let fx = Fixture::new(b).await;
    let app = &fx.app;
    let html_of = |res: reqwest::Response| async move {
        let status = res.status().as_u16();
        let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with("text/html"), "{status} {ct}");
        (status, res.text().await.unwrap())
    };
    // A public survey address with NUL.
    let (status, html) = html_of(app.client.get(app.url("/s/a%00b")).send().await.unwrap()).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("NUL"), "{html}");
    let (status, html) = html_of(
        app.client
            .get(app.url(&format!("/s/{}?lang=%00", fx.survey)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("lang") && html.contains("NUL"), "{html}");
    // The survey form comes back with the problem and the survey's questions.
    let (status, html) = html_of(
        app.client
            .post(app.url(&format!("/s/{}", fx.survey)))
            .form(&[("lang", "en"), ("q.nps", "5"), ("q.why", "a\u{0}b")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("Why?: ") && html.contains("NUL"), "{html}");
    assert!(html.contains("<form method=\"post\""), "{html}");
    // The login form comes back with the problem.
    let form = vec![
        ("csrf".to_owned(), fx.csrf.clone()),
        ("email".to_owned(), "lead\u{0}@acme.example".to_owned()),
        ("password".to_owned(), "x".to_owned()),
    ];
    let (status, html) = html_of(login_request(&fx, &form).await.send().await.unwrap()).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("Log in to Attune") && html.contains("NUL"),
        "{html}"
    );
    // A logged-in page form shows the problem on its page.
    let (status, html) = html_of(
        app.client
            .post(app.url("/settings/loop"))
            .header("cookie", &fx.cookie)
            .form(&[
                ("csrf", fx.csrf.as_str()),
                ("action", "root_causes"),
                ("root_causes", "late\u{0}"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(status == 200 || status == 422, "{status} {html}");
    assert!(
        html.contains("root_causes: ") && html.contains("NUL"),
        "{html}"
    );
    // A page's query with NUL.
    let (status, html) = html_of(
        app.client
            .get(app.url("/feedback?account=%00"))
            .header("cookie", &fx.cookie)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("account") && html.contains("NUL"), "{html}");
}

async fn json_without_json_content_type_is_415(b: Backend) {
    let app = TestApp::spawn(b).await;
    let body = r#"{"name": "x", "default_language": "en", "questions": []}"#;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let mut req = app
            .client
            .post(app.url("/api/v1/surveys"))
            .bearer_auth(&app.admin_token)
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 415, "{content_type:?}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["error"]["code"], "unsupported_media_type", "{err}");
        assert!(
            err["error"]["message"]
                .as_str()
                .unwrap()
                .contains("application/json"),
            "{err}"
        );
    }
    let res = app
        .client
        .post(app.url("/api/v1/surveys"))
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 415, "a charset parameter is fine");
}

async fn storage_refuses_nul_as_invalid_input_not_an_internal_error(b: Backend) {
    let app = TestApp::spawn(b).await;
    // Past the HTTP edge (CLI imports, the worker), storage itself answers bad input.
    match app.store.user_for_login("lead\u{0}@acme.example").await {
        Err(StoreError::NotFound | StoreError::Invalid(_)) => {}
        other => panic!("expected not found or invalid, got {other:?}"),
    }
    match app.store.create_org("Acme\u{0}").await {
        Ok(_) | Err(StoreError::Invalid(_)) => {}
        Err(e) => panic!("expected invalid input, got {e:?}"),
    }
}
