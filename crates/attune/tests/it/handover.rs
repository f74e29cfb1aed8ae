//! Handing an account over (issue 14): when its owner changes, the previous owner's open cases
//! move to the new owner (the default), stay, or are dealt round the account's team, by the
//! rule asked for or the organisation's setting; the change is on the account's timeline; the
//! handover view shows what the new owner needs.

use attune_domain::org::Role;
use attune_storage::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(open_cases_follow_the_handover_rule);

async fn owners(app: &TestApp) -> Vec<String> {
    let (_, cases) = app.get(&app.admin_token, "/api/v1/cases?limit=50").await;
    let mut o: Vec<String> = cases["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["owner"].as_str().unwrap_or("").to_owned())
        .collect();
    o.sort();
    o
}

async fn put(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let res = app
        .client
        .put(app.url(path))
        .bearer_auth(&app.admin_token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn open_cases_follow_the_handover_rule(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut ids = std::collections::HashMap::new();
    for email in ["old@us.example", "new@us.example", "t1@us.example"] {
        let u = app
            .store
            .create_user(&app.org_id, email, "hash", Role::Member)
            .await
            .unwrap();
        ids.insert(email, u.id);
    }
    let (s, b) = app
        .post(
            &app.admin_token,
            "/api/v1/accounts",
            &json!({"external_id": "ACC-1", "name": "Noor", "owner_email": "old@us.example"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let survey = app.nps_survey(&app.admin_token).await;
    for i in 0..3 {
        app.answer(
            &survey,
            json!({"answers": {"nps": 2, "why": format!("late again {i}")},
                                   "account": {"external_id": "ACC-1"}}),
        )
        .await;
    }
    let old = ids["old@us.example"].clone();
    let new = ids["new@us.example"].clone();
    let t1 = ids["t1@us.example"].clone();
    assert_eq!(
        owners(&app).await,
        vec![old.clone(); 3],
        "the account owner has the cases"
    );
    // Default: move to the new owner.
    let (s, change) = put(
        &app,
        "/api/v1/accounts/ACC-1/owner",
        &json!({"owner": "new@us.example"}),
    )
    .await;
    assert_eq!(s, 200, "{change}");
    assert_eq!(
        (
            &change["cases"],
            change["reassigned"].as_array().unwrap().len()
        ),
        (&json!("move"), 3)
    );
    assert_eq!(change["previous_owner_user_id"], old);
    assert_eq!(owners(&app).await, vec![new.clone(); 3]);
    // Round-robin in the team, never back to the previous owner.
    let (s, acc) = put(&app, "/api/v1/accounts/ACC-1/team",
                       &json!({"team": [{"user": "t1@us.example", "role": "csm"}, {"user": "new@us.example", "role": "account_executive"}]}))
        .await;
    assert_eq!(
        (s, acc["team"].as_array().unwrap().len()),
        (200, 2),
        "{acc}"
    );
    let (_, change) = put(
        &app,
        "/api/v1/accounts/ACC-1/owner",
        &json!({"owner": "old@us.example", "cases": "round_robin"}),
    )
    .await;
    let dealt: Vec<&str> = change["reassigned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["owner_user_id"].as_str().unwrap())
        .collect();
    assert_eq!(dealt.len(), 3);
    assert!(dealt.iter().all(|o| *o == old || *o == t1), "{dealt:?}");
    assert!(
        dealt.contains(&old.as_str()) && dealt.contains(&t1.as_str()),
        "{dealt:?}"
    );
    // The organisation's setting `stay` applies to an owner changed through a sync upsert.
    let (s, set) = put(
        &app,
        "/api/v1/loop/settings",
        &json!({"digest_emails": [], "digest_hour": 8, "handover_cases": "stay"}),
    )
    .await;
    assert_eq!((s, &set["handover_cases"]), (200, &json!("stay")), "{set}");
    let before = owners(&app).await;
    app.post(
        &app.admin_token,
        "/api/v1/accounts",
        &json!({"external_id": "ACC-1", "name": "Noor", "owner_email": "t1@us.example"}),
    )
    .await;
    assert_eq!(owners(&app).await, before, "cases stay");
    // Every change is on the account's timeline.
    let (_, t) = app
        .get(
            &app.admin_token,
            "/api/v1/accounts/ACC-1/timeline?kinds=owner_changed",
        )
        .await;
    let tos: Vec<&str> = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail"]["to"].as_str().unwrap())
        .collect();
    assert_eq!(tos, [t1.as_str(), old.as_str(), new.as_str()], "{t}");
    refusals(&app).await;
    handover_view(&app).await;
}

/// The handover view: the answers of the last 90 days, the open cases, a promise.
async fn handover_view(app: &TestApp) {
    app.post(&app.admin_token, "/api/v1/interactions",
             &json!({"account": "ACC-1", "kind": "call", "summary": "Promised a credit note",
                     "follow_ups": [{"text": "Send the credit note", "due": "2026-11-30"}, {"text": "done already", "done": true}]}))
        .await;
    let (s, h) = app
        .get(&app.admin_token, "/api/v1/accounts/ACC-1/handover")
        .await;
    assert_eq!(s, 200, "{h}");
    assert_eq!(h["open_cases"].as_array().unwrap().len(), 3);
    assert_eq!(h["conversations"].as_array().unwrap().len(), 4, "{h}");
    let call = h["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "interaction")
        .unwrap();
    assert_eq!(
        h["promises"],
        json!([{"interaction_id": call["id"], "text": "Send the credit note", "due": "2026-11-30"}])
    );
    assert!(h["relationship"]["threading"]["flag"].is_string());
}

/// Bad input names its field; another organisation cannot hand the account over.
async fn refusals(app: &TestApp) {
    let (s, e) = put(
        app,
        "/api/v1/accounts/ACC-1/owner",
        &json!({"owner": "nobody@x.example", "cases": "shuffle"}),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    let (_, theirs) = app.other_org("Other").await;
    let res = app
        .client
        .put(app.url("/api/v1/accounts/ACC-1/owner"))
        .bearer_auth(&theirs)
        .json(&json!({"owner": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
}

on_both_backends!(the_handover_page_changes_the_owner_and_shows_what_to_know);

/// The page: a writer gives the account to someone else with the "stay" rule, lands on the
/// handover view (health, open cases, people with their preferences, hostile text escaped);
/// a viewer sees the view without the form and cannot post it.
async fn the_handover_page_changes_the_owner_and_shows_what_to_know(b: Backend) {
    let app = TestApp::spawn(b).await;
    let old = app
        .store
        .create_user(&app.org_id, "old@us.example", "hash", Role::Member)
        .await
        .unwrap();
    let new = app
        .store
        .create_user(&app.org_id, "new@us.example", "hash", Role::Member)
        .await
        .unwrap();
    let (s, b) = app
        .post(&app.admin_token, "/api/v1/accounts",
            &json!({"external_id": "ACC-1", "name": "نور <b>Traders</b>", "owner_email": "old@us.example"}))
        .await;
    assert_eq!(s, 201, "{b}");
    let account = b["id"].as_str().unwrap().to_owned();
    let (s, b) = app
        .post(
            &app.admin_token,
            "/api/v1/people",
            &json!({"email": "amna@noor.example", "name": "آمنہ",
            "preferences": {"calls": "<i>mornings</i> only"},
            "memberships": [{"account": "ACC-1", "roles": ["decision_maker"]}]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let survey = app.nps_survey(&app.admin_token).await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 1}, "account": {"external_id": "ACC-1"}}),
    )
    .await;
    let cookie = crate::pages::login(&app).await;
    let page = get_page(&app, &cookie, &format!("/accounts/{account}/handover")).await;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let res = app
        .client
        .post(app.url(&format!("/accounts/{account}/owner")))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("owner", new.id.as_str()),
            ("rule", "stay"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/accounts/{account}/handover")
    );
    let a = app.store.account(&app.org_id, "ACC-1").await.unwrap();
    assert_eq!(a.owner_user_id.as_deref(), Some(new.id.as_str()));
    assert_eq!(
        owners(&app).await,
        std::slice::from_ref(&old.id),
        "the rule asked for: the case stays"
    );
    let html = get_page(&app, &cookie, &format!("/accounts/{account}/handover")).await;
    assert!(
        html.contains("Handover: نور &#60;b&#62;Traders&#60;/b&#62;"),
        "{html}"
    );
    assert!(html.contains("<strong>new@us.example</strong>"), "{html}");
    assert!(
        html.contains("calls: &#60;i&#62;mornings&#60;/i&#62; only"),
        "{html}"
    );
    assert!(html.contains("id=\"open-cases\""), "{html}");
    assert!(
        html.contains("id=\"owner-form\""),
        "a writer may change the owner"
    );
    // A viewer's session: the view, no form, and the post refused.
    let viewer = viewer_session(&app).await;
    let html = get_page(&app, &viewer, &format!("/accounts/{account}/handover")).await;
    assert!(html.contains("Handover:"), "{html}");
    assert!(!html.contains("id=\"owner-form\""));
    assert!(
        !html.contains("mornings"),
        "preferences are hidden from viewers"
    );
    let res = app
        .client
        .post(app.url(&format!("/accounts/{account}/owner")))
        .header("cookie", &viewer)
        .form(&[("csrf", csrf.as_str()), ("owner", old.id.as_str())])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    let a = app.store.account(&app.org_id, "ACC-1").await.unwrap();
    assert_eq!(a.owner_user_id.as_deref(), Some(new.id.as_str()));
}

async fn get_page(app: &TestApp, cookie: &str, path: &str) -> String {
    let res = app
        .client
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// A viewer logged in through the form; their session cookie.
async fn viewer_session(app: &TestApp) -> String {
    let hash = attune_web::auth::hash_password("viewer horse battery".into())
        .await
        .unwrap();
    app.store
        .create_user(&app.org_id, "viewer@acme.example", &hash, Role::Viewer)
        .await
        .unwrap();
    let res = app.client.get(app.url("/login")).send().await.unwrap();
    let pair = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("attune_login_csrf="))
        .unwrap();
    let csrf = pair.split_once('=').unwrap().1.to_owned();
    let res = app
        .client
        .post(app.url("/login"))
        .header("cookie", &pair)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "viewer@acme.example"),
            ("password", "viewer horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("attune_session="))
        .unwrap()
}
