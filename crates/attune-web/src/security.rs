//! Security headers on every response, added by one middleware:
//!
//! - `X-Content-Type-Options: nosniff` and `Referrer-Policy: same-origin` (an invitation link
//!   `/s/{id}?t=…` must not leak through `Referer` to sites a page links to);
//! - `Content-Security-Policy`: [`PAGE_CSP`] (no script at all, styles only from
//!   `/assets/app.css`, images from Attune or `data:`, forms post to Attune only, no framing).
//!   A handler that set its own policy keeps it: the public survey page sends
//!   [`survey_csp`], whose `frame-ancestors` lists the origins allowed to embed that survey;
//! - `Cache-Control: no-store` unless the handler chose a caching policy (the stylesheet), so
//!   pages with personal data, CSRF tokens or invitation tokens, and API answers, are never
//!   kept by a browser or a shared cache;
//! - `Strict-Transport-Security: max-age=31536000; includeSubDomains` when the configuration
//!   says browsers reach Attune over HTTPS (`WebConfig::hsts`). Attune itself speaks plain
//!   HTTP behind a proxy, so this is never decided from a request header.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// The Content-Security-Policy of every page and API answer.
pub(crate) const PAGE_CSP: &str = "default-src 'none'; script-src 'none'; style-src 'self'; \
    img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The policy of [`PAGE_CSP`] without its `frame-ancestors`.
const CSP_WITHOUT_ANCESTORS: &str = "default-src 'none'; script-src 'none'; style-src 'self'; \
    img-src 'self' data:; form-action 'self'; base-uri 'none'";

const HSTS: &str = "max-age=31536000; includeSubDomains";

/// Adds the security headers (see the module documentation); `hsts` comes from the
/// configuration.
pub(crate) async fn add_headers(State(hsts): State<bool>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    res
}

/// The Content-Security-Policy of a public survey page: [`PAGE_CSP`] with the survey's own
/// `frame-ancestors` sources (`SurveyAccess::frame_ancestors`, built from origins the domain
/// validated, so no directive or header can be injected; a value that still cannot be a header
/// falls back to the page policy, which allows no framing).
pub(crate) fn survey_csp(frame_ancestors: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{CSP_WITHOUT_ANCESTORS}; frame-ancestors {frame_ancestors}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(PAGE_CSP))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    #[test]
    fn survey_csp_names_the_frame_ancestors_it_is_given() {
        assert_eq!(survey_csp("'none'"), PAGE_CSP);
        assert_eq!(
            survey_csp("https://shop.example http://localhost:3000")
                .to_str()
                .unwrap(),
            format!(
                "{CSP_WITHOUT_ANCESTORS}; frame-ancestors https://shop.example http://localhost:3000"
            )
        );
        assert_eq!(
            survey_csp("https://x.example\r\nSet-Cookie: a=1"),
            PAGE_CSP,
            "not a header value: no framing"
        );
    }

    #[tokio::test]
    async fn a_policy_the_handler_set_is_kept() {
        let app = Router::new()
            .route("/page", get(|| async { "page" }))
            .route(
                "/survey",
                get(|| async {
                    (
                        [
                            (
                                header::CONTENT_SECURITY_POLICY,
                                survey_csp("https://a.example"),
                            ),
                            (header::CACHE_CONTROL, HeaderValue::from_static("max-age=5")),
                        ],
                        "survey",
                    )
                }),
            )
            .layer(axum::middleware::from_fn_with_state(true, add_headers));
        let get = |path: &'static str| {
            let app = app.clone();
            async move {
                app.oneshot(axum::http::Request::get(path).body(Body::empty()).unwrap())
                    .await
                    .unwrap()
            }
        };
        let page = get("/page").await;
        assert_eq!(page.headers()[header::CONTENT_SECURITY_POLICY], PAGE_CSP);
        assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(page.headers()[header::STRICT_TRANSPORT_SECURITY], HSTS);
        let survey = get("/survey").await;
        let csp = survey.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.ends_with("frame-ancestors https://a.example"), "{csp}");
        assert_eq!(survey.headers()[header::CACHE_CONTROL], "max-age=5");
        assert_eq!(survey.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(survey.headers()[header::REFERRER_POLICY], "same-origin");
    }
}
