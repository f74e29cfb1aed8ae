//! The account page and its timeline, timed: the page through the real server (every read,
//! the rendering, the HTTP exchange of a logged-in user), the timeline's first page from the
//! store and through the API, and the baseline (the page's reads as plain joins) on the same
//! accounts; the fast and the plain answers compared on every one.

use std::sync::Arc;
use std::time::Instant;

use attune::config::Config;
use attune::server::Application;
use attune_domain::org::Role;
use attune_storage::model::TimelineQuery;
use attune_storage::prelude::*;
use attune_storage::sql::SqlStore;
use attune_web::FixedClock;

use super::common::percentile;
use super::seed::{ADMIN_EMAIL, ADMIN_PASSWORD, DAY_MS, NOW_MS, Rng, account_id};
use super::{baseline, secs};

/// A server on the store, its base URL, a logged-in session cookie and an API token.
pub(crate) struct Server {
    base: String,
    cookie: String,
    token: String,
    client: reqwest::Client,
}

async fn start(
    store: &SqlStore,
    url: &str,
    org: &str,
    dir: &std::path::Path,
) -> anyhow::Result<Server> {
    let config = Config {
        db: url.to_owned(),
        bind: "127.0.0.1:0".into(),
        secure_cookies: false,
        api_rate_per_minute: 0,
        login_rate_per_minute: 1000,
        log: "error".into(),
        secret_key_file: Some(dir.join("attune.key")),
        ..Config::default()
    };
    let app = Application::build(
        &config,
        Arc::new(store.clone()),
        Arc::new(FixedClock::new(NOW_MS)),
    )
    .await?;
    let base = format!("http://{}", app.addr()?);
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let res = client.get(format!("{base}/login")).send().await?;
    let csrf_pair = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("attune_login_csrf="))
        .and_then(|c| c.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("no login CSRF cookie"))?
        .to_owned();
    let csrf = csrf_pair
        .split_once('=')
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default();
    let res = client
        .post(format!("{base}/login"))
        .header("cookie", &csrf_pair)
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await?;
    anyhow::ensure!(res.status() == 303, "login: {}", res.status());
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("attune_session="))
        .and_then(|c| c.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))?
        .to_owned();
    let token = attune_web::auth::new_api_token();
    store
        .create_token(
            org,
            &attune_web::auth::sha256_hex(&token),
            Role::Admin,
            "bench",
        )
        .await?;
    Ok(Server {
        base,
        cookie,
        token,
        client,
    })
}

impl Server {
    /// The account page's HTML; its time in ms.
    async fn page(&self, account: &str) -> anyhow::Result<f64> {
        let t = Instant::now();
        let res = self
            .client
            .get(format!("{}/accounts/{account}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await?;
        anyhow::ensure!(
            res.status() == 200,
            "the page of {account}: {}",
            res.status()
        );
        let html = res.text().await?;
        let ms = secs(t) * 1e3;
        let name = format!("Account {}", account[1..].trim_start_matches('0'));
        anyhow::ensure!(
            html.contains(&name) || account == "a00000000",
            "the page of {account} lacks its name"
        );
        Ok(ms)
    }

    /// Customer search through the API; its time in ms and the first hit's id.
    pub(crate) async fn search(&self, q: &str) -> anyhow::Result<(f64, Option<String>)> {
        let t = Instant::now();
        let res = self
            .client
            .get(format!("{}/api/v1/customers/search", self.base))
            .query(&[("q", q)])
            .bearer_auth(&self.token)
            .send()
            .await?;
        anyhow::ensure!(res.status() == 200, "searching {q}: {}", res.status());
        let body: serde_json::Value = res.json().await?;
        let ms = secs(t) * 1e3;
        Ok((ms, body["items"][0]["id"].as_str().map(str::to_owned)))
    }

    /// The timeline's first page through the API; its time in ms.
    async fn timeline(&self, account: &str) -> anyhow::Result<f64> {
        let t = Instant::now();
        let res = self
            .client
            .get(format!(
                "{}/api/v1/accounts/{account}/timeline?limit=50",
                self.base
            ))
            .bearer_auth(&self.token)
            .send()
            .await?;
        anyhow::ensure!(
            res.status() == 200,
            "the timeline of {account}: {}",
            res.status()
        );
        let body: serde_json::Value = res.json().await?;
        std::hint::black_box(body);
        Ok(secs(t) * 1e3)
    }
}

pub(crate) fn line(label: &str, v: Vec<f64>) -> String {
    format!(
        "{label}: p50 {:.2} ms, p95 {:.2} ms",
        percentile(v.clone(), 0.5),
        percentile(v, 0.95)
    )
}

/// Times the page, the timeline and the baseline on `samples` accounts spread over `n`.
pub async fn run(
    store: &SqlStore,
    url: &str,
    org: &str,
    n: u64,
    samples: u64,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let server = start(store, url, org, dir).await?;
    let mut rng = Rng(11);
    let accounts: Vec<String> = (0..samples).map(|_| account_id(rng.below(n))).collect();
    // Warm-up: the first reads of a cold file are not what a user waits for all day.
    for a in accounts.iter().take(20) {
        server.page(a).await?;
    }
    let (mut page, mut api, mut store_tl, mut plain, mut plain_tl) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut conn = store.pool().acquire().await?;
    let from_day = NOW_MS.div_euclid(DAY_MS) - attune_app::customers::scores::WINDOW_DAYS;
    let survey = survey_of(store, org).await?;
    for a in &accounts {
        page.push(server.page(a).await?);
        api.push(server.timeline(a).await?);
        let t = Instant::now();
        let q = TimelineQuery {
            account_id: Some(a.clone()),
            person_id: None,
            kinds: Vec::new(),
            after: None,
            limit: 50,
        };
        let fast = store.timeline(org, &q).await?;
        store_tl.push(secs(t) * 1e3);
        let t = Instant::now();
        let slow = baseline::page(&mut conn, org, a, from_day).await?;
        plain.push(secs(t) * 1e3);
        let t = Instant::now();
        std::hint::black_box(baseline::timeline(&mut conn, org, a).await?);
        plain_tl.push(secs(t) * 1e3);
        // The fast answers equal the plain ones.
        let kinds = attune_storage::model::TimelineKind::ALL;
        let fast_tl: Vec<(i64, i64, String)> = fast
            .iter()
            .map(|e| {
                let k = kinds.iter().position(|k| *k == e.kind).unwrap_or(99) as i64;
                (e.at, k, e.id.clone())
            })
            .collect();
        anyhow::ensure!(fast_tl == slow.timeline, "{a}: the timelines differ");
        let hist = store
            .account_histogram(org, a, &survey, "nps", from_day)
            .await?;
        let hist: Vec<(i64, i64)> = hist.into_iter().map(|(s, n)| (s, n as i64)).collect();
        anyhow::ensure!(
            hist == slow.histogram,
            "{a}: the scores differ: {hist:?} vs {:?}",
            slow.histogram
        );
    }
    println!(
        "{} accounts, each read once after 20 warm-up pages:",
        accounts.len()
    );
    println!(
        "{}",
        line(
            "account page, GET /accounts/{id} (all its parts, rendered)",
            page
        )
    );
    println!("{}", line("timeline first page, store", store_tl));
    println!(
        "{}",
        line(
            "timeline first page, GET /api/v1/accounts/{id}/timeline",
            api
        )
    );
    println!(
        "{}",
        line(
            "baseline: the page's reads as plain joins (no rendering)",
            plain
        )
    );
    println!(
        "{}",
        line(
            "baseline: the timeline's first page as one UNION ALL",
            plain_tl
        )
    );
    println!("the timeline and the NPS histogram equal the plain joins' on every account");
    super::search::run(store, &server, org, n, samples).await
}

async fn survey_of(store: &SqlStore, org: &str) -> anyhow::Result<String> {
    Ok(store
        .list_surveys(org)
        .await?
        .into_iter()
        .next()
        .map(|s| s.id)
        .unwrap_or_default())
}
