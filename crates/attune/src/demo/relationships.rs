//! The demo's relationships: calls, meetings and notes with the customers' people (some with
//! promises), account teams, a consultant who works for two customers, personal preferences,
//! one customer nobody talks to but one person, and one account handed over to a new owner.

use anyhow::Context;
use attune_app::customers::{handover, interactions};
use attune_domain::customer::{FollowUp, InteractionKind, MembershipRole, Roles, TeamRole};
use attune_domain::period::DAY_MS;
use attune_storage::Store;
use attune_storage::model::{
    Account, AccountUpsert, MembershipUpsert, NewInteraction, Org, PeopleQuery, PersonUpsert,
};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::json;

const SUMMARIES: &[&str] = &[
    "Quarterly review: adoption is up, the reporting module is still unused.",
    "Renewal conversation; they want a multi-year price.",
    "Onboarding call for the new operations team.",
    "Escalation about late deliveries, agreed on a weekly check-in.",
    "سہ ماہی جائزہ: رپورٹنگ ابھی استعمال نہیں ہو رہی۔",
    "ਨਵੀਂ ਟੀਮ ਲਈ ਸਿਖਲਾਈ ਦੀ ਗੱਲਬਾਤ।",
];

/// Calls, meetings and notes over the last four months for every account, with its owner.
async fn demo_interactions(
    store: &dyn Store,
    org: &Org,
    rng: &mut StdRng,
    accounts: &[(Account, f64)],
    now_ms: i64,
) -> anyhow::Result<()> {
    for (account, _) in accounts {
        let q = PeopleQuery {
            account_id: Some(account.id.clone()),
            after: None,
            limit: 100,
        };
        let people = store.list_people(&org.id, &q).await?;
        for _ in 0..rng.random_range(1..4) {
            let kind = *[
                InteractionKind::Call,
                InteractionKind::Meeting,
                InteractionKind::Email,
                InteractionKind::Visit,
            ]
            .get(rng.random_range(0..4))
            .unwrap_or(&InteractionKind::Call);
            let who: Vec<String> = people
                .iter()
                .filter(|_| rng.random_bool(0.4))
                .map(|p| p.id.clone())
                .collect();
            let promise = rng.random_bool(0.3).then(|| FollowUp {
                text: "Send the summary and the next steps".into(),
                due_day: Some(now_ms.div_euclid(DAY_MS) + rng.random_range(1..14)),
                done: false,
            });
            let new = NewInteraction {
                account_id: Some(account.id.clone()),
                kind,
                occurred_at: now_ms - rng.random_range(1..120) * DAY_MS,
                duration_minutes: Some(rng.random_range(10..90)),
                summary: SUMMARIES[rng.random_range(0..SUMMARIES.len())].into(),
                internal: false,
                follow_ups: promise.into_iter().collect(),
                people: if who.is_empty() {
                    people.iter().take(1).map(|p| p.id.clone()).collect()
                } else {
                    who
                },
                staff: account.owner_user_id.iter().cloned().collect(),
                created_by: account.owner_user_id.clone(),
                feedback: None,
            };
            interactions::log(store, &org.id, new, None, now_ms).await?;
        }
    }
    Ok(())
}

/// A customer whose only thread is one person and one of us: single-threaded on both counts.
async fn lone_customer(
    store: &dyn Store,
    org: &Org,
    owner: &str,
    now_ms: i64,
) -> anyhow::Result<()> {
    let account = store
        .upsert_account(
            &org.id,
            &AccountUpsert {
                external_id: "ACME-0051".into(),
                name: "Lone Pine Logistics".into(),
                plan: Some("Growth".into()),
                owner_user_id: Some(owner.to_owned()),
                attributes: serde_json::Map::from_iter([(
                    "lifecycle_stage".to_owned(),
                    json!("renewal"),
                )]),
                domains: Some(vec!["lonepine.example".into()]),
                ..AccountUpsert::default()
            },
        )
        .await?;
    let roles = Roles::NONE.with(MembershipRole::Champion);
    let person = PersonUpsert {
        email: "maria.rossi@lonepine.example".into(),
        name: Some("Maria Rossi".into()),
        language: Some("en".into()),
        time_zone: Some("Europe/Rome".into()),
        preferences: serde_json::Map::from_iter([
            ("calls".to_owned(), json!("prefers morning calls")),
            ("channel".to_owned(), json!("phone")),
        ]),
        memberships: vec![MembershipUpsert {
            account: account.id.clone(),
            title: Some("Head of operations".into()),
            roles,
            ..MembershipUpsert::default()
        }],
        ..PersonUpsert::default()
    };
    let maria = store.upsert_person(&org.id, &person).await?;
    for days in [40, 12] {
        let new = NewInteraction {
            account_id: Some(account.id.clone()),
            kind: InteractionKind::Call,
            occurred_at: now_ms - days * DAY_MS,
            duration_minutes: Some(30),
            summary: "Maria is our only contact; asked to meet the decision maker.".into(),
            internal: false,
            follow_ups: Vec::new(),
            people: vec![maria.id.clone()],
            staff: vec![owner.to_owned()],
            created_by: Some(owner.to_owned()),
            feedback: None,
        };
        interactions::log(store, &org.id, new, None, now_ms).await?;
    }
    Ok(())
}

/// A consultant who advises two customers, with different roles at each.
async fn consultant(
    store: &dyn Store,
    org: &Org,
    accounts: &[(Account, f64)],
) -> anyhow::Result<()> {
    let [(a, _), (b, _), ..] = accounts else {
        return Ok(());
    };
    let person = PersonUpsert {
        email: "farah.khan@advisory.example".into(),
        other_emails: vec!["farah@khan.example".into()],
        name: Some("فرح خان".into()),
        language: Some("ur".into()),
        time_zone: Some("Asia/Karachi".into()),
        preferences: serde_json::Map::from_iter([(
            "room".to_owned(),
            json!("room at 20 °C, tea not coffee"),
        )]),
        memberships: vec![
            MembershipUpsert {
                account: a.id.clone(),
                title: Some("Procurement advisor".into()),
                roles: Roles::NONE.with(MembershipRole::Champion),
                ..MembershipUpsert::default()
            },
            MembershipUpsert {
                account: b.id.clone(),
                title: Some("Interim COO".into()),
                roles: Roles::NONE
                    .with(MembershipRole::DecisionMaker)
                    .with(MembershipRole::ExecutiveSponsor),
                ..MembershipUpsert::default()
            },
        ],
        ..PersonUpsert::default()
    };
    store.upsert_person(&org.id, &person).await?;
    Ok(())
}

/// Relationships for the demo: teams, interactions, a consultant, a lone customer, a handover.
pub(super) async fn demo_relationships(
    store: &dyn Store,
    org: &Org,
    rng: &mut StdRng,
    accounts: &[(Account, f64)],
    owners: &[String],
    now_ms: i64,
) -> anyhow::Result<()> {
    for (i, (account, _)) in accounts.iter().enumerate().take(10) {
        let team = [
            (owners[i % owners.len()].clone(), TeamRole::Csm),
            (
                owners[(i + 1) % owners.len()].clone(),
                TeamRole::AccountExecutive,
            ),
        ];
        store
            .set_account_team(&org.id, &account.id, &team, now_ms)
            .await?;
    }
    demo_interactions(store, org, rng, accounts, now_ms)
        .await
        .context("logging the demo interactions")?;
    consultant(store, org, accounts).await?;
    lone_customer(store, org, &owners[0], now_ms).await?;
    // The owner of the fourth account moves on: the account and its open cases go to the next.
    if let Some((account, _)) = accounts.get(3) {
        let next = owners
            .iter()
            .find(|o| Some(o.as_str()) != account.owner_user_id.as_deref());
        handover::change_owner(
            store,
            &org.id,
            &account.id,
            next.map(String::as_str),
            None,
            None,
            now_ms,
        )
        .await
        .context("handing over a demo account")?;
    }
    Ok(())
}
