//! The demo organisation `attune serve --demo` loads: every part of the product has something
//! to show, on both backends.

use attune_storage::prelude::*;
use attune_storage::retention::RetentionSource;

use crate::helpers::{Backend, NOW_MS, fresh_store};
use crate::on_both_backends;

on_both_backends!(the_demo_fills_every_part_of_the_product);

async fn the_demo_fills_every_part_of_the_product(b: Backend) {
    let (store, _) = fresh_store(&b).await;
    let demo = attune::demo::create(&store, Some("demo ferret lantern quartz".into()), NOW_MS)
        .await
        .expect("the demo loads");
    assert_eq!(demo.responses, 20_000);
    let org = demo.org.id.as_str();
    assert_eq!(
        store.list_accounts(org).await.unwrap().len(),
        51,
        "fifty customers and the one nobody talks to but one person"
    );

    // Follow-up cases opened as the responses arrived, and the older ones were worked.
    let count = |state: &str| {
        let store = &store;
        let query = attune_storage::model::CaseQuery {
            state: Some(attune_domain::closed_loop::case::CaseState::parse(state).unwrap()),
            limit: 1_000,
            ..Default::default()
        };
        async move { store.cases(org, &query).await.unwrap().len() }
    };
    assert!(count("resolved").await > 50, "worked cases");
    assert!(count("open").await > 0, "cases still to work");

    // Retention: every account has contracts, and the snapshot is ready before any report.
    let rows = store
        .retention_rows(org, RetentionSource::Subscriptions)
        .await
        .unwrap();
    assert_eq!(rows.n_accounts, 50);
    assert!(rows.subscriptions.len() >= 50);
    assert!(
        rows.subscriptions.iter().any(|s| s.end.is_none()),
        "some still run"
    );
    assert!(
        rows.subscriptions.iter().any(|s| s.end.is_some()),
        "some ended"
    );
    assert_eq!(store.retention_refresh(Some(org)).await.unwrap(), 0);
    let names = store.retention_attribute_names(org).await.unwrap();
    for n in ["plan", "budget", "cancellation_reason"] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }

    relationships(&store, org).await;
}

/// Real relationships: several people per account, one of them in two accounts, interactions,
/// preferences, a single-threaded account and an account handed over.
async fn relationships(store: &attune_storage::sql::SqlStore, org: &str) {
    use attune_storage::model::{TimelineKind, TimelineQuery};
    let farah = store
        .person_by_email(org, "farah@khan.example")
        .await
        .unwrap();
    assert_eq!(farah.memberships.len(), 2, "a consultant at two customers");
    assert!(!farah.preferences.is_empty());
    let lone = store.account(org, "ACME-0051").await.unwrap();
    let report = attune_app::customers::relationship::report(store, org, &lone.id, 90, NOW_MS)
        .await
        .unwrap();
    assert!(report.threading.is_flagged(), "{:?}", report.threading);
    let handed = store.account(org, "ACME-0004").await.unwrap();
    let q = TimelineQuery {
        account_id: Some(handed.id.clone()),
        person_id: None,
        kinds: vec![TimelineKind::OwnerChanged],
        after: None,
        limit: 10,
    };
    assert_eq!(
        store.timeline(org, &q).await.unwrap().len(),
        1,
        "one handover"
    );
    let busy = store.account(org, "ACME-0001").await.unwrap();
    let q = TimelineQuery {
        account_id: Some(busy.id.clone()),
        kinds: vec![TimelineKind::Interaction],
        ..q
    };
    assert!(
        !store.timeline(org, &q).await.unwrap().is_empty(),
        "conversations logged"
    );
    assert_eq!(busy.team.len(), 2, "an account team");
}
