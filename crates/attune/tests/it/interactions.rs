//! Interactions and the timeline (issue 14), through the HTTP API on both backends: a call
//! with a score heard opens a case and counts in NPS like any answer; an internal note cannot
//! carry feedback; feedback left unstored by a dying process is stored exactly once at the next
//! start; the account's and the person's timelines list everything newest first, page without
//! losing or repeating an entry, filter by kind, and stay inside the organisation.

use attune_storage::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{Backend, NOW_MS, TestApp};
use crate::on_both_backends;

on_both_backends!(a_call_with_a_score_counts_and_opens_a_case);
on_both_backends!(feedback_left_by_a_dying_process_is_stored_once);
on_both_backends!(the_timeline_lists_everything_newest_first_in_pages);

async fn customer(app: &TestApp) -> (String, String) {
    let (s, acc) = app
        .post(
            &app.admin_token,
            "/api/v1/accounts",
            &json!({"external_id": "ACC-1", "name": "نور ٹریڈرز"}),
        )
        .await;
    assert_eq!(s, 201, "{acc}");
    let (s, person) = app
        .post(
            &app.admin_token,
            "/api/v1/people",
            &json!({"email": "amna@noor.example", "name": "آمنہ",
                    "memberships": [{"account": "ACC-1", "roles": ["decision_maker"], "from": "2026-01-10"}]}),
        )
        .await;
    assert_eq!(s, 201, "{person}");
    (
        acc["id"].as_str().unwrap().to_owned(),
        person["id"].as_str().unwrap().to_owned(),
    )
}

async fn a_call_with_a_score_counts_and_opens_a_case(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (account, person) = customer(&app).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let call = json!({
        "account": "ACC-1", "kind": "call", "occurred_at": "2026-11-20T10:00:00Z",
        "duration_minutes": 25, "summary": "Renewal worries; <b>invoice</b> wrong twice.",
        "people": ["amna@noor.example"], "staff": [],
        "follow_ups": [{"text": "Send the corrected invoice", "due": "2026-11-25"}],
        "feedback": {"survey": survey, "answers": {"nps": 3, "why": "بل دو بار غلط آیا"}, "language": "ur"}
    });
    let (s, logged) = app
        .post(&app.admin_token, "/api/v1/interactions", &call)
        .await;
    assert_eq!(s, 201, "{logged}");
    let it = &logged["interaction"];
    assert_eq!(it["people"], json!([person]));
    assert_eq!(it["follow_ups"][0]["due"], "2026-11-25");
    let response_id = logged["response_id"].as_str().expect("a response");
    assert_eq!(it["response_id"], response_id);
    // The response is the customer's, on the staff channel, at the time of the call.
    let (_, r) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/responses/{response_id}"),
        )
        .await;
    assert_eq!(
        (&r["channel"], &r["contact_id"], &r["account_id"]),
        (&json!("staff"), &json!(person), &json!(account)),
        "{r}"
    );
    // It counts in NPS and opened a case like any detractor's answer.
    let (_, m) = app
        .get(
            &app.admin_token,
            "/api/v1/metrics/nps?from=2026-11-01&to=2026-11-30",
        )
        .await;
    assert_eq!(
        (m["n"].as_u64(), m["detractors"].as_u64()),
        (Some(1), Some(1)),
        "{m}"
    );
    let (_, cases) = app.get(&app.admin_token, "/api/v1/cases").await;
    let case = &cases["items"][0];
    assert_eq!(case["response_id"], response_id, "{cases}");
    let (_, feed) = app
        .get(&app.admin_token, "/api/v1/feedback?channel=staff")
        .await;
    assert_eq!(feed["items"].as_array().unwrap().len(), 1);
    // An internal note cannot carry feedback; bad answers store nothing at all.
    let mut note = call.clone();
    note["kind"] = json!("note");
    note["internal"] = json!(true);
    let (s, e) = app
        .post(&app.admin_token, "/api/v1/interactions", &note)
        .await;
    assert_eq!(
        (s, &e["error"]["fields"][0]["field"]),
        (422, &json!("feedback")),
        "{e}"
    );
    let mut bad = call.clone();
    bad["feedback"]["answers"]["nps"] = json!(11);
    bad["kind"] = json!("lunch");
    bad["people"] = json!(["nobody@nowhere.example"]);
    let (s, e) = app
        .post(&app.admin_token, "/api/v1/interactions", &bad)
        .await;
    assert_eq!(s, 422, "{e}");
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["kind", "people[0]"], "{e}");
    bad["kind"] = json!("call");
    bad["people"] = json!([person]);
    let (s, e) = app
        .post(&app.admin_token, "/api/v1/interactions", &bad)
        .await;
    assert_eq!(
        (s, &e["error"]["fields"][0]["field"]),
        (422, &json!("feedback.answers.nps")),
        "{e}"
    );
    let (_, t) = app
        .get(
            &app.admin_token,
            "/api/v1/accounts/ACC-1/timeline?kinds=interaction",
        )
        .await;
    assert_eq!(
        t["items"].as_array().unwrap().len(),
        1,
        "refused ones left nothing: {t}"
    );
    // The interaction itself; a viewer may read but not log.
    let id = it["id"].as_str().unwrap();
    let (s, shown) = app
        .get(&app.viewer_token, &format!("/api/v1/interactions/{id}"))
        .await;
    assert_eq!((s, &shown["summary"]), (200, &it["summary"]));
    let (s, _) = app
        .post(&app.viewer_token, "/api/v1/interactions", &call)
        .await;
    assert_eq!(s, 403);
}

async fn feedback_left_by_a_dying_process_is_stored_once(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (account, person) = customer(&app).await;
    let survey = app.nps_survey(&app.admin_token).await;
    // What `log` writes before the response: the interaction with its feedback kept. The
    // process "dies" here.
    let kept = json!({"survey_id": survey, "input": {
        "answers": {"nps": 2}, "channel": "staff", "language": "en",
        "contact": {"email": "amna@noor.example"}, "account": {"external_id": "ACC-1"},
        "submitted_at": "2026-11-21T09:00:00Z"}});
    let new = attune_storage::model::NewInteraction {
        account_id: Some(account),
        kind: attune_domain::customer::InteractionKind::Meeting,
        occurred_at: NOW_MS - 86_400_000,
        duration_minutes: None,
        summary: "Quarterly review".into(),
        internal: false,
        follow_ups: Vec::new(),
        people: vec![person],
        staff: Vec::new(),
        created_by: None,
        feedback: Some(kept),
    };
    let it = app
        .store
        .insert_interaction(&app.org_id, &new, NOW_MS)
        .await
        .unwrap();
    assert!(it.feedback_pending);
    let store = app.store.as_ref() as &dyn attune_storage::Store;
    use attune_app::customers::interactions::finish_pending;
    assert_eq!(finish_pending(store, NOW_MS + 1, NOW_MS).await.unwrap(), 1);
    assert_eq!(
        finish_pending(store, NOW_MS + 1, NOW_MS).await.unwrap(),
        0,
        "nothing left"
    );
    let linked = app.store.interaction(&app.org_id, &it.id).await.unwrap();
    assert!(!linked.feedback_pending);
    let response = linked.response_id.expect("linked");
    // A second try after the response was stored but before the link (the other way to die)
    // finds the first response by its dedup key instead of storing another.
    let (_, m) = app
        .get(
            &app.admin_token,
            "/api/v1/metrics/nps?from=2026-11-01&to=2026-11-30",
        )
        .await;
    assert_eq!(m["n"], 1);
    let key = format!("interaction:{}", it.id);
    assert_eq!(
        app.store
            .response_by_dedup_key(&app.org_id, &key)
            .await
            .unwrap(),
        Some(response)
    );
}

async fn ids(page: &Value) -> Vec<(String, String)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_owned(),
                e["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn the_timeline_lists_everything_newest_first_in_pages(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (_, person) = customer(&app).await;
    let survey = app.nps_survey(&app.admin_token).await;
    for (i, nps) in [9, 2, 10].into_iter().enumerate() {
        app.answer(
            &survey,
            json!({"answers": {"nps": nps, "why": format!("answer {i}")},
                   "contact": {"email": "amna@noor.example"},
                   "submitted_at": format!("2026-11-2{i}T08:00:00Z")}),
        )
        .await;
    }
    // Two interactions at the same instant as each other, a third at the instant of an answer,
    // an internal note, a subscription. (The detractor answered within the seven days in which
    // answers open cases.)
    let (s, b) = app
        .post(
            &app.admin_token,
            "/api/v1/interactions",
            &json!({"account": "ACC-1", "kind": "email", "occurred_at": "2026-11-21T08:00:00Z",
                      "summary": "Sent the new price list", "people": [person]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    for kind in ["call", "visit"] {
        let (s, b) = app
            .post(
                &app.admin_token,
                "/api/v1/interactions",
                &json!({"account": "ACC-1", "kind": kind, "occurred_at": "2026-11-15T12:00:00Z",
                          "summary": format!("{kind} with Amna"), "people": [person]}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
    }
    app.post(&app.admin_token, "/api/v1/interactions",
             &json!({"account": "ACC-1", "kind": "note", "internal": true, "summary": "قیمت پر بات نہ کریں"}))
        .await;
    app.post(&app.admin_token, "/api/v1/subscriptions",
             &json!([{"account_external_id": "ACC-1", "start_date": "2026-02-01", "end_date": "2026-10-31",
                      "mrr": "120.00", "cancellation_reason": "budget"}]))
        .await;
    let (s, all) = app
        .get(&app.admin_token, "/api/v1/accounts/ACC-1/timeline")
        .await;
    assert_eq!(s, 200, "{all}");
    let kinds: Vec<String> = ids(&all).await.into_iter().map(|(k, _)| k).collect();
    // 3 responses, 1 case (the detractor), 4 interactions, a subscription started and ended,
    // the decision maker joining.
    assert_eq!(kinds.len(), 11, "{kinds:?}");
    for k in [
        "response",
        "case_opened",
        "interaction",
        "subscription_started",
        "subscription_ended",
        "membership_started",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} missing from {kinds:?}");
    }
    let times: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
    walk_in_pages(&app, &ids(&all).await).await;
    // Filtered by kind; the person's own timeline has their answers and calls, not the note.
    let (_, only) = app
        .get(
            &app.admin_token,
            "/api/v1/accounts/ACC-1/timeline?kinds=response,case_opened",
        )
        .await;
    assert_eq!(ids(&only).await.len(), 4);
    let (_, mine) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/people/{person}/timeline"),
        )
        .await;
    let mine: Vec<String> = ids(&mine).await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        mine.iter().filter(|k| *k == "interaction").count(),
        3,
        "{mine:?}"
    );
    assert_eq!(
        mine.iter().filter(|k| *k == "response").count(),
        3,
        "{mine:?}"
    );
    let (s, e) = app
        .get(
            &app.admin_token,
            "/api/v1/accounts/ACC-1/timeline?kinds=gossip",
        )
        .await;
    assert_eq!(
        (s, &e["error"]["fields"][0]["field"]),
        (422, &json!("kinds"))
    );
    let (s, _) = app
        .get(
            &app.admin_token,
            "/api/v1/accounts/ACC-1/timeline?after=nonsense",
        )
        .await;
    assert_eq!(s, 422);
    // Another organisation sees neither timeline.
    let (_, theirs) = app.other_org("Other").await;
    for path in [
        "/api/v1/accounts/ACC-1/timeline".to_owned(),
        format!("/api/v1/people/{person}/timeline"),
    ] {
        let (s, _) = app.get(&theirs, &path).await;
        assert_eq!(s, 404, "{path}");
    }
}

/// Pages of 1, 2 and 3 walk the same list as one page, none lost or repeated, ties included.
async fn walk_in_pages(app: &TestApp, all: &[(String, String)]) {
    for size in [1, 2, 3] {
        let mut walked = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let path = match &after {
                Some(a) => format!(
                    "/api/v1/accounts/ACC-1/timeline?limit={size}&after={}",
                    urlencode(a)
                ),
                None => format!("/api/v1/accounts/ACC-1/timeline?limit={size}"),
            };
            let (s, page) = app.get(&app.admin_token, &path).await;
            assert_eq!(s, 200, "{page}");
            walked.extend(ids(&page).await);
            match page["next"].as_str() {
                Some(n) => after = Some(n.to_owned()),
                None => break,
            }
        }
        assert_eq!(walked, all, "pages of {size}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

on_both_backends!(the_relationship_report_flags_a_single_threaded_account);

async fn the_relationship_report_flags_a_single_threaded_account(b: Backend) {
    use attune_domain::org::Role;
    let app = TestApp::spawn(b).await;
    let (_, amna) = customer(&app).await; // the decision maker
    for email in ["csm@us.example", "ae@us.example"] {
        app.store
            .create_user(&app.org_id, email, "hash", Role::Member)
            .await
            .unwrap();
    }
    let (_, bilal) = app
        .post(&app.admin_token, "/api/v1/people",
              &json!({"email": "bilal@noor.example", "memberships": [{"account": "ACC-1", "roles": ["user"]}]}))
        .await;
    let bilal = bilal["id"].as_str().unwrap().to_owned();
    let log = |person: String, staff: &'static str, internal: bool| {
        json!({"account": "ACC-1", "kind": if internal { "note" } else { "call" }, "internal": internal,
               "occurred_at": "2026-11-01", "summary": "catch-up", "people": [person], "staff": [staff]})
    };
    assert_eq!(report(&app).await["threading"]["flag"], "no_contact");
    for _ in 0..3 {
        app.post(
            &app.admin_token,
            "/api/v1/interactions",
            &log(bilal.clone(), "csm@us.example", false),
        )
        .await;
    }
    // An internal note about the decision maker is not a touch.
    app.post(
        &app.admin_token,
        "/api/v1/interactions",
        &log(amna.clone(), "ae@us.example", true),
    )
    .await;
    let r = report(&app).await;
    let reasons: Vec<&str> = r["threading"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["few_people", "one_staff_member"], "{r}");
    let dm = r["map"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["person_id"] == amna)
        .unwrap();
    assert_eq!(
        (dm["gap"].as_bool(), &dm["roles"]),
        (Some(true), &json!(["decision_maker"])),
        "{r}"
    );
    // The decision maker on a call with someone else: 3 of 4 touches are Bilal's (75 %).
    app.post(
        &app.admin_token,
        "/api/v1/interactions",
        &log(amna.clone(), "ae@us.example", false),
    )
    .await;
    let r = report(&app).await;
    assert_eq!(
        r["threading"]["reasons"],
        json!([{"reason": "one_person_holds_most", "person_id": bilal, "touches": 3, "of": 4}]),
        "{r}"
    );
    // The decision maker answers a survey: 3 of 5 (60 %), two of our staff: not flagged, and
    // the decision maker's role is covered (the user's is not), with their sentiment shown.
    let survey = app.nps_survey(&app.admin_token).await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 6}, "contact": {"email": "amna@noor.example"},
                               "submitted_at": "2026-11-10T09:00:00Z"}),
    )
    .await;
    let r = report(&app).await;
    assert_eq!(
        r["threading"],
        json!({"flag": "multi_threaded", "people": 2, "touches": 5}),
        "{r}"
    );
    assert_eq!(
        (&r["roles_answered"], &r["roles_missing"]),
        (&json!(["decision_maker"]), &json!(["user"]))
    );
    let dm = r["map"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["person_id"] == amna)
        .unwrap();
    assert_eq!(
        (&dm["sentiment"], &dm["gap"]),
        (&json!("detractor"), &json!(false))
    );
    // A window that leaves everything out; a bad window; another organisation.
    let (_, short) = app
        .get(
            &app.admin_token,
            "/api/v1/accounts/ACC-1/relationship?days=1",
        )
        .await;
    assert_eq!(short["threading"]["flag"], "no_contact");
    let (s, _) = app
        .get(
            &app.admin_token,
            "/api/v1/accounts/ACC-1/relationship?days=0",
        )
        .await;
    assert_eq!(s, 422);
    let (_, theirs) = app.other_org("Other").await;
    let (s, _) = app
        .get(&theirs, "/api/v1/accounts/ACC-1/relationship")
        .await;
    assert_eq!(s, 404);
}

async fn report(app: &TestApp) -> Value {
    app.get(&app.admin_token, "/api/v1/accounts/ACC-1/relationship")
        .await
        .1
}
