//! A report after a write reads the saved snapshot patched with the touched accounts' current
//! rows: after every one of a random series of real writes (subscription and activity imports,
//! account upserts and imports, custom attributes added and removed, new accounts), what the
//! store hands the report equals a read of every row, the patched snapshot is not saved by the
//! report (so the patch path, not a rebuild, answered), the worker's refresh saves it and
//! forgets the applied changes, and a change made before the log existed rebuilds.

use attune_retention::{ActivityEvent, Subscription};
use attune_storage::model::AccountUpsert;
use attune_storage::prelude::*;
use attune_storage::retention::{NewActivity, NewSubscription, RetentionSource};
use serde_json::{Map, Value};

use sqlx::Row;

use crate::helpers::{Backend, NOW_MS, Rng, TestApp};
use crate::on_both_backends;

on_both_backends!(a_report_after_a_write_patches_the_snapshot_and_equals_a_full_read);

/// What the store hands a report: both kinds of rows (sorted) and every attribute column (its
/// values in order, so the audit's rows come in the same order whatever order rows are read in).
#[derive(Debug, PartialEq)]
struct Inputs {
    n_accounts: usize,
    subscriptions: Vec<Subscription>,
    activity: Vec<ActivityEvent>,
    /// (name, its distinct values in order, each account's value).
    attributes: Vec<(String, Vec<String>, Vec<Option<String>>)>,
}

async fn inputs(app: &TestApp) -> Inputs {
    let store = &app.store;
    let subs = store
        .retention_rows(&app.org_id, RetentionSource::Subscriptions)
        .await
        .unwrap();
    let acts = store
        .retention_rows(&app.org_id, RetentionSource::Activity)
        .await
        .unwrap();
    assert_eq!(subs.n_accounts, acts.n_accounts);
    let names = store.retention_attribute_names(&app.org_id).await.unwrap();
    let columns = store
        .retention_attributes(&app.org_id, &names, subs.n_accounts)
        .await
        .unwrap();
    let mut subscriptions = subs.subscriptions;
    subscriptions.sort_by_key(|s| (s.account, s.start, s.end, s.mrr_cents));
    let mut activity = acts.activity;
    activity.sort_by_key(|e| (e.account, e.day, e.value_cents));
    Inputs {
        n_accounts: subs.n_accounts,
        subscriptions,
        activity,
        attributes: columns
            .iter()
            .map(|c| {
                let values = (0..subs.n_accounts as u32)
                    .map(|a| c.value_of(a).map(str::to_owned))
                    .collect();
                (c.name.clone(), c.values().to_vec(), values)
            })
            .collect(),
    }
}

/// The organisation's change log, to put back later.
async fn change_log(app: &TestApp) -> Vec<(i64, Option<Vec<u8>>)> {
    sqlx::query("SELECT generation, accounts FROM retention_changes WHERE org_id = $1")
        .bind(&app.org_id)
        .fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

async fn put_back_log(app: &TestApp, log: Vec<(i64, Option<Vec<u8>>)>) {
    let pool = app.store.pool();
    sqlx::query("DELETE FROM retention_changes WHERE org_id = $1")
        .bind(&app.org_id)
        .execute(pool)
        .await
        .unwrap();
    for (generation, accounts) in log {
        sqlx::query(
            "INSERT INTO retention_changes (org_id, generation, accounts) VALUES ($1, $2, $3)",
        )
        .bind(&app.org_id)
        .bind(generation)
        .bind(accounts)
        .execute(pool)
        .await
        .unwrap();
    }
}

/// The inputs read from every row: the saved snapshots and the change log are set aside, the
/// store rebuilds from the tables, and both are put back as they were.
async fn read_everything(app: &TestApp) -> Inputs {
    let pool = app.store.pool();
    let snapshots: Vec<(String, i64, i64, i64, Vec<u8>, i64)> = sqlx::query(
        "SELECT kind, part, parts, generation, data, built_at FROM retention_snapshots \
         WHERE org_id = $1",
    )
    .bind(&app.org_id)
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
    .collect();
    let log = change_log(app).await;
    sqlx::query("DELETE FROM retention_snapshots WHERE org_id = $1")
        .bind(&app.org_id)
        .execute(pool)
        .await
        .unwrap();
    let everything = inputs(app).await;
    sqlx::query("DELETE FROM retention_snapshots WHERE org_id = $1")
        .bind(&app.org_id)
        .execute(pool)
        .await
        .unwrap();
    for (kind, part, parts, generation, data, built_at) in snapshots {
        sqlx::query(
            "INSERT INTO retention_snapshots (org_id, kind, part, parts, generation, data, built_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&app.org_id)
        .bind(kind)
        .bind(part)
        .bind(parts)
        .bind(generation)
        .bind(data)
        .bind(built_at)
        .execute(pool)
        .await
        .unwrap();
    }
    put_back_log(app, log).await;
    everything
}

/// The current generation and the generation of each saved kind (kind order).
async fn generations(app: &TestApp) -> (i64, Vec<(String, i64)>) {
    let pool = app.store.pool();
    let g: i64 = sqlx::query("SELECT generation FROM retention_state WHERE org_id = $1")
        .bind(&app.org_id)
        .fetch_one(pool)
        .await
        .unwrap()
        .get(0);
    let kinds = sqlx::query(
        "SELECT kind, MIN(generation) FROM retention_snapshots WHERE org_id = $1 \
         GROUP BY kind ORDER BY kind",
    )
    .bind(&app.org_id)
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    (g, kinds)
}

fn account(i: u64) -> String {
    format!("acct-{i}")
}

fn subscription(rng: &mut Rng, i: u64) -> NewSubscription {
    let start = 20_000 + rng.below(600) as i32;
    NewSubscription {
        account_external_id: account(i),
        product: rng.pick(&["", "basic", "pro"]).to_owned(),
        start,
        end: (rng.below(3) == 0).then(|| start + 1 + rng.below(300) as i32),
        mrr_cents: 100 * (1 + rng.below(50) as i64),
        quantity: None,
        billing_period: None,
        cancellation_reason: match rng.below(4) {
            0 => Some("price".to_owned()),
            1 => Some("moved away".to_owned()),
            _ => None,
        },
    }
}

fn upsert(rng: &mut Rng, i: u64) -> AccountUpsert {
    let mut attributes = Map::new();
    for key in ["channel", "tier", "product"] {
        if rng.below(3) == 0 {
            attributes.insert(
                key.to_owned(),
                Value::from(rng.pick(&["web", "partner", "3", ""])),
            );
        }
    }
    let maybe = |rng: &mut Rng, of: &[&str]| (rng.below(4) != 0).then(|| rng.pick(of).to_owned());
    AccountUpsert {
        external_id: account(i),
        name: account(i),
        plan: maybe(rng, &["free", "gold", "silver"]),
        size_band: maybe(rng, &["1-10", "11-50"]),
        industry: None,
        region: maybe(rng, &["emea", "apac"]),
        owner_user_id: None,
        attributes,
        ..AccountUpsert::default()
    }
}

/// One random real write; returns what it was, for the failure message.
async fn write(app: &TestApp, rng: &mut Rng) -> String {
    let (store, org) = (&app.store, app.org_id.as_str());
    // Accounts 0..30 exist from the start; up to 45 may appear.
    let some = |rng: &mut Rng, n: u64| -> Vec<u64> { (0..n).map(|_| rng.below(45)).collect() };
    match rng.below(4) {
        0 => {
            let n = 1 + rng.below(4);
            let who = some(rng, n);
            let rows: Vec<NewSubscription> = who.iter().map(|&i| subscription(rng, i)).collect();
            store
                .import_subscriptions(org, &rows, NOW_MS, &|_| {})
                .await
                .unwrap();
            format!("subscriptions for {who:?}")
        }
        1 => {
            let n = 1 + rng.below(3);
            let who = some(rng, n);
            let rows: Vec<NewActivity> = who
                .iter()
                .map(|&i| NewActivity {
                    account_external_id: account(i),
                    day: 20_000 + rng.below(600) as i32,
                    value_cents: rng.below(5_000) as i64,
                })
                .collect();
            store
                .import_activity(org, &rows, NOW_MS, &|_| {})
                .await
                .unwrap();
            format!("activity for {who:?}")
        }
        2 => {
            let i = rng.below(45);
            store.upsert_account(org, &upsert(rng, i)).await.unwrap();
            format!("account {i} saved")
        }
        _ => {
            let n = 2 + rng.below(3);
            let who = some(rng, n);
            let rows: Vec<AccountUpsert> = who.iter().map(|&i| upsert(rng, i)).collect();
            store
                .import_accounts(org, &rows, NOW_MS, &|_| {})
                .await
                .unwrap();
            format!("accounts {who:?} imported")
        }
    }
}

async fn a_report_after_a_write_patches_the_snapshot_and_equals_a_full_read(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (store, org) = (&app.store, app.org_id.as_str());
    let mut rng = Rng(0x5eed_1234_abcd);
    let rows: Vec<NewSubscription> = (0..30).map(|i| subscription(&mut rng, i)).collect();
    store
        .import_subscriptions(org, &rows, NOW_MS, &|_| {})
        .await
        .unwrap();
    let first: Vec<NewActivity> = (0..5)
        .map(|i| NewActivity {
            account_external_id: account(i),
            day: 20_100,
            value_cents: 100,
        })
        .collect();
    store
        .import_activity(org, &first, NOW_MS, &|_| {})
        .await
        .unwrap();
    let accounts: Vec<AccountUpsert> = (0..30).map(|i| upsert(&mut rng, i)).collect();
    store
        .import_accounts(org, &accounts, NOW_MS, &|_| {})
        .await
        .unwrap();
    store.retention_refresh(Some(org)).await.unwrap();
    let (g0, saved) = generations(&app).await;
    assert_eq!(saved.len(), 3, "{saved:?}");
    assert!(saved.iter().all(|(_, g)| *g == g0), "{saved:?}");

    let mut patched_some = false;
    for step in 0..24 {
        let what = write(&app, &mut rng).await;
        let (g, before) = generations(&app).await;
        let patched = inputs(&app).await;
        let (_, after) = generations(&app).await;
        assert_eq!(
            after, before,
            "step {step} ({what}): a report patches the snapshot, it does not rebuild or save it"
        );
        patched_some |= after.iter().any(|(_, built)| *built < g);
        let everything = read_everything(&app).await;
        assert_eq!(patched, everything, "step {step} ({what})");
        assert_eq!(generations(&app).await, (g, after), "put back as it was");
        if step == 11 {
            // The worker's refresh saves the patched snapshots and forgets the applied changes.
            store.retention_refresh(Some(org)).await.unwrap();
            let (g, saved) = generations(&app).await;
            assert!(saved.iter().all(|(_, built)| *built == g), "{saved:?}");
            let left: i64 = sqlx::query(
                "SELECT COUNT(*) FROM retention_changes WHERE org_id = $1 AND generation <= $2",
            )
            .bind(org)
            .bind(g)
            .fetch_one(store.pool())
            .await
            .unwrap()
            .get(0);
            assert_eq!(left, 0, "the applied changes are forgotten");
            assert_eq!(inputs(&app).await, everything, "the saved patch reads back");
        }
    }
    assert!(patched_some, "some report was answered by a patch");

    // A change the log does not hold (made by a binary from before it) rebuilds everything.
    let i = 3;
    store
        .upsert_account(
            org,
            &AccountUpsert {
                plan: Some("platinum".into()),
                ..upsert(&mut rng, i)
            },
        )
        .await
        .unwrap();
    sqlx::query("DELETE FROM retention_changes WHERE org_id = $1")
        .bind(org)
        .execute(store.pool())
        .await
        .unwrap();
    let now = inputs(&app).await;
    let plan = &now
        .attributes
        .iter()
        .find(|(n, _, _)| n == "plan")
        .unwrap()
        .2;
    assert!(plan.iter().any(|v| v.as_deref() == Some("platinum")));
    let (g, saved) = generations(&app).await;
    assert!(
        saved.iter().all(|(_, built)| *built == g),
        "rebuilt and saved: {saved:?}"
    );
    assert_eq!(now, read_everything(&app).await);
}
