//! Surveys, their access settings, and invitations used once.

use attune_domain::survey::SurveyDefinition;
use attune_domain::survey_access::{SurveyAccess, SurveyAccessInput};
use attune_storage::StoreError;
use attune_storage::model::{Contact, Org, Survey};
use attune_storage::prelude::*;

use super::{Rec, recorded};
use super::{Tenant, nps_definition, response, tenant};
use crate::helpers::Backend;
use crate::helpers::NOW_MS;
use crate::on_both_backends;

on_both_backends!(surveys_story);

async fn surveys_story(b: Backend) {
    let store: Rec = recorded(&b).await;
    let Tenant { a, a2, contact, .. } = tenant(&store).await;
    // Surveys.
    let def = nps_definition();
    let survey = store.create_survey(&a.id, &def, NOW_MS).await.unwrap();
    assert_eq!(store.survey(&a.id, &survey.id).await.unwrap(), survey);
    assert_eq!(store.public_survey(&survey.id).await.unwrap().org_id, a.id);
    assert!(matches!(
        store.survey(&a2.id, &survey.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.list_surveys(&a.id).await.unwrap().len(), 1);
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
    access_settings(&store, &a, &a2, &def, &survey, &contact).await;
    store.assert_all_called("SurveyStore", <dyn SurveyStore>::METHODS);
}

/// Access settings, and one answer per known respondent.
async fn access_settings(
    store: &Rec,
    a: &Org,
    a2: &Org,
    def: &SurveyDefinition,
    survey: &Survey,
    contact: &Contact,
) {
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
        .create_survey_with_access(&a.id, def, &strict, NOW_MS)
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
