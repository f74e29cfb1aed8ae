//! Merging duplicates (issue 14): a merge moves everything of the duplicate onto the survivor
//! (responses, cases, interactions, people, team, ids, domains, subscriptions; the per-account
//! aggregates and the retention snapshots follow), and undo returns exactly what moved while
//! records created on the survivor since stay with it.

use attune_domain::org::Role;
use attune_storage::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(an_account_merge_moves_everything_and_undo_returns_it);
on_both_backends!(a_person_merge_moves_addresses_and_answers_and_is_undone);

/// NPS segments by plan: (plan, n, nps).
async fn nps_by_plan(app: &TestApp) -> Vec<(String, u64, f64)> {
    let (s, by) = app
        .get(&app.admin_token, "/api/v1/metrics/nps?by=plan")
        .await;
    assert_eq!(s, 200, "{by}");
    by["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["segment"].as_str().unwrap_or("").to_owned(),
                b["n"].as_u64().unwrap(),
                b["nps"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// Kinds of the account's timeline entries, counted.
async fn kinds(app: &TestApp, account: &str) -> std::collections::BTreeMap<String, usize> {
    let (s, t) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/accounts/{account}/timeline?limit=200"),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    let mut out = std::collections::BTreeMap::new();
    for e in t["items"].as_array().unwrap() {
        *out.entry(e["kind"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    out
}

/// The people of an account: (e-mail, roles) sorted.
async fn members(app: &TestApp, account: &str) -> Vec<(String, String)> {
    let (s, a) = app
        .get(&app.admin_token, &format!("/api/v1/accounts/{account}"))
        .await;
    assert_eq!(s, 200, "{a}");
    let mut out: Vec<(String, String)> = a["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let roles = p["memberships"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["account_id"] == a["id"])
                .map(|m| m["roles"].to_string())
                .unwrap_or_default();
            (p["email"].as_str().unwrap().to_owned(), roles)
        })
        .collect();
    out.sort();
    out
}

/// Two accounts that are one customer: A (gold) with two happy answers, B (silver) with three
/// (two unhappy ones open cases), a person in both with different roles, a person only in B,
/// a team member on both, a domain, a CRM id, an interaction and a subscription each.
async fn two_duplicates(app: &TestApp) -> (String, String, String) {
    let u = app
        .store
        .create_user(&app.org_id, "csm@us.example", "hash", Role::Member)
        .await
        .unwrap();
    for (ext, name, plan, extra) in [
        ("A-1", "Alpha", "gold", json!({})),
        (
            "B-1",
            "Alpha Ltd",
            "silver",
            json!({"industry": "retail", "domains": ["alpha.example"], "external_ids": {"crm": "crm-b"}}),
        ),
    ] {
        let mut body = json!({"external_id": ext, "name": name, "plan": plan});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (s, b) = app.post(&app.admin_token, "/api/v1/accounts", &body).await;
        assert_eq!(s, 201, "{b}");
        let res = app
            .client
            .put(app.url(&format!("/api/v1/accounts/{ext}/team")))
            .bearer_auth(&app.admin_token)
            .json(&json!({"team": [{"user": "csm@us.example", "role": "csm"}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    for (email, memberships) in [
        (
            "both@c.example",
            json!([{"account": "A-1", "roles": ["champion"]}, {"account": "B-1", "roles": ["billing"]}]),
        ),
        (
            "only-b@c.example",
            json!([{"account": "B-1", "roles": ["decision_maker"]}]),
        ),
    ] {
        let (s, b) = app
            .post(
                &app.admin_token,
                "/api/v1/people",
                &json!({"email": email, "memberships": memberships}),
            )
            .await;
        assert!(s == 200 || s == 201, "{b}");
    }
    let survey = app.nps_survey(&app.admin_token).await;
    for (acc, score) in [("A-1", 9), ("A-1", 10), ("B-1", 2), ("B-1", 3), ("B-1", 9)] {
        app.answer(
            &survey,
            json!({"answers": {"nps": score}, "account": {"external_id": acc}}),
        )
        .await;
    }
    let (s, b) = app
        .post(
            &app.admin_token,
            "/api/v1/interactions",
            &json!({"kind": "call", "account": "B-1", "summary": "Talked renewal",
                    "people": ["only-b@c.example"]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = app
        .post(
            &app.admin_token,
            "/api/v1/subscriptions",
            &json!([
                {"account_external_id": "A-1", "start_date": "2026-01-01", "mrr": 100, "product": "pro"},
                {"account_external_id": "B-1", "start_date": "2026-01-01", "mrr": 50, "product": "pro"}
            ]),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    (
        survey,
        u.id,
        app.store.account(&app.org_id, "B-1").await.unwrap().id,
    )
}

async fn subscriptions(app: &TestApp, account: &str) -> usize {
    let (s, b) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/accounts/{account}/subscriptions"),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    b["items"].as_array().map_or(0, Vec::len)
}

async fn an_account_merge_moves_everything_and_undo_returns_it(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (survey, _csm, b_id) = two_duplicates(&app).await;
    let before = (kinds(&app, "A-1").await, kinds(&app, "B-1").await);
    let people_before = (members(&app, "A-1").await, members(&app, "B-1").await);
    let gold_silver = vec![
        ("gold".to_owned(), 2, 100.0),
        ("silver".to_owned(), 3, -33.3333),
    ];
    assert_eq!(nps_by_plan(&app).await, gold_silver);
    assert_eq!(
        (
            subscriptions(&app, "A-1").await,
            subscriptions(&app, "B-1").await
        ),
        (1, 1)
    );

    let (s, merge) = app
        .post(
            &app.admin_token,
            "/api/v1/accounts/A-1/merge",
            &json!({"merge": "B-1"}),
        )
        .await;
    assert_eq!(s, 200, "{merge}");
    let moved = |what: &str| {
        merge["moved"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["what"] == what)
            .map(|m| (m["moved"].as_u64().unwrap(), m["dropped"].as_u64().unwrap()))
    };
    assert_eq!(moved("responses"), Some((3, 0)));
    assert_eq!(moved("cases"), Some((2, 0)));
    assert_eq!(moved("interactions"), Some((1, 0)));
    assert_eq!(
        moved("memberships"),
        Some((1, 1)),
        "the shared person keeps A's"
    );
    assert_eq!(moved("team"), Some((0, 1)), "the same CSM on both");
    assert_eq!(moved("domains"), Some((1, 0)));
    assert_eq!(moved("external_ids"), Some((1, 0)));
    let merge_id = merge["id"].as_str().unwrap().to_owned();

    // Everything is on A now; B is kept, pointing at A, and out of the list.
    let k = kinds(&app, "A-1").await;
    assert_eq!(k["response"], 5);
    assert_eq!(k["case_opened"], 2);
    assert_eq!(k["interaction"], 1);
    assert_eq!(k["merged"], 1);
    assert_eq!(
        members(&app, "A-1").await,
        vec![
            ("both@c.example".to_owned(), "[\"champion\"]".to_owned()),
            (
                "only-b@c.example".to_owned(),
                "[\"decision_maker\"]".to_owned()
            ),
        ]
    );
    let a = app.store.account(&app.org_id, "A-1").await.unwrap();
    assert_eq!(
        a.plan.as_deref(),
        Some("gold"),
        "the survivor's own value wins"
    );
    assert_eq!(
        a.industry.as_deref(),
        Some("retail"),
        "an empty field takes the duplicate's"
    );
    assert_eq!(a.domains, vec!["alpha.example".to_owned()]);
    assert_eq!(a.team.len(), 1);
    assert_eq!(
        app.store.account(&app.org_id, "crm-b").await.unwrap().id,
        a.id
    );
    let (_, listed) = app.get(&app.admin_token, "/api/v1/accounts").await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
    let (_, bb) = app.get(&app.admin_token, "/api/v1/accounts/B-1").await;
    assert_eq!(bb["merged_into"], json!(a.id));
    // The aggregates and the retention inputs followed.
    assert_eq!(nps_by_plan(&app).await, vec![("gold".to_owned(), 5, 20.0)]);
    assert_eq!(
        (
            subscriptions(&app, "A-1").await,
            subscriptions(&app, "B-1").await
        ),
        (2, 0)
    );

    // An answer naming the duplicate lands on the survivor, and stays there on undo.
    app.clock.set(crate::helpers::NOW_MS + 60_000);
    let late = app
        .answer(
            &survey,
            json!({"answers": {"nps": 10}, "account": {"external_id": "B-1"}}),
        )
        .await;
    assert_eq!(late["account_id"], json!(a.id), "{late}");
    refusals(&app, &merge_id).await;
    let (s, preview) = app
        .get(&app.admin_token, &format!("/api/v1/merges/{merge_id}"))
        .await;
    assert_eq!(s, 200, "{preview}");
    assert_eq!(preview["can_undo"], true);
    assert_eq!(preview["staying"][0]["what"], "responses");
    assert_eq!(preview["staying"][0]["ids"], json!([late["id"]]));

    undo_returns_what_moved(&app, &merge_id, &b_id, before, people_before).await;
}

type Kinds = std::collections::BTreeMap<String, usize>;
type Members = Vec<(String, String)>;

/// Undoing the merge: everything moved returns to B, the late answer stays with A.
async fn undo_returns_what_moved(
    app: &TestApp,
    merge_id: &str,
    b_id: &str,
    before: (Kinds, Kinds),
    people_before: (Members, Members),
) {
    let (s, undone) = app
        .post(
            &app.admin_token,
            &format!("/api/v1/merges/{merge_id}/undo"),
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{undone}");
    let mut after = (kinds(app, "A-1").await, kinds(app, "B-1").await);
    for k in [&mut after.0, &mut after.1] {
        assert_eq!(k.remove("merged"), Some(1));
        assert_eq!(k.remove("merge_undone"), Some(1));
    }
    *after.0.get_mut("response").unwrap() -= 1; // the late answer stays with A
    assert_eq!(after, before, "undo returns exactly what moved");
    assert_eq!(
        (members(app, "A-1").await, members(app, "B-1").await),
        people_before
    );
    let a = app.store.account(&app.org_id, "A-1").await.unwrap();
    assert_eq!(a.industry, None);
    assert!(a.domains.is_empty());
    let b_acc = app.store.account(&app.org_id, b_id).await.unwrap();
    assert_eq!((b_acc.merged_into, b_acc.team.len()), (None, 1));
    assert_eq!(
        app.store.account(&app.org_id, "crm-b").await.unwrap().id,
        b_id
    );
    assert_eq!(
        nps_by_plan(app).await,
        vec![
            ("gold".to_owned(), 3, 100.0),
            ("silver".to_owned(), 3, -33.3333)
        ]
    );
    assert_eq!(
        (
            subscriptions(app, "A-1").await,
            subscriptions(app, "B-1").await
        ),
        (1, 1)
    );
    let (s, again) = app
        .post(
            &app.admin_token,
            &format!("/api/v1/merges/{merge_id}/undo"),
            &json!({}),
        )
        .await;
    assert_eq!(s, 409, "{again}");
}

/// What a merge refuses, and that another organisation sees none of it.
async fn refusals(app: &TestApp, merge_id: &str) {
    for (path, body, field) in [
        (
            "/api/v1/accounts/A-1/merge",
            json!({"merge": "A-1"}),
            "merge",
        ),
        (
            "/api/v1/accounts/A-1/merge",
            json!({"merge": "B-1"}),
            "merge",
        ),
        (
            "/api/v1/accounts/A-1/merge",
            json!({"merge": "nobody"}),
            "merge",
        ),
    ] {
        let (s, e) = app.post(&app.admin_token, path, &body).await;
        assert_eq!(s, 422, "{body}: {e}");
        assert_eq!(e["error"]["fields"][0]["field"], field, "{e}");
    }
    let (s, _) = app
        .post(
            &app.admin_token,
            "/api/v1/accounts/nobody/merge",
            &json!({"merge": "A-1"}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .post(
            &app.viewer_token,
            "/api/v1/accounts/A-1/merge",
            &json!({"merge": "x"}),
        )
        .await;
    assert_eq!(s, 403);
    let (_, other) = app.other_org("Other").await;
    let (s, _) = app.get(&other, &format!("/api/v1/merges/{merge_id}")).await;
    assert_eq!(s, 404);
    let (s, _) = app
        .post(
            &other,
            &format!("/api/v1/merges/{merge_id}/undo"),
            &json!({}),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .post(
            &other,
            "/api/v1/accounts/A-1/merge",
            &json!({"merge": "B-1"}),
        )
        .await;
    assert_eq!(s, 404);
}

async fn a_person_merge_moves_addresses_and_answers_and_is_undone(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    for (email, name, phone) in [
        ("ana@c.example", json!("Ana"), Value::Null),
        (
            "ana.silva@home.example",
            json!("Ana Silva"),
            json!("+44 20 7946 0000"),
        ),
    ] {
        let mut body = json!({"email": email, "name": name});
        if !phone.is_null() {
            body["phone"] = phone;
        }
        let (s, b) = app.post(&app.admin_token, "/api/v1/people", &body).await;
        assert!(s == 200 || s == 201, "{b}");
    }
    for (email, score) in [("ana@c.example", 9), ("ana.silva@home.example", 1)] {
        app.answer(
            &survey,
            json!({"answers": {"nps": score}, "contact": {"email": email}}),
        )
        .await;
    }
    let ana = app
        .store
        .person_by_email(&app.org_id, "ana@c.example")
        .await
        .unwrap();
    let dup = app
        .store
        .person_by_email(&app.org_id, "ana.silva@home.example")
        .await
        .unwrap();
    let (s, m) = app
        .post(
            &app.admin_token,
            &format!("/api/v1/people/{}/merge", ana.id),
            &json!({"merge": "ana.silva@home.example"}),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let found = app
        .store
        .person_by_email(&app.org_id, "ana.silva@home.example")
        .await
        .unwrap();
    assert_eq!(found.id, ana.id, "both addresses find the survivor");
    assert_eq!(
        found.name.as_deref(),
        Some("Ana"),
        "the survivor's name is kept"
    );
    assert_eq!(
        found.phone.as_deref(),
        Some("+44 20 7946 0000"),
        "an empty phone is filled"
    );
    let timeline = |id: String| {
        let app = &app;
        async move {
            let (_, t) = app
                .get(
                    &app.admin_token,
                    &format!("/api/v1/people/{id}/timeline?kinds=response"),
                )
                .await;
            t["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(
        (
            timeline(ana.id.clone()).await,
            timeline(dup.id.clone()).await
        ),
        (2, 0)
    );
    let (_, people) = app.get(&app.admin_token, "/api/v1/people").await;
    assert_eq!(people["items"].as_array().unwrap().len(), 1, "{people}");

    let merge_id = m["id"].as_str().unwrap();
    let (s, u) = app
        .post(
            &app.admin_token,
            &format!("/api/v1/merges/{merge_id}/undo"),
            &json!({}),
        )
        .await;
    assert_eq!(s, 200, "{u}");
    let back = app
        .store
        .person_by_email(&app.org_id, "ana.silva@home.example")
        .await
        .unwrap();
    assert_eq!(back.id, dup.id);
    assert_eq!(back.merged_into, None);
    let ana_now = app.store.person(&app.org_id, &ana.id).await.unwrap();
    assert_eq!(ana_now.phone, None, "the filled phone is emptied again");
    assert_eq!(
        (
            timeline(ana.id.clone()).await,
            timeline(dup.id.clone()).await
        ),
        (1, 1)
    );
    let (s, t) = app
        .get(
            &app.admin_token,
            &format!(
                "/api/v1/people/{}/timeline?kinds=merged,merge_undone",
                ana.id
            ),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(t["items"].as_array().unwrap().len(), 2, "{t}");
}

on_both_backends!(merges_work_from_the_shell);

async fn merges_work_from_the_shell(b: Backend) {
    use crate::people::cli;
    let app = TestApp::spawn(b).await;
    for ext in ["S-1", "D-1"] {
        let (s, b) = app
            .post(
                &app.admin_token,
                "/api/v1/accounts",
                &json!({"external_id": ext, "name": "نور"}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
    }
    let orgs = app.store.list_orgs().await.unwrap();
    let slug = orgs
        .iter()
        .find(|o| o.id == app.org_id)
        .unwrap()
        .slug
        .clone();
    let (ok, out, err) = cli(&app, &["accounts", "merge", "--org", &slug, "S-1", "D-1"]).await;
    assert!(ok, "{err}");
    let merge: Value = serde_json::from_str(&out).unwrap();
    let id = merge["id"].as_str().unwrap();
    let (ok, out, err) = cli(&app, &["merges", "show", "--org", &slug, id]).await;
    assert!(ok, "{err}");
    let shown: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["blocked"], Value::Null, "{shown}");
    let (ok, _, err) = cli(&app, &["merges", "undo", "--org", &slug, id]).await;
    assert!(ok, "{err}");
    let (ok, _, err) = cli(&app, &["merges", "undo", "--org", &slug, id]).await;
    assert!(!ok && err.contains("already undone"), "{err}");
    let (ok, _, err) = cli(
        &app,
        &[
            "people",
            "merge",
            "--org",
            &slug,
            "a@x.example",
            "b@x.example",
        ],
    )
    .await;
    assert!(!ok && err.contains("not found"), "{err}");
}

on_both_backends!(merges_work_from_the_pages);

fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned()
}

async fn merges_work_from_the_pages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let cookie = crate::pages::login(&app).await;
    for (ext, name) in [("S-1", "شرکت نور"), ("D-1", "Noor <b>Ltd</b>")] {
        let (s, b) = app
            .post(
                &app.admin_token,
                "/api/v1/accounts",
                &json!({"external_id": ext, "name": name}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
    }
    let s_id = app.store.account(&app.org_id, "S-1").await.unwrap().id;
    let d_id = app.store.account(&app.org_id, "D-1").await.unwrap().id;
    let get = |path: String| {
        let app = &app;
        let cookie = cookie.clone();
        async move {
            let res = app
                .client
                .get(app.url(&path))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (_, html) = get(format!("/accounts/{s_id}")).await;
    assert!(
        html.contains("action=\"/accounts/") && html.contains("/merge\""),
        "{html}"
    );
    let csrf = csrf_of(&html);
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(fields);
        app.client
            .post(app.url(&path))
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };
    // A problem is shown on the account page, nothing merged.
    let res = post(
        format!("/accounts/{s_id}/merge"),
        vec![("merge", "S-1".into())],
    )
    .await
    .unwrap();
    let body = res.text().await.unwrap();
    assert!(body.contains("cannot be merged into itself"), "{body}");
    let res = post(
        format!("/accounts/{s_id}/merge"),
        vec![("merge", "D-1".into())],
    )
    .await
    .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/merges/"), "{to}");
    let (s, merge) = get(to.clone()).await;
    assert_eq!(s, 200, "{merge}");
    assert!(
        merge.contains("Noor &#60;b&#62;Ltd&#60;/b&#62;"),
        "escaped: {merge}"
    );
    assert!(merge.contains("dir=\"auto\">شرکت نور</a>"), "{merge}");
    let (_, dup) = get(format!("/accounts/{d_id}")).await;
    assert!(
        dup.contains(&format!("href=\"/accounts/{s_id}\"")),
        "the banner links: {dup}"
    );
    assert!(
        !dup.contains("id=\"merge\""),
        "a merged account offers no merge"
    );
    let (_, survivor) = get(format!("/accounts/{s_id}")).await;
    assert!(
        survivor.contains(&format!("href=\"{to}\"")),
        "on the timeline: {survivor}"
    );
    let res = post(format!("{to}/undo"), Vec::new()).await.unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let (_, merge) = get(to).await;
    assert!(merge.contains("undone"), "{merge}");
    assert!(!merge.contains("/undo\""), "no second undo");
    assert_eq!(
        app.store
            .account(&app.org_id, &d_id)
            .await
            .unwrap()
            .merged_into,
        None
    );
}
