//! Browsers get HTML error pages in the app's style; the JSON API keeps JSON errors.

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_browser_gets_an_html_404_and_the_api_keeps_json,
    a_forged_form_is_403_as_html_for_a_browser_and_as_json_otherwise,
);

/// What Chromium sends when it navigates.
const BROWSER_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

async fn get(app: &TestApp, path: &str, accept: Option<&str>) -> (u16, String, String) {
    let mut req = app
        .client
        .get(app.url(path))
        .header("accept-language", "ur-PK, ur;q=0.9, en;q=0.5");
    if let Some(a) = accept {
        req = req.header("accept", a);
    }
    let res = req.send().await.unwrap();
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    (res.status().as_u16(), ct, res.text().await.unwrap())
}

async fn a_browser_gets_an_html_404_and_the_api_keeps_json(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (status, ct, html) = get(&app, "/no/such/page", Some(BROWSER_ACCEPT)).await;
    assert_eq!(status, 404);
    assert!(ct.starts_with("text/html"), "{ct}");
    // Staff pages speak English only so far, so an Urdu reader gets English, said so.
    assert!(html.contains("<html lang=\"en\" dir=\"ltr\">"), "{html}");
    assert!(html.contains("<h1>Page not found</h1>"), "{html}");
    assert!(html.contains("/assets/app.css?v="), "{html}");
    for inline in ["<style", "style=\"", "<script"] {
        assert!(!html.contains(inline), "inline {inline}: {html}");
    }
    // Without asking for HTML, and on the API whatever is asked, the answer stays JSON.
    for (path, accept) in [
        ("/no/such/page", None),
        ("/no/such/page", Some("application/json")),
        ("/api/v1/no/such/endpoint", Some(BROWSER_ACCEPT)),
    ] {
        let (status, ct, body) = get(&app, path, accept).await;
        assert_eq!(status, 404, "{path}");
        assert!(
            ct.starts_with("application/json"),
            "{path} {accept:?}: {ct}"
        );
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["error"]["code"], "no_route");
    }
    // An unknown survey is a page of its own, in HTML as before.
    let (status, ct, _) = get(&app, "/s/unknown", None).await;
    assert_eq!((status, ct.starts_with("text/html")), (404, true));
}

async fn a_forged_form_is_403_as_html_for_a_browser_and_as_json_otherwise(b: Backend) {
    let app = TestApp::spawn(b).await;
    let cookie = crate::pages::login(&app).await;
    let post = |accept: Option<&'static str>| {
        let mut req = app
            .client
            .post(app.url("/logout"))
            .header("cookie", &cookie)
            .form(&[("csrf", "forged")]);
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        req.send()
    };
    let res = post(Some(BROWSER_ACCEPT)).await.unwrap();
    assert_eq!(res.status(), 403);
    let html = res.text().await.unwrap();
    assert!(html.contains("<h1>Not allowed</h1>"), "{html}");
    let res = post(None).await.unwrap();
    assert_eq!(res.status(), 403);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["error"]["code"], "forbidden");
}
