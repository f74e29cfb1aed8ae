//! The storage conformance story: every `Store` method, run against both backends, so the
//! runtime-built SQL is proven on SQLite and PostgreSQL alike.

use attune_domain::org::Role;
use attune_domain::response::{Answer, Channel, NewResponse};
use attune_domain::survey::{QuestionType, SurveyDefinition, SurveyInput};
use attune_domain::survey_access::{SurveyAccess, SurveyAccessInput};
use attune_domain::text::{Email, LanguageTag};
use attune_storage::StoreError;
use attune_storage::model::{AccountUpsert, ContactUpsert, FeedQuery, ScoreFilter, SegmentDim};
use attune_storage::prelude::*;
use serde_json::json;

use crate::helpers::{Backend, NOW_MS, fresh_store};
use crate::on_both_backends;

on_both_backends!(storage_story);

fn response(
    score: i64,
    text: Option<&str>,
    day: i64,
    email: Option<&str>,
    key: Option<&str>,
) -> NewResponse {
    let mut answers = std::collections::BTreeMap::new();
    answers.insert("nps".to_owned(), Answer::Score(score));
    if let Some(t) = text {
        answers.insert("why".to_owned(), Answer::Text(t.to_owned()));
    }
    NewResponse {
        answers,
        language: Some(LanguageTag::parse("pa").unwrap()),
        channel: Channel::Api,
        contact_email: email.map(|e| Email::parse(e).unwrap()),
        contact_name: None,
        account_external_id: Some("ACC-1".into()),
        account_name: Some("Acme".into()),
        submitted_at_ms: NOW_MS - day * 86_400_000,
        metadata: serde_json::Map::new(),
        dedup_key: key.map(str::to_owned),
    }
}

async fn storage_story(b: Backend) {
    let (store, _) = fresh_store(&b).await;
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
    // Surveys.
    let input: SurveyInput = serde_json::from_value(json!({"name": "NPS", "questions": [
        {"key": "nps", "type": "nps", "text": {"en": "?"}}, {"key": "why", "type": "text", "text": {"en": "Why?"}}]})).unwrap();
    let def = SurveyDefinition::parse(input).unwrap();
    let survey = store.create_survey(&a.id, &def, NOW_MS).await.unwrap();
    assert_eq!(store.survey(&a.id, &survey.id).await.unwrap(), survey);
    assert_eq!(store.public_survey(&survey.id).await.unwrap().org_id, a.id);
    assert!(matches!(
        store.survey(&a2.id, &survey.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.list_surveys(&a.id).await.unwrap().len(), 1);
    // Responses: links, dedup, aggregates.
    let r1 = store
        .insert_response(
            &a.id,
            &survey,
            &response(
                2,
                Some("ਕੀਮਤ ਬਹੁਤ ਜ਼ਿਆਦਾ ਹੈ"),
                1,
                Some("simran@acme.example"),
                Some("ext:1"),
            ),
            None,
            NOW_MS,
        )
        .await
        .unwrap();
    assert_eq!(r1.contact_id.as_deref(), Some(contact.id.as_str()));
    assert_eq!(r1.account_id.as_deref(), Some(saved.id.as_str()));
    assert!(matches!(
        store
            .insert_response(
                &a.id,
                &survey,
                &response(9, None, 1, None, Some("ext:1")),
                None,
                NOW_MS
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        matches!(
            store
                .insert_response(
                    &a2.id,
                    &survey,
                    &response(9, None, 1, None, None),
                    None,
                    NOW_MS
                )
                .await,
            Err(StoreError::NotFound)
        ),
        "a survey of another organisation"
    );
    let batch = vec![
        response(9, None, 40, None, Some("imp:1")),
        response(10, Some("ਵਧੀਆ"), 40, None, Some("imp:2")),
        response(10, None, 40, None, Some("imp:2")),
        response(5, None, 2, None, Some("ext:1")),
    ];
    let out = store
        .import_responses(&a.id, &survey, &batch, NOW_MS, &|_| {})
        .await
        .unwrap();
    assert_eq!((out.inserted, out.duplicates), (2, 2));
    assert_eq!(
        store
            .response(&a.id, &r1.id)
            .await
            .unwrap()
            .comment
            .as_deref(),
        Some("ਕੀਮਤ ਬਹੁਤ ਜ਼ਿਆਦਾ ਹੈ")
    );
    assert!(matches!(
        store.response(&a2.id, &r1.id).await,
        Err(StoreError::NotFound)
    ));
    let filter = ScoreFilter {
        qtype: QuestionType::Nps,
        survey_id: Some(survey.id.clone()),
        question_key: None,
        from_day: None,
        to_day: None,
        daily: true,
    };
    let counts = store.score_counts(&a.id, &filter, None).await.unwrap();
    let total: i64 = counts.iter().map(|c| c.n).sum();
    assert_eq!(total, 3);
    // Monthly aggregates (with daily edges for partial months) count the same responses,
    // per month, as the daily ones.
    let per_month = |rows: &[attune_storage::model::ScoreCount]| {
        let mut m = std::collections::BTreeMap::new();
        for r in rows {
            *m.entry((
                attune_domain::period::Interval::Month.bucket_start(r.day),
                r.score,
                r.segment.clone(),
            ))
            .or_insert(0) += r.n;
        }
        m
    };
    let today = NOW_MS / 86_400_000;
    for (from, to) in [
        (None, None),
        (Some(today - 45), Some(today + 1)),
        (Some(today - 3), None),
    ] {
        for seg in [None, Some(SegmentDim::Language)] {
            let daily = ScoreFilter {
                from_day: from,
                to_day: to,
                ..filter.clone()
            };
            let monthly = ScoreFilter {
                daily: false,
                ..daily.clone()
            };
            let d = store.score_counts(&a.id, &daily, seg).await.unwrap();
            let m = store.score_counts(&a.id, &monthly, seg).await.unwrap();
            assert_eq!(
                per_month(&d),
                per_month(&m),
                "range {from:?}..{to:?}, segment {seg:?}"
            );
        }
    }
    let by_account = store
        .score_counts(&a.id, &filter, Some(SegmentDim::Account))
        .await
        .unwrap();
    assert!(
        by_account
            .iter()
            .all(|c| c.segment.as_deref() == Some(saved.id.as_str()))
    );
    assert!(
        store
            .score_counts(&a2.id, &filter, None)
            .await
            .unwrap()
            .is_empty()
    );
    // Feed.
    let feed = store
        .feed(
            &a.id,
            &FeedQuery {
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(feed.len(), 3);
    assert_eq!(feed[0].response.id, r1.id, "newest first");
    assert_eq!(
        feed[0].contact_email.as_deref(),
        Some("simran@acme.example")
    );
    let words = store
        .feed(
            &a.id,
            &FeedQuery {
                text: Some("ਕੀਮਤ".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(words.len(), 1);
    let promoters = store
        .feed(
            &a.id,
            &FeedQuery {
                score_range: Some((9, 10)),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(promoters.len(), 2);
    let literal = store
        .feed(
            &a.id,
            &FeedQuery {
                text: Some("100%_".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        literal.is_empty(),
        "LIKE wildcards in the query are literal"
    );
    assert!(
        store
            .feed(
                &a2.id,
                &FeedQuery {
                    limit: 10,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .is_empty()
    );
    // Invitations are used once.
    let inv = store
        .create_invitation(&a.id, &survey.id, Some(&contact.id), NOW_MS)
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_invitation(&a2.id, &survey.id, None, NOW_MS)
            .await,
        Err(StoreError::NotFound)
    ));
    let via = store
        .insert_response(
            &a.id,
            &survey,
            &response(10, None, 0, None, None),
            Some(&inv.id),
            NOW_MS,
        )
        .await
        .unwrap();
    assert_eq!(via.contact_id.as_deref(), Some(contact.id.as_str()));
    assert!(
        store
            .invitation(&inv.id)
            .await
            .unwrap()
            .used_at_ms
            .is_some()
    );
    assert!(matches!(
        store
            .insert_response(
                &a.id,
                &survey,
                &response(0, None, 0, None, None),
                Some(&inv.id),
                NOW_MS
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    // Access settings: stored per survey, changed only by its organisation.
    assert_eq!(survey.access, SurveyAccess::default(), "public by default");
    let strict = SurveyAccess::default()
        .apply(
            SurveyAccessInput {
                mode: Some("one_per_respondent".into()),
                anonymous_dedup: Some(true),
                embed_origins: Some(vec!["https://shop.example".into()]),
            },
            "",
        )
        .unwrap();
    let once = store
        .create_survey_with_access(&a.id, &def, &strict, NOW_MS)
        .await
        .unwrap();
    assert_eq!(store.survey(&a.id, &once.id).await.unwrap(), once);
    assert_eq!(store.public_survey(&once.id).await.unwrap().access, strict);
    assert!(matches!(
        store
            .set_survey_access(&a2.id, &once.id, &SurveyAccess::default())
            .await,
        Err(StoreError::NotFound)
    ));
    let opened = store
        .set_survey_access(&a.id, &once.id, &SurveyAccess::default())
        .await
        .unwrap();
    assert_eq!(opened.access, SurveyAccess::default());
    let once = store
        .set_survey_access(&a.id, &once.id, &strict)
        .await
        .unwrap();
    assert_eq!(
        store.list_surveys(&a.id).await.unwrap()[0].access,
        strict,
        "newest first"
    );
    // One answer per known respondent, whichever way they come.
    store
        .insert_response(
            &a.id,
            &once,
            &response(4, None, 0, Some("simran@acme.example"), None),
            None,
            NOW_MS,
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .insert_response(
                &a.id,
                &once,
                &response(5, None, 0, Some("simran@acme.example"), Some("ext:other")),
                None,
                NOW_MS
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    let inv = store
        .create_invitation(&a.id, &once.id, Some(&contact.id), NOW_MS)
        .await
        .unwrap();
    assert!(matches!(
        store
            .insert_response(
                &a.id,
                &once,
                &response(6, None, 0, None, None),
                Some(&inv.id),
                NOW_MS
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        store
            .invitation(&inv.id)
            .await
            .unwrap()
            .used_at_ms
            .is_none(),
        "a refused answer leaves the invitation unused"
    );
    store
        .insert_response(
            &a.id,
            &once,
            &response(7, None, 0, None, None),
            None,
            NOW_MS,
        )
        .await
        .expect("anonymous API answers are not keyed by respondent");
}
