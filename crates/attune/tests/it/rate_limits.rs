//! Rate limits: separate buckets for logins, public submissions and the API; clients behind a
//! trusted proxy told apart by the forwarded address (IPv6 per /64); `Retry-After` on every
//! 429; HTML forms answered with a page that keeps what was typed.

use crate::helpers::{Backend, TestApp};
use crate::login_backoff::{PASSWORD, login_csrf, try_login, user};
use crate::on_both_backends;

on_both_backends!(
    logins_and_survey_answers_have_separate_limits_and_forms_keep_what_was_typed,
    api_calls_are_limited_per_token,
    forwarded_addresses_count_only_from_trusted_proxies,
);

async fn spawn(b: Backend, env: &'static [(&'static str, &'static str)]) -> TestApp {
    TestApp::spawn_with(b, move |c| {
        c.apply_env(|k| {
            env.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_owned())
        })
        .unwrap();
    })
    .await
}

/// Posts a survey answer, optionally with an `X-Forwarded-For` header.
async fn answer(
    app: &TestApp,
    survey: &str,
    forwarded: Option<&str>,
    why: &str,
) -> (u16, Option<String>, String) {
    let mut req = app.client.post(app.url(&format!("/s/{survey}"))).form(&[
        ("lang", "ur"),
        ("q.nps", "4"),
        ("q.why", why),
    ]);
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, retry, res.text().await.unwrap())
}

async fn logins_and_survey_answers_have_separate_limits_and_forms_keep_what_was_typed(b: Backend) {
    let app = spawn(
        b,
        &[
            ("ATTUNE_LOGIN_RATE_PER_MINUTE", "2"),
            ("ATTUNE_PUBLIC_RATE_PER_MINUTE", "2"),
        ],
    )
    .await;
    let survey = app.nps_survey(&app.admin_token).await;
    for _ in 0..2 {
        let (status, _, _) = answer(&app, &survey, None, "ٹھیک ہے").await;
        assert_eq!(status, 200);
    }
    // The third answer within the minute: the survey again, in Urdu, with the answers kept.
    let (status, retry, html) = answer(&app, &survey, None, "جواب دیر سے آیا").await;
    assert_eq!(status, 429, "{html}");
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(html.contains("<html lang=\"ur\" dir=\"rtl\">"), "{html}");
    assert!(
        html.contains("جواب دیر سے آیا"),
        "the comment is kept: {html}"
    );
    assert!(
        html.contains("value=\"4\" checked"),
        "the score is kept: {html}"
    );
    assert!(html.contains("role=\"alert\""), "{html}");
    // Logins have their own bucket: the survey answers did not use it up.
    user(&app, &app.org_id, "lead@acme.example").await;
    let csrf = login_csrf(&app).await;
    let (status, _, _) = try_login(&app, &csrf, "lead@acme.example", "wrong").await;
    assert_eq!(status, 401);
    let (status, _, _) = try_login(&app, &csrf, "lead@acme.example", PASSWORD).await;
    assert_eq!(status, 303);
    let (status, retry, html) = try_login(&app, &csrf, "lead@acme.example", PASSWORD).await;
    assert_eq!(status, 429, "{html}");
    assert!(retry.is_some(), "Retry-After");
    assert!(
        html.contains("value=\"lead@acme.example\""),
        "the e-mail is kept: {html}"
    );
    assert!(html.contains("Too many log-in attempts"), "{html}");
    // Neither touched the API's limit.
    let (status, _) = app.get(&app.admin_token, "/api/v1/surveys").await;
    assert_eq!(status, 200);
}

async fn api_calls_are_limited_per_token(b: Backend) {
    let app = spawn(b, &[("ATTUNE_API_RATE_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        let (status, _) = app.get(&app.admin_token, "/api/v1/surveys").await;
        assert_eq!(status, 200);
    }
    let res = app
        .client
        .get(app.url("/api/v1/surveys"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Another token has its own bucket.
    let (status, _) = app.get(&app.viewer_token, "/api/v1/surveys").await;
    assert_eq!(status, 200);
    // Guessed tokens are counted per address.
    for _ in 0..3 {
        let (status, _) = app.get("att_guess", "/api/v1/surveys").await;
        assert_eq!(status, 401);
    }
    let (status, body) = app.get("att_guess", "/api/v1/surveys").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
}

async fn forwarded_addresses_count_only_from_trusted_proxies(b: Backend) {
    // Without a trusted proxy the header is the client's word and is ignored.
    let app = spawn(b.clone(), &[("ATTUNE_PUBLIC_RATE_PER_MINUTE", "1")]).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let (status, _, _) = answer(&app, &survey, Some("198.51.100.7"), "a").await;
    assert_eq!(status, 200);
    let (status, _, _) = answer(&app, &survey, Some("198.51.100.8"), "b").await;
    assert_eq!(status, 429, "a forged header does not buy a new bucket");

    // Behind a trusted proxy (the test client's 127.0.0.1), each forwarded client has its own.
    let app = spawn(
        b,
        &[
            ("ATTUNE_PUBLIC_RATE_PER_MINUTE", "1"),
            ("ATTUNE_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8"),
        ],
    )
    .await;
    let survey = app.nps_survey(&app.admin_token).await;
    let cases = [
        ("198.51.100.7", 200),
        ("198.51.100.8", 200),
        ("198.51.100.7", 429),
        // A client that writes its own header cannot hide behind it: the right-most address
        // the trusted proxies did not add is the client.
        ("203.0.113.9, 198.51.100.7", 429),
        ("198.51.100.9, 10.1.2.3", 200),
        ("198.51.100.9", 429),
        // IPv6 clients share a bucket per /64.
        ("2001:db8:1:2::1", 200),
        ("2001:db8:1:2:ffff::2", 429),
        ("2001:db8:1:3::1", 200),
    ];
    for (i, (forwarded, expected)) in cases.into_iter().enumerate() {
        let (status, retry, _) = answer(&app, &survey, Some(forwarded), &format!("{i}")).await;
        assert_eq!(status, expected, "X-Forwarded-For: {forwarded}");
        assert_eq!(retry.is_some(), expected == 429);
    }
}
