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
