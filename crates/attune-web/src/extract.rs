//! Request extractors whose rejections are [`ApiError`]s: JSON bodies and query strings that
//! fail to parse become 400/413/422 with the same error body as everything else.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// A JSON body.
pub(crate) struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(ApiError::Invalid(vec![attune_domain::FieldError {
                    field: data_error_path(&e.body_text()),
                    message: e.body_text(),
                }]))
            }
            Err(JsonRejection::BytesRejection(e)) if e.status() == 413 => Err(ApiError::TooLarge),
            Err(e) if e.status() == 413 => Err(ApiError::TooLarge),
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}

/// Pulls the field path out of serde's message ("…: answers.nps: invalid type…").
fn data_error_path(msg: &str) -> String {
    msg.split(": ")
        .nth(1)
        .filter(|p| !p.contains(' '))
        .unwrap_or("body")
        .to_owned()
}

/// A query string.
pub(crate) struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(ApiError::field("query", e.body_text()))
            }
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}
