//! Credentials at rest: webhook secrets and the invitation signing key are sealed in the
//! database, old plain-text rows are sealed on start-up, a wrong key stops start-up, keys
//! rotate, and a sealed value moved to another organisation's row does not open.

use std::sync::{Arc, Mutex};

use attune::worker::{Worker, verify};
use attune_storage::prelude::*;
use serde_json::json;
use sqlx::Row;

use attune::config::Secret;
use attune_seal::{Key, key_id_of};

use crate::helpers::{Backend, NOW_MS, TestApp};
use crate::on_both_backends;

/// Records webhook deliveries: (signature header, body).
async fn receiver() -> (String, Arc<Mutex<Vec<(String, Vec<u8>)>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let s = s.clone();
                async move {
                    let sig = headers
                        .get("attune-signature")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned();
                    s.lock().expect("lock").push((sig, body.to_vec()));
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

async fn raw(app: &TestApp, sql: &str, id: &str) -> String {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(id.to_owned())
        .fetch_one(app.store.pool())
        .await
        .expect("raw row")
        .try_get(0)
        .expect("text")
}

async fn raw_secret(app: &TestApp, hook_id: &str) -> String {
    raw(app, "SELECT secret FROM webhooks WHERE id = $1", hook_id).await
}

async fn raw_setting(app: &TestApp, key: &str) -> String {
    raw(app, "SELECT value FROM settings WHERE key = $1", key).await
}

async fn webhook(app: &TestApp, url: &str) -> (String, String) {
    webhook_at(app, &app.addr, &app.admin_token, url).await
}

/// Creates a webhook through the server at `base` with `token`: (id, secret).
async fn webhook_at(app: &TestApp, base: &str, token: &str, url: &str) -> (String, String) {
    let res = app
        .client
        .post(format!("{base}/api/v1/webhooks"))
        .bearer_auth(token)
        .json(&json!({"url": url, "events": ["response.created"]}))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), 201);
    let hook: serde_json::Value = res.json().await.expect("json");
    (
        hook["id"].as_str().expect("id").to_owned(),
        hook["secret"].as_str().expect("secret").to_owned(),
    )
}

/// Runs the worker as `attune serve` would configure it with `config`.
async fn run_worker(app: &TestApp, config: &attune::config::Config) -> attune::worker::RunReport {
    let store = app.store.clone() as Arc<dyn Store>;
    let wc = attune::server::worker_config(config, store.as_ref())
        .await
        .expect("worker config");
    Worker::new(store, wc)
        .expect("worker")
        .run_once(NOW_MS)
        .await
        .expect("run")
}

fn signed_by(seen: &[(String, Vec<u8>)], secret: &str) -> usize {
    seen.iter()
        .filter(|(sig, body)| verify(secret, sig, body, NOW_MS / 1000, 300))
        .count()
}

fn verifies(seen: &[(String, Vec<u8>)], secret: &str) -> bool {
    !seen.is_empty()
        && seen
            .iter()
            .all(|(sig, body)| verify(secret, sig, body, NOW_MS / 1000, 300))
}

async fn credentials_are_sealed_at_rest_and_webhooks_verify_with_the_original_secret(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (url, seen) = receiver().await;
    let (hook_id, secret) = webhook(&app, &url).await;
    let stored = raw_secret(&app, &hook_id).await;
    assert!(!stored.contains(&secret), "plain secret stored: {stored}");
    assert!(stored.starts_with("sealed:v1:"), "{stored}");
    let key = raw_setting(&app, "signing_key").await;
    assert!(key.starts_with("sealed:v1:"), "signing key stored as {key}");
    // With no key configured, SQLite's is generated beside the database file, readable by its
    // owner alone.
    if app.config.secret_key_file.is_none() {
        let path = format!("{}.key", app.db_url);
        let meta = std::fs::metadata(&path).expect("the key file beside the database");
        #[cfg(unix)]
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777,
            0o600
        );
        let _ = meta;
    }
    // No other table holds the secret either (the delivery job carries only the event).
    let survey = app.nps_survey(&app.admin_token).await;
    app.answer(&survey, json!({"answers": {"nps": 9}})).await;
    let jobs: Vec<String> = sqlx::query("SELECT payload FROM jobs")
        .fetch_all(app.store.pool())
        .await
        .expect("jobs")
        .iter()
        .map(|r| r.try_get(0).expect("payload"))
        .collect();
    assert!(jobs.iter().all(|p| !p.contains(&secret)));
    let report = run_worker(&app, &app.config).await;
    assert_eq!(report.done.get("webhook"), Some(&1), "{report:?}");
    let got = seen.lock().expect("lock").clone();
    assert!(verifies(&got, &secret), "signature does not verify");
}

async fn invitations_made_before_a_restart_verify_after_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let (status, inv) = app
        .post(
            &app.admin_token,
            &format!("/api/v1/surveys/{survey}/invitations"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 201, "{inv}");
    let link = inv["url"].as_str().expect("url").to_owned();
    let again = app.start_again(&app.config).await.expect("restart");
    let res = app
        .client
        .get(format!("{again}{link}"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 200, "{link}");
    let forged = format!("{again}/s/{survey}?t=x{}", &link[link.len() - 20..]);
    let res = app.client.get(forged).send().await.expect("get");
    assert_eq!(res.status(), 403);
}

/// An old database: webhooks and the signing key stored in plain text by an older version.
async fn plain_text_credentials_of_an_old_database_are_sealed_on_start_and_keep_working(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (url, seen) = receiver().await;
    let mut hooks = Vec::new();
    for i in 0..3 {
        let (id, _) = webhook(&app, &url).await;
        let plain = format!("whsec_old_plain_{i}");
        sqlx::query("UPDATE webhooks SET secret = $1 WHERE id = $2")
            .bind(plain.clone())
            .bind(id.clone())
            .execute(app.store.pool())
            .await
            .expect("make it plain");
        hooks.push((id, plain));
    }
    sqlx::query("UPDATE settings SET value = $1 WHERE key = 'signing_key'")
        .bind("an-old-plain-signing-key")
        .execute(app.store.pool())
        .await
        .expect("make it plain");
    let survey = app.nps_survey(&app.admin_token).await;
    let inv = app
        .store
        .create_invitation(&app.org_id, &survey, None, NOW_MS)
        .await
        .expect("invitation");
    let token = attune_web::auth::sign_invitation(b"an-old-plain-signing-key", &inv.id);

    let again = app.start_again(&app.config).await.expect("start");
    for (id, plain) in &hooks {
        let stored = raw_secret(&app, id).await;
        assert!(
            stored.starts_with("sealed:v1:") && !stored.contains(plain),
            "{stored}"
        );
    }
    let key = raw_setting(&app, "signing_key").await;
    assert!(key.starts_with("sealed:v1:"), "{key}");
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM webhooks")
        .fetch_one(app.store.pool())
        .await
        .expect("count")
        .try_get(0)
        .expect("n");
    assert_eq!(n, 3);
    // The link signed with the old key still opens the survey.
    let res = app
        .client
        .get(format!("{again}/s/{survey}?t={token}"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 200);
    // Each webhook still signs with its old secret.
    app.answer(&survey, json!({"answers": {"nps": 9}})).await;
    let report = run_worker(&app, &app.config).await;
    assert_eq!(report.done.get("webhook"), Some(&3), "{report:?}");
    let got = seen.lock().expect("lock").clone();
    for (_, plain) in &hooks {
        assert_eq!(
            got.iter()
                .filter(|(sig, body)| verify(plain, sig, body, NOW_MS / 1000, 300))
                .count(),
            1,
            "{plain}"
        );
    }
}

async fn a_wrong_key_stops_start_up_and_mints_nothing(backend: Backend) {
    let key = Key::generate();
    let app = TestApp::spawn_with(backend, |c| c.secret_key = Some(Secret::new(key.clone()))).await;
    let (hook, _) = webhook(&app, "http://127.0.0.1:9/hook").await;
    let (secret_before, key_before) = (
        raw_secret(&app, &hook).await,
        raw_setting(&app, "signing_key").await,
    );
    let mut wrong = app.config.clone();
    wrong.secret_key = Some(Secret::new(Key::generate()));
    let err = format!(
        "{:#}",
        app.start_again(&wrong)
            .await
            .expect_err("a wrong key starts")
    );
    assert!(
        err.contains("is not the key this database's credentials are sealed with"),
        "{err}"
    );
    let store = app.store.clone() as Arc<dyn Store>;
    assert!(
        attune::server::worker_config(&wrong, store.as_ref())
            .await
            .is_err()
    );
    // The key file is gone (a restored database without its key): no new key is made.
    let mut lost = app.config.clone();
    lost.secret_key = None;
    let missing = std::env::temp_dir().join(format!(
        "attune-missing-{}.key",
        uuid::Uuid::new_v4().simple()
    ));
    lost.secret_key_file = Some(missing.clone());
    let err = format!(
        "{:#}",
        app.start_again(&lost).await.expect_err("no key starts")
    );
    assert!(
        err.contains("does not exist") && err.contains("backup"),
        "{err}"
    );
    assert!(!missing.exists());
    // Nothing was minted or re-sealed by the failed starts.
    assert_eq!(raw_secret(&app, &hook).await, secret_before);
    assert_eq!(raw_setting(&app, "signing_key").await, key_before);
    // The right key still starts.
    app.start_again(&app.config).await.expect("the right key");
}

async fn rotation_reseals_everything_and_old_values_open_meanwhile(backend: Backend) {
    let (old, new) = (Key::generate(), Key::generate());
    let (old_id, new_id) = (
        Key::parse(&old).expect("key").id().to_owned(),
        Key::parse(&new).expect("key").id().to_owned(),
    );
    let app = TestApp::spawn_with(backend, |c| c.secret_key = Some(Secret::new(old.clone()))).await;
    let (url, seen) = receiver().await;
    let (hook1, secret1) = webhook(&app, &url).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let (_, inv) = app
        .post(
            &app.admin_token,
            &format!("/api/v1/surveys/{survey}/invitations"),
            &json!({}),
        )
        .await;
    let link = inv["url"].as_str().expect("url").to_owned();
    assert_eq!(
        key_id_of(&raw_secret(&app, &hook1).await),
        Some(old_id.as_str())
    );

    // Step 1: the new key seals, the old one still opens.
    let mut during = app.config.clone();
    during.secret_key = Some(Secret::new(new.clone()));
    during.previous_secret_keys = vec![Secret::new(old.clone())];
    let base = app
        .start_again(&during)
        .await
        .expect("new key, old one previous");
    let (hook2, secret2) = webhook_at(&app, &base, &app.admin_token, &url).await;
    assert_eq!(
        key_id_of(&raw_secret(&app, &hook2).await),
        Some(new_id.as_str())
    );
    assert_eq!(
        key_id_of(&raw_secret(&app, &hook1).await),
        Some(old_id.as_str())
    );
    let res = app
        .client
        .get(format!("{base}{link}"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 200);
    app.answer(&survey, json!({"answers": {"nps": 9}})).await;
    let report = run_worker(&app, &during).await;
    assert_eq!(report.done.get("webhook"), Some(&2), "{report:?}");
    let got = seen.lock().expect("lock").clone();
    assert_eq!(
        (signed_by(&got, &secret1), signed_by(&got, &secret2)),
        (1, 1)
    );

    // Step 2: `attune secrets rotate` re-seals everything with the new key.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_attune"))
        .args(["secrets", "rotate"])
        .env("ATTUNE_DB", &app.db_url)
        .env("ATTUNE_SECRET_KEY", &new)
        .env("ATTUNE_PREVIOUS_SECRET_KEYS", &old)
        .env("ATTUNE_LOG", "warn")
        .output()
        .await
        .expect("run attune secrets rotate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains(&format!("with key {new_id}")), "{stderr}");
    for sealed in [
        raw_secret(&app, &hook1).await,
        raw_secret(&app, &hook2).await,
        raw_setting(&app, "signing_key").await,
        raw_setting(&app, "secret_key_check").await,
    ] {
        assert_eq!(key_id_of(&sealed), Some(new_id.as_str()), "{sealed}");
    }

    // Step 3: the new key alone opens everything; the old one alone no longer starts.
    let mut after = during.clone();
    after.previous_secret_keys.clear();
    let base = app.start_again(&after).await.expect("new key alone");
    let res = app
        .client
        .get(format!("{base}{link}"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 200);
    seen.lock().expect("lock").clear();
    app.answer(&survey, json!({"answers": {"nps": 3}})).await;
    let report = run_worker(&app, &after).await;
    assert_eq!(report.done.get("webhook"), Some(&2), "{report:?}");
    let got = seen.lock().expect("lock").clone();
    assert_eq!(
        (signed_by(&got, &secret1), signed_by(&got, &secret2)),
        (1, 1)
    );
    let mut only_old = after.clone();
    only_old.secret_key = Some(Secret::new(old));
    assert!(app.start_again(&only_old).await.is_err());
}

async fn a_sealed_value_moved_to_another_organisations_row_does_not_open(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (url, seen) = receiver().await;
    let (hook_a, _) = webhook(&app, &url).await;
    let (_, token_b) = app.other_org("Globex").await;
    let (hook_b, _) = webhook_at(&app, &app.addr, &token_b, &url).await;
    sqlx::query("UPDATE webhooks SET secret = $1 WHERE id = $2")
        .bind(raw_secret(&app, &hook_a).await)
        .bind(hook_b.clone())
        .execute(app.store.pool())
        .await
        .expect("move the sealed secret");
    let survey_b = app.nps_survey(&token_b).await;
    let (status, _) = app
        .post(
            &token_b,
            &format!("/api/v1/surveys/{survey_b}/responses"),
            &json!({"answers": {"nps": 9}}),
        )
        .await;
    assert_eq!(status, 201);
    let report = run_worker(&app, &app.config).await;
    assert_eq!(report.failed.get("webhook"), Some(&1), "{report:?}");
    assert!(
        report
            .errors
            .keys()
            .any(|e| e.contains(&hook_b) && e.contains("sealed for another row")),
        "{report:?}"
    );
    assert!(seen.lock().expect("lock").is_empty());
}

on_both_backends!(
    a_wrong_key_stops_start_up_and_mints_nothing,
    rotation_reseals_everything_and_old_values_open_meanwhile,
    a_sealed_value_moved_to_another_organisations_row_does_not_open,
    credentials_are_sealed_at_rest_and_webhooks_verify_with_the_original_secret,
    invitations_made_before_a_restart_verify_after_it,
    plain_text_credentials_of_an_old_database_are_sealed_on_start_and_keep_working,
);
