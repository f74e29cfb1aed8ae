//! `PageForm<T>`: the one place a page's POST is checked against the session's CSRF token.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::auth::{PageUser, constant_time_eq};
use crate::extract::{form_bytes, parse_form};
use crate::{ApiError, AppState};

/// A form posted by a logged-in visitor whose `csrf` field matched their session's token.
///
/// Rejections: no session → the login page; an unreadable body → the page refusal (400, 413,
/// 415); a missing or wrong token → 403. Field problems (422, NUL in a field) are left in
/// `fields`, so the handler can show them on its page.
pub(crate) struct PageForm<T> {
    /// Who posted it.
    pub user: PageUser,
    /// The other fields (the token is not part of `T`).
    pub fields: Result<T, ApiError>,
}

/// A form with no fields but the token (e.g. log out).
#[derive(Debug, Deserialize)]
pub(crate) struct NoFields {}

/// The token alone; every other field is ignored here.
#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = PageUser::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let bytes = form_bytes(&parts, body, state)
            .await
            .map_err(|e| crate::nul::page_refusal(&e, &user.tr))?;
        // The token alone, before the NUL check of every field: a NUL elsewhere is the
        // page's to show.
        let sent = axum::Form::<Token>::from_request(
            Request::from_parts(parts.clone(), bytes.clone().into()),
            state,
        )
        .await
        .map(|axum::Form(t)| t.csrf)
        .unwrap_or_default();
        if !constant_time_eq(user.csrf_token.as_bytes(), sent.as_bytes()) {
            return Err(ApiError::Forbidden(
                "the form's CSRF token does not match your session".into(),
            )
            .into_response());
        }
        let fields = parse_form(parts, bytes, state).await;
        Ok(Self { user, fields })
    }
}
