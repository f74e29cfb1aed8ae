//! People and accounts through the HTTP API (issue 14): a person in two accounts with
//! different roles, the account's people, domains and other systems' ids, archiving, one
//! account's subscriptions, responses attributed to a person's account, input refused with
//! the field named, and another organisation seeing none of it.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(a_person_belongs_to_two_accounts_with_different_roles);
on_both_backends!(bad_people_and_accounts_are_refused_with_the_field_named);
on_both_backends!(another_organisation_sees_none_of_it);

async fn delete(app: &TestApp, token: &str, path: &str) -> u16 {
    app.client
        .delete(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

async fn two_accounts(app: &TestApp) {
    for (id, name, extra) in [
        (
            "ACC-1",
            "شرکت نور",
            json!({"domains": ["https://www.noor.example/about"], "external_ids": {"crm": "0015-1"}}),
        ),
        (
            "ACC-2",
            "Beta <b>Ltd</b>",
            json!({"parent": "ACC-1", "attributes": {"lifecycle_stage": "onboarding"}}),
        ),
    ] {
        let mut body = json!({"external_id": id, "name": name});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (status, b) = app.post(&app.admin_token, "/api/v1/accounts", &body).await;
        assert_eq!(status, 201, "{b}");
    }
}

fn ana() -> Value {
    json!({
        "email": "ana@beta.example",
        "other_emails": ["Ana.Personal@MAIL.example"],
        "name": "ਅਨਾ <script>",
        "time_zone": "Asia/Kolkata",
        "language": "pa",
        "memberships": [
            {"account": "ACC-1", "title": "Advisor", "roles": ["champion"], "from": "2025-01-01", "to": "2026-06-30"},
            {"account": "ACC-2", "title": "COO", "roles": ["executive_sponsor", "decision_maker"], "from": "2026-07-01"}
        ]
    })
}

async fn a_person_belongs_to_two_accounts_with_different_roles(b: Backend) {
    let app = TestApp::spawn(b).await;
    two_accounts(&app).await;
    let (status, person) = app.post(&app.admin_token, "/api/v1/people", &ana()).await;
    assert_eq!(status, 201, "{person}");
    assert_eq!(
        person["name"], "ਅਨਾ <script>",
        "stored as given; pages escape it"
    );
    assert_eq!(person["other_emails"], json!(["ana.personal@mail.example"]));
    let m = &person["memberships"];
    assert_eq!(
        m[0]["account_name"], "Beta <b>Ltd</b>",
        "the open-ended one first"
    );
    assert_eq!(
        m[0]["roles"],
        json!(["decision_maker", "executive_sponsor"])
    );
    assert_eq!(
        (&m[1]["title"], &m[1]["to"]),
        (&json!("Advisor"), &json!("2026-06-30"))
    );
    // Each account lists the person with all their memberships; the older contact view shows
    // the membership of the account asked about.
    for (account, title, decides) in [("ACC-1", "Advisor", false), ("ACC-2", "COO", true)] {
        let (status, detail) = app
            .get(&app.admin_token, &format!("/api/v1/accounts/{account}"))
            .await;
        assert_eq!(status, 200, "{detail}");
        assert_eq!(detail["people"][0]["id"], person["id"]);
        assert_eq!(
            detail["people"][0]["memberships"].as_array().unwrap().len(),
            2
        );
        assert_eq!(detail["contacts"][0]["role"], title);
        assert_eq!(detail["contacts"][0]["decision_maker"], decides);
    }
    // Found by id, by either address, and by another system's id for the account.
    let id = person["id"].as_str().unwrap();
    for key in [id, "ana@beta.example", "ana.personal@mail.example"] {
        let (status, found) = app
            .get(&app.admin_token, &format!("/api/v1/people/{key}"))
            .await;
        assert_eq!((status, &found["id"]), (200, &person["id"]), "{key}");
    }
    let (status, acc) = app.get(&app.admin_token, "/api/v1/accounts/0015-1").await;
    assert_eq!(status, 200, "{acc}");
    assert_eq!(acc["domains"], json!(["noor.example"]));
    assert_eq!(acc["external_ids"], json!({"crm": "0015-1"}));
    let (_, beta) = app.get(&app.admin_token, "/api/v1/accounts/ACC-2").await;
    assert_eq!(beta["parent_id"], acc["id"]);
    assert_eq!(beta["attributes"]["lifecycle_stage"], "onboarding");
    responses_follow_the_person(&app, &person, &beta).await;
    pages_archive_and_subscriptions(&app, id).await;
}

/// A response from the person that names no account counts for their current account; one
/// naming another account makes them a member of it.
async fn responses_follow_the_person(app: &TestApp, person: &Value, beta: &Value) {
    let id = person["id"].as_str().unwrap();
    let survey = app.nps_survey(&app.admin_token).await;
    let r = app
        .answer(
            &survey,
            json!({"answers": {"nps": 3}, "contact": {"email": "ANA@beta.example"}}),
        )
        .await;
    let (_, shown) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/responses/{}", r["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(shown["contact_id"], person["id"], "{shown}");
    assert_eq!(shown["account_id"], beta["id"], "{shown}");
    // A response naming another account makes the person a member of it.
    app.answer(
        &survey,
        json!({"answers": {"nps": 9}, "contact": {"email": "ana@beta.example"},
               "account": {"external_id": "ACC-3", "name": "Gamma"}}),
    )
    .await;
    let (_, again) = app
        .get(&app.admin_token, &format!("/api/v1/people/{id}"))
        .await;
    let names: Vec<&str> = again["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["account_name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"Gamma"));
}

/// Pages of people; a membership removed; an account archived and restored; one account's
/// subscriptions.
async fn pages_archive_and_subscriptions(app: &TestApp, id: &str) {
    let (_, page) = app.get(&app.admin_token, "/api/v1/people?limit=1").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert!(page["next"].is_null(), "one person, one page: {page}");
    assert_eq!(
        delete(
            app,
            &app.admin_token,
            &format!("/api/v1/people/{id}/memberships/ACC-3")
        )
        .await,
        204
    );
    assert_eq!(
        delete(
            app,
            &app.admin_token,
            &format!("/api/v1/people/{id}/memberships/ACC-3")
        )
        .await,
        404
    );
    let (status, archived) = app
        .post(
            &app.admin_token,
            "/api/v1/accounts/ACC-2/archive",
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{archived}");
    assert!(archived["archived_at"].is_string());
    assert_eq!(
        delete(app, &app.admin_token, "/api/v1/accounts/ACC-2/archive").await,
        200
    );
    // One account's subscriptions (this used to answer 405).
    let (status, b) = app
        .post(
            &app.admin_token,
            "/api/v1/subscriptions",
            &json!([{"account_external_id": "ACC-2", "start_date": "2026-01-01", "mrr": "50.00"}]),
        )
        .await;
    assert_eq!(status, 201, "{b}");
    let (status, subs) = app
        .get(&app.admin_token, "/api/v1/accounts/ACC-2/subscriptions")
        .await;
    assert_eq!(status, 200, "{subs}");
    assert_eq!(subs["items"][0]["start"], "2026-01-01");
    assert_eq!(subs["items"][0]["mrr_cents"], 5000);
}

async fn bad_people_and_accounts_are_refused_with_the_field_named(b: Backend) {
    let app = TestApp::spawn(b).await;
    two_accounts(&app).await;
    let field_of = |b: &Value| -> Vec<String> {
        b["error"]["fields"]
            .as_array()
            .map(|f| {
                f.iter()
                    .map(|e| e["field"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut bad = ana();
    bad["time_zone"] = json!("Karachi");
    bad["memberships"][0]["roles"] = json!(["boss"]);
    bad["memberships"][1]["from"] = json!("2026-13-01");
    bad["memberships"][1]["to"] = json!("2020-01-01");
    bad["other_emails"] = json!(["not an address"]);
    let (status, body) = app.post(&app.admin_token, "/api/v1/people", &bad).await;
    assert_eq!(status, 422, "{body}");
    let fields = field_of(&body);
    for f in [
        "time_zone",
        "memberships[0].roles",
        "memberships[1].from",
        "email",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} not named in {fields:?}");
    }
    let (status, body) = app
        .post(
            &app.admin_token,
            "/api/v1/people",
            &json!({"email": "x@y.example", "shoe_size": 9}),
        )
        .await;
    assert_eq!(status, 422, "unknown fields are refused: {body}");
    let (status, body) = app
        .post(
            &app.admin_token,
            "/api/v1/people",
            &json!({"email": "x@y.example", "memberships": [{"account": "nobody"}]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(field_of(&body), ["memberships"]);
    // Two people's addresses: 409; a viewer may not write.
    app.post(
        &app.admin_token,
        "/api/v1/people",
        &json!({"email": "bo@beta.example"}),
    )
    .await;
    app.post(&app.admin_token, "/api/v1/people", &ana()).await;
    let (status, body) = app
        .post(
            &app.admin_token,
            "/api/v1/people",
            &json!({"email": "bo@beta.example", "other_emails": ["ana@beta.example"]}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = app.post(&app.viewer_token, "/api/v1/people", &ana()).await;
    assert_eq!(status, 403);
    // Accounts: a bad domain or source, a loop of parents, another account's domain.
    let (status, body) = app
        .post(
            &app.admin_token,
            "/api/v1/accounts",
            &json!({"external_id": "ACC-1", "domains": ["localhost"], "external_ids": {"c r m": "1"}}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(field_of(&body), ["domains[0]", "external_ids.c r m"]);
    let (status, body) = app
        .post(
            &app.admin_token,
            "/api/v1/accounts",
            &json!({"external_id": "ACC-1", "parent": "ACC-2"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(field_of(&body), ["parent"]);
    let (status, body) = app
        .post(
            &app.admin_token,
            "/api/v1/accounts",
            &json!({"external_id": "ACC-2", "domains": ["noor.example"]}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = app.get(&app.admin_token, "/api/v1/people?limit=0").await;
    assert_eq!(status, 422);
}

async fn another_organisation_sees_none_of_it(b: Backend) {
    let app = TestApp::spawn(b).await;
    two_accounts(&app).await;
    let (_, person) = app.post(&app.admin_token, "/api/v1/people", &ana()).await;
    let id = person["id"].as_str().unwrap();
    let (_, theirs) = app.other_org("Other").await;
    for path in [
        format!("/api/v1/people/{id}"),
        "/api/v1/people/ana@beta.example".to_owned(),
        "/api/v1/accounts/ACC-1".to_owned(),
        "/api/v1/accounts/0015-1".to_owned(),
        "/api/v1/accounts/ACC-1/subscriptions".to_owned(),
        "/api/v1/people?account=ACC-1".to_owned(),
    ] {
        let (status, body) = app.get(&theirs, &path).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (_, page) = app.get(&theirs, "/api/v1/people").await;
    assert_eq!(page["items"], json!([]));
    assert_eq!(
        delete(
            &app,
            &theirs,
            &format!("/api/v1/people/{id}/memberships/ACC-1")
        )
        .await,
        404
    );
    let (status, _) = app
        .post(&theirs, "/api/v1/accounts/ACC-1/archive", &json!({}))
        .await;
    assert_eq!(status, 404);
    // The other organisation may use the same addresses, domains and ids for its own.
    let (status, mine) = app
        .post(
            &theirs,
            "/api/v1/people",
            &json!({"email": "ana@beta.example"}),
        )
        .await;
    assert_eq!(status, 201, "{mine}");
    assert_ne!(mine["id"], person["id"]);
    let (status, b) = app
        .post(&theirs, "/api/v1/accounts", &json!({"external_id": "X", "domains": ["noor.example"], "external_ids": {"crm": "0015-1"}}))
        .await;
    assert_eq!(status, 201, "{b}");
}

on_both_backends!(the_account_and_person_pages_escape_and_log_a_call);

/// A page's HTML with the session cookie.
async fn page(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    let res = app
        .client
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn the_account_and_person_pages_escape_and_log_a_call(b: Backend) {
    let app = TestApp::spawn(b).await;
    two_accounts(&app).await;
    let (_, person) = app.post(&app.admin_token, "/api/v1/people", &ana()).await;
    let id = person["id"].as_str().unwrap().to_owned();
    let cookie = crate::pages::login(&app).await;
    let (_, beta) = app.get(&app.admin_token, "/api/v1/accounts/ACC-2").await;
    let beta_id = beta["id"].as_str().unwrap().to_owned();
    let (s, list) = page(&app, &cookie, "/accounts").await;
    assert_eq!(s, 200);
    assert!(
        list.contains("Beta &#60;b&#62;Ltd&#60;/b&#62;"),
        "escaped: {list}"
    );
    assert!(!list.contains("<b>Ltd</b>"));
    assert!(list.contains("dir=\"auto\">شرکت نور</a>"), "{list}");
    let (s, html) = page(&app, &cookie, &format!("/accounts/{beta_id}")).await;
    assert_eq!(s, 200, "{html}");
    assert!(
        !html.contains("<script>"),
        "the person's name is escaped: {html}"
    );
    assert!(html.contains("id=\"relationship-map\""));
    assert!(html.contains("No contact"), "{html}");
    // Log a call through the form: it is on the timeline after the redirect.
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let post = |fields: Vec<(&'static str, String)>| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(fields);
        app.client
            .post(app.url(&format!("/accounts/{beta_id}/interactions")))
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };
    let res = post(vec![
        ("kind", "meeting".into()),
        ("when", "2026-11-20T09:30".into()),
        ("summary", "ملاقات: تجدید پر بات".into()),
        ("person_0", id.clone()),
    ])
    .await
    .unwrap();
    assert_eq!(res.status().as_u16(), 303, "post, redirect, get");
    let (_, html) = page(&app, &cookie, &format!("/accounts/{beta_id}")).await;
    assert!(html.contains("ملاقات: تجدید پر بات"), "{html}");
    assert!(html.contains("2026-11-20 09:30"));
    // Problems are shown on the page, nothing stored.
    let res = post(vec![
        ("kind", "lunch".into()),
        ("summary", " ".into()),
        ("score", "12".into()),
    ])
    .await
    .unwrap();
    let body = res.text().await.unwrap();
    for field in ["kind", "summary", "score"] {
        assert!(body.contains(field), "{field} named: {body}");
    }
    let (_, t) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/accounts/{beta_id}/timeline?kinds=interaction"),
        )
        .await;
    assert_eq!(t["items"].as_array().unwrap().len(), 1);
    // The person page: memberships of both accounts and the meeting on their timeline.
    let (s, html) = page(&app, &cookie, &format!("/people/{id}")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("شرکت نور") && html.contains("Beta &#60;b&#62;Ltd"),
        "{html}"
    );
    assert!(html.contains("ملاقات: تجدید پر بات"));
    // Another organisation's session sees neither page.
    let (s, _) = page(&app, "attune_session=nope", &format!("/people/{id}")).await;
    assert_ne!(s, 200);
}

on_both_backends!(the_cli_lists_and_shows_accounts_and_people);

/// Runs the `attune` binary on the test's database; returns (success, stdout, stderr).
pub(crate) async fn cli(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_attune"))
        .args(args)
        .env("ATTUNE_DB", &app.db_url)
        .envs(
            app.config
                .secret_key_file
                .iter()
                .map(|k| ("ATTUNE_SECRET_KEY_FILE", k)),
        )
        .env("ATTUNE_LOG", "warn")
        .output()
        .await
        .expect("run attune");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn the_cli_lists_and_shows_accounts_and_people(b: Backend) {
    let app = TestApp::spawn(b).await;
    two_accounts(&app).await;
    let (_, person) = app.post(&app.admin_token, "/api/v1/people", &ana()).await;
    let orgs = attune_storage::SettingsStore::list_orgs(app.store.as_ref())
        .await
        .unwrap();
    let slug = orgs
        .iter()
        .find(|o| o.id == app.org_id)
        .unwrap()
        .slug
        .clone();
    let (ok, out, err) = cli(&app, &["accounts", "list", "--org", &slug]).await;
    assert!(ok, "{err}");
    assert!(
        out.lines().any(|l| l.contains("\tACC-1\tشرکت نور\t")),
        "{out}"
    );
    let (ok, out, err) = cli(&app, &["accounts", "show", "--org", &slug, "ACC-2"]).await;
    assert!(ok, "{err}");
    let shown: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["people"][0]["id"], person["id"]);
    assert_eq!(shown["relationship"]["threading"]["flag"], "no_contact");
    let (ok, out, _) = cli(&app, &["accounts", "timeline", "--org", &slug, "ACC-2"]).await;
    assert!(ok && out.contains("membership_started"), "{out}");
    let (ok, out, _) = cli(
        &app,
        &["people", "list", "--org", &slug, "--account", "ACC-1"],
    )
    .await;
    assert!(ok && out.contains("ana@beta.example"), "{out}");
    let (ok, out, _) = cli(
        &app,
        &[
            "people",
            "show",
            "--org",
            &slug,
            "ana.personal@mail.example",
        ],
    )
    .await;
    assert!(ok, "{out}");
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()["id"],
        person["id"]
    );
    let (ok, _, err) = cli(
        &app,
        &["people", "show", "--org", &slug, "nobody@nowhere.example"],
    )
    .await;
    assert!(!ok && err.contains("not found"), "{err}");
}

on_both_backends!(contact_rules_are_kept_and_sensitive_data_hidden_from_viewers);

async fn contact_rules_are_kept_and_sensitive_data_hidden_from_viewers(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut body = json!({"email": "ana@beta.example", "preferences": {"calls": "mornings only"},
        "accessibility": ["screen_reader", "large_print", "screen_reader"],
        "contact": {"channels": ["phone", "email"], "quiet_hours": {"from": "21:00", "to": "08:00"},
                    "max_per_month": 2,
                    "opt_outs": [{"channel": "sms", "at": "2026-11-01T10:00:00Z", "how": "asked on a call"}]}});
    let (s, p) = app.post(&app.admin_token, "/api/v1/people", &body).await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(
        p["accessibility"],
        json!(["large_print", "screen_reader"]),
        "sorted, once each"
    );
    assert_eq!(
        p["contact"]["quiet_hours"],
        json!({"from": "21:00", "to": "08:00"})
    );
    assert_eq!(p["contact"]["opt_outs"][0]["at"], "2026-11-01T10:00:00Z");
    // Left out, the rules and the needs are kept.
    let (_, again) = app
        .post(
            &app.admin_token,
            "/api/v1/people",
            &json!({"email": "ana@beta.example", "preferences": {"calls": "mornings only"}}),
        )
        .await;
    assert_eq!(
        (&again["contact"], &again["accessibility"]),
        (&p["contact"], &p["accessibility"])
    );
    // A viewer sees how to contact them, not their needs or personal preferences.
    let id = p["id"].as_str().unwrap();
    let (_, seen) = app
        .get(&app.viewer_token, &format!("/api/v1/people/{id}"))
        .await;
    assert_eq!(seen["contact"], p["contact"]);
    assert!(
        seen.get("accessibility").is_none_or(Value::is_null),
        "{seen}"
    );
    assert!(seen.get("preferences").is_none_or(Value::is_null), "{seen}");
    let (_, contacts) = app.get(&app.viewer_token, "/api/v1/contacts").await;
    assert_eq!(contacts["items"][0]["preferences"], json!({}));
    // Bad rules name their field.
    body["contact"]["quiet_hours"] = json!({"from": "21:00", "to": "21:00"});
    body["contact"]["max_per_month"] = json!(0);
    body["contact"]["opt_outs"][0]["how"] = json!(" ");
    let (s, e) = app.post(&app.admin_token, "/api/v1/people", &body).await;
    assert_eq!(s, 422, "{e}");
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in [
        "contact.quiet_hours",
        "contact.max_per_month",
        "contact.opt_outs[0].how",
    ] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    // The person page shows the rules to everyone and the sensitive part to members only.
    let cookie = crate::pages::login(&app).await;
    let (_, html) = page(&app, &cookie, &format!("/people/{id}")).await;
    assert!(html.contains("Not between 21:00 and 08:00"), "{html}");
    assert!(html.contains("uses a screen reader") && html.contains("mornings only"));
}
