//! Accounts and contacts, upserted by their natural keys.

use super::{Rec, recorded};
use crate::helpers::{Backend, NOW_MS};
use crate::on_both_backends;
use attune_domain::org::Role;
use attune_storage::StoreError;
use attune_storage::model::{AccountUpsert, ContactUpsert};
use attune_storage::prelude::*;
use serde_json::json;

on_both_backends!(customers_story);

async fn customers_story(b: Backend) {
    let store: Rec = recorded(&b).await;
    let a = store.create_org("Acme Corp").await.unwrap();
    let a2 = store.create_org("Acme Corp").await.unwrap();
    let u = store
        .create_user(&a.id, "lead@acme.example", "hash", Role::Admin)
        .await
        .unwrap();
    // Accounts and contacts upsert by their natural keys.
    let acc = AccountUpsert {
        external_id: "ACC-1".into(),
        name: "Acme".into(),
        plan: Some("Growth".into()),
        owner_user_id: Some(u.id.clone()),
        attributes: serde_json::Map::from_iter([("budget".to_owned(), json!("high"))]),
        ..Default::default()
    };
    let saved = store.upsert_account(&a.id, &acc).await.unwrap();
    let again = store
        .upsert_account(
            &a.id,
            &AccountUpsert {
                plan: Some("Enterprise".into()),
                ..acc.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(saved.id, again.id);
    assert_eq!(again.attribute("plan").as_deref(), Some("Enterprise"));
    assert_eq!(again.attribute("budget").as_deref(), Some("high"));
    assert_eq!(
        store.account(&a.id, "ACC-1").await.unwrap().id,
        saved.id,
        "found by external id too"
    );
    assert!(matches!(
        store.account(&a2.id, &saved.id).await,
        Err(StoreError::NotFound)
    ));
    let c = ContactUpsert {
        email: "simran@acme.example".into(),
        account_external_id: Some("ACC-1".into()),
        name: Some("Simran".into()),
        decision_maker: true,
        language: Some("pa".into()),
        ..Default::default()
    };
    let contact = store.upsert_contact(&a.id, &c).await.unwrap();
    assert!(contact.decision_maker);
    assert_eq!(
        store
            .contact_by_email(&a.id, "simran@acme.example")
            .await
            .unwrap()
            .id,
        contact.id
    );
    assert_eq!(
        store
            .list_contacts(&a.id, Some(&saved.id))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        store
            .upsert_contact(
                &a.id,
                &ContactUpsert {
                    account_external_id: Some("missing".into()),
                    ..c.clone()
                }
            )
            .await,
        Err(StoreError::NotFound)
    ));
    // Every account, by name; contacts by id; a bulk import upserts by external id (a later
    // row wins) in one transaction.
    assert_eq!(
        store.list_accounts(&a.id).await.unwrap(),
        std::slice::from_ref(&again)
    );
    assert!(store.list_accounts(&a2.id).await.unwrap().is_empty());
    assert_eq!(store.contact(&a.id, &contact.id).await.unwrap(), contact);
    assert!(matches!(
        store.contact(&a2.id, &contact.id).await,
        Err(StoreError::NotFound)
    ));
    let rows = [
        AccountUpsert {
            external_id: "ACC-2".into(),
            name: "Beta".into(),
            ..Default::default()
        },
        AccountUpsert {
            plan: Some("Scale".into()),
            ..acc.clone()
        },
        AccountUpsert {
            external_id: "ACC-2".into(),
            name: "Beta Ltd".into(),
            ..Default::default()
        },
    ];
    let seen = std::sync::Mutex::new(0);
    let out = store
        .import_accounts(&a.id, &rows, NOW_MS, &|n| *seen.lock().unwrap() = n)
        .await
        .unwrap();
    assert_eq!((out.inserted, out.duplicates), (1, 2));
    assert_eq!(*seen.lock().unwrap(), 3);
    let listed = store.list_accounts(&a.id).await.unwrap();
    assert_eq!(
        listed.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(),
        ["Acme", "Beta Ltd"],
        "by name"
    );
    assert_eq!(listed[0].attribute("plan").as_deref(), Some("Scale"));
    store.assert_all_called("CustomerStore", <dyn CustomerStore>::METHODS);
}
