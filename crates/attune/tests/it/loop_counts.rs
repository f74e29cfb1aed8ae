//! The loop metrics' maintained counts stay equal to the definition over every case: cases
//! opened by real responses over three weeks, then worked through the store's real write
//! paths in a random order (first responses, owner changes, SLA breaches, resolutions with root
//! causes, root causes changed, reopenings); after each round the counted report equals the
//! report over every case for many periods and moments, and the counts kept step by step
//! equal the counts built from scratch.

use attune_app::cases::loop_metrics::{every_case, loop_report};
use attune_domain::closed_loop::case::{CasePatch, CaseState};
use attune_domain::org::Role;
use attune_domain::period::{DAY_MS, format_ms};
use attune_storage::StoreError;
use attune_storage::model::{AccountUpsert, CaseQuery};
use attune_storage::prelude::*;
use serde_json::json;
use sqlx::Row;

use crate::helpers::{Backend, NOW_MS, Rng, TestApp};
use crate::on_both_backends;

const H: i64 = 3_600_000;

/// Every row of the counts, without zeros and empty lists.
async fn counts(app: &TestApp) -> Vec<String> {
    let pool = app.store.pool();
    let mut out = Vec::new();
    for r in sqlx::query(
        "SELECT day, counter, key, n FROM loop_counts WHERE org_id = $1 AND n <> 0 \
         ORDER BY day, counter, key",
    )
    .bind(&app.org_id)
    .fetch_all(pool)
    .await
    .unwrap()
    {
        let (day, c, k, n): (i64, String, String, i64) =
            (r.get("day"), r.get("counter"), r.get("key"), r.get("n"));
        out.push(format!("{day} {c} {k} {n}"));
    }
    for r in
        sqlx::query("SELECT day, list, times FROM loop_times WHERE org_id = $1 ORDER BY day, list")
            .bind(&app.org_id)
            .fetch_all(pool)
            .await
            .unwrap()
    {
        let times: Vec<u8> = r.get("times");
        if !times.is_empty() {
            let (day, list): (i64, String) = (r.get("day"), r.get("list"));
            out.push(format!("{day} {list} {times:?}"));
        }
    }
    out
}

async fn compare(app: &TestApp, rng: &mut Rng, round: usize) {
    let store: &dyn Store = app.store.as_ref();
    for i in 0..12 {
        // Periods from a few hours to the whole history, starting anywhere, at any moment.
        let from = NOW_MS - 2 * DAY_MS + rng.below(25 * 24) as i64 * H + rng.below(H as u64) as i64;
        let to = from + 1 + rng.below(30 * 24) as i64 * H;
        let now = NOW_MS + rng.below(40 * 24) as i64 * H;
        let (f, t) = (format_ms(from), format_ms(to));
        let counted = loop_report(store, &app.org_id, Some(&f), Some(&t), now)
            .await
            .unwrap();
        let defined = every_case(store, &app.org_id, from, to, now).await.unwrap();
        assert_eq!(
            counted.metrics,
            defined,
            "round {round}, period {i}: {f}..{t} at {}",
            format_ms(now)
        );
    }
}

/// Detractors over three weeks, at any hour, some from two accounts: each opens a case;
/// returns (case id, opened at).
async fn open_cases(app: &TestApp, rng: &mut Rng) -> Vec<(String, i64)> {
    let (store, org) = (&app.store, &app.org_id);
    let survey = app.nps_survey(&app.admin_token).await;
    let mut cases = Vec::new();
    for i in 0..36 {
        let at = NOW_MS + rng.below(21 * 24) as i64 * H + rng.below(H as u64) as i64;
        app.clock.set(at);
        let mut body = json!({"answers": {"nps": rng.below(7), "why": format!("slow {i}")}});
        match rng.below(3) {
            0 => body["account"] = json!({"external_id": "A-1"}),
            1 => body["account"] = json!({"external_id": "A-2"}),
            _ => {}
        }
        let r = app.answer(&survey, body).await;
        let listed = store
            .cases(
                org,
                &CaseQuery {
                    response_id: Some(r["id"].as_str().unwrap().to_owned()),
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        cases.push((listed[0].id.clone(), at));
    }
    cases
}

async fn counted_loop_metrics_follow_every_change(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let store = app.store.clone();
    let org = app.org_id.clone();
    let mut users = Vec::new();
    for e in ["ana@acme.test", "bo@acme.test", "cy@acme.test"] {
        users.push(
            store
                .create_user(&org, e, "x", Role::Member)
                .await
                .unwrap()
                .id,
        );
    }
    for (i, ext) in ["A-1", "A-2"].iter().enumerate() {
        store
            .upsert_account(
                &org,
                &AccountUpsert {
                    external_id: (*ext).into(),
                    name: format!("Account {i}"),
                    owner_user_id: (i == 0).then(|| users[0].clone()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    let causes = store.root_causes(&org).await.unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let cases = open_cases(&app, &mut rng).await;
    compare(&app, &mut rng, 0).await;
    for round in 1..=4 {
        for _ in 0..40 {
            let (id, opened) = &cases[rng.below(cases.len() as u64) as usize];
            let at = opened + rng.below(72) as i64 * H + rng.below(H as u64) as i64;
            let who = users[rng.below(users.len() as u64) as usize].clone();
            let cause = causes[rng.below(3) as usize].clone();
            let patch = match rng.below(6) {
                0 => {
                    store.add_case_note(&org, id, &who, "called", at).await.ok();
                    continue;
                }
                1 => CasePatch {
                    owner: Some(who.clone()),
                    ..Default::default()
                },
                2 => {
                    store.sla_step(&org, id, at).await.unwrap();
                    continue;
                }
                3 => CasePatch {
                    state: Some(CaseState::Resolved),
                    root_cause: Some(cause),
                    resolution: Some("fixed".into()),
                    silent: true,
                    ..Default::default()
                },
                4 => CasePatch {
                    root_cause: Some(cause),
                    ..Default::default()
                },
                _ => CasePatch {
                    state: Some(CaseState::Open),
                    ..Default::default()
                },
            };
            // Changes the state machine refuses are part of the mix: they change nothing.
            match store.update_case(&org, id, Some(&who), &patch, at).await {
                Ok(_) | Err(StoreError::Invalid(_)) => {}
                Err(e) => panic!("{e}"),
            }
        }
        compare(&app, &mut rng, round).await;
    }
    // What was kept change by change is what a build from the cases gives.
    let kept = counts(&app).await;
    assert!(
        kept.len() > 40,
        "the mix touched every kind of count: {kept:?}"
    );
    sqlx::query("DELETE FROM loop_counts_built WHERE org_id = $1")
        .bind(&org)
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(store.build_missing_counts().await.unwrap(), 1);
    let rebuilt = counts(&app).await;
    assert_eq!(kept, rebuilt);
    for counter in [
        "owner_breach",
        "cause",
        "recurring",
        "within",
        "first_response",
        "resolution",
    ] {
        assert!(
            kept.iter().any(|k| k.contains(counter)),
            "the mix reached {counter}: {kept:?}"
        );
    }
    compare(&app, &mut rng, 5).await;
}

on_both_backends!(counted_loop_metrics_follow_every_change);
