//! Surveys: create, list, show, their access settings, and personal invitation links.

use attune_domain::survey::Question;
use attune_domain::survey::{SurveyDefinition, SurveyInput};
use attune_domain::survey_access::{SurveyAccess, SurveyAccessInput};
use attune_domain::text::LanguageTag;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::{self, Items};
use crate::auth::{ApiCaller, sign_invitation};
use crate::extract::Json;
use crate::{ApiError, AppState};

/// A survey as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Survey)]
pub(crate) struct SurveyBody {
    id: String,
    name: String,
    #[schema(value_type = String, example = "en")]
    default_language: LanguageTag,
    #[schema(value_type = Vec<schema::Question>)]
    questions: Vec<Question>,
    #[schema(value_type = schema::SurveyAccess)]
    access: SurveyAccess,
    /// The public page: `/s/<id>`.
    public_url: String,
    #[schema(format = DateTime)]
    created_at: String,
    /// The default language, then every language a question is worded in.
    languages: Vec<String>,
}

impl From<&attune_storage::model::Survey> for SurveyBody {
    fn from(s: &attune_storage::model::Survey) -> Self {
        Self {
            id: s.id.clone(),
            name: s.definition.name.clone(),
            default_language: s.definition.default_language.clone(),
            questions: s.definition.questions.clone(),
            access: s.access.clone(),
            public_url: format!("/s/{}", s.id),
            created_at: attune_domain::period::format_ms(s.created_at_ms),
            languages: s.definition.languages(),
        }
    }
}

/// A survey as received (the schema of `SurveyInput`, which refuses unknown fields).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SurveyInput)]
#[expect(
    dead_code,
    reason = "a schema: the handler reads the domain's SurveyInput"
)]
pub(crate) struct SurveyInputDoc {
    #[schema(value_type = schema::Name)]
    name: String,
    #[schema(default = "en", nullable = false, value_type = Option<schema::LanguageTag>)]
    default_language: Option<String>,
    #[schema(nullable = false)]
    access: Option<schema::SurveyAccessInput>,
    #[schema(min_items = 1, max_items = 50, value_type = Vec<schema::QuestionInput>)]
    questions: Vec<()>,
}

/// `POST /api/v1/surveys`
#[utoipa::path(post, path = "/api/v1/surveys", tag = "surveys", summary = "Create a survey",
    request_body = SurveyInputDoc,
    responses((status = 201, body = SurveyBody), (status = 403, description = "a viewer's token")))]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Json(mut input): Json<SurveyInput>,
) -> Result<(StatusCode, axum::Json<SurveyBody>), ApiError> {
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
    Ok((StatusCode::CREATED, axum::Json(SurveyBody::from(&survey))))
}

/// `GET /api/v1/surveys`
#[utoipa::path(get, path = "/api/v1/surveys", tag = "surveys", summary = "List surveys",
    responses((status = 200, body = Items<SurveyBody>)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<axum::Json<Items<SurveyBody>>, ApiError> {
    let surveys = state.store.list_surveys(caller.org()).await?;
    Ok(axum::Json(Items {
        items: surveys.iter().map(SurveyBody::from).collect(),
    }))
}

/// `GET /api/v1/surveys/{id}`
#[utoipa::path(get, path = "/api/v1/surveys/{id}", tag = "surveys", summary = "Show a survey",
    params(("id" = String, Path, description = "survey id")),
    responses((status = 200, body = SurveyBody), (status = 404, description = "no such survey")))]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<SurveyBody>, ApiError> {
    let survey = state.store.survey(caller.org(), &id).await?;
    Ok(axum::Json(SurveyBody::from(&survey)))
}

/// `GET /api/v1/surveys/{id}/access`: who may answer, and which origins may embed the page.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/access", tag = "surveys",
    summary = "A survey's access settings: who may answer (public, invitation, one_per_respondent), anonymous duplicate protection, origins allowed to embed its page",
    params(("id" = String, Path, description = "survey id")),
    responses((status = 200, body = schema::SurveyAccess), (status = 404, description = "no such survey")))]
pub(crate) async fn access(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<SurveyAccess>, ApiError> {
    let survey = state.store.survey(caller.org(), &id).await?;
    Ok(axum::Json(survey.access))
}

/// `PUT /api/v1/surveys/{id}/access`: changes the named settings, keeps the others.
#[utoipa::path(put, path = "/api/v1/surveys/{id}/access", tag = "surveys",
    summary = "Change a survey's access settings; fields left out keep their value (member or admin)",
    params(("id" = String, Path, description = "survey id")),
    request_body = schema::SurveyAccessInput,
    responses((status = 200, body = schema::SurveyAccess), (status = 403, description = "a viewer's token"),
        (status = 404, description = "no such survey")))]
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

/// Body of an invitation request: the contact by id, or by e-mail (created if new); neither
/// makes an anonymous single-use link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = InvitationInput)]
pub(crate) struct InviteInput {
    #[schema(nullable = false)]
    contact_id: Option<String>,
    #[schema(nullable = false, format = Email)]
    email: Option<String>,
}

/// A personal invitation link.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Invitation)]
pub(crate) struct InvitationBody {
    id: String,
    survey_id: String,
    contact_id: Option<String>,
    /// The signed link: `/s/<survey>?t=<token>`.
    url: String,
}

/// `POST /api/v1/surveys/{id}/invitations`: a personal link that can be answered once.
#[utoipa::path(post, path = "/api/v1/surveys/{id}/invitations", tag = "surveys",
    summary = "Create a personal, single-use survey link",
    params(("id" = String, Path, description = "survey id")),
    request_body = InviteInput,
    responses((status = 201, body = InvitationBody), (status = 403, description = "a viewer's token"),
        (status = 404, description = "no such survey or contact")))]
pub(crate) async fn invite(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<InviteInput>,
) -> Result<(StatusCode, axum::Json<InvitationBody>), ApiError> {
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
        axum::Json(InvitationBody {
            url: format!("/s/{}?t={}", inv.survey_id, token),
            id: inv.id,
            survey_id: inv.survey_id,
            contact_id: inv.contact_id,
        }),
    ))
}
