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
    let simran = accounts_story(&store, &a, &a2, &u.id).await;
    links_story(&store, &a.id, &a2.id).await;
    people_story(&store, &a.id, &a2.id).await;
    people_pages_story(&store, &a.id, &a2.id, &simran).await;
    let hits = store.search_customers(&a.id, "ACC-1", 5).await.unwrap();
    assert_eq!(
        hits.first().map(|h| h.matched),
        Some("external_id"),
        "{hits:?}"
    );
    assert!(
        store
            .search_customers(&a2.id, "ACC-1", 5)
            .await
            .unwrap()
            .is_empty()
    );
    sync_story(&store, &a.id, &a2.id, &u.id).await;
    let first = store
        .refresh_account_flags(&a.id, NOW_MS, 90)
        .await
        .unwrap();
    assert!(first.full, "the first refresh computes every account");
    let again = store
        .refresh_account_flags(&a.id, NOW_MS, 90)
        .await
        .unwrap();
    assert_eq!(
        (again.full, again.recomputed),
        (false, 0),
        "nothing changed since"
    );
    let kept = store.account_flags(&a.id).await.unwrap();
    assert!(!kept.is_empty());
    let page = store
        .account_flag_page(
            &a.id,
            &attune_storage::model::FlagListQuery {
                limit: 1_000,
                archived: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.len(), store.list_accounts(&a.id).await.unwrap().len());
    for (account, threading) in &page {
        let k = kept.iter().find(|f| f.account_id == account.id);
        assert_eq!(
            k.map_or(
                &attune_domain::customer::relationship::Threading::NoContact,
                |f| &f.threading
            ),
            threading
        );
    }
    assert!(store.account_flags(&a2.id).await.unwrap().is_empty());
    store.assert_all_called("CustomerStore", <dyn CustomerStore>::METHODS);
}

/// A batch keeps what a row leaves out, reports owner changes, and stops whole on a refusal.
async fn sync_story(store: &Rec, a: &str, a2: &str, user_id: &str) {
    use attune_storage::model::{
        AccountRef, AccountSync, MembershipSync, PersonSync, SyncBatch, SyncList,
    };
    let hub = |id: &str| Some(("hubspot".to_owned(), id.to_owned()));
    let batch = SyncBatch {
        accounts: vec![AccountSync {
            source_id: hub("77"),
            name: Some("Synced".into()),
            plan: Some("Gold".into()),
            ..Default::default()
        }],
        people: vec![PersonSync {
            email: "synced@acme.example".into(),
            memberships: vec![MembershipSync {
                account: AccountRef::Source("hubspot".into(), "77".into()),
                title: Some("CTO".into()),
                roles: None,
                from_day: None,
                to_day: None,
            }],
            ..Default::default()
        }],
    };
    let out = store
        .sync_customers(a, &batch, NOW_MS, &|_| {})
        .await
        .unwrap()
        .unwrap();
    assert!(out.accounts[0].1, "created");
    assert!(out.people[0].1, "created");
    let owned = SyncBatch {
        accounts: vec![AccountSync {
            source_id: hub("77"),
            owner_user_id: Some(user_id.to_owned()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let out = store
        .sync_customers(a, &owned, NOW_MS, &|_| {})
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out.owner_changes, [(out.accounts[0].0.clone(), None)]);
    let kept = store.account(a, "77").await.unwrap();
    assert_eq!(
        (kept.name.as_str(), kept.plan.as_deref()),
        ("Synced", Some("Gold"))
    );
    let refused = SyncBatch {
        accounts: vec![
            AccountSync {
                external_id: Some("NEW-1".into()),
                ..Default::default()
            },
            AccountSync {
                external_id: Some("NEW-2".into()),
                parent: Some(Some(AccountRef::Key("NO-SUCH".into()))),
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    let r = store
        .sync_customers(a, &refused, NOW_MS, &|_| {})
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        (r.list, r.index, r.field, r.conflict),
        (SyncList::Accounts, 1, "parent", false)
    );
    assert!(matches!(
        store.account(a, "NEW-1").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.account(a2, "77").await,
        Err(StoreError::NotFound)
    ));
}

/// Accounts and contacts by their natural keys, and the bulk account import; returns the
/// contact's id.
async fn accounts_story(
    store: &Rec,
    a: &attune_storage::model::Org,
    a2: &attune_storage::model::Org,
    user_id: &str,
) -> String {
    // Accounts and contacts upsert by their natural keys.
    let acc = AccountUpsert {
        external_id: "ACC-1".into(),
        name: "Acme".into(),
        plan: Some("Growth".into()),
        owner_user_id: Some(user_id.to_owned()),
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
    contact.id
}

/// Domains, other systems' ids, parents and archiving.
async fn links_story(store: &Rec, org: &str, other_org: &str) {
    let group = store
        .upsert_account(
            org,
            &AccountUpsert {
                external_id: "GRP".into(),
                name: "Acme Group".into(),
                domains: Some(vec!["acme.example".into()]),
                other_ids: vec![("crm".into(), Some("0015g0001".into()))],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let child = AccountUpsert {
        external_id: "ACC-2".into(),
        name: "Beta Ltd".into(),
        parent: Some(Some("GRP".into())),
        other_ids: vec![
            ("crm".into(), Some("0015g0002".into())),
            ("billing".into(), Some("cus_2".into())),
        ],
        ..Default::default()
    };
    let beta = store.upsert_account(org, &child).await.unwrap();
    assert_eq!(beta.parent_id.as_deref(), Some(group.id.as_str()));
    assert_eq!(
        beta.other_ids,
        [
            ("billing".into(), "cus_2".into()),
            ("crm".into(), "0015g0002".into())
        ]
    );
    // Found by another system's id; another organisation finds nothing by it.
    assert_eq!(store.account(org, "cus_2").await.unwrap().id, beta.id);
    assert!(matches!(
        store.account(other_org, "cus_2").await,
        Err(StoreError::NotFound)
    ));
    // Left out, a source's id, the domains and the parent are kept; null removes one id.
    let kept = store
        .upsert_account(
            org,
            &AccountUpsert {
                parent: None,
                other_ids: vec![("billing".into(), None)],
                ..child.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(kept.parent_id, beta.parent_id);
    assert_eq!(kept.other_ids, [("crm".into(), "0015g0002".into())]);
    // A domain or an id of another account is a conflict; nothing of the change is kept.
    for clash in [
        AccountUpsert {
            domains: Some(vec!["beta.example".into(), "acme.example".into()]),
            ..child.clone()
        },
        AccountUpsert {
            other_ids: vec![("crm".into(), Some("0015g0001".into()))],
            ..child.clone()
        },
    ] {
        let err = store.upsert_account(org, &clash).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    }
    assert!(
        store
            .account(org, &beta.id)
            .await
            .unwrap()
            .domains
            .is_empty()
    );
    // A group cannot contain itself, directly or through a child; an unknown parent is invalid.
    for (parent, account) in [("ACC-2", "GRP"), ("GRP", "GRP"), ("nobody", "GRP")] {
        let err = store
            .upsert_account(
                org,
                &AccountUpsert {
                    external_id: account.into(),
                    name: "Acme Group".into(),
                    parent: Some(Some(parent.into())),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(_)),
            "{parent} → {account}: {err:?}"
        );
    }
    team_story(store, org, other_org, &beta.id).await;
    let archived = store
        .archive_account(org, "ACC-2", Some(NOW_MS))
        .await
        .unwrap();
    assert_eq!(archived.archived_at, Some(NOW_MS));
    let restored = store.archive_account(org, &beta.id, None).await.unwrap();
    assert_eq!(restored.archived_at, None);
    assert!(matches!(
        store
            .archive_account(other_org, &beta.id, Some(NOW_MS))
            .await,
        Err(StoreError::NotFound)
    ));
}

/// A person in two accounts with different roles, found by any address; conflicting
/// addresses and unknown accounts refused.
async fn people_story(store: &Rec, org: &str, other_org: &str) {
    use attune_domain::customer::{MembershipRole as R, Roles};
    use attune_storage::model::{MembershipUpsert, PersonUpsert};
    let roles = |r: &[R]| r.iter().fold(Roles::NONE, |s, r| s.with(*r));
    let ana = PersonUpsert {
        email: "ana@beta.example".into(),
        other_emails: vec!["ana.personal@mail.example".into()],
        name: Some("Ana".into()),
        time_zone: Some("America/Argentina/Buenos_Aires".into()),
        memberships: vec![
            MembershipUpsert {
                account: "ACC-1".into(),
                title: Some("Advisor".into()),
                roles: roles(&[R::Champion]),
                from_day: Some(20_000),
                to_day: Some(20_300),
            },
            MembershipUpsert {
                account: "ACC-2".into(),
                title: Some("COO".into()),
                roles: roles(&[R::DecisionMaker, R::ExecutiveSponsor]),
                from_day: Some(20_100),
                to_day: None,
            },
        ],
        ..Default::default()
    };
    let saved = store.upsert_person(org, &ana).await.unwrap();
    let accounts: Vec<(&str, Roles)> = saved
        .memberships
        .iter()
        .map(|m| (m.account_name.as_str(), m.roles))
        .collect();
    assert_eq!(
        accounts,
        [
            ("Beta Ltd", roles(&[R::DecisionMaker, R::ExecutiveSponsor])),
            ("Acme", roles(&[R::Champion]))
        ],
        "the open-ended membership first"
    );
    assert_eq!(saved.primary(20_400).unwrap().account_name, "Beta Ltd");
    assert_eq!(saved.other_emails, ["ana.personal@mail.example"]);
    let by_second = store
        .person_by_email(org, "ana.personal@mail.example")
        .await
        .unwrap();
    assert_eq!(by_second, saved);
    assert_eq!(store.person(org, &saved.id).await.unwrap(), saved);
    // Matched by the second address: the same person, updated, memberships kept.
    let again = store
        .upsert_person(
            org,
            &PersonUpsert {
                email: "ana.personal@mail.example".into(),
                name: Some("Ana María".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (again.id.as_str(), again.memberships.len()),
        (saved.id.as_str(), 2)
    );
    assert_eq!(again.name.as_deref(), Some("Ana María"));
    // Addresses of two different people: a conflict, nothing changed.
    let err = store
        .upsert_person(
            org,
            &PersonUpsert {
                email: "simran@acme.example".into(),
                other_emails: vec!["ana@beta.example".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    // A membership of an unknown account: not found, and the person is not created.
    let err = store
        .upsert_person(
            org,
            &PersonUpsert {
                email: "ghost@nowhere.example".into(),
                memberships: vec![MembershipUpsert {
                    account: "missing".into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert!(
        store
            .person_by_email(org, "ghost@nowhere.example")
            .await
            .is_err()
    );
    assert!(matches!(
        store.person(other_org, &saved.id).await,
        Err(StoreError::NotFound)
    ));
}

/// Pages of people, the members of one account, the contact view, a membership removed;
/// another organisation sees none of it.
async fn people_pages_story(store: &Rec, org: &str, other_org: &str, simran: &str) {
    use attune_storage::model::PeopleQuery;
    let saved = store
        .person_by_email(org, "ana@beta.example")
        .await
        .unwrap();
    // Pages by id; the members of one account.
    let first = store
        .list_people(
            org,
            &PeopleQuery {
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let rest = store
        .list_people(
            org,
            &PeopleQuery {
                after: Some(first[0].id.clone()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut ids: Vec<&str> = first.iter().chain(&rest).map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    ids.sort();
    let mut want = vec![simran, saved.id.as_str()];
    want.sort();
    assert_eq!(ids, want);
    let acme = store.account(org, "ACC-1").await.unwrap();
    let members = store
        .list_people(
            org,
            &PeopleQuery {
                account_id: Some(acme.id.clone()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        members.len(),
        2,
        "Simran and Ana (who has left) are members of Acme"
    );
    // No conversation or answer yet: no touches, here or in another organisation.
    let touches = store.account_touches(org, &acme.id, 0).await.unwrap();
    assert!(touches.touches.is_empty() && touches.latest_nps.is_empty());
    let theirs = store.account_touches(other_org, &acme.id, 0).await.unwrap();
    assert!(theirs.touches.is_empty());
    // The contact view shows a person through the account asked about.
    let contacts = store.list_contacts(org, Some(&acme.id)).await.unwrap();
    let ana_there = contacts.iter().find(|c| c.id == saved.id).unwrap();
    assert_eq!(
        (ana_there.role.as_deref(), ana_there.decision_maker),
        (Some("Advisor"), false)
    );
    person_timeline_story(store, org, other_org, &saved.id).await;
    store
        .remove_membership(org, &saved.id, "ACC-1")
        .await
        .unwrap();
    assert_eq!(
        store
            .person(org, &saved.id)
            .await
            .unwrap()
            .memberships
            .len(),
        1
    );
    assert!(matches!(
        store.remove_membership(org, &saved.id, "ACC-1").await,
        Err(StoreError::NotFound)
    ));
    // Another organisation sees none of it.
    assert!(matches!(
        store.person(other_org, &saved.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.person_by_email(other_org, "ana@beta.example").await,
        Err(StoreError::NotFound)
    ));
    let theirs = store
        .list_people(
            other_org,
            &PeopleQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(theirs.is_empty());
    assert!(matches!(
        store.remove_membership(other_org, &saved.id, "ACC-2").await,
        Err(StoreError::NotFound)
    ));
}

/// A person's timeline: joining and leaving, newest first; nothing for another organisation.
async fn person_timeline_story(store: &Rec, org: &str, other_org: &str, person: &str) {
    let q = attune_storage::model::TimelineQuery {
        account_id: None,
        person_id: Some(person.to_owned()),
        kinds: Vec::new(),
        after: None,
        limit: 10,
    };
    let days: Vec<(i64, &str)> = store
        .timeline(org, &q)
        .await
        .unwrap()
        .iter()
        .map(|e| (e.at / 86_400_000, e.kind.as_str()))
        .collect();
    assert_eq!(
        days,
        [
            (20_300, "membership_ended"),
            (20_100, "membership_started"),
            (20_000, "membership_started")
        ]
    );
    assert!(store.timeline(other_org, &q).await.unwrap().is_empty());
}

/// Our team and the owner of an account: each change recorded, with the previous owner.
async fn team_story(store: &Rec, org: &str, other_org: &str, beta_id: &str) {
    let lead = store
        .create_user(
            org,
            "csm@acme.example",
            "hash",
            attune_domain::org::Role::Member,
        )
        .await
        .unwrap();
    let with_team = store
        .set_account_team(
            org,
            "ACC-2",
            &[(lead.id.clone(), attune_domain::customer::TeamRole::Csm)],
            NOW_MS,
        )
        .await
        .unwrap();
    assert_eq!(
        with_team.team,
        [(lead.id.clone(), attune_domain::customer::TeamRole::Csm)]
    );
    let (owned, previous) = store
        .change_owner(org, "ACC-2", Some(&lead.id), None, NOW_MS)
        .await
        .unwrap();
    assert_eq!(
        (owned.owner_user_id.as_deref(), previous),
        (Some(lead.id.as_str()), None)
    );
    let (_, previous) = store
        .change_owner(org, "ACC-2", None, None, NOW_MS)
        .await
        .unwrap();
    assert_eq!(previous.as_deref(), Some(lead.id.as_str()));
    assert!(matches!(
        store
            .change_owner(org, "ACC-2", Some("not-a-user"), None, NOW_MS)
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store
            .change_owner(other_org, beta_id, None, None, NOW_MS)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .set_account_team(
                org,
                "ACC-2",
                &[("not-a-user".into(), attune_domain::customer::TeamRole::Csm)],
                NOW_MS
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
}
