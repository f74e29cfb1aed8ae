//! Limits that keep the server serving whatever some clients do: heavy analytics reads are
//! bounded per organisation and per process.

use serde_json::json;

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(heavy_reads_are_bounded_and_ingest_goes_on);

async fn heavy_reads_are_bounded_and_ingest_goes_on(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.heavy_reads_per_org = 1;
        c.heavy_reads_total = 2;
        c.heavy_read_wait_ms = 0;
    })
    .await;
    let survey = app.nps_survey(&app.admin_token).await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 3, "why": "slow support"}}),
    )
    .await;
    let drivers = format!("/api/v1/text/drivers?survey={survey}");
    let (status, _) = app.get(&app.viewer_token, &drivers).await;
    assert_eq!(status, 200, "a free slot serves the read");

    // With the organisation's permit held, its next heavy read is a 503 with Retry-After, by
    // the API and by the page; a submission, a light read and /healthz still succeed.
    let held = app
        .state
        .heavy_read_permit(&app.org_id)
        .await
        .expect("a permit");
    for path in [
        drivers.as_str(),
        "/api/v1/text/themes",
        "/api/v1/loop/metrics",
        "/api/v1/retention/summary",
    ] {
        let res = app
            .client
            .get(app.url(path))
            .bearer_auth(&app.viewer_token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 503, "{path}");
        assert_eq!(res.headers()["retry-after"], "5", "{path}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unavailable", "{path}: {body}");
    }
    let cookie = crate::pages::login(&app).await;
    let page = app
        .client
        .get(app.url("/insights"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 503);
    assert!(page.headers().contains_key("retry-after"));
    assert!(page.text().await.unwrap().contains("try again"));
    let stored = app
        .answer(&survey, json!({"answers": {"nps": 9, "why": "fine"}}))
        .await;
    assert!(stored["id"].is_string());
    let (status, _) = app
        .get(
            &app.viewer_token,
            &format!("/api/v1/surveys/{survey}/responses"),
        )
        .await;
    assert_eq!(status, 200);
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    // Another organisation is not held up by this one's reports ...
    let (_, other_token) = app.other_org("Globex").await;
    let (status, _) = app.get(&other_token, "/api/v1/loop/metrics").await;
    assert_eq!(status, 200);
    // ... until the process's permits are all taken.
    let (third_org, third_token) = app.other_org("Initech").await;
    let second = app
        .state
        .heavy_read_permit(&third_org)
        .await
        .expect("a permit");
    let (status, body) = app.get(&other_token, "/api/v1/loop/metrics").await;
    assert_eq!(status, 503, "{body}");
    let (status, _) = app.get(&third_token, "/api/v1/loop/metrics").await;
    assert_eq!(status, 503);

    // Released, the reads are served again.
    drop(held);
    drop(second);
    let (status, _) = app.get(&app.viewer_token, &drivers).await;
    assert_eq!(status, 200);
}

on_both_backends!(
    slow_clients_cannot_hold_the_server,
    connections_beyond_the_limit_wait_their_turn
);

/// Reads what the server sends until it closes the connection (at most 20 s, so a server that
/// never closes fails the test instead of hanging it).
async fn read_until_closed(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut out = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_to_end(&mut out),
    )
    .await;
    assert!(read.is_ok(), "the server kept a slow connection open");
    String::from_utf8_lossy(&out).into_owned()
}

async fn slow_clients_cannot_hold_the_server(backend: Backend) {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn_with(backend, |c| {
        c.header_read_timeout_secs = 1;
        c.max_connections = 3;
        c.min_body_bytes_per_sec = 1000;
        c.body_rate_grace_secs = 1;
    })
    .await;
    let survey = app.nps_survey(&app.admin_token).await;
    let host = app.addr.trim_start_matches("http://").to_owned();

    // Half-sent requests: the headers never end. The server closes each connection.
    let mut slow = Vec::new();
    for _ in 0..3 {
        let mut s = tokio::net::TcpStream::connect(&host).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(s);
    }
    for s in &mut slow {
        let answer = read_until_closed(s).await;
        assert!(!answer.contains("200 OK"), "{answer}");
    }
    // With them gone, ordinary requests are served.
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);

    // A body that trickles: 10 bytes of a promised 10,000, then nothing. The server answers
    // and closes instead of waiting for the rest.
    let mut s = tokio::net::TcpStream::connect(&host).await.unwrap();
    let head = format!(
        "POST /api/v1/surveys/{survey}/responses HTTP/1.1\r\nHost: x\r\n\
         Authorization: Bearer {}\r\nContent-Type: application/json\r\n\
         Content-Length: 10000\r\n\r\n{{\"answers\"",
        app.admin_token
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut s).await;
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    assert!(answer.contains("too slowly"), "{answer}");

    // A large body at an ordinary speed is read whole (here: a 1 MB comment, refused only for
    // its length, not for its speed).
    let comment = "ਬਹੁਤ ਵਧੀਆ ".repeat(40_000);
    let (status, body) = app
        .post(
            &app.admin_token,
            &format!("/api/v1/surveys/{survey}/responses"),
            &json!({"answers": {"nps": 9, "why": comment}}),
        )
        .await;
    assert!(status == 201 || status == 422, "{status}: {body}");
    assert!(!body.to_string().contains("too slowly"), "{body}");
}

async fn connections_beyond_the_limit_wait_their_turn(backend: Backend) {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn_with(backend, |c| {
        c.header_read_timeout_secs = 60;
        c.max_connections = 2;
    })
    .await;
    let host = app.addr.trim_start_matches("http://").to_owned();
    // Two connections in the middle of their headers take both slots ...
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = tokio::net::TcpStream::connect(&host).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        held.push(s);
    }
    // ... so a third client waits ...
    let third = tokio::spawn({
        let url = app.url("/healthz");
        async move {
            let client = reqwest::Client::builder().build().unwrap();
            client.get(url).send().await.map(|r| r.status().as_u16())
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !third.is_finished(),
        "a third connection was served beside two"
    );
    // ... and is served as soon as one of them goes away.
    drop(held.pop());
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), third)
        .await
        .expect("the third client is served once a slot is free")
        .unwrap()
        .unwrap();
    assert_eq!(status, 200);
}
