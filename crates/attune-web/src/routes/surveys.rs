//! Surveys: create, list, show, their access settings, and personal invitation links.

use attune_domain::survey::{SurveyDefinition, SurveyInput};
use attune_domain::survey_access::{SurveyAccess, SurveyAccessInput};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{ApiCaller, sign_invitation};
use crate::extract::Json;
use crate::{ApiError, AppState};

/// A survey as the API shows it.
pub(crate) fn survey_json(s: &attune_storage::model::Survey) -> Value {
    let mut v = serde_json::to_value(s).unwrap_or_else(|_| json!({}));
    if let Value::Object(m) = &mut v {
        m.insert("public_url".into(), json!(format!("/s/{}", s.id)));
        m.insert(
            "created_at".into(),
            json!(attune_domain::period::format_ms(s.created_at_ms)),
        );
        m.insert("languages".into(), json!(s.definition.languages()));
    }
    v
}

/// `POST /api/v1/surveys`
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(mut input): Json<SurveyInput>,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    let actor = caller.writer()?;
    let access = input
        .access
        .take()
        .map(|a| SurveyAccess::default().apply(a, "access."));
    let definition = SurveyDefinition::parse(input);
    // Report the problems of both parts at once.
    let (definition, access) = match (definition, access.transpose()) {
        (Ok(d), Ok(a)) => (d, a.unwrap_or_default()),
        (d, a) => {
            let mut fields = d.err().map(|e| e.0).unwrap_or_default();
            fields.extend(a.err().map(|e| e.0).unwrap_or_default());
            return Err(ApiError::Invalid(fields));
        }
    };
    let survey = state
        .store
        .create_survey_with_access(&actor.org_id, &definition, &access, state.now_ms())
        .await?;
    tracing::info!(org.id = %actor.org_id, survey.id = %survey.id, "survey created");
    Ok((StatusCode::CREATED, axum::Json(survey_json(&survey))))
}

/// `GET /api/v1/surveys`
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Value>, ApiError> {
    let surveys = state.store.list_surveys(caller.org()).await?;
    Ok(axum::Json(
        json!({"items": surveys.iter().map(survey_json).collect::<Vec<_>>()}),
    ))
}

/// `GET /api/v1/surveys/{id}`
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    let survey = state.store.survey(caller.org(), &id).await?;
    Ok(axum::Json(survey_json(&survey)))
}

/// `GET /api/v1/surveys/{id}/access`: who may answer, and which origins may embed the page.
pub(crate) async fn access(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<SurveyAccess>, ApiError> {
    let survey = state.store.survey(caller.org(), &id).await?;
    Ok(axum::Json(survey.access))
}

/// `PUT /api/v1/surveys/{id}/access`: changes the named settings, keeps the others.
pub(crate) async fn set_access(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<SurveyAccessInput>,
) -> Result<axum::Json<SurveyAccess>, ApiError> {
    let actor = caller.writer()?;
    let survey = state.store.survey(&actor.org_id, &id).await?;
    let next = survey.access.apply(input, "")?;
    let saved = state
        .store
        .set_survey_access(&actor.org_id, &id, &next)
        .await?;
    tracing::info!(org.id = %actor.org_id, survey.id = %id, access.mode = saved.access.mode.as_str(), "survey access changed");
    Ok(axum::Json(saved.access))
}

/// Body of an invitation request.
#[derive(Debug, Deserialize)]
pub(crate) struct InviteInput {
    contact_id: Option<String>,
    email: Option<String>,
}

/// `POST /api/v1/surveys/{id}/invitations`: a personal link that can be answered once.
pub(crate) async fn invite(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<InviteInput>,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    let actor = caller.writer()?;
    let contact_id = match (input.contact_id, input.email) {
        (Some(c), _) => Some(c),
        (None, Some(email)) => {
            let email = attune_domain::text::Email::parse(&email)?;
            let contact = match state
                .store
                .contact_by_email(&actor.org_id, email.as_str())
                .await
            {
                Ok(c) => c,
                Err(attune_storage::StoreError::NotFound) => {
                    let new = attune_storage::model::ContactUpsert {
                        email: email.as_str().to_owned(),
                        ..Default::default()
                    };
                    state.store.upsert_contact(&actor.org_id, &new).await?
                }
                Err(e) => return Err(e.into()),
            };
            Some(contact.id)
        }
        (None, None) => None,
    };
    let inv = state
        .store
        .create_invitation(&actor.org_id, &id, contact_id.as_deref(), state.now_ms())
        .await?;
    let token = sign_invitation(&state.config.signing_key, &inv.id);
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({
            "id": inv.id,
            "survey_id": inv.survey_id,
            "contact_id": inv.contact_id,
            "url": format!("/s/{}?t={}", inv.survey_id, token),
        })),
    ))
}
