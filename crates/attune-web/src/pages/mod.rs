//! Server-rendered pages: login, dashboard, feedback feed, and the public survey page.
//! HTML comes from askama templates, which escape every value; user text carries `dir="auto"`.

mod access_words;
mod cases;
mod chart;
mod dashboard;
mod feed;
mod insights;
mod login;
mod retention;
mod survey;
mod words;

use askama::Template;
use axum::Router;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

pub(crate) use crate::client_ip::ClientIp;
use crate::{ApiError, AppState};

/// The pages that show heavy analytics, run within the bounds of `heavy.rs`.
pub(crate) fn heavy_router() -> Router<AppState> {
    Router::new()
        .route("/insights", get(insights::show))
        .route("/loop", get(cases::metrics))
        .route("/retention", get(retention::show))
        .route("/retention/members", get(retention::members))
}

/// Every other page route.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", axum::routing::post(login::logout))
        .route("/feedback", get(feed::show))
        .route("/cases", get(cases::queue))
        .route("/cases/{id}", get(cases::show).post(cases::act))
        .route(
            "/settings/loop",
            get(cases::settings).post(cases::save_settings),
        )
        .route("/s/{id}", get(survey::show).post(survey::submit))
}

/// An instant as pages show it: `2026-11-23 12:00` (UTC, to the minute).
pub(crate) fn minute(ms: i64) -> String {
    attune_domain::period::format_ms(ms)
        .chars()
        .take(16)
        .collect::<String>()
        .replace('T', " ")
}

/// A page saying the server cannot take the request now, with the status and `Retry-After`
/// of the error.
pub(crate) fn unavailable(e: &ApiError) -> Response {
    let mut res = render(&Message {
        lang: "en",
        dir: "ltr",
        heading: "Busy — please try again shortly",
        text: e.message(),
    });
    *res.status_mut() = e.status();
    if let ApiError::Unavailable {
        retry_after_secs, ..
    } = e
    {
        res.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(*retry_after_secs),
        );
    }
    res
}

#[derive(Template)]
#[template(path = "message.html")]
struct Message {
    lang: &'static str,
    dir: &'static str,
    heading: &'static str,
    text: String,
}

/// Renders a template, turning a template failure into a logged 500.
/// Field problems as one line for a page: `field: message; …`.
pub(crate) fn problems(e: &attune_domain::Invalid) -> String {
    e.0.iter()
        .map(|attune_domain::FieldError { field, message }| {
            if field.is_empty() {
                message.clone()
            } else {
                format!("{field}: {message}")
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub(crate) fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => ApiError::Internal(format!("rendering a page: {e}")).into_response(),
    }
}
