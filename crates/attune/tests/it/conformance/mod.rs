//! The storage conformance story, one chapter per feature trait: each runs against a fresh
//! database on both backends through [`Recorded`], so the runtime-built SQL is proven on SQLite
//! and PostgreSQL alike, and ends by asserting that it called every method of its trait (the
//! list comes from the trait's own declaration, `<dyn Trait>::METHODS`).

use attune_domain::org::Role;
use attune_domain::response::{Answer, Channel, NewResponse};
use attune_domain::survey::{SurveyDefinition, SurveyInput};
use attune_domain::text::{Email, LanguageTag};
use attune_storage::Recorded;
use attune_storage::model::{Account, AccountUpsert, Contact, ContactUpsert, Org, User};
use attune_storage::prelude::*;
use attune_storage::sql::SqlStore;
use serde_json::json;

use crate::helpers::{Backend, NOW_MS, fresh_store};

mod access;
mod closed_loop;
mod customers;
mod interactions;
mod jobs;
mod merges;
mod responses;
mod retention;
mod settings;
mod surveys;

/// The store every chapter runs against: SQL, with each method call recorded.
pub(super) type Rec = Recorded<SqlStore>;

/// A fresh, migrated database behind the recorder.
pub(super) async fn recorded(b: &Backend) -> Rec {
    Recorded::new(fresh_store(b).await.0)
}

/// Two organisations (the second to prove tenancy), an admin of the first, and its account
/// `ACC-1` with the contact `simran@acme.example`.
pub(super) struct Tenant {
    pub a: Org,
    pub a2: Org,
    pub user: User,
    pub account: Account,
    pub contact: Contact,
}

pub(super) async fn tenant(store: &Rec) -> Tenant {
    let a = store.create_org("Acme Corp").await.unwrap();
    let a2 = store.create_org("Acme Corp").await.unwrap();
    let user = store
        .create_user(&a.id, "lead@acme.example", "hash", Role::Admin)
        .await
        .unwrap();
    let account = store
        .upsert_account(
            &a.id,
            &AccountUpsert {
                external_id: "ACC-1".into(),
                name: "Acme".into(),
                plan: Some("Growth".into()),
                owner_user_id: Some(user.id.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let contact = store
        .upsert_contact(
            &a.id,
            &ContactUpsert {
                email: "simran@acme.example".into(),
                account_external_id: Some("ACC-1".into()),
                name: Some("Simran".into()),
                decision_maker: true,
                language: Some("pa".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    Tenant {
        a,
        a2,
        user,
        account,
        contact,
    }
}

/// An NPS question and a comment.
pub(super) fn nps_definition() -> SurveyDefinition {
    let input: SurveyInput = serde_json::from_value(json!({"name": "NPS", "questions": [
        {"key": "nps", "type": "nps", "text": {"en": "?"}}, {"key": "why", "type": "text", "text": {"en": "Why?"}}]})).unwrap();
    SurveyDefinition::parse(input).unwrap()
}

/// A response to [`nps_definition`], `day` days before `NOW_MS`, from account `ACC-1`.
pub(super) fn response(
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

/// The recorder names exactly the methods a chapter left out, so a new store method fails its
/// chapter until the story calls it.
#[tokio::test]
async fn the_recorder_names_the_methods_not_called() {
    let store = recorded(&Backend::Sqlite).await;
    store.ping().await.unwrap();
    store.create_org("Acme").await.unwrap();
    let missing = store.not_called(<dyn SettingsStore>::METHODS);
    assert_eq!(
        missing,
        [
            "setting_or_init",
            "setting",
            "reseal_credentials",
            "org_by_slug",
            "org_by_id",
            "list_orgs"
        ]
    );
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        store.assert_all_called("SettingsStore", <dyn SettingsStore>::METHODS);
    }))
    .expect_err("methods were left out");
    let message = err.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("setting_or_init, setting, reseal_credentials"),
        "{message}"
    );
    // A default method is recorded under its own name.
    let def = nps_definition();
    let org = store.list_orgs().await.unwrap().remove(0);
    store.create_survey(&org.id, &def, NOW_MS).await.unwrap();
    assert!(store.called().contains("create_survey"));
}
