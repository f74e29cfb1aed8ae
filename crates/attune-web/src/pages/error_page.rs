//! The HTML error page: a browser that asked for a page (not the JSON API) and got an error
//! reads it in the app's style and its language, with the same status and headers.

use askama::Template;
use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::render;
use crate::i18n::{Msg, Tr};
use crate::nul::is_api;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    t: Tr,
    status: u16,
    heading: String,
    text: String,
    /// What the server said, for errors the visitor can correct (400, 409, 422, …).
    detail: Option<String>,
}

/// Whether the client takes HTML (a browser's navigation does; `*/*` alone does not).
fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|m| {
            let mut it = m.split(';');
            let kind = it.next().unwrap_or("").trim();
            let refused = it.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            !refused && (kind.eq_ignore_ascii_case("text/html") || kind == "text/*")
        })
}

fn is_json(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"))
}

/// The page's heading and text for a status.
fn words(status: StatusCode) -> (Msg, Msg) {
    match status {
        StatusCode::NOT_FOUND => (Msg::ErrorNotFoundHeading, Msg::ErrorNotFoundText),
        StatusCode::FORBIDDEN => (Msg::ErrorForbiddenHeading, Msg::ErrorForbiddenText),
        StatusCode::TOO_MANY_REQUESTS => (Msg::ErrorTooManyHeading, Msg::ErrorTooManyText),
        StatusCode::SERVICE_UNAVAILABLE => {
            (Msg::ErrorUnavailableHeading, Msg::ErrorUnavailableText)
        }
        s if s.is_server_error() => (Msg::ErrorInternalHeading, Msg::ErrorInternalText),
        _ => (Msg::ErrorOtherHeading, Msg::ErrorOtherText),
    }
}

/// The error page for `status`; `detail` is shown only for errors the visitor can correct.
pub(crate) fn error_page(status: StatusCode, t: &Tr, detail: Option<String>) -> Response {
    let (heading, text) = words(status);
    let correctable = status.is_client_error()
        && !matches!(
            status,
            StatusCode::NOT_FOUND | StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS
        );
    let mut res = render(&ErrorPage {
        t: t.clone(),
        status: status.as_u16(),
        heading: t.get(heading),
        text: t.get(text),
        detail: detail.filter(|_| correctable),
    });
    *res.status_mut() = status;
    res
}

/// Middleware: a JSON error answered to a browser's page request becomes the HTML error page
/// (same status, `Retry-After` and other headers kept). The API keeps its JSON errors.
pub(crate) async fn html_errors(req: Request, next: Next) -> Response {
    let t = (!is_api(req.uri().path()) && accepts_html(req.headers()))
        .then(|| Tr::from_headers(req.headers()));
    let res = next.run(req).await;
    let Some(t) = t else { return res };
    if !(res.status().is_client_error() || res.status().is_server_error()) || !is_json(&res) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let detail = to_bytes(body, 64 * 1024)
        .await
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned));
    let mut page = error_page(parts.status, &t, detail);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            page.headers_mut().append(name.clone(), value.clone());
        }
    }
    page
}

/// The error page for each status it words differently, for the catalogue test.
#[cfg(test)]
pub(super) fn samples(t: &Tr) -> Vec<(&'static str, String)> {
    [
        StatusCode::NOT_FOUND,
        StatusCode::FORBIDDEN,
        StatusCode::TOO_MANY_REQUESTS,
        StatusCode::SERVICE_UNAVAILABLE,
        StatusCode::INTERNAL_SERVER_ERROR,
        StatusCode::UNPROCESSABLE_ENTITY,
    ]
    .into_iter()
    .map(|status| {
        let (heading, text) = words(status);
        let page = ErrorPage {
            t: t.clone(),
            status: status.as_u16(),
            heading: t.get(heading),
            text: t.get(text),
            detail: Some(t.arg(Msg::ErrorCorrectAndRetry, "problem", "①")),
        };
        ("error page", page.render().expect("renders"))
    })
    .collect()
}
