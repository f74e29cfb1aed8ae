//! The single-threaded flags of every account (issue 14, slice 7), kept incrementally: after
//! any sequence of writes (calls, internal notes, answers tied to a person, merges of people)
//! and of days passing, the kept flag of every account equals the one its own relationship
//! report computes from the raw touches; the list filters and sorts by flag, owner and
//! attribute; another organisation sees none of it.

use attune_domain::org::Role;
use attune_storage::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{Backend, NOW_MS, Rng, TestApp};
use crate::on_both_backends;

on_both_backends!(kept_flags_equal_each_accounts_own_report_after_any_writes);
on_both_backends!(the_flag_list_filters_and_sorts);

const DAY_MS: i64 = 86_400_000;

async fn flags(app: &TestApp, query: &str) -> Vec<(String, Value)> {
    let (s, b) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/relationship-flags{query}"),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["external_id"].as_str().unwrap().to_owned(),
                i["threading"].clone(),
            )
        })
        .collect()
}

async fn own_report(app: &TestApp, account: &str) -> Value {
    let (s, b) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/accounts/{account}/relationship"),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    b["threading"].clone()
}

fn day(ms: i64) -> String {
    attune_domain::period::format_ms(ms)
}

async fn kept_flags_equal_each_accounts_own_report_after_any_writes(b: Backend) {
    let app = TestApp::spawn(b).await;
    let staff = ["csm@us.example", "ae@us.example"];
    for email in staff {
        app.store
            .create_user(&app.org_id, email, "hash", Role::Member)
            .await
            .unwrap();
    }
    let accounts = ["A", "B", "C", "D"];
    let mut people = Vec::new();
    for (i, a) in accounts.iter().enumerate() {
        let (s, b) = app
            .post(
                &app.admin_token,
                "/api/v1/accounts",
                &json!({"external_id": a, "name": format!("Account {a}")}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        for p in 0..3 {
            let email = format!("p{p}@{i}.example");
            let (s, b) = app
                .post(
                    &app.admin_token,
                    "/api/v1/people",
                    &json!({"email": email, "memberships": [{"account": a}]}),
                )
                .await;
            assert_eq!(s, 201, "{b}");
            people.push((a.to_string(), email, b["id"].as_str().unwrap().to_owned()));
        }
    }
    let survey = app.nps_survey(&app.admin_token).await;
    let mut rng = Rng(0x5eed_f1a6);
    let mut now = NOW_MS;
    let mut merged = 0;
    for step in 0..40 {
        let (account, email, person) = people[rng.below(people.len() as u64) as usize].clone();
        match rng.below(6) {
            0 | 1 => {
                let internal = rng.below(4) == 0;
                let (s, b) = app
                    .post(
                        &app.admin_token,
                        "/api/v1/interactions",
                        &json!({
                        "account": account, "kind": if internal { "note" } else { "call" },
                        "internal": internal, "summary": "catch-up",
                        "occurred_at": day(now - rng.below(120) as i64 * DAY_MS),
                        "people": [person], "staff": [rng.pick(&staff)]}),
                    )
                    .await;
                assert_eq!(s, 201, "{b}");
            }
            2 | 3 => {
                app.answer(
                    &survey,
                    json!({"answers": {"nps": rng.below(11)},
                    "contact": {"email": email}, "account": {"external_id": account},
                    "submitted_at": day(now - rng.below(100) as i64 * DAY_MS)}),
                )
                .await;
            }
            4 if merged < 2 => {
                // Two people of one account become one.
                let other = people
                    .iter()
                    .find(|(a, _, p)| *a == account && *p != person)
                    .map(|(_, _, p)| p.clone());
                if let Some(other) = other {
                    let (s, b) = app
                        .post(
                            &app.admin_token,
                            &format!("/api/v1/people/{person}/merge"),
                            &json!({"merge": other}),
                        )
                        .await;
                    assert_eq!(s, 200, "{b}");
                    people.retain(|(_, _, p)| *p != other);
                    merged += 1;
                }
            }
            _ => {
                // Days pass: touches leave the window.
                now += rng.below(20) as i64 * DAY_MS;
                app.clock.set(now);
            }
        }
        let kept = flags(&app, "").await;
        assert_eq!(kept.len(), accounts.len());
        for (account, threading) in kept {
            assert_eq!(
                threading,
                own_report(&app, &account).await,
                "step {step}, account {account}"
            );
        }
    }
    // Another window recomputes every account, with the same answers as their reports.
    for (account, threading) in flags(&app, "?days=30").await {
        let (_, r) = app
            .get(
                &app.admin_token,
                &format!("/api/v1/accounts/{account}/relationship?days=30"),
            )
            .await;
        assert_eq!(threading, r["threading"], "{account}");
    }
    let (_, other) = app.other_org("Other").await;
    let (s, b) = app.get(&other, "/api/v1/relationship-flags").await;
    assert_eq!((s, b["items"].clone()), (200, json!([])));
}

async fn the_flag_list_filters_and_sorts(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.store
        .create_user(&app.org_id, "csm@us.example", "hash", Role::Member)
        .await
        .unwrap();
    app.store
        .create_user(&app.org_id, "ae@us.example", "hash", Role::Member)
        .await
        .unwrap();
    for (a, plan, owner) in [
        ("Zeta", "Growth", Some("csm@us.example")),
        ("Alpha", "Growth", None),
        ("Mid", "Start", None),
    ] {
        let mut body = json!({"external_id": a, "name": a, "plan": plan});
        if let Some(o) = owner {
            body["owner_email"] = json!(o);
        }
        let (s, r) = app.post(&app.admin_token, "/api/v1/accounts", &body).await;
        assert_eq!(s, 201, "{r}");
    }
    // Zeta: two people, two of our staff: multi-threaded. Mid: one person: single-threaded.
    for (account, email, user) in [
        ("Zeta", "a@zeta.example", "csm@us.example"),
        ("Zeta", "b@zeta.example", "ae@us.example"),
        ("Mid", "c@mid.example", "csm@us.example"),
    ] {
        let (_, p) = app
            .post(
                &app.admin_token,
                "/api/v1/people",
                &json!({"email": email, "memberships": [{"account": account}]}),
            )
            .await;
        let (s, r) = app
            .post(
                &app.admin_token,
                "/api/v1/interactions",
                &json!({"account": account, "kind": "call",
                "summary": "hello", "people": [p["id"]], "staff": [user]}),
            )
            .await;
        assert_eq!(s, 201, "{r}");
    }
    let names = |rows: Vec<(String, Value)>| rows.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
    assert_eq!(names(flags(&app, "").await), ["Alpha", "Mid", "Zeta"]);
    assert_eq!(
        names(flags(&app, "?sort=flag").await),
        ["Alpha", "Mid", "Zeta"]
    );
    assert_eq!(names(flags(&app, "?flag=flagged").await), ["Alpha", "Mid"]);
    assert_eq!(names(flags(&app, "?flag=single_threaded").await), ["Mid"]);
    assert_eq!(names(flags(&app, "?flag=no_contact").await), ["Alpha"]);
    assert_eq!(names(flags(&app, "?flag=multi_threaded").await), ["Zeta"]);
    assert_eq!(names(flags(&app, "?owner=csm@us.example").await), ["Zeta"]);
    assert_eq!(
        names(flags(&app, "?owner=none&sort=flag").await),
        ["Alpha", "Mid"]
    );
    assert_eq!(
        names(flags(&app, "?attribute=plan:Growth").await),
        ["Alpha", "Zeta"]
    );
    assert_eq!(
        names(flags(&app, "?sort=owner").await),
        ["Zeta", "Alpha", "Mid"]
    );
    // Refreshes at once (each a new window: a full recompute) all answer.
    let windows = [40, 41, 42, 43].map(|d| {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/api/v1/relationship-flags?days={d}")),
            app.admin_token.clone(),
        );
        tokio::spawn(async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    });
    for w in windows {
        assert_eq!(w.await.unwrap(), 200);
    }
    let (s, b) = app
        .get(
            &app.admin_token,
            "/api/v1/relationship-flags?attribute=null",
        )
        .await;
    assert_eq!(s, 422, "{b}");
    let (s, b) = app
        .get(&app.admin_token, "/api/v1/relationship-flags?flag=lonely")
        .await;
    assert_eq!(s, 422, "{b}");
    let (s, b) = app
        .get(
            &app.admin_token,
            "/api/v1/relationship-flags?owner=who@else.example",
        )
        .await;
    assert_eq!(s, 422, "{b}");
}

on_both_backends!(an_accounts_scores_come_with_their_interval);

/// The account header's NPS and CSAT over 365 days: worked counts, the Tango and Wilson
/// intervals of the domain, older answers and other accounts left out.
async fn an_accounts_scores_come_with_their_interval(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (s, survey) = app
        .post(
            &app.admin_token,
            "/api/v1/surveys",
            &json!({
            "name": "Quarterly", "default_language": "en", "questions": [
                {"key": "nps", "type": "nps", "text": {"en": "How likely?"}},
                {"key": "sat", "type": "csat", "text": {"en": "How satisfied?"}}]}),
        )
        .await;
    assert_eq!(s, 201, "{survey}");
    let survey = survey["id"].as_str().unwrap().to_owned();
    for a in ["ACC-1", "ACC-2"] {
        app.post(
            &app.admin_token,
            "/api/v1/accounts",
            &json!({"external_id": a, "name": a}),
        )
        .await;
    }
    let answer = |account: &str, nps: i64, sat: Option<i64>, days_ago: i64| {
        let mut answers = json!({"nps": nps});
        if let Some(sat) = sat {
            answers["sat"] = json!(sat);
        }
        json!({"answers": answers, "account": {"external_id": account},
               "submitted_at": day(NOW_MS - days_ago * DAY_MS)})
    };
    for (nps, sat) in [
        (10, Some(5)),
        (9, Some(4)),
        (9, Some(2)),
        (7, None),
        (3, None),
        (0, None),
    ] {
        app.answer(&survey, answer("ACC-1", nps, sat, 10)).await;
    }
    app.answer(&survey, answer("ACC-1", 0, Some(1), 400)).await; // older than a year
    app.answer(&survey, answer("ACC-2", 0, Some(1), 1)).await; // another account
    let (s, b) = app
        .get(&app.admin_token, "/api/v1/accounts/ACC-1/scores")
        .await;
    assert_eq!(s, 200, "{b}");
    let items = b["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{b}");
    let nps = &items[0];
    assert_eq!(
        (nps["metric"].as_str(), nps["n"].as_u64()),
        (Some("nps"), Some(6))
    );
    // 3 promoters, 2 detractors of 6: 100 × 1/6.
    assert!(
        (nps["value"].as_f64().unwrap() - 16.6667).abs() < 1e-9,
        "{nps}"
    );
    let (lo, hi) =
        attune_domain::metrics::tango::tango_interval(2, 3, 6, attune_domain::metrics::Z95)
            .unwrap();
    let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
    assert_eq!(nps["ci95"], json!([round(lo), round(hi)]));
    let csat = &items[1];
    assert_eq!(
        (csat["metric"].as_str(), csat["n"].as_u64()),
        (Some("csat"), Some(3))
    );
    assert!(
        (csat["value"].as_f64().unwrap() - 66.6667).abs() < 1e-9,
        "{csat}"
    );
    let (lo, hi) =
        attune_domain::metrics::wilson::wilson_interval(2, 3, attune_domain::metrics::Z95).unwrap();
    assert_eq!(csat["ci95"], json!([round(100.0 * lo), round(100.0 * hi)]));
    // The account page shows them in its header.
    let cookie = crate::pages::login(&app).await;
    let id = app.store.account(&app.org_id, "ACC-1").await.unwrap().id;
    let html = app
        .client
        .get(app.url(&format!("/accounts/{id}")))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("NPS, Quarterly, last 12 months"), "{html}");
    assert!(html.contains("17 (95 % interval"), "{html}");
    assert!(html.contains("6 answers"), "{html}");
    let (_, other) = app.other_org("Other").await;
    let (s, _) = app.get(&other, "/api/v1/accounts/ACC-1/scores").await;
    assert_eq!(s, 404);
}

on_both_backends!(the_flag_list_comes_in_pages_that_add_up);

/// The list is cut into pages by the database: for every order and filter, the pages of two
/// put end to end are the whole list, each account once, the last page without a `next`; a
/// custom attribute filters too; the account page links to its next page with its filters.
async fn the_flag_list_comes_in_pages_that_add_up(b: Backend) {
    let app = TestApp::spawn(b).await;
    app.store
        .create_user(&app.org_id, "csm@us.example", "hash", Role::Member)
        .await
        .unwrap();
    // Names repeat so that the order falls back to ids within a name.
    let mut rng = Rng(0x9a6e5);
    for i in 0..9 {
        let (name, plan, tier) = (
            ["Beta", "Alpha", "Gamma"][i % 3],
            ["Growth", "Start"][i % 2],
            ["gold", "silver"][i % 2],
        );
        let mut body = json!({"external_id": format!("E{i}"), "name": name,
            "plan": plan, "attributes": {"tier": tier}});
        if i % 3 == 0 {
            body["owner_email"] = json!("csm@us.example");
        }
        let (s, r) = app.post(&app.admin_token, "/api/v1/accounts", &body).await;
        assert_eq!(s, 201, "{r}");
        // Some have one person touched (single-threaded), some two, some none.
        for p in 0..rng.below(3) {
            let (_, person) = app
                .post(
                    &app.admin_token,
                    "/api/v1/people",
                    &json!({"email": format!("p{p}@e{i}.example"), "memberships": [{"account": format!("E{i}")}]}),
                )
                .await;
            let (s, r) = app
                .post(
                    &app.admin_token,
                    "/api/v1/interactions",
                    &json!({"account": format!("E{i}"), "kind": "call", "summary": "hello",
                        "people": [person["id"]], "staff": ["csm@us.example"]}),
                )
                .await;
            assert_eq!(s, 201, "{r}");
        }
    }
    for query in [
        "sort=name",
        "sort=flag",
        "sort=owner",
        "flag=flagged&sort=flag",
        "owner=none",
        "attribute=tier:gold&sort=owner",
        "attribute=plan:Start",
    ] {
        let (s, whole) = app
            .get(
                &app.admin_token,
                &format!("/api/v1/relationship-flags?{query}&limit=1000"),
            )
            .await;
        assert_eq!(s, 200, "{whole}");
        assert!(whole.get("next").is_none_or(Value::is_null), "{query}");
        let whole: Vec<Value> = whole["items"].as_array().unwrap().clone();
        let mut paged: Vec<Value> = Vec::new();
        let mut after = String::new();
        loop {
            let (s, page) = app
                .get(
                    &app.admin_token,
                    &format!("/api/v1/relationship-flags?{query}&limit=2{after}"),
                )
                .await;
            assert_eq!(s, 200, "{page}");
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 2);
            paged.extend(items.iter().cloned());
            match page["next"].as_str() {
                Some(next) => after = format!("&after={next}"),
                None => break,
            }
        }
        assert_eq!(paged, whole, "{query}");
        assert!(!whole.is_empty(), "{query}");
    }
    let tiers = flags(&app, "?attribute=tier:gold").await;
    assert_eq!(tiers.len(), 5, "{tiers:?}");
    let (s, b) = app
        .get(&app.admin_token, "/api/v1/relationship-flags?limit=0")
        .await;
    assert_eq!(s, 422, "{b}");
    the_page_links_to_the_rest(&app).await;
}

/// The account page: 100 accounts, then a link to the rest with the same filters.
async fn the_page_links_to_the_rest(app: &TestApp) {
    let more: Vec<attune_storage::model::AccountUpsert> = (0..100)
        .map(|i| attune_storage::model::AccountUpsert {
            external_id: format!("M{i:03}"),
            name: format!("More {i:03}"),
            ..Default::default()
        })
        .collect();
    app.store
        .import_accounts(&app.org_id, &more, NOW_MS, &|_| {})
        .await
        .unwrap();
    let cookie = crate::pages::login(app).await;
    let html = |url: String| {
        let (client, cookie) = (app.client.clone(), cookie.clone());
        async move {
            let res = client
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.text().await.unwrap()
        }
    };
    let first = html(app.url("/accounts?flag=no_contact&sort=flag")).await;
    let rows = |h: &str| h.matches("<tr><td><a href=\"/accounts/").count();
    assert_eq!(rows(&first), 100);
    assert!(first.contains("100 accounts on this page"));
    let next = first
        .split("<p><a href=\"")
        .find_map(|s| {
            s.split_once("\">Next accounts")
                .map(|(h, _)| h.replace("&#38;", "&"))
        })
        .expect("a link to the next page");
    assert!(
        next.starts_with("/accounts?flag=no_contact&sort=flag&after="),
        "{next}"
    );
    let second = html(app.url(&next)).await;
    let no_contact = flags(app, "?flag=no_contact&limit=1000").await.len();
    assert_eq!(rows(&second), no_contact - 100);
    assert!(!second.contains("Next accounts"));
    let rest = match no_contact - 100 {
        1 => "One account on this page".to_owned(),
        n => format!("{n} accounts on this page"),
    };
    assert!(second.contains(&rest), "{rest}");
}
