//! Logs never carry invitation tokens: request tracing records `/s/` paths without their
//! query and every `t=` value redacted, at every level.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::helpers::{Backend, TestApp};

/// A log sink the test reads back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Self;
    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

// One thread: the server's tasks run where the test's subscriber is the default.
#[tokio::test(flavor = "current_thread")]
async fn invitation_tokens_never_reach_the_logs_at_trace_level() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(logs.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

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
    for path in [
        link.clone(),
        format!("/s/{survey}?lang=en&t={token}"),
        format!("/api/v1/nowhere?a=1&t={token}&b=2"),
        format!("/s/{survey}/?t={token}"),
    ] {
        let res = app.client.get(app.url(&path)).send().await.expect("get");
        assert!(res.status().as_u16() < 500, "{path}");
    }
    let text = String::from_utf8_lossy(&logs.0.lock().expect("lock")).into_owned();
    assert!(
        text.contains(&format!("/s/{survey}")),
        "the path is logged: {text}"
    );
    assert!(text.contains("/api/v1/nowhere"), "{text}");
    assert!(!text.contains(&token), "the token is in the logs:\n{text}");
}
