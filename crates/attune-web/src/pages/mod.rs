//! Server-rendered pages: login, dashboard, feedback feed, and the public survey page.
//! HTML comes from askama templates, which escape every value; user text carries `dir="auto"`.

mod account_list;
mod accounts;
pub(crate) mod assets;
mod case;
mod chart;
mod dashboard;
pub(crate) mod error_page;
mod feed;
mod handover;
mod insights;
mod log_form;
mod login;
mod loop_overview;
mod loop_settings;
mod merges;
mod names;
mod page_form;
mod person;
mod queue;
mod retention;
mod survey;
#[cfg(test)]
mod text_tests;
mod timeline_rows;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

pub(crate) use crate::client_ip::ClientIp;
use crate::i18n::Tr;
use crate::{ApiError, AppState};

/// The pages that show heavy analytics, run within the bounds of `heavy.rs`.
pub(crate) fn heavy_router() -> Router<AppState> {
    Router::new()
        .route("/insights", get(insights::show))
        .route("/loop", get(loop_overview::metrics))
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
        .route("/accounts", get(account_list::list))
        .route("/accounts/{id}", get(accounts::show))
        .route("/accounts/{id}/handover", get(handover::show))
        .route(
            "/accounts/{id}/owner",
            axum::routing::post(handover::change_owner),
        )
        .route(
            "/accounts/{id}/interactions",
            axum::routing::post(log_form::log),
        )
        .route(
            "/accounts/{id}/merge",
            axum::routing::post(merges::merge_account),
        )
        .route("/people/{id}", get(person::show))
        .route(
            "/people/{id}/merge",
            axum::routing::post(merges::merge_person),
        )
        .route("/merges/{id}", get(merges::show))
        .route("/merges/{id}/undo", axum::routing::post(merges::undo))
        .route("/cases", get(queue::queue))
        .route("/cases/{id}", get(case::show).post(case::act))
        .route(
            "/settings/loop",
            get(loop_settings::settings).post(loop_settings::save_settings),
        )
        .route("/assets/app.css", get(assets::css))
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
pub(crate) fn unavailable(e: &ApiError, t: &Tr) -> Response {
    let mut res = error_page::error_page(e.status(), t, None);
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

/// Renders a template, turning a template failure into a logged 500.
pub(crate) fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => ApiError::Internal(format!("rendering a page: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    t: Tr,
    heading: String,
    text: String,
}

/// A page with a heading and one paragraph (not found, thanks, invalid input).
pub(crate) fn message(status: StatusCode, t: &Tr, heading: &str, text: &str) -> Response {
    let mut res = render(&MessagePage {
        t: t.clone(),
        heading: heading.to_owned(),
        text: text.to_owned(),
    });
    *res.status_mut() = status;
    res
}
