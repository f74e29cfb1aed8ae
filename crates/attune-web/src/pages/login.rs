//! Logging in and out. The login form is protected by a double-submit CSRF cookie; the
//! session's own CSRF token protects every form after that.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{ClientIp, render};
use crate::auth::{
    PageUser, SESSION_COOKIE, SESSION_MS, constant_time_eq, cookie, random_token, sha256_hex,
    verify_password,
};
use crate::extract::Form;
use crate::{ApiError, AppState};

const LOGIN_CSRF_COOKIE: &str = "attune_login_csrf";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    lang: &'static str,
    dir: &'static str,
    csrf: String,
    email: String,
    error: Option<String>,
}

fn cookie_header(
    state: &AppState,
    name: &str,
    value: &str,
    path: &str,
    max_age: i64,
) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let same_site = if name == SESSION_COOKIE {
        "Lax"
    } else {
        "Strict"
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    email: String,
    error: Option<(StatusCode, String)>,
) -> Response {
    let csrf = cookie(headers, LOGIN_CSRF_COOKIE)
        .filter(|c| c.len() == 43)
        .map(str::to_owned)
        .unwrap_or_else(|| random_token(32));
    let (status, error) = match error {
        Some((status, e)) => (status, Some(e)),
        None => (StatusCode::OK, None),
    };
    let page = LoginPage {
        lang: "en",
        dir: "ltr",
        csrf: csrf.clone(),
        email,
        error,
    };
    let mut res = render(&page);
    *res.status_mut() = status;
    res.headers_mut().insert(
        header::SET_COOKIE,
        cookie_header(state, LOGIN_CSRF_COOKIE, &csrf, "/login", 3600),
    );
    res
}

/// `GET /login`
pub(crate) async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    login_page(&state, &headers, String::new(), None)
}

/// The login form.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    csrf: String,
    email: String,
    password: String,
}

/// `POST /login`
pub(crate) async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, ApiError>,
) -> Response {
    let f = match form {
        Ok(Form(f)) => f,
        Err(e @ ApiError::Invalid(_)) => {
            let error = (StatusCode::UNPROCESSABLE_ENTITY, e.message());
            return login_page(&state, &headers, String::new(), Some(error));
        }
        Err(e) => return crate::nul::page_refusal(&e),
    };
    let cookie_csrf = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie_csrf.is_empty() || !constant_time_eq(cookie_csrf.as_bytes(), f.csrf.as_bytes()) {
        return login_page(
            &state,
            &headers,
            f.email,
            Some((
                StatusCode::UNAUTHORIZED,
                "The form expired. Please try again.".into(),
            )),
        );
    }
    if !state.limiter.allow(ip) {
        return ApiError::TooManyRequests.into_response();
    }
    let found = state.store.user_for_login(&f.email).await;
    let verified = match found {
        Ok((user, hash)) => verify_password(f.password, hash).await.then_some(user),
        Err(attune_storage::StoreError::NotFound) => None,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let user = match verified {
        Some(user) => user,
        None => {
            return login_page(
                &state,
                &headers,
                f.email,
                Some((StatusCode::UNAUTHORIZED, "Wrong e-mail or password.".into())),
            );
        }
    };
    let session_id = random_token(32);
    let csrf = random_token(32);
    if let Err(e) = state
        .store
        .create_session(
            &sha256_hex(&session_id),
            &user.id,
            &csrf,
            state.now_ms() + SESSION_MS,
        )
        .await
    {
        return ApiError::from(e).into_response();
    }
    tracing::info!(org.id = %user.org_id, user.id = %user.id, "logged in");
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(&state, SESSION_COOKIE, &session_id, "/", SESSION_MS / 1000),
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(&state, LOGIN_CSRF_COOKIE, "", "/login", 0),
    );
    res
}

/// The logout form.
#[derive(Debug, Deserialize)]
pub(crate) struct LogoutForm {
    csrf: String,
}

/// `POST /logout`
pub(crate) async fn logout(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    form: Result<Form<LogoutForm>, ApiError>,
) -> Response {
    let f = match form {
        Ok(Form(f)) => f,
        Err(e) => return crate::nul::page_refusal(&e),
    };
    if !constant_time_eq(user.csrf_token.as_bytes(), f.csrf.as_bytes()) {
        return ApiError::Forbidden("the form's CSRF token does not match your session".into())
            .into_response();
    }
    if let Some(id) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = state.store.delete_session(&sha256_hex(id)).await
    {
        return ApiError::from(e).into_response();
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(&state, SESSION_COOKIE, "", "/", 0),
    );
    res
}
