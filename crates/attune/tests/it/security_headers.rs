//! Security headers on every answer: `nosniff`, `Referrer-Policy: same-origin` (invitation
//! tokens in `/s/` links must not leak through `Referer`), a strict Content-Security-Policy
//! (no inline script or style; the stylesheet is served by Attune), `Cache-Control: no-store`
//! on everything but the stylesheet, and HSTS only when the configuration says HTTPS.

use reqwest::header::HeaderMap;

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use crate::route_table::{Kind, ROUTES};

on_both_backends!(
    every_route_carries_the_security_headers_logged_in_or_not,
    pages_have_no_inline_style_or_script,
    the_stylesheet_is_linked_and_served_cacheable,
    hsts_is_sent_only_when_the_public_url_is_https,
);

/// The policy of every page (and API answer): nothing but Attune's own stylesheet and images.
const PAGE_CSP: &str = "default-src 'none'; script-src 'none'; style-src 'self'; \
    img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Checks one answer's headers; returns what is wrong.
fn problems(what: &str, path: &str, h: &HeaderMap) -> Vec<String> {
    let mut out = Vec::new();
    let mut want = |name: &str, expected: Option<&str>| {
        let got = header(h, name);
        if got != expected {
            out.push(format!("{what}: {name} is {got:?}, expected {expected:?}"));
        }
    };
    want("x-content-type-options", Some("nosniff"));
    want("referrer-policy", Some("same-origin"));
    want("content-security-policy", Some(PAGE_CSP));
    want("strict-transport-security", None);
    if path.starts_with("/assets/") {
        let cc = header(h, "cache-control").unwrap_or_default();
        if !cc.contains("max-age=") || cc.contains("no-store") {
            out.push(format!("{what}: the stylesheet is cacheable, got {cc:?}"));
        }
    } else {
        want("cache-control", Some("no-store"));
    }
    out
}

/// A logged-in session and its CSRF token.
async fn session(app: &TestApp) -> (String, String) {
    let cookie = crate::pages::login(app).await;
    let html = app
        .client
        .get(app.url("/settings/loop"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    (cookie, csrf)
}

async fn every_route_carries_the_security_headers_logged_in_or_not(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let (cookie, csrf) = session(&app).await;
    let mut wrong = Vec::new();
    for r in ROUTES {
        let path = r
            .path
            .replace(
                "{id}",
                if r.path.contains("/s") {
                    &survey
                } else {
                    "unknown"
                },
            )
            .replace("{kind}", "nps")
            .replace("{lang}", "ur");
        let logins: &[Option<&str>] = match r.kind {
            Kind::Page => &[None, Some(&cookie)],
            Kind::Api => &[None, Some("token")],
        };
        for login in logins {
            let method = reqwest::Method::from_bytes(r.method.as_bytes()).unwrap();
            let mut req = app.client.request(method, app.url(&path));
            req = match (r.kind, login) {
                (Kind::Page, Some(c)) => req.header("cookie", *c),
                (Kind::Api, Some(_)) => req.bearer_auth(&app.admin_token),
                _ => req,
            };
            req = match (r.method, r.kind) {
                ("GET" | "DELETE", _) => req,
                (_, Kind::Api) => req.json(&serde_json::json!({})),
                (_, Kind::Page) if r.path == "/s/{id}" => req.form(&[("q.nps", "9")]),
                (_, Kind::Page) => req.form(&[("csrf", csrf.as_str())]),
            };
            let res = req.send().await.unwrap();
            let what = format!(
                "{} {path} ({}) -> {}",
                r.method,
                if login.is_some() {
                    "logged in"
                } else {
                    "anonymous"
                },
                res.status()
            );
            wrong.extend(problems(&what, &path, res.headers()));
        }
    }
    // Answers no route gives: the fallback, a wrong method, a refused NUL.
    for path in ["/nothing-here", "/api/v1/nothing", "/s/a%00b"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        wrong.extend(problems(&format!("GET {path}"), path, res.headers()));
    }
    let res = app.client.delete(app.url("/login")).send().await.unwrap();
    wrong.extend(problems("DELETE /login", "/login", res.headers()));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

async fn pages_have_no_inline_style_or_script(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    // A detractor opens a case (a new organisation has default rules), so the case page renders.
    app.answer(
        &survey,
        serde_json::json!({"answers": {"nps": 2, "why": "slow"}}),
    )
    .await;
    let (_, cases) = app.get(&app.admin_token, "/api/v1/cases").await;
    let case = cases["items"][0]["id"]
        .as_str()
        .expect("the detractor opened a case")
        .to_owned();
    // An account with a person, so their pages render.
    let (_, person) = app
        .post(
            &app.admin_token,
            "/api/v1/people",
            &serde_json::json!({"email": "p@x.example"}),
        )
        .await;
    let person = person["id"].as_str().expect("a person").to_owned();
    let (_, account) = app
        .post(
            &app.admin_token,
            "/api/v1/accounts",
            &serde_json::json!({"external_id": "A-1"}),
        )
        .await;
    let account = account["id"].as_str().expect("an account").to_owned();
    // A duplicate merged into it, so the merge page renders.
    app.post(
        &app.admin_token,
        "/api/v1/accounts",
        &serde_json::json!({"external_id": "A-2"}),
    )
    .await;
    let (_, merge) = app
        .post(
            &app.admin_token,
            "/api/v1/accounts/A-1/merge",
            &serde_json::json!({"merge": "A-2"}),
        )
        .await;
    let merge = merge["id"].as_str().expect("a merge").to_owned();
    let (cookie, _) = session(&app).await;
    let mut pages: Vec<String> = ROUTES
        .iter()
        .filter(|r| r.kind == Kind::Page && r.method == "GET" && !r.path.starts_with("/assets/"))
        .map(|r| {
            r.path
                .replace("/cases/{id}", &format!("/cases/{case}"))
                .replace("/accounts/{id}", &format!("/accounts/{account}"))
                .replace("/people/{id}", &format!("/people/{person}"))
                .replace("/merges/{id}", &format!("/merges/{merge}"))
                .replace("{id}", &survey)
        })
        .collect();
    pages.push("/s/unknown".into());
    pages.push("/retention/members?which=start".into());
    for path in pages {
        let res = app
            .client
            .get(app.url(&path))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        let ct = header(res.headers(), "content-type")
            .unwrap_or_default()
            .to_owned();
        assert!(ct.starts_with("text/html"), "{path}: {} {ct}", res.status());
        let html = res.text().await.unwrap();
        for inline in ["<style", "style=\"", "<script"] {
            assert!(!html.contains(inline), "{path} has inline {inline}: {html}");
        }
        assert!(
            !has_event_handler(&html),
            "{path} has an event handler attribute: {html}"
        );
        assert!(
            html.contains("<link rel=\"stylesheet\" href=\"/assets/app.css?v="),
            "{path}: {html}"
        );
    }
}

/// Whether markup has an `on…=` attribute (`onclick=`, `onload=`).
fn has_event_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(i, _)| {
        let rest = &html[i + 3..];
        let name_len = rest.chars().take_while(char::is_ascii_lowercase).count();
        name_len > 0 && rest[name_len..].starts_with('=')
    })
}

async fn the_stylesheet_is_linked_and_served_cacheable(b: Backend) {
    let app = TestApp::spawn(b).await;
    let html = app
        .client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let href = html
        .split("<link rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the page links the stylesheet")
        .to_owned();
    let res = app.client.get(app.url(&href)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(header(&h, "content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(
        header(&h, "cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(header(&h, "x-content-type-options"), Some("nosniff"));
    let css = res.text().await.unwrap();
    assert!(css.contains(".card") && css.contains(".scale input:checked + span"));
    // An old or missing version still gets the current file, cached briefly.
    let res = app
        .client
        .get(app.url("/assets/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(res.headers(), "cache-control"),
        Some("public, max-age=300")
    );
}

async fn hsts_is_sent_only_when_the_public_url_is_https(b: Backend) {
    let sts = "max-age=31536000; includeSubDomains";
    let app = TestApp::spawn_with(b.clone(), |c| {
        c.public_url = "https://attune.example".into()
    })
    .await;
    for path in ["/login", "/api/v1/surveys", "/healthz", "/assets/app.css"] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            header(res.headers(), "strict-transport-security"),
            Some(sts),
            "{path}"
        );
    }
    // Turned off explicitly, or plain HTTP whatever a client claims.
    let app = TestApp::spawn_with(b.clone(), |c| {
        c.public_url = "https://attune.example".into();
        c.hsts = Some(false);
    })
    .await;
    let res = app.client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(header(res.headers(), "strict-transport-security"), None);
    let app = TestApp::spawn(b).await;
    let res = app
        .client
        .get(app.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(header(res.headers(), "strict-transport-security"), None);
}
