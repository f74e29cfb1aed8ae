//! Login: a failed attempt for an unknown e-mail costs what one for a real account costs, and
//! repeated failures back the e-mail off (stored in the database, capped, reset by a success,
//! cleared by an admin of the user's organisation or by the CLI).

use attune_domain::org::Role;
use attune_storage::prelude::*;

use crate::helpers::{Backend, NOW_MS, TestApp};
use crate::on_both_backends;

on_both_backends!(
    an_unknown_email_costs_the_same_argon2_verification_as_a_known_one,
    repeated_failures_back_off_the_email_until_the_retry_time,
    a_browser_that_logged_in_before_is_not_held_back_by_failures_elsewhere,
    an_admin_clears_the_backoff_of_a_user_of_their_own_organisation,
);

pub const PASSWORD: &str = "correct horse battery staple";

/// A user of the test organisation with [`PASSWORD`].
pub async fn user(app: &TestApp, org_id: &str, email: &str) {
    let hash = attune_web::auth::hash_password(PASSWORD.into())
        .await
        .unwrap();
    app.store
        .create_user(org_id, email, &hash, Role::Admin)
        .await
        .unwrap();
}

/// The login form's CSRF cookie pair and token.
pub async fn login_csrf(app: &TestApp) -> (String, String) {
    let res = app.client.get(app.url("/login")).send().await.unwrap();
    let pair = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("attune_login_csrf="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = pair.split_once('=').unwrap().1.to_owned();
    (pair, token)
}

/// Posts the login form: (status, Retry-After, body).
pub async fn try_login(
    app: &TestApp,
    csrf: &(String, String),
    email: &str,
    password: &str,
) -> (u16, Option<String>, String) {
    let res = app
        .client
        .post(app.url("/login"))
        .header("cookie", &csrf.0)
        .form(&[
            ("csrf", csrf.1.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, retry, res.text().await.unwrap())
}

/// Back-off after 3 failures, at most 4 seconds (the defaults are 5 and 300).
async fn spawn(b: Backend) -> TestApp {
    TestApp::spawn_with(b, |c| {
        c.apply_env(|k| match k {
            "ATTUNE_LOGIN_BACKOFF_AFTER" => Some("3".into()),
            "ATTUNE_LOGIN_BACKOFF_MAX_SECS" => Some("4".into()),
            _ => None,
        })
        .unwrap();
    })
    .await
}

async fn repeated_failures_back_off_the_email_until_the_retry_time(b: Backend) {
    let app = spawn(b).await;
    user(&app, &app.org_id, "lead@acme.example").await;
    let csrf = login_csrf(&app).await;
    // Two free failures; the third (the e-mail normalised: case and spaces) starts a back-off.
    for email in [
        "lead@acme.example",
        "LEAD@acme.example",
        " lead@Acme.example",
    ] {
        let (status, _, _) = try_login(&app, &csrf, email, "wrong password").await;
        assert_eq!(status, 401);
    }
    // Now even the right password waits, and the page says when to come back.
    let (status, retry, html) = try_login(&app, &csrf, "lead@acme.example", PASSWORD).await;
    assert_eq!((status, retry.as_deref()), (429, Some("1")), "{html}");
    assert!(html.contains("value=\"lead@acme.example\""), "{html}");
    assert!(html.contains("Too many failed log-ins"), "{html}");
    // An e-mail without an account backs off the same way: the answer does not tell.
    for _ in 0..3 {
        let (status, _, _) = try_login(&app, &csrf, "nobody@acme.example", "guess").await;
        assert_eq!(status, 401);
    }
    let (status, retry, _) = try_login(&app, &csrf, "nobody@acme.example", "guess").await;
    assert_eq!((status, retry.as_deref()), (429, Some("1")));
    // The delay doubles with each further failure, up to the cap (4 s here).
    let mut now = NOW_MS;
    for expected in ["2", "4", "4"] {
        now += 5_000;
        app.clock.set(now);
        let (status, _, _) = try_login(&app, &csrf, "lead@acme.example", "wrong again").await;
        assert_eq!(status, 401);
        let (status, retry, _) = try_login(&app, &csrf, "lead@acme.example", PASSWORD).await;
        assert_eq!((status, retry.as_deref()), (429, Some(expected)));
    }
    // Once the time has come, the right password logs in and forgets the failures.
    now += 4_000;
    app.clock.set(now);
    let (status, _, _) = try_login(&app, &csrf, "lead@acme.example", PASSWORD).await;
    assert_eq!(status, 303);
    for _ in 0..2 {
        let (status, _, _) = try_login(&app, &csrf, "lead@acme.example", "wrong").await;
        assert_eq!(status, 401, "the count started again");
    }
    let (status, _, _) = try_login(&app, &csrf, "lead@acme.example", PASSWORD).await;
    assert_eq!(status, 303);
}

async fn an_admin_clears_the_backoff_of_a_user_of_their_own_organisation(b: Backend) {
    let app = spawn(b).await;
    user(&app, &app.org_id, "lead@acme.example").await;
    let (other_org, other_admin) = app.other_org("Beta").await;
    user(&app, &other_org, "lead@beta.example").await;
    let csrf = login_csrf(&app).await;
    for email in ["lead@acme.example", "lead@beta.example"] {
        for _ in 0..3 {
            try_login(&app, &csrf, email, "wrong password").await;
        }
        let (status, _, _) = try_login(&app, &csrf, email, PASSWORD).await;
        assert_eq!(status, 429, "{email} is backed off");
    }
    let path = "/api/v1/users/lead@acme.example/login-backoff";
    let delete = |token: &str| {
        let req = app.client.delete(app.url(path)).bearer_auth(token);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            (
                status,
                res.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    let (status, _) = delete(&app.viewer_token).await;
    assert_eq!(status, 403, "only admins");
    let (status, body) = delete(&other_admin).await;
    assert_eq!(
        status, 404,
        "another organisation's user is not found: {body}"
    );
    let (status, _, _) = try_login(&app, &csrf, "lead@acme.example", PASSWORD).await;
    assert_eq!(status, 429, "still backed off");
    let (status, body) = delete(&app.admin_token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["email"], "lead@acme.example");
    assert_eq!(body["cleared"], true);
    let (status, _, _) = try_login(&app, &csrf, "lead@acme.example", PASSWORD).await;
    assert_eq!(status, 303, "cleared");
    let (status, body) = delete(&app.admin_token).await;
    assert_eq!((status, &body["cleared"]), (200, &serde_json::json!(false)));
    // The operator's way: `attune user clear-backoff EMAIL`.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_attune"))
        .args(["user", "clear-backoff", "LEAD@beta.example"])
        .env("ATTUNE_DB", &app.db_url)
        .env("ATTUNE_LOG", "warn")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("cleared"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let (status, _, _) = try_login(&app, &csrf, "lead@beta.example", PASSWORD).await;
    assert_eq!(status, 303);
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_attune"))
        .args(["user", "clear-backoff", "nobody@beta.example"])
        .env("ATTUNE_DB", &app.db_url)
        .env("ATTUNE_LOG", "warn")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no user"));
}

async fn an_unknown_email_costs_the_same_argon2_verification_as_a_known_one(b: Backend) {
    let app = TestApp::spawn(b).await;
    user(&app, &app.org_id, "lead@acme.example").await;
    let csrf = login_csrf(&app).await;
    let before = app.state.password_checks();
    let (status, _, known) = try_login(&app, &csrf, "lead@acme.example", "wrong password").await;
    assert_eq!(status, 401);
    assert_eq!(app.state.password_checks(), before + 1);
    let (status, _, unknown) =
        try_login(&app, &csrf, "nobody@acme.example", "wrong password").await;
    assert_eq!(status, 401);
    assert_eq!(
        app.state.password_checks(),
        before + 2,
        "the unknown e-mail went through an Argon2 verification too"
    );
    assert_eq!(
        known.replace("lead@", "nobody@"),
        unknown,
        "the same page either way"
    );
}

/// Posts the login form with these cookies: (status, the known-device cookie pair if set).
async fn login_with(
    app: &TestApp,
    cookies: &str,
    csrf: &str,
    password: &str,
) -> (u16, Option<String>) {
    let res = app
        .client
        .post(app.url("/login"))
        .header("cookie", cookies)
        .form(&[
            ("csrf", csrf),
            ("email", "lead@acme.example"),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    let known = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("attune_known_device="))
        .map(|c| c.split(';').next().unwrap().to_owned());
    (res.status().as_u16(), known)
}

async fn a_browser_that_logged_in_before_is_not_held_back_by_failures_elsewhere(b: Backend) {
    let app = spawn(b).await;
    user(&app, &app.org_id, "lead@acme.example").await;
    let (pair, token) = login_csrf(&app).await;
    // The real user logs in on their own browser, which keeps a known-device cookie.
    let (status, known) = login_with(&app, &pair, &token, PASSWORD).await;
    assert_eq!(status, 303);
    let known = known.expect("a known-device cookie");
    // Someone else guesses and backs the e-mail off.
    let csrf = (pair.clone(), token.clone());
    for _ in 0..3 {
        let (status, _, _) = try_login(&app, &csrf, "lead@acme.example", "guess").await;
        assert_eq!(status, 401);
    }
    let (status, _, _) = try_login(&app, &csrf, "lead@acme.example", PASSWORD).await;
    assert_eq!(status, 429);
    // A made-up cookie does not help.
    let forged = format!("{pair}; attune_known_device={}.AAAA", NOW_MS - 1000);
    let (status, _) = login_with(&app, &forged, &token, PASSWORD).await;
    assert_eq!(status, 429);
    // The user's own browser logs in all the same.
    let (status, _) = login_with(&app, &format!("{pair}; {known}"), &token, PASSWORD).await;
    assert_eq!(status, 303);
}
