//! The closed loop: its configuration (rules, SLA policies, digest settings, templates), teams
//! and root causes, and a case from the detractor who opens it to the re-survey that closes
//! the loop.

use attune_domain::closed_loop::case::{CasePatch, CaseState};
use attune_domain::closed_loop::loop_counts::Counter;
use attune_domain::closed_loop::rules::RuleDefinition;
use attune_domain::closed_loop::sla::SlaPolicy;
use attune_domain::closed_loop::template::Template;
use attune_domain::closed_loop::timeline::EventKind;
use attune_storage::StoreError;
use attune_storage::model::{Case, CaseQuery, LoopSettings, Survey};
use attune_storage::prelude::*;

use super::{Rec, Tenant, nps_definition, recorded, response, tenant};
use crate::helpers::{Backend, NOW_MS};
use crate::on_both_backends;

on_both_backends!(loop_config_story, teams_story, cases_story);

const H: i64 = 3_600_000;

async fn loop_config_story(b: Backend) {
    let store: Rec = recorded(&b).await;
    let Tenant { a, a2, user, .. } = tenant(&store).await;
    // Rules: a new organisation starts with two; saving with an id replaces, deleting keeps
    // the others; another organisation's rule is not found.
    let rules = store.list_rules(&a.id).await.unwrap();
    assert_eq!(rules.len(), 2);
    let mut def = RuleDefinition::default_detractors();
    def.name = "Detractors of Acme".into();
    let rule = store.save_rule(&a.id, None, &def, NOW_MS).await.unwrap();
    assert_eq!(rule.definition, def);
    def.enabled = false;
    let replaced = store
        .save_rule(&a.id, Some(&rule.id), &def, NOW_MS + 1)
        .await
        .unwrap();
    assert_eq!(replaced.id, rule.id);
    assert!(!replaced.definition.enabled);
    let listed = store.list_rules(&a.id).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed.contains(&replaced), "{listed:?}");
    assert!(matches!(
        store.save_rule(&a2.id, Some(&rule.id), &def, NOW_MS).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_rule(&a2.id, &rule.id).await,
        Err(StoreError::NotFound)
    ));
    store.delete_rule(&a.id, &rule.id).await.unwrap();
    assert_eq!(store.list_rules(&a.id).await.unwrap(), rules);
    // SLA policies: one default at a time.
    let policies = store.list_sla_policies(&a.id).await.unwrap();
    assert_eq!(policies.len(), 1);
    assert!(policies[0].is_default);
    let urgent = SlaPolicy {
        name: "Urgent".into(),
        first_response_minutes: 60,
        resolution_minutes: 480,
        business_hours: None,
    };
    let saved = store
        .save_sla_policy(&a.id, None, &urgent, true, NOW_MS)
        .await
        .unwrap();
    assert_eq!((saved.is_default, &saved.policy), (true, &urgent));
    let policies = store.list_sla_policies(&a.id).await.unwrap();
    assert_eq!(policies.len(), 2);
    assert_eq!(
        policies
            .iter()
            .filter(|p| p.is_default)
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>(),
        [saved.id.as_str()]
    );
    let renamed = SlaPolicy {
        name: "Very urgent".into(),
        ..urgent.clone()
    };
    let again = store
        .save_sla_policy(&a.id, Some(&saved.id), &renamed, true, NOW_MS + 1)
        .await
        .unwrap();
    assert_eq!(
        (again.id.as_str(), &again.policy),
        (saved.id.as_str(), &renamed)
    );
    assert_eq!(store.list_sla_policies(&a2.id).await.unwrap().len(), 1);
    // Digest settings.
    let defaults = store.loop_settings(&a.id).await.unwrap();
    assert!(defaults.digest_emails.is_empty());
    let settings = LoopSettings {
        digest_emails: vec![user.email.clone()],
        digest_hour: 9,
        case_window_days: 14,
        handover_cases: attune_domain::customer::HandoverRule::RoundRobin,
    };
    store.set_loop_settings(&a.id, &settings).await.unwrap();
    assert_eq!(store.loop_settings(&a.id).await.unwrap(), settings);
    assert_eq!(store.loop_settings(&a2.id).await.unwrap(), defaults);
    // Templates, per kind and language.
    assert_eq!(
        store.template(&a.id, "resolution", "pa").await.unwrap(),
        None
    );
    let t = Template {
        subject: "ਤੁਹਾਡਾ ਮਾਮਲਾ".into(),
        body: "{resolution}".into(),
    };
    store
        .set_template(&a.id, "resolution", "pa", &t)
        .await
        .unwrap();
    assert_eq!(
        store.template(&a.id, "resolution", "pa").await.unwrap(),
        Some(t)
    );
    assert_eq!(
        store.template(&a.id, "resolution", "en").await.unwrap(),
        None
    );
    assert_eq!(
        store.template(&a2.id, "resolution", "pa").await.unwrap(),
        None
    );
    store.assert_all_called("LoopConfigStore", <dyn LoopConfigStore>::METHODS);
}

async fn teams_story(b: Backend) {
    let store: Rec = recorded(&b).await;
    let Tenant { a, a2, user, .. } = tenant(&store).await;
    let team = store
        .create_team(
            &a.id,
            "Success",
            Some(&user.id),
            std::slice::from_ref(&user.id),
            NOW_MS,
        )
        .await
        .unwrap();
    assert_eq!(
        (team.name.as_str(), team.lead_user_id.as_deref()),
        ("Success", Some(user.id.as_str()))
    );
    assert_eq!(team.members, std::slice::from_ref(&user.id));
    assert_eq!(store.list_teams(&a.id).await.unwrap(), [team]);
    assert!(store.list_teams(&a2.id).await.unwrap().is_empty());
    // The taxonomy starts with defaults and is replaced whole, per organisation.
    let defaults = store.root_causes(&a.id).await.unwrap();
    assert!(!defaults.is_empty());
    let names = vec!["Billing".to_owned(), "Onboarding".to_owned()];
    store.set_root_causes(&a.id, &names).await.unwrap();
    let mut got = store.root_causes(&a.id).await.unwrap();
    got.sort();
    assert_eq!(got, names);
    assert_eq!(store.root_causes(&a2.id).await.unwrap(), defaults);
    store.assert_all_called("TeamStore", <dyn TeamStore>::METHODS);
}

async fn cases_story(b: Backend) {
    let store: Rec = recorded(&b).await;
    let t = tenant(&store).await;
    let Tenant { a, a2, user, .. } = &t;
    let survey = store
        .create_survey(&a.id, &nps_definition(), NOW_MS)
        .await
        .unwrap();
    // A detractor opens a case (the default rule), owned by the account's owner.
    let detractor = store
        .insert_response(
            &a.id,
            &survey,
            &response(
                2,
                Some("Too expensive"),
                0,
                Some("simran@acme.example"),
                None,
            ),
            None,
            NOW_MS,
        )
        .await
        .unwrap();
    let all = CaseQuery {
        limit: 50,
        ..Default::default()
    };
    let cases = store.cases(&a.id, &all).await.unwrap();
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(case.response_id.as_deref(), Some(detractor.id.as_str()));
    assert_eq!(case.owner.as_deref(), Some(user.id.as_str()));
    assert_eq!(case.state, CaseState::Open);
    assert_eq!(&store.case(&a.id, &case.id).await.unwrap(), case);
    assert!(matches!(
        store.case(&a2.id, &case.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.cases(&a2.id, &all).await.unwrap().is_empty());
    let by_response = store
        .cases(
            &a.id,
            &CaseQuery {
                response_id: Some(detractor.id.clone()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(by_response.len(), 1);
    let kinds = |events: Vec<attune_storage::model::CaseEvent>| {
        events.into_iter().map(|e| e.kind).collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(store.case_events(&a.id, &case.id).await.unwrap()),
        [EventKind::Opened]
    );
    assert!(
        store
            .case_events(&a2.id, &case.id)
            .await
            .unwrap()
            .is_empty()
    );
    // A note is the first response.
    let noted = store
        .add_case_note(&a.id, &case.id, &user.id, "Called Simran", NOW_MS + H)
        .await
        .unwrap();
    assert_eq!(noted.first_responded_at, Some(NOW_MS + H));
    // Past the resolution deadline the SLA step records the breach, exactly once.
    let late = case.resolution_due_at + H;
    let step = store.sla_step(&a.id, &case.id, late).await.unwrap();
    assert!(!step.recorded.is_empty(), "{step:?}");
    let again = store.sla_step(&a.id, &case.id, late).await.unwrap();
    assert!(again.recorded.is_empty(), "{again:?}");
    assert!(store.case(&a.id, &case.id).await.unwrap().breached);
    // Resolving records the root cause and the resolution on the timeline.
    let patch = CasePatch {
        state: Some(CaseState::Resolved),
        root_cause: Some(store.root_causes(&a.id).await.unwrap()[0].clone()),
        resolution: Some("Moved to the annual plan".into()),
        ..Default::default()
    };
    let resolved = store
        .update_case(&a.id, &case.id, Some(&user.id), &patch, late + H)
        .await
        .unwrap();
    assert_eq!(resolved.state, CaseState::Resolved);
    assert_eq!(resolved.resolved_at, Some(late + H));
    let events = kinds(store.case_events(&a.id, &case.id).await.unwrap());
    assert!(events.contains(&EventKind::Note), "{events:?}");
    assert!(events.len() >= 4, "{events:?}");
    assert!(matches!(
        store
            .update_case(&a2.id, &case.id, None, &patch, late + H)
            .await,
        Err(StoreError::NotFound)
    ));
    resurvey(
        &store,
        &t,
        &survey,
        case,
        patch.root_cause.as_deref().unwrap(),
        late,
    )
    .await;
    store.assert_all_called("CaseStore", <dyn CaseStore>::METHODS);
}

/// The re-survey sent with the resolution, answered, closes the loop.
async fn resurvey(
    store: &Rec,
    t: &Tenant,
    survey: &Survey,
    case: &Case,
    root_cause: &str,
    late: i64,
) {
    let Tenant {
        a,
        a2,
        user,
        account,
        contact,
    } = t;
    // The re-survey sent with the resolution, answered, gives the score after.
    let inv = store
        .create_invitation(&a.id, &survey.id, Some(&contact.id), late + H)
        .await
        .unwrap();
    store
        .set_case_resurvey(&a.id, &case.id, &inv.id)
        .await
        .unwrap();
    assert_eq!(
        store
            .case(&a.id, &case.id)
            .await
            .unwrap()
            .resurvey_invitation_id
            .as_deref(),
        Some(inv.id.as_str())
    );
    store
        .insert_response(
            &a.id,
            survey,
            &response(9, None, 0, None, None),
            Some(&inv.id),
            late + 2 * H,
        )
        .await
        .unwrap();
    let loop_cases = store.loop_cases(&a.id, 0, i64::MAX).await.unwrap();
    assert_eq!(loop_cases.len(), 1);
    assert_eq!(
        loop_cases[0].score_before,
        Some(("nps".to_owned(), 2)),
        "the detractor's score"
    );
    assert_eq!(loop_cases[0].score_after, Some(9));
    assert_eq!(
        loop_cases[0].owner_email.as_deref(),
        Some(user.email.as_str())
    );
    assert!(
        store
            .loop_cases(&a.id, NOW_MS + 1, i64::MAX)
            .await
            .unwrap()
            .is_empty(),
        "opened before the period"
    );
    assert!(
        store
            .loop_cases(&a2.id, 0, i64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    let counted = store
        .loop_sums(&a.id, 0, i64::MAX, late + 3 * H)
        .await
        .unwrap()
        .expect("a new organisation's counts are built");
    let n = |c: Counter, key: &str| counted.sums.counts.get(&(c, key.to_owned())).copied();
    assert_eq!(n(Counter::Cases, ""), Some(1));
    assert_eq!(n(Counter::Cause, root_cause), Some(1));
    assert_eq!(
        (n(Counter::Resurveyed, ""), n(Counter::Improved, "")),
        (Some(1), Some(1))
    );
    assert_eq!(counted.sums.resolution.len(), 1);
    assert_eq!(counted.owners.get(&user.id), Some(&user.email));
    let other = store
        .loop_sums(&a2.id, 0, i64::MAX, late)
        .await
        .unwrap()
        .expect("built");
    assert!(other.sums.counts.is_empty() && other.owners.is_empty());
    let (opened, resolved, _) = store.case_activity(&a.id, 0, 0, i64::MAX).await.unwrap();
    assert_eq!((opened, resolved), (1, 1));
    let before = store
        .case_activity(&a.id, 0, 0, case.opened_at)
        .await
        .unwrap();
    assert_eq!(before, (0, 0, 0), "nothing happened before the opening");
    assert_eq!(
        store.case_activity(&a2.id, 0, 0, i64::MAX).await.unwrap(),
        (0, 0, 0)
    );
    let causes = store.account_root_causes(&a.id, 0).await.unwrap();
    assert_eq!(
        causes,
        [(account.id.clone(), root_cause.to_owned(), case.opened_at)]
    );
    assert!(
        store
            .account_root_causes(&a.id, case.opened_at + 1)
            .await
            .unwrap()
            .is_empty()
    );
}
