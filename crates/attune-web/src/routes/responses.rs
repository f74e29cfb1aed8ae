//! Responses through the JSON API.

use attune_domain::response::Answers;
use attune_domain::response::{Channel, NewResponse, ResponseInput};
use attune_storage::model::{FeedQuery, StoredResponse};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::feedback::{FeedPage, FeedParams, feed_page};
use super::schema;
use crate::auth::ApiCaller;
use crate::extract::{Json, Query};
use crate::{ApiError, AppState};

/// A response as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Response)]
pub(crate) struct ResponseBody {
    id: String,
    survey_id: String,
    /// Answers by question key.
    #[schema(value_type = BTreeMap<String, schema::Answer>)]
    answers: Answers,
    language: Option<String>,
    #[schema(value_type = schema::Channel)]
    channel: Channel,
    contact_id: Option<String>,
    account_id: Option<String>,
    #[schema(format = DateTime)]
    submitted_at: String,
    /// The free-text answers joined.
    comment: Option<String>,
    #[schema(value_type = Object)]
    metadata: Map<String, Value>,
}

impl From<&StoredResponse> for ResponseBody {
    fn from(r: &StoredResponse) -> Self {
        Self {
            id: r.id.clone(),
            survey_id: r.survey_id.clone(),
            answers: r.answers.clone(),
            language: r.language.clone(),
            channel: r.channel,
            contact_id: r.contact_id.clone(),
            account_id: r.account_id.clone(),
            submitted_at: attune_domain::period::format_ms(r.submitted_at_ms),
            comment: r.comment.clone(),
            metadata: r.metadata.clone(),
        }
    }
}

/// A response as received (the schema of `ResponseInput`, which refuses unknown fields); null
/// is the same as leaving a field out.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResponseInput)]
#[expect(
    dead_code,
    reason = "a schema: the handler reads the domain's ResponseInput"
)]
pub(crate) struct ResponseInputDoc {
    /// Answers by question key: a score, a text or choice key, or choice keys (checked
    /// against the survey's questions: keys, types, scales, choices, required ones).
    answers: std::collections::BTreeMap<String, schema::Answer>,
    #[schema(value_type = Option<schema::LanguageTag>, example = "en")]
    language: Option<String>,
    channel: Option<schema::Channel>,
    contact: Option<ContactRefDoc>,
    account: Option<AccountRefDoc>,
    /// When it was given (not more than a day ahead of the server's clock); defaults to now.
    #[schema(value_type = Option<schema::Instant>)]
    submitted_at: Option<String>,
    /// At most 16 KiB of JSON.
    #[schema(value_type = Option<Object>)]
    metadata: Option<()>,
    /// A second response with the same id is not counted again (409).
    #[schema(value_type = Option<schema::Name>)]
    external_id: Option<String>,
}

/// Who answered (null is the same as leaving a field out).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ContactRef)]
#[expect(dead_code, reason = "a schema")]
pub(crate) struct ContactRefDoc {
    #[schema(format = Email)]
    email: Option<String>,
    #[schema(value_type = Option<schema::Name>)]
    name: Option<String>,
}

/// For which account (created on first sight; null is the same as leaving a field out).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = AccountRef)]
#[expect(dead_code, reason = "a schema")]
pub(crate) struct AccountRefDoc {
    #[schema(value_type = Option<schema::Name>)]
    external_id: Option<String>,
    #[schema(value_type = Option<schema::Name>)]
    name: Option<String>,
}

/// `POST /api/v1/surveys/{id}/responses`
#[utoipa::path(post, path = "/api/v1/surveys/{id}/responses", tag = "responses",
    summary = "Submit a response",
    params(("id" = String, Path, description = "survey id")),
    request_body = ResponseInputDoc,
    responses((status = 201, body = ResponseBody), (status = 403, description = "a viewer's token, or the survey takes answers by invitation only"),
        (status = 404, description = "no such survey"),
        (status = 409, description = "a response with this external_id (or from this contact, for one_per_respondent) is already stored")))]
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<ResponseInput>,
) -> Result<(StatusCode, axum::Json<ResponseBody>), ApiError> {
    let actor = caller.writer()?;
    let survey = state.store.survey(&actor.org_id, &id).await?;
    let now = state.now_ms();
    let response = NewResponse::parse(&survey.definition, input, Channel::Api, now)?;
    let stored = state
        .store
        .insert_response(&actor.org_id, &survey, &response, None, now)
        .await?;
    tracing::info!(org.id = %actor.org_id, survey.id = %survey.id, response.id = %stored.id, "response stored");
    Ok((StatusCode::CREATED, axum::Json(ResponseBody::from(&stored))))
}

/// `GET /api/v1/surveys/{id}/responses`: the feed of one survey.
#[utoipa::path(get, path = "/api/v1/surveys/{id}/responses", tag = "responses",
    summary = "Responses of a survey, newest first",
    params(("id" = String, Path, description = "survey id"), FeedParams),
    responses((status = 200, body = FeedPage), (status = 404, description = "no such survey")))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Query(params): Query<FeedParams>,
) -> Result<axum::Json<FeedPage>, ApiError> {
    state.store.survey(caller.org(), &id).await?;
    let mut q: FeedQuery = params.to_query()?;
    q.survey_id = Some(id);
    Ok(axum::Json(feed_page(&state, caller.org(), q).await?))
}

/// `GET /api/v1/responses/{id}`
#[utoipa::path(get, path = "/api/v1/responses/{id}", tag = "responses", summary = "Show a response",
    params(("id" = String, Path, description = "response id")),
    responses((status = 200, body = ResponseBody), (status = 404, description = "no such response")))]
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<ResponseBody>, ApiError> {
    let r = state.store.response(caller.org(), &id).await?;
    Ok(axum::Json(ResponseBody::from(&r)))
}
