//! Settings (first writer wins), organisations (unique slugs) and stored credentials.

use super::{Rec, recorded};
use crate::helpers::Backend;
use crate::on_both_backends;
use attune_storage::StoreError;
use attune_storage::prelude::*;

on_both_backends!(settings_story);

async fn settings_story(b: Backend) {
    let store: Rec = recorded(&b).await;
    store.ping().await.unwrap();
    // Settings: first writer wins.
    assert_eq!(store.setting_or_init("k", "one").await.unwrap(), "one");
    assert_eq!(store.setting_or_init("k", "two").await.unwrap(), "one");
    // Organisations get unique slugs.
    let a = store.create_org("Acme Corp").await.unwrap();
    let a2 = store.create_org("Acme Corp").await.unwrap();
    assert_eq!(
        (a.slug.as_str(), a2.slug.as_str()),
        ("acme-corp", "acme-corp-2")
    );
    assert_eq!(store.org_by_slug("acme-corp").await.unwrap(), a);
    // Credentials: a setting is read without creating it; re-sealing sees every setting and
    // webhook secret, swaps what it is told in one transaction, and an error changes nothing.
    assert_eq!(store.setting("k").await.unwrap().as_deref(), Some("one"));
    assert_eq!(store.setting("absent").await.unwrap(), None);
    let hook = store
        .create_webhook(&a.id, "https://hooks.test/a", "opaque-1", &["*".into()], 1)
        .await
        .unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let n = store
        .reseal_credentials(&|c: &attune_storage::model::StoredCredential| {
            seen.lock().unwrap().push(c.row.clone());
            Ok(Some(format!("{}+", c.value)))
        })
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert!(
        seen.lock()
            .unwrap()
            .contains(&attune_storage::model::CredentialRow::WebhookSecret {
                org_id: a.id.clone(),
                webhook_id: hook.id.clone(),
            })
    );
    assert_eq!(store.setting("k").await.unwrap().as_deref(), Some("one+"));
    let failed = store
        .reseal_credentials(
            &|c: &attune_storage::model::StoredCredential| match &c.row {
                attune_storage::model::CredentialRow::Setting { .. } => Ok(Some("changed".into())),
                attune_storage::model::CredentialRow::WebhookSecret { .. } => Err("no".into()),
            },
        )
        .await;
    assert!(failed.is_err());
    assert_eq!(store.setting("k").await.unwrap().as_deref(), Some("one+"));
    assert_eq!(
        store.webhook_target(&a.id, &hook.id).await.unwrap().1,
        "opaque-1+"
    );
    store.delete_webhook(&a.id, &hook.id).await.unwrap();
    assert_eq!(store.org_by_id(&a2.id).await.unwrap(), a2);
    assert_eq!(store.list_orgs().await.unwrap().len(), 2);
    assert!(matches!(
        store.org_by_slug("nope").await,
        Err(StoreError::NotFound)
    ));
    store.assert_all_called("SettingsStore", <dyn SettingsStore>::METHODS);
}
