//! One error type for every handler: the status code, a stable code, a message and the fields
//! at fault, as `{"error": {"code", "message", "fields"}}`. Internal errors are logged with
//! their chain and shown to the client as a generic 500.

use attune_domain::{FieldError, Invalid};
use attune_storage::StoreError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to an API client.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the request could not be read at all.
    BadRequest(String),
    /// 401: no or bad credentials.
    Unauthorized,
    /// 403: credentials fine, permission missing.
    Forbidden(String),
    /// 404.
    NotFound,
    /// 409: a conflict with stored state.
    Conflict(String),
    /// 413.
    TooLarge,
    /// 415: the body is not in the format the endpoint reads (e.g. JSON without
    /// `Content-Type: application/json`).
    UnsupportedMediaType(String),
    /// 422: fields with problems.
    Invalid(Vec<FieldError>),
    /// 429: wait this many seconds (sent as `Retry-After`).
    TooManyRequests(u64),
    /// 503: the server cannot take this request now; the client may retry after the pause.
    Unavailable {
        /// What is busy.
        message: String,
        /// Seconds to wait, sent as `Retry-After`.
        retry_after_secs: u64,
    },
    /// 500: logged, never shown.
    Internal(String),
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        Self::Invalid(e.0)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(m) => Self::Conflict(m),
            StoreError::Invalid(e) => Self::Invalid(e.0),
            StoreError::Busy(message) => Self::Unavailable {
                message,
                retry_after_secs: 1,
            },
            StoreError::Other(e) => {
                let mut chain = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    chain.push_str(": ");
                    chain.push_str(&s.to_string());
                    src = s.source();
                }
                Self::Internal(chain)
            }
        }
    }
}

impl From<attune_app::AppError> for ApiError {
    fn from(e: attune_app::AppError) -> Self {
        use attune_app::AppError;
        match e {
            AppError::Invalid(i) => Self::Invalid(i.0),
            AppError::NotFound => Self::NotFound,
            AppError::Conflict(m) => Self::Conflict(m),
            AppError::Forbidden(m) => Self::Forbidden(m),
            AppError::Store(e) => Self::from(e),
            AppError::Internal(m) => Self::Internal(m),
        }
    }
}

impl ApiError {
    /// A 422 for one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict(_) => "conflict",
            Self::TooLarge => "payload_too_large",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::Invalid(_) => "invalid",
            Self::TooManyRequests(_) => "rate_limited",
            Self::Unavailable { .. } => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The message shown to the client.
    pub fn message(&self) -> String {
        match self {
            Self::BadRequest(m)
            | Self::Forbidden(m)
            | Self::Conflict(m)
            | Self::Unavailable { message: m, .. } => m.clone(),
            Self::UnsupportedMediaType(m) => m.clone(),
            Self::Unauthorized => "a valid `Authorization: Bearer <token>` is required".into(),
            Self::NotFound => "not found".into(),
            Self::TooLarge => format!("the body is larger than {} bytes", crate::BODY_LIMIT),
            Self::Invalid(fields) => match fields.as_slice() {
                [one] => format!("{}: {}", one.field, one.message),
                many => format!("{} fields are invalid", many.len()),
            },
            Self::TooManyRequests(secs) => {
                format!("too many requests: try again in {secs} seconds")
            }
            Self::Internal(_) => "internal error; it has been logged".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(chain) = &self {
            tracing::error!(error.chain = %chain, "internal error");
        }
        let fields = match &self {
            Self::Invalid(f) => json!(f),
            _ => json!([]),
        };
        let body =
            json!({"error": {"code": self.code(), "message": self.message(), "fields": fields}});
        let mut res = (self.status(), Json(body)).into_response();
        if matches!(self, Self::Unauthorized) {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Self::Unavailable {
            retry_after_secs, ..
        } = &self
        {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        if let Self::TooManyRequests(secs) = self {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

/// The answer for paths no route matches.
pub(crate) async fn not_found() -> Response {
    let body = json!({"error": {"code": "no_route", "message": "no such endpoint", "fields": []}});
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}
