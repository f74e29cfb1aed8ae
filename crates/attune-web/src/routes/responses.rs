//! Responses through the JSON API.

use attune_domain::response::{Channel, NewResponse, ResponseInput};
use attune_storage::model::{FeedQuery, StoredResponse};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::feedback::{FeedParams, feed_page};
use crate::auth::ApiCaller;
use crate::extract::{Json, Query};
use crate::{ApiError, AppState};

/// A response as the API shows it.
pub(crate) fn response_json(r: &StoredResponse) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or_else(|_| json!({}));
    if let Value::Object(m) = &mut v {
        m.insert(
            "submitted_at".into(),
            json!(attune_domain::period::format_ms(r.submitted_at_ms)),
        );
    }
    v
}

/// `POST /api/v1/surveys/{id}/responses`
pub(crate) async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Json(input): Json<ResponseInput>,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    let actor = caller.writer()?;
    let survey = state.store.survey(&actor.org_id, &id).await?;
    let now = state.now_ms();
    let response = NewResponse::parse(&survey.definition, input, Channel::Api, now)?;
    let stored = state
        .store
        .insert_response(&actor.org_id, &survey, &response, None, now)
        .await?;
    tracing::info!(org.id = %actor.org_id, survey.id = %survey.id, response.id = %stored.id, "response stored");
    Ok((StatusCode::CREATED, axum::Json(response_json(&stored))))
}

/// `GET /api/v1/surveys/{id}/responses`: the feed of one survey.
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Query(params): Query<FeedParams>,
) -> Result<axum::Json<Value>, ApiError> {
    state.store.survey(caller.org(), &id).await?;
    let mut q: FeedQuery = params.to_query()?;
    q.survey_id = Some(id);
    Ok(axum::Json(feed_page(&state, caller.org(), q).await?))
}

/// `GET /api/v1/responses/{id}`
pub(crate) async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<axum::Json<Value>, ApiError> {
    let r = state.store.response(caller.org(), &id).await?;
    Ok(axum::Json(response_json(&r)))
}
