//! Logging in and out. The login form is protected by a double-submit CSRF cookie; the
//! session's own CSRF token protects every form after that.
//!
//! Every attempt costs one Argon2 verification, against the dummy hash when the e-mail has no
//! account, so timing does not tell which e-mails exist. Attempts are limited per client
//! address, and repeated failures back the e-mail off (stored in the database, so every
//! instance agrees): the page answers 429 with `Retry-After` until the time has come. A browser
//! that logged in as that e-mail before carries a signed known-device cookie and is not held
//! back by failures elsewhere, so whoever guesses cannot keep the real user out.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::page_form::{NoFields, PageForm};
use super::{ClientIp, minute, render};
use crate::auth::{
    KNOWN_DEVICE_MS, SESSION_COOKIE, SESSION_MS, constant_time_eq, cookie, random_token,
    sha256_hex, sign_known_device, verify_known_device, verify_password,
};
use crate::extract::Form;
use crate::i18n::{Msg, Tr};
use crate::ratelimit::Key;
use crate::{ApiError, AppState};

const LOGIN_CSRF_COOKIE: &str = "attune_login_csrf";
/// Set by a successful login: this browser has logged in as that e-mail before.
const KNOWN_DEVICE_COOKIE: &str = "attune_known_device";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
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
    let (status, error) = match error {
        Some((status, e)) => (status, Some(e)),
        None => (StatusCode::OK, None),
    };
    login_page_with(state, headers, email, error, status)
}

/// The login page answered 429 with `Retry-After`, keeping the e-mail.
fn wait_page(
    state: &AppState,
    headers: &HeaderMap,
    email: String,
    why: Msg,
    retry_after_secs: u64,
) -> Response {
    let t = Tr::from_headers(headers);
    let why = t.get(why);
    let at = state
        .now_ms()
        .saturating_add(i64::try_from(retry_after_secs.saturating_mul(1000)).unwrap_or(i64::MAX));
    let text = if retry_after_secs < 120 {
        t.args(
            Msg::LoginWaitSeconds,
            [("why", why.into()), ("seconds", retry_after_secs.into())],
        )
    } else {
        t.args(
            Msg::LoginWaitUntil,
            [("why", why.into()), ("until", minute(at).into())],
        )
    };
    let mut res = login_page_with(
        state,
        headers,
        email,
        Some(text),
        StatusCode::TOO_MANY_REQUESTS,
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    res
}

fn login_page_with(
    state: &AppState,
    headers: &HeaderMap,
    email: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let csrf = cookie(headers, LOGIN_CSRF_COOKIE)
        .filter(|c| c.len() == 43)
        .map(str::to_owned)
        .unwrap_or_else(|| random_token(32));
    let page = LoginPage {
        t: Tr::from_headers(headers),
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
        Err(e) => return crate::nul::page_refusal(&e, &Tr::from_headers(&headers)),
    };
    let cookie_csrf = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie_csrf.is_empty() || !constant_time_eq(cookie_csrf.as_bytes(), f.csrf.as_bytes()) {
        return login_page(
            &state,
            &headers,
            f.email,
            Some((
                StatusCode::UNAUTHORIZED,
                Tr::from_headers(&headers).get(Msg::LoginExpired),
            )),
        );
    }
    if let Err(secs) = state.limits.login.check(Key::addr(ip)) {
        return wait_page(&state, &headers, f.email, Msg::LoginTooManyNetwork, secs);
    }
    let email = attune_domain::login::normalize_email(&f.email);
    let now = state.now_ms();
    let known_device = cookie(&headers, KNOWN_DEVICE_COOKIE)
        .is_some_and(|v| verify_known_device(&state.config.signing_key, &email, v, now));
    if !known_device {
        match state.store.login_backoff_until(&email, now).await {
            Ok(Some(until)) => {
                let secs = u64::try_from((until - now + 999) / 1000)
                    .unwrap_or(1)
                    .max(1);
                return wait_page(&state, &headers, f.email, Msg::LoginTooManyEmail, secs);
            }
            Ok(None) => {}
            Err(e) => return ApiError::from(e).into_response(),
        }
    }
    let (user, hash) = match state.store.user_for_login(&email).await {
        Ok((user, hash)) => (Some(user), Some(hash)),
        Err(attune_storage::StoreError::NotFound) => (None, None),
        Err(e) => return ApiError::from(e).into_response(),
    };
    // One Argon2 verification either way: against the dummy hash when there is no account.
    let verified = verify_password(f.password, hash, state.password_checks.clone()).await;
    let user = match user.filter(|_| verified) {
        Some(user) => user,
        None => {
            if let Err(e) = state
                .store
                .record_login_failure(&email, now, &state.config.login_backoff)
                .await
            {
                return ApiError::from(e).into_response();
            }
            return login_page(
                &state,
                &headers,
                f.email,
                Some((
                    StatusCode::UNAUTHORIZED,
                    Tr::from_headers(&headers).get(Msg::LoginWrong),
                )),
            );
        }
    };
    if let Err(e) = state.store.forget_login_failures(&email).await {
        return ApiError::from(e).into_response();
    }
    let session_id = random_token(32);
    let csrf = random_token(32);
    if let Err(e) = state
        .store
        .create_session(&sha256_hex(&session_id), &user.id, &csrf, now + SESSION_MS)
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
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie_header(
            &state,
            KNOWN_DEVICE_COOKIE,
            &sign_known_device(&state.config.signing_key, &user.email, now),
            "/login",
            KNOWN_DEVICE_MS / 1000,
        ),
    );
    res
}

/// `POST /logout`
pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageForm { fields, .. }: PageForm<NoFields>,
) -> Response {
    if let Err(e) = fields {
        return crate::nul::page_refusal(&e, &Tr::from_headers(&headers));
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

/// The login form, with an error, for the catalogue test.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    let page = LoginPage {
        t: t.clone(),
        csrf: "①".into(),
        email: "①".into(),
        error: Some(t.get(Msg::LoginWrong)),
    };
    vec![("login", page.render().expect("renders"))]
}
