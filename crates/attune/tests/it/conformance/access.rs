//! Users (unique logins), tokens, sessions and the login back-off.

use attune_domain::org::Role;
use attune_storage::StoreError;
use attune_storage::model::Org;
use attune_storage::prelude::*;

use super::{Rec, recorded};
use crate::helpers::Backend;
use crate::helpers::NOW_MS;
use crate::on_both_backends;

on_both_backends!(access_story);

async fn access_story(b: Backend) {
    let store: Rec = recorded(&b).await;
    let a = store.create_org("Acme Corp").await.unwrap();
    let a2 = store.create_org("Acme Corp").await.unwrap();
    // Users: e-mails are unique logins.
    let u = store
        .create_user(&a.id, "Lead@Acme.example", "hash", Role::Admin)
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_user(&a2.id, "lead@acme.example", "h", Role::Viewer)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let (found, hash) = store.user_for_login("LEAD@acme.example").await.unwrap();
    assert_eq!((found.id.as_str(), hash.as_str()), (u.id.as_str(), "hash"));
    assert_eq!(store.list_users(&a.id).await.unwrap().len(), 1);
    assert_eq!(store.list_users(&a2.id).await.unwrap().len(), 0);
    // Tokens and sessions.
    store
        .create_token(&a.id, "tokhash", Role::Viewer, "ci")
        .await
        .unwrap();
    let g = store.token_grant("tokhash").await.unwrap();
    assert_eq!((g.org_id.as_str(), g.role), (a.id.as_str(), Role::Viewer));
    assert!(matches!(
        store.token_grant("other").await,
        Err(StoreError::NotFound)
    ));
    store
        .create_session("sesshash", &u.id, "csrf", NOW_MS + 1000)
        .await
        .unwrap();
    assert_eq!(
        store.session("sesshash", NOW_MS).await.unwrap().csrf_token,
        "csrf"
    );
    assert!(
        matches!(
            store.session("sesshash", NOW_MS + 1000).await,
            Err(StoreError::NotFound)
        ),
        "expired"
    );
    store.delete_session("sesshash").await.unwrap();
    assert!(matches!(
        store.session("sesshash", NOW_MS).await,
        Err(StoreError::NotFound)
    ));
    login_backoff(&store, &a, &a2).await;
    store.assert_all_called("AccessStore", <dyn AccessStore>::METHODS);
}

/// Failed logins: counted per normalised e-mail, backed off, forgotten, cleared per organisation.
async fn login_backoff(store: &Rec, a: &Org, a2: &Org) {
    // Failed logins: counted per normalised e-mail (with or without an account), backed off
    // by the policy, forgotten after a success or a day, cleared only within the organisation.
    let policy = attune_domain::login::BackoffPolicy {
        after: 2,
        max_ms: 3_000,
    };
    assert_eq!(
        store
            .login_backoff_until("lead@acme.example", NOW_MS)
            .await
            .unwrap(),
        None
    );
    let f = store
        .record_login_failure("Lead@Acme.example", NOW_MS, &policy)
        .await
        .unwrap();
    assert_eq!((f.failures, f.next_allowed_at_ms), (1, NOW_MS));
    assert_eq!(
        store
            .login_backoff_until("lead@acme.example", NOW_MS)
            .await
            .unwrap(),
        None
    );
    let mut at = NOW_MS;
    for (n, delay) in [(2, 1_000), (3, 2_000), (4, 3_000), (5, 3_000)] {
        at += 10_000;
        let f = store
            .record_login_failure(" lead@acme.example", at, &policy)
            .await
            .unwrap();
        assert_eq!((f.failures, f.next_allowed_at_ms), (n, at + delay));
    }
    assert_eq!(
        store
            .login_backoff_until("LEAD@acme.example", at)
            .await
            .unwrap(),
        Some(at + 3_000)
    );
    assert_eq!(
        store
            .login_backoff_until("lead@acme.example", at + 3_000)
            .await
            .unwrap(),
        None
    );
    store
        .record_login_failure("guess@nowhere.example", at, &policy)
        .await
        .unwrap();
    assert!(matches!(
        store.clear_login_backoff(&a2.id, "lead@acme.example").await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store
            .clear_login_backoff(&a.id, "LEAD@acme.example")
            .await
            .unwrap()
    );
    assert!(
        !store
            .clear_login_backoff(&a.id, "lead@acme.example")
            .await
            .unwrap()
    );
    assert!(matches!(
        store
            .clear_login_backoff(&a.id, "guess@nowhere.example")
            .await,
        Err(StoreError::NotFound)
    ));
    // A day later the count starts again, and the stale e-mail is forgotten.
    let day = attune_domain::login::FORGET_AFTER_MS;
    let f = store
        .record_login_failure("lead@acme.example", at + day + 1, &policy)
        .await
        .unwrap();
    assert_eq!(f.failures, 1);
    let f = store
        .record_login_failure("guess@nowhere.example", at + day + 1, &policy)
        .await
        .unwrap();
    assert_eq!(f.failures, 1, "forgotten after a day");
    store
        .forget_login_failures("Lead@acme.example")
        .await
        .unwrap();
    let f = store
        .record_login_failure("lead@acme.example", at + day + 2, &policy)
        .await
        .unwrap();
    assert_eq!(f.failures, 1, "a success forgets");
}
