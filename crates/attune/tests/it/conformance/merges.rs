//! Merges of duplicate accounts and people, and their undoing, at the storage level.

use super::{Rec, recorded, tenant};
use crate::helpers::{Backend, NOW_MS};
use crate::on_both_backends;
use attune_storage::StoreError;
use attune_storage::model::{AccountUpsert, MergeKind};
use attune_storage::prelude::*;

on_both_backends!(merges_story);

async fn merges_story(b: Backend) {
    let store: Rec = recorded(&b).await;
    let t = tenant(&store).await;
    let dup = store
        .upsert_account(
            &t.a.id,
            &AccountUpsert {
                external_id: "ACC-2".into(),
                name: "Acme Inc".into(),
                region: Some("EMEA".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Another organisation cannot merge, read or undo this one's records.
    assert!(matches!(
        store
            .merge(&t.a2.id, MergeKind::Account, "ACC-1", "ACC-2", None, NOW_MS)
            .await,
        Err(StoreError::NotFound)
    ));
    let m = store
        .merge(
            &t.a.id,
            MergeKind::Account,
            "ACC-1",
            "ACC-2",
            Some(&t.user.id),
            NOW_MS,
        )
        .await
        .unwrap();
    assert_eq!(
        (m.survivor_id.as_str(), m.merged_id.as_str()),
        (t.account.id.as_str(), dup.id.as_str())
    );
    assert_eq!(m.actor_user_id.as_deref(), Some(t.user.id.as_str()));
    let survivor = store.account(&t.a.id, "ACC-1").await.unwrap();
    assert_eq!(survivor.region.as_deref(), Some("EMEA"));
    assert!(matches!(
        store.merge_preview(&t.a2.id, &m.id).await,
        Err(StoreError::NotFound)
    ));
    let preview = store.merge_preview(&t.a.id, &m.id).await.unwrap();
    assert_eq!((preview.blocked, preview.staying.len()), (None, 0));
    let listed = store.merges_of(&t.a.id, &dup.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(store.merges_of(&t.a2.id, &dup.id).await.unwrap().is_empty());
    assert!(matches!(
        store.undo_merge(&t.a2.id, &m.id, None, NOW_MS).await,
        Err(StoreError::NotFound)
    ));
    let undone = store
        .undo_merge(&t.a.id, &m.id, None, NOW_MS + 1)
        .await
        .unwrap();
    assert_eq!(undone.undone_at, Some(NOW_MS + 1));
    assert_eq!(store.account(&t.a.id, "ACC-1").await.unwrap().region, None);
    assert!(matches!(
        store.undo_merge(&t.a.id, &m.id, None, NOW_MS + 2).await,
        Err(StoreError::Conflict(_))
    ));
    // People, by e-mail.
    let p = store
        .merge(
            &t.a.id,
            MergeKind::Person,
            &t.contact.id,
            &t.contact.id,
            None,
            NOW_MS,
        )
        .await;
    assert!(matches!(p, Err(StoreError::Invalid(_))), "{p:?}");
    store.assert_all_called("MergeStore", <dyn MergeStore>::METHODS);
}
