//! Interactions: logged with their participants, feedback kept until linked to its response,
//! and the timeline they appear on; another organisation's ids are refused.

use super::{Rec, Tenant, recorded, tenant};
use crate::helpers::{Backend, NOW_MS};
use crate::on_both_backends;
use attune_domain::customer::{FollowUp, InteractionKind};
use attune_storage::StoreError;
use attune_storage::model::{NewInteraction, TimelineKind, TimelineQuery};
use attune_storage::prelude::*;
use serde_json::json;

on_both_backends!(interactions_story);

async fn interactions_story(b: Backend) {
    let store: Rec = recorded(&b).await;
    let Tenant {
        a,
        a2,
        user,
        account,
        contact,
        ..
    } = tenant(&store).await;
    let new = NewInteraction {
        account_id: Some(account.id.clone()),
        kind: InteractionKind::Visit,
        occurred_at: NOW_MS - 3_600_000,
        duration_minutes: Some(90),
        summary: "Site visit".into(),
        internal: false,
        follow_ups: vec![FollowUp {
            text: "Send the floor plan".into(),
            due_day: Some(20_500),
            done: false,
        }],
        people: vec![contact.id.clone(), contact.id.clone()],
        staff: vec![user.id.clone()],
        created_by: Some(user.id.clone()),
        feedback: Some(json!({"kept": true})),
    };
    let it = store.insert_interaction(&a.id, &new, NOW_MS).await.unwrap();
    assert_eq!(
        it.people,
        std::slice::from_ref(&contact.id),
        "each person once"
    );
    assert_eq!(it.staff, std::slice::from_ref(&user.id));
    assert!(it.feedback_pending);
    assert_eq!(store.interaction(&a.id, &it.id).await.unwrap(), it);
    assert!(matches!(
        store.interaction(&a2.id, &it.id).await,
        Err(StoreError::NotFound)
    ));
    // Another organisation's people, users or account are refused, naming the field.
    for (field, theirs) in [
        (
            "people",
            NewInteraction {
                account_id: None,
                ..new.clone()
            },
        ),
        (
            "staff",
            NewInteraction {
                account_id: None,
                people: vec![],
                ..new.clone()
            },
        ),
        (
            "account",
            NewInteraction {
                people: vec![],
                staff: vec![],
                ..new.clone()
            },
        ),
    ] {
        let err = store
            .insert_interaction(&a2.id, &theirs, NOW_MS)
            .await
            .unwrap_err();
        match err {
            StoreError::Invalid(i) => assert_eq!(i.0[0].field, field),
            e => panic!("{field}: {e:?}"),
        }
    }
    // Pending feedback is found (of every organisation) until linked to a response.
    let pending = store.pending_feedback(NOW_MS + 1, 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (pending[0].org_id.as_str(), &pending[0].feedback),
        (a.id.as_str(), &json!({"kept": true}))
    );
    assert!(
        store.pending_feedback(NOW_MS, 10).await.unwrap().is_empty(),
        "only older ones"
    );
    assert!(matches!(
        store
            .link_interaction_response(&a.id, &it.id, "no-such-response")
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .response_by_dedup_key(&a.id, "interaction:x")
            .await
            .unwrap(),
        None
    );
    // On the account's timeline; not on another organisation's.
    let q = TimelineQuery {
        account_id: Some(account.id.clone()),
        person_id: None,
        kinds: vec![TimelineKind::Interaction],
        after: None,
        limit: 10,
    };
    let page = store.timeline(&a.id, &q).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
        [it.id.as_str()]
    );
    assert!(store.timeline(&a2.id, &q).await.unwrap().is_empty());
    store.assert_all_called("InteractionStore", <dyn InteractionStore>::METHODS);
}
