//! Logs never carry invitation tokens: request tracing records `/s/` paths without their
//! query and every `t=` value redacted, at every level.

use serde_json::json;

use crate::helpers::{Backend, TestApp};

/// A free port on 127.0.0.1 (bound, then released for the server to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

// The real binary at ATTUNE_LOG=trace, so what is checked is exactly what an operator's log
// would hold (an in-process subscriber would share its callsites with every other test).
#[tokio::test]
async fn invitation_tokens_never_reach_the_logs_at_trace_level() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let (status, inv) = app
        .post(
            &app.admin_token,
            &format!("/api/v1/surveys/{survey}/invitations"),
            &json!({"email": "ana@example.com"}),
        )
        .await;
    assert_eq!(status, 201, "{inv}");
    let link = inv["url"].as_str().expect("url").to_owned();
    let token = link.split_once("t=").expect("token").1.to_owned();

    let log_path =
        std::env::temp_dir().join(format!("attune-test-{}.log", uuid::Uuid::new_v4().simple()));
    let log = std::fs::File::create(&log_path).expect("a log file");
    let bind = format!("127.0.0.1:{}", free_port());
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_attune"))
        .args(["serve", "--db", &app.db_url, "--bind", &bind])
        .env("ATTUNE_LOG", "trace")
        .env("ATTUNE_WORKER_INTERVAL_SECS", "0")
        .env("ATTUNE_SECURE_COOKIES", "false")
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("attune serve");
    let base = format!("http://{bind}");
    let mut up = false;
    for _ in 0..200 {
        if let Ok(r) = app.client.get(format!("{base}/healthz")).send().await
            && r.status() == 200
        {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "attune serve did not come up");
    for path in [
        link.clone(),
        format!("/s/{survey}?lang=en&t={token}"),
        format!("/api/v1/nowhere?a=1&t={token}&b=2"),
        format!("/s/{survey}/?t={token}"),
    ] {
        let res = app
            .client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("get");
        assert!(res.status().as_u16() < 500, "{path}");
    }
    server.kill().await.expect("stop the server");
    let text = std::fs::read_to_string(&log_path).expect("the log");
    let _ = std::fs::remove_file(&log_path);
    assert!(
        text.contains(&format!("/s/{survey}")),
        "the path is logged: {text}"
    );
    assert!(text.contains("/api/v1/nowhere"), "{text}");
    assert!(!text.contains(&token), "the token is in the logs:\n{text}");
}
