//! Pages: login with CSRF, the dashboard chart, the public survey page, escaping.

use attune_domain::org::Role;
use attune_storage::prelude::*;
use serde_json::json;

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    login_then_dashboard_shows_the_nps_chart,
    public_survey_page_speaks_the_respondents_language,
    invitation_links_cannot_be_forged_or_reused,
    user_text_is_escaped_in_the_feed_page,
);

/// Posts the login form, with the CSRF cookie when given.
async fn post_login(
    app: &TestApp,
    cookie: Option<&str>,
    csrf: &str,
    password: &str,
) -> reqwest::Response {
    let mut req = app.client.post(app.url("/login"));
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    req.form(&[
        ("csrf", csrf),
        ("email", "lead@acme.example"),
        ("password", password),
    ])
    .send()
    .await
    .unwrap()
}

/// Logs a user in through the form; returns the session cookie pair.
pub async fn login(app: &TestApp) -> String {
    let hash = attune_web::auth::hash_password("correct horse battery".into())
        .await
        .unwrap();
    app.store
        .create_user(&app.org_id, "lead@acme.example", &hash, Role::Admin)
        .await
        .unwrap();
    let res = app.client.get(app.url("/login")).send().await.unwrap();
    let csrf_cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("attune_login_csrf="))
        .unwrap();
    let csrf_pair = csrf_cookie.split(';').next().unwrap().to_owned();
    let csrf = csrf_pair.split_once('=').unwrap().1.to_owned();
    let html = res.text().await.unwrap();
    assert!(html.contains(&csrf), "the form carries the CSRF token");
    // Without the cookie the form is refused.
    let res = post_login(app, None, &csrf, "correct horse battery").await;
    assert_eq!(res.status(), 401);
    let res = post_login(app, Some(&csrf_pair), &csrf, "wrong password!").await;
    assert_eq!(res.status(), 401);
    let res = post_login(app, Some(&csrf_pair), &csrf, "correct horse battery").await;
    assert_eq!(res.status(), 303);
    let session = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("attune_session="))
        .unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    session.split(';').next().unwrap().to_owned()
}

async fn login_then_dashboard_shows_the_nps_chart(b: Backend) {
    let app = TestApp::spawn(b).await;
    let res = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        res.status(),
        303,
        "anonymous visitors are sent to the login page"
    );
    let survey = app.nps_survey(&app.admin_token).await;
    for (day, score) in [("2026-10-05", 9), ("2026-11-05", 3), ("2026-11-06", 10)] {
        app.answer(
            &survey,
            json!({"answers": {"nps": score}, "submitted_at": format!("{day}T09:00:00Z")}),
        )
        .await;
    }
    let cookie = login(&app).await;
    let html = app
        .client
        .get(app.url("/"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<svg id=\"nps-trend\""), "{html}");
    assert!(
        html.contains("n=2") && html.contains("n=1"),
        "n is visible per month"
    );
    assert!(html.contains("95% CI"), "the interval is visible");
    // Logging out needs the session's CSRF token.
    let res = app
        .client
        .post(app.url("/logout"))
        .header("cookie", &cookie)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

async fn public_survey_page_speaks_the_respondents_language(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let html = app
        .client
        .get(app.url(&format!("/s/{survey}")))
        .header("accept-language", "ur-PK,ur;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"ur\" dir=\"rtl\">"), "{html}");
    assert!(html.contains("آپ ہمیں تجویز کرنے کا کتنا امکان رکھتے ہیں؟"));
    let html = app
        .client
        .get(app.url(&format!("/s/{survey}?lang=en")))
        .header("accept-language", "ur")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<html lang=\"en\" dir=\"ltr\">"),
        "?lang= wins over Accept-Language"
    );
    let html = app
        .client
        .get(app.url(&format!("/s/{survey}")))
        .header("accept-language", "fr")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("lang=\"en\""),
        "falls back to the default language"
    );
    // Submitting the form without JavaScript.
    let res = app
        .client
        .post(app.url(&format!("/s/{survey}")))
        .form(&[("lang", "ur"), ("q.nps", "4"), ("q.why", "جواب دیر سے آیا")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("شکریہ"));
    let (_, feed) = app.get(&app.admin_token, "/api/v1/feedback").await;
    assert_eq!(feed["items"][0]["channel"], "link");
    assert_eq!(feed["items"][0]["language"], "ur");
    assert_eq!(feed["items"][0]["answers"]["why"], "جواب دیر سے آیا");
    // A bad answer re-renders the form with the error, keeping what was typed.
    let res = app
        .client
        .post(app.url(&format!("/s/{survey}")))
        .form(&[("lang", "en"), ("q.nps", "12"), ("q.why", "kept text")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("0 to 10") && html.contains("kept text"));
    let res = app
        .client
        .get(app.url("/s/does-not-exist"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

async fn invitation_links_cannot_be_forged_or_reused(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let (status, inv) = app
        .post(
            &app.admin_token,
            &format!("/api/v1/surveys/{survey}/invitations"),
            &json!({"email": "noy@example.la"}),
        )
        .await;
    assert_eq!(status, 201, "{inv}");
    let url = inv["url"].as_str().unwrap();
    let token = url.split("t=").nth(1).unwrap();
    let res = app.client.get(app.url(url)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let forged = format!("{}x", token);
    let res = app
        .client
        .post(app.url(&format!("/s/{survey}")))
        .form(&[("t", forged.as_str()), ("q.nps", "10")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "a tampered token is refused");
    let res = app
        .client
        .post(app.url(&format!("/s/{survey}")))
        .form(&[("t", token), ("q.nps", "10")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .client
        .post(app.url(&format!("/s/{survey}")))
        .form(&[("t", token), ("q.nps", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409, "a personal link is answered once");
    let (_, m) = app.get(&app.admin_token, "/api/v1/metrics/nps").await;
    assert_eq!(
        (m["n"].as_u64(), m["promoters"].as_u64()),
        (Some(1), Some(1))
    );
    let (_, feed) = app.get(&app.admin_token, "/api/v1/feedback").await;
    assert_eq!(
        feed["items"][0]["contact"]["email"], "noy@example.la",
        "the response is tied to the invited contact"
    );
    assert_eq!(feed["items"][0]["channel"], "email");
}

async fn user_text_is_escaped_in_the_feed_page(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    app.answer(&survey, json!({"answers": {"nps": 1, "why": "<script>alert('x')</script><img src=x onerror=alert(1)>"}})).await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 9, "why": "Order #4521 نہیں پہنچا، please help"}}),
    )
    .await;
    let cookie = login(&app).await;
    let html = app
        .client
        .get(app.url("/feedback"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("<script>alert"),
        "raw script must never reach the page"
    );
    assert!(
        html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"),
        "{html}"
    );
    assert!(
        html.contains("<p class=\"comment\" dir=\"auto\">Order #4521 نہیں پہنچا، please help</p>")
    );
    let html = app
        .client
        .get(app.url("/feedback?band=detractor"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("#4521"));
}
