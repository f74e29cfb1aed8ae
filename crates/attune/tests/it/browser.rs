//! One browser test in headless Chromium (through chromedriver's WebDriver protocol): log in,
//! see the dashboard chart, answer a survey on its public page, find the answer in the feed,
//! resolve its case, open an account page and log a call on it.
//! Runs when `ATTUNE_TEST_BROWSER=1` (CI installs chromium and chromium-driver and sets it).
//! Every page is checked under its Content-Security-Policy: the browser's console must report
//! no violation, and the stylesheet must have been applied.

use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

struct Driver {
    child: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("chromedriver runs (apt-get install chromium-driver)");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        // chromedriver answers /status once it is listening.
        let mut ready = false;
        for _ in 0..200 {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.status().is_success()
            {
                ready = true;
                break;
            }
            tokio::task::yield_now().await;
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        assert!(ready, "chromedriver did not start");
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"}, "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1200,900"]}}}});
        let res: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {res}"))
            .to_owned();
        Driver {
            child,
            base,
            session,
            http,
        }
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let res: Value = self
            .http
            .request(method, url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(res["value"].get("error").is_none(), "{path}: {res}");
        res["value"].clone()
    }

    async fn go(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", json!({"url": url}))
            .await;
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await;
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap()
            .to_owned()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/value"),
            json!({"text": text}),
        )
        .await;
    }

    async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            json!({}),
        )
        .await;
    }

    async fn source(&self) -> String {
        self.cmd(reqwest::Method::GET, "/source", json!({}))
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The page source once it contains `needle` (navigation after a click completes
    /// asynchronously), or the last source after about five seconds.
    async fn wait_for(&self, needle: &str) -> String {
        let mut html = String::new();
        for _ in 0..100 {
            html = self.source().await;
            if html.contains(needle) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        html
    }

    /// Runs a script in the page (WebDriver scripts are not subject to the page's CSP).
    async fn script(&self, js: &str) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            json!({"script": js, "args": []}),
        )
        .await
    }

    /// Console messages since the last call that report a Content-Security-Policy violation.
    async fn csp_violations(&self) -> Vec<String> {
        let log = self
            .cmd(reqwest::Method::POST, "/se/log", json!({"type": "browser"}))
            .await;
        log.as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["message"].as_str())
            .filter(|m| m.contains("Content Security Policy") || m.contains("Refused to"))
            .map(str::to_owned)
            .collect()
    }

    /// The page works under its policy: nothing was refused and the stylesheet applies (the
    /// page background is `--bg`).
    async fn assert_csp_clean(&self, page: &str) {
        let violations = self.csp_violations().await;
        assert!(
            violations.is_empty(),
            "{page}: CSP violations: {violations:?}"
        );
        let bg = self
            .script("return getComputedStyle(document.body).backgroundColor")
            .await;
        assert_eq!(
            bg, "rgb(247, 248, 250)",
            "{page}: the stylesheet is applied"
        );
    }

    async fn screenshot(&self, name: &str) {
        use base64::Engine;
        let png = self
            .cmd(reqwest::Method::GET, "/screenshot", json!({}))
            .await;
        if let Some(b64) = png.as_str()
            && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64)
        {
            let _ = std::fs::write(std::env::temp_dir().join(name), bytes);
        }
    }
}

#[tokio::test]
async fn browser_login_dashboard_answer_and_feed() {
    if std::env::var("ATTUNE_TEST_BROWSER").as_deref() != Ok("1") {
        eprintln!(
            "SKIPPED browser test: set ATTUNE_TEST_BROWSER=1 with chromium and chromium-driver installed"
        );
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await;
    let survey = app.nps_survey(&app.admin_token).await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 9}, "submitted_at": "2026-10-10T10:00:00Z"}),
    )
    .await;
    let hash = attune_web::auth::hash_password("correct horse battery".into())
        .await
        .unwrap();
    attune_storage::AccessStore::create_user(
        app.store.as_ref(),
        &app.org_id,
        "lead@acme.example",
        &hash,
        attune_domain::org::Role::Admin,
    )
    .await
    .unwrap();

    let d = Driver::start().await;
    d.go(&app.url("/login")).await;
    d.assert_csp_clean("login").await;
    d.type_into("#email", "lead@acme.example").await;
    d.type_into("#password", "correct horse battery").await;
    d.click("button[type=submit]").await;
    let html = d.wait_for("nps-trend").await;
    assert!(
        html.contains("nps-trend"),
        "the dashboard shows the chart after login: {html}"
    );
    d.assert_csp_clean("dashboard").await;
    d.screenshot("attune-dashboard.png").await;

    d.go(&app.url(&format!("/s/{survey}?lang=ur"))).await;
    let html = d.wait_for("dir=\"rtl\"").await;
    assert!(html.contains("dir=\"rtl\""));
    d.assert_csp_clean("survey").await;
    d.click("input[name='q.nps'][value='3'] + span").await;
    d.type_into("#q-why", "ڈیلیوری بہت دیر سے ہوئی").await;
    d.click("button[type=submit]").await;
    let html = d.wait_for("شکریہ").await;
    assert!(html.contains("شکریہ"), "thanks page expected: {html}");
    d.assert_csp_clean("thanks").await;

    d.go(&app.url("/feedback?band=detractor")).await;
    let html = d.wait_for("ڈیلیوری بہت دیر سے ہوئی").await;
    assert!(
        html.contains("ڈیلیوری بہت دیر سے ہوئی"),
        "the answer is in the feed: {html}"
    );
    d.assert_csp_clean("feed").await;
    d.screenshot("attune-feed.png").await;

    // The detractor opened a case in the lead's queue; resolve it through the page.
    d.click("#feed .case-badge a").await;
    d.wait_for("id=\"case-state\"").await;
    d.click("#root_cause option[value='delivery or service delay']")
        .await;
    d.type_into("#resolution", "ہم نے آرڈر دوبارہ بھیج دیا")
        .await;
    d.click("#state option[value='resolved']").await;
    d.click("form[action^='/cases/'] button[type=submit]").await;
    let html = d.wait_for("id=\"case-state\">resolved<").await;
    assert!(html.contains("ہم نے آرڈر دوبارہ بھیج دیا"), "{html}");
    d.assert_csp_clean("case").await;
    d.screenshot("attune-case.png").await;
    d.go(&app.url("/cases")).await;
    let html = d.wait_for("My queue").await;
    assert!(
        html.contains("Nothing waiting"),
        "the queue is empty again: {html}"
    );
    d.assert_csp_clean("queue").await;
    for page in ["/loop", "/insights", "/retention", "/settings/loop"] {
        d.go(&app.url(page)).await;
        d.wait_for("</main>").await;
        d.assert_csp_clean(page).await;
    }
    account_page_logs_a_call(&d, &app).await;
    // The check itself sees a violation: an inline style is refused and reported.
    d.script("document.body.setAttribute('style', 'color: red'); return null")
        .await;
    let violations = d.csp_violations().await;
    assert!(
        violations.iter().any(|m| m.contains("style-src")),
        "an inline style is refused under the policy: {violations:?}"
    );
}

/// The account page: open it from the list, log a call with the score heard, see it on the
/// timeline (and the score become an answer, with its case).
async fn account_page_logs_a_call(d: &Driver, app: &TestApp) {
    app.post(
        &app.admin_token,
        "/api/v1/accounts",
        &json!({"external_id": "NOOR-1", "name": "نور ٹریڈرز"}),
    )
    .await;
    app.post(
        &app.admin_token,
        "/api/v1/people",
        &json!({"email": "amna@noor.example", "name": "آمنہ",
                     "memberships": [{"account": "NOOR-1", "roles": ["decision_maker"]}]}),
    )
    .await;
    d.go(&app.url("/accounts")).await;
    d.wait_for("نور ٹریڈرز").await;
    d.assert_csp_clean("accounts").await;
    d.click("#accounts a").await;
    d.wait_for("id=\"log\"").await;
    d.assert_csp_clean("account").await;
    d.click("#log-kind option[value='call']").await;
    d.type_into(
        "#log-summary",
        "Invoice was wrong twice; promised a corrected one",
    )
    .await;
    d.click("#log input[name='person_0']").await;
    d.type_into("#log-score", "4").await;
    d.type_into("#log-comment", "بل دو بار غلط آیا").await;
    d.click("#log button[type=submit]").await;
    let html = d.wait_for("promised a corrected one").await;
    assert!(html.contains("id=\"timeline\""), "{html}");
    assert!(
        html.contains("بل دو بار غلط آیا"),
        "the score heard is an answer on the timeline: {html}"
    );
    d.assert_csp_clean("account after logging").await;
    d.screenshot("attune-account.png").await;
}
