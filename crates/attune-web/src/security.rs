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

/// The Content-Security-Policy of a public survey page: [`PAGE_CSP`] with
/// `frame-ancestors` listing `embed_origins` (`'none'` when empty). Origins that are not a
/// plain `scheme://host[:port]` (see [`embed_origin`]) are left out and logged, so a stored
/// value can never inject a directive or a header.
pub(crate) fn survey_csp(embed_origins: &[String]) -> HeaderValue {
    let mut allowed: Vec<String> = Vec::new();
    for raw in embed_origins {
        match embed_origin(raw) {
            Some(o) if !allowed.contains(&o) => allowed.push(o),
            Some(_) => {}
            None => {
                tracing::warn!(origin = %raw.escape_debug(), "embed origin ignored: not scheme://host[:port]")
            }
        }
    }
    let ancestors = if allowed.is_empty() {
        "'none'".to_owned()
    } else {
        allowed.join(" ")
    };
    HeaderValue::from_str(&format!(
        "{CSP_WITHOUT_ANCESTORS}; frame-ancestors {ancestors}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(PAGE_CSP))
}

/// An origin a survey may be embedded in, normalised (`https://shop.example:8443`), or
/// `None`. Accepted: `http` or `https`, `://`, a host (DNS name, optionally `*.` for its
/// subdomains; IPv4; or bracketed IPv6), an optional port 1–65535, and nothing else (an
/// ending `/` is dropped). Input validation of the per-survey setting should use this too.
pub fn embed_origin(raw: &str) -> Option<String> {
    let s = raw.trim().to_ascii_lowercase();
    let s = s.strip_suffix('/').unwrap_or(&s);
    let (scheme, rest) = s.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let (host, port) = match rest.strip_prefix('[') {
        Some(v6) => {
            let (addr, after) = v6.split_once(']')?;
            if addr.is_empty()
                || !addr
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
            {
                return None;
            }
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':')?),
            };
            (&rest[..addr.len() + 2], port)
        }
        None => match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        },
    };
    if !host.starts_with('[') {
        let name = host.strip_prefix("*.").unwrap_or(host);
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if name.len() > 253 || !name.split('.').all(label_ok) {
            return None;
        }
    }
    if let Some(p) = port
        && !(p.len() <= 5
            && p.chars().all(|c| c.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n)))
    {
        return None;
    }
    Some(match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    #[test]
    fn embed_origins_are_plain_scheme_host_and_port() {
        for (raw, want) in [
            ("https://shop.example", "https://shop.example"),
            (" HTTPS://Shop.Example/ ", "https://shop.example"),
            ("http://localhost:8080", "http://localhost:8080"),
            ("https://*.shop.example", "https://*.shop.example"),
            ("https://192.0.2.7:443", "https://192.0.2.7:443"),
            ("https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443"),
        ] {
            assert_eq!(embed_origin(raw).as_deref(), Some(want), "{raw}");
        }
        for raw in [
            "",
            "*",
            "shop.example",
            "'self'",
            "'unsafe-inline'",
            "javascript:alert(1)",
            "data:",
            "ftp://shop.example",
            "https://",
            "https://shop.example/path",
            "https://shop.example?x",
            "https://shop.example; script-src *",
            "https://shop.example https://evil.example",
            "https://shop.example\r\nSet-Cookie: x=1",
            "https://shop.example:0",
            "https://shop.example:99999",
            "https://shop.example:80:80",
            "https://user@shop.example",
            "https://-shop.example",
            "https://shop..example",
            "https://a.*.example",
            "https://[zz::1]",
            "https://[::1",
        ] {
            assert_eq!(embed_origin(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn survey_csp_lists_valid_origins_only() {
        assert_eq!(survey_csp(&[]), PAGE_CSP);
        let csp = survey_csp(&[
            "https://shop.example".into(),
            "https://evil.example; script-src *".into(),
            "https://shop.example/".into(),
            "http://localhost:3000".into(),
        ]);
        assert_eq!(
            csp.to_str().unwrap(),
            format!(
                "{CSP_WITHOUT_ANCESTORS}; frame-ancestors https://shop.example http://localhost:3000"
            )
        );
        assert_eq!(
            survey_csp(&["nonsense".into()]),
            PAGE_CSP,
            "nothing valid: no framing"
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
                                survey_csp(&["https://a.example".into()]),
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
