//! Retention inputs: subscription and activity imports (all or nothing, re-imports do not
//! double), the snapshots the reports read, account attributes and the accounts behind the
//! account numbers.

use attune_retention::parse_day;
use attune_storage::StoreError;
use attune_storage::prelude::*;
use attune_storage::retention::{NewActivity, NewSubscription, RetentionSource};

use super::{Rec, Tenant, recorded, tenant};
use crate::helpers::{Backend, NOW_MS};
use crate::on_both_backends;

on_both_backends!(retention_story);

fn subscription(account: &str, end: Option<&str>, reason: Option<&str>) -> NewSubscription {
    NewSubscription {
        account_external_id: account.into(),
        product: "Pro".into(),
        start: parse_day("2026-01-05").unwrap(),
        end: end.map(|d| parse_day(d).unwrap()),
        mrr_cents: 10_000,
        quantity: Some(1),
        billing_period: Some("month".into()),
        cancellation_reason: reason.map(str::to_owned),
    }
}

async fn retention_story(b: Backend) {
    let store: Rec = recorded(&b).await;
    let Tenant { a, a2, .. } = tenant(&store).await;
    let rows = vec![
        subscription("ACC-1", None, None),
        subscription("ACC-2", Some("2026-03-01"), Some("Price")),
    ];
    let seen = std::sync::Mutex::new(0);
    let out = store
        .import_subscriptions(&a.id, &rows, NOW_MS, &|n| *seen.lock().unwrap() = n)
        .await
        .unwrap();
    assert_eq!(out.inserted, 2);
    assert_eq!(*seen.lock().unwrap(), 2, "progress reaches every row");
    // Importing the same rows again updates them in place.
    store
        .import_subscriptions(&a.id, &rows, NOW_MS, &|_| {})
        .await
        .unwrap();
    let activity = vec![NewActivity {
        account_external_id: "ACC-1".into(),
        day: parse_day("2026-01-06").unwrap(),
        value_cents: 500,
    }];
    let out = store
        .import_activity(&a.id, &activity, NOW_MS, &|_| {})
        .await
        .unwrap();
    assert_eq!((out.inserted, out.duplicates), (1, 0));
    let out = store
        .import_activity(&a.id, &activity, NOW_MS, &|_| {})
        .await
        .unwrap();
    assert_eq!((out.inserted, out.duplicates), (0, 1));
    // Snapshots are built where missing, then fresh.
    assert!(store.retention_refresh(Some(&a.id)).await.unwrap() >= 1);
    assert_eq!(store.retention_refresh(Some(&a.id)).await.unwrap(), 0);
    assert_eq!(store.retention_refresh(None).await.unwrap(), 0);
    let subs = store
        .retention_rows(&a.id, RetentionSource::Subscriptions)
        .await
        .unwrap();
    assert_eq!(subs.subscriptions.len(), 2);
    assert!(subs.n_accounts >= 2);
    let acts = store
        .retention_rows(&a.id, RetentionSource::Activity)
        .await
        .unwrap();
    assert_eq!(acts.activity.len(), 1);
    assert_eq!(acts.activity[0].value_cents, 500);
    assert!(
        store
            .retention_rows(&a2.id, RetentionSource::Subscriptions)
            .await
            .unwrap()
            .subscriptions
            .is_empty()
    );
    // Account numbers map back to the accounts, by name.
    let idxs: Vec<u32> = (0..subs.n_accounts as u32).collect();
    let accounts = store.retention_accounts(&a.id, &idxs).await.unwrap();
    assert_eq!(accounts.len(), subs.n_accounts);
    let idx_of = |x: &str| {
        accounts
            .iter()
            .find(|acc| acc.external_id.as_deref() == Some(x))
            .map(|acc| acc.idx)
            .unwrap()
    };
    let (one, two) = (idx_of("ACC-1"), idx_of("ACC-2"));
    let ended = subs
        .subscriptions
        .iter()
        .find(|s| s.account == two)
        .unwrap();
    assert_eq!(ended.end, parse_day("2026-03-01"));
    assert!(
        store
            .retention_accounts(&a2.id, &idxs)
            .await
            .unwrap()
            .is_empty()
    );
    // One account's rows, as its page shows them; another organisation reads none.
    let acc2 = accounts.iter().find(|x| x.idx == two).unwrap();
    let own = store.account_subscriptions(&a.id, &acc2.id).await.unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].cancellation_reason.as_deref(), Some("Price"));
    assert_eq!(own[0].end_day, ended.end.map(i64::from));
    assert!(
        store
            .account_subscriptions(&a2.id, &acc2.id)
            .await
            .unwrap()
            .is_empty()
    );
    // Attributes, in the order asked for; an unknown name is refused.
    let names = store.retention_attribute_names(&a.id).await.unwrap();
    assert!(names.iter().any(|n| n == "plan"), "{names:?}");
    assert!(
        names.iter().any(|n| n == "cancellation_reason"),
        "{names:?}"
    );
    let cols = store
        .retention_attributes(
            &a.id,
            &["plan".to_owned(), "cancellation_reason".to_owned()],
            subs.n_accounts,
        )
        .await
        .unwrap();
    assert_eq!(cols.len(), 2);
    assert_eq!(cols[0].name, "plan");
    assert_eq!(cols[0].value_of(one), Some("Growth"));
    assert_eq!(cols[1].value_of(two), Some("Price"));
    assert_eq!(cols[1].value_of(one), None);
    assert!(matches!(
        store
            .retention_attributes(&a.id, &["bogus".to_owned()], subs.n_accounts)
            .await,
        Err(StoreError::Invalid(_))
    ));
    store.assert_all_called("RetentionStore", <dyn RetentionStore>::METHODS);
    store.assert_all_called("SnapshotStore", <dyn SnapshotStore>::METHODS);
}
