//! The closed loop end to end: rules open cases, the clock drives warnings and escalations
//! (exactly once, also with two worker processes racing), resolution needs a root cause, the
//! customer's message reaches a real SMTP server in their language, webhooks are signed.

use std::sync::{Arc, Mutex};

use attune::worker::{Mailer, Worker, WorkerConfig, verify};
use attune_domain::org::Role;
use attune_storage::model::AccountUpsert;
use attune_storage::prelude::*;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::helpers::{Backend, NOW_MS, TestApp};
use crate::on_both_backends;

const H: i64 = 3_600_000;

/// A minimal SMTP server that keeps every message it receives (the DATA section, raw).
pub struct SmtpSink {
    pub url: String,
    pub messages: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let messages = Arc::new(Mutex::new(Vec::new()));
        let store = messages.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let store = store.clone();
                tokio::spawn(async move {
                    let (r, mut w) = socket.into_split();
                    let mut lines = BufReader::new(r).lines();
                    w.write_all(b"220 sink.test ESMTP\r\n").await.ok();
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(d) = data.as_mut() {
                            if line == "." {
                                store.lock().unwrap().push(data.take().unwrap_or_default());
                                w.write_all(b"250 2.0.0 queued\r\n").await.ok();
                            } else {
                                d.push_str(line.strip_prefix('.').unwrap_or(&line));
                                d.push('\n');
                            }
                            continue;
                        }
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO")
                        {
                            b"250-sink.test\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("DATA") {
                            data = Some(String::new());
                            b"354 go ahead\r\n"
                        } else if upper.starts_with("QUIT") {
                            w.write_all(b"221 bye\r\n").await.ok();
                            return;
                        } else {
                            b"250 OK\r\n"
                        };
                        w.write_all(reply).await.ok();
                    }
                });
            }
        });
        Self { url, messages }
    }

    /// Messages received so far, with their base64 bodies and RFC 2047 subjects decoded.
    pub fn decoded(&self) -> Vec<(String, String, String)> {
        self.messages
            .lock()
            .unwrap()
            .iter()
            .map(|raw| decode_message(raw))
            .collect()
    }
}

/// (to, subject, body) of a message lettre sent with a base64 body.
fn decode_message(raw: &str) -> (String, String, String) {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    // Unfold continued header lines.
    let head = head.replace("\n ", " ").replace("\n\t", " ");
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned))
            .unwrap_or_default()
    };
    // Encoded words next to each other join without the space between them (RFC 2047).
    let mut subject = String::new();
    let mut last_encoded = false;
    for w in header("Subject").split_whitespace() {
        let decoded = w
            .strip_prefix("=?utf-8?b?")
            .or_else(|| w.strip_prefix("=?UTF-8?B?"))
            .and_then(|x| x.strip_suffix("?="))
            .and_then(|x| b64.decode(x).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        let joins = last_encoded && decoded.is_some();
        if !subject.is_empty() && !joins {
            subject.push(' ');
        }
        last_encoded = decoded.is_some();
        subject.push_str(&decoded.unwrap_or_else(|| w.to_owned()));
    }
    let body: String = body.lines().collect();
    let body = String::from_utf8(b64.decode(body.trim()).unwrap_or_default()).unwrap_or_default();
    (header("To"), subject, body)
}

async fn worker(app: &TestApp, smtp: Option<&SmtpSink>) -> Worker {
    let mailer = smtp.map(|s| Mailer::new(&s.url, "Attune <noreply@acme.test>").unwrap());
    Worker::new(
        app.store.clone() as Arc<dyn Store>,
        WorkerConfig {
            mailer,
            signing_key: Arc::from(b"test-key".to_vec()),
            sealer: app.sealer.clone(),
            public_url: "https://attune.acme.test".into(),
            webhook_allow_internal: true,
        },
    )
    .unwrap()
}

async fn user(app: &TestApp, email: &str, role: Role) -> String {
    app.store
        .create_user(&app.org_id, email, "x", role)
        .await
        .unwrap()
        .id
}

/// An account owned by `owner`, a detractor from its Urdu-speaking contact; returns the case.
async fn detractor_case(app: &TestApp, survey: &str, owner: &str) -> Value {
    app.store
        .upsert_account(
            &app.org_id,
            &AccountUpsert {
                external_id: "ACME-1".into(),
                name: "Acme Traders".into(),
                owner_user_id: Some(owner.to_owned()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = app
        .answer(
            survey,
            json!({"answers": {"nps": 3, "why": "ڈیلیوری میں بہت دیر ہوئی"},
                   "language": "ur",
                   "contact": {"email": "bilal@example.com", "name": "Bilal"},
                   "account": {"external_id": "ACME-1"}}),
        )
        .await;
    let (status, list) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/cases?response={}", r["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    list["items"][0].clone()
}

fn ms(rfc3339: &Value) -> i64 {
    attune_domain::period::parse_instant("t", rfc3339.as_str().unwrap()).unwrap()
}

async fn a_detractor_opens_a_case_owned_by_the_account_owner(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = user(&app, "owner@acme.test", Role::Member).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let case = detractor_case(&app, &survey, &owner).await;
    assert_eq!(case["owner"], json!(owner));
    assert_eq!(case["state"], "open");
    assert_eq!(case["breached"], false);
    let due = ms(&case["first_response_due_at"]);
    assert!(
        due <= NOW_MS + 24 * H,
        "first response due {due} > 24 h after the response"
    );
    assert!(due > NOW_MS);
    // A promoter and a passive open nothing.
    for score in [9, 7] {
        app.answer(&survey, json!({"answers": {"nps": score}}))
            .await;
    }
    let (_, all) = app.get(&app.admin_token, "/api/v1/cases").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    // The feed shows the case's state and owner beside the response.
    let (_, feed) = app
        .get(&app.admin_token, "/api/v1/feedback?band=detractor")
        .await;
    assert_eq!(feed["items"][0]["case"]["state"], "open");
    assert_eq!(feed["items"][0]["case"]["owner_email"], "owner@acme.test");
    // The timeline starts with the opening.
    let (_, detail) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(detail["timeline"][0]["kind"], "opened");
    assert_eq!(detail["response"]["answers"]["nps"], 3);
}

async fn kinds(app: &TestApp, case_id: &str) -> Vec<String> {
    app.store
        .case_events(&app.org_id, case_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| match e.detail.get("deadline").and_then(Value::as_str) {
            Some(d) => format!("{}:{d}", e.kind),
            None => e.kind.to_string(),
        })
        .collect()
}

async fn moving_the_clock_warns_then_escalates_exactly_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = user(&app, "owner@acme.test", Role::Member).await;
    let admin = user(&app, "boss@acme.test", Role::Admin).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let case = detractor_case(&app, &survey, &owner).await;
    let id = case["id"].as_str().unwrap();
    let smtp = SmtpSink::start().await;
    let w = worker(&app, Some(&smtp)).await;
    // 17 h in: nothing yet (the warning falls at 75 % of 24 h = 18 h).
    w.run_once(NOW_MS + 17 * H).await.unwrap();
    assert_eq!(kinds(&app, id).await, ["opened"]);
    // 18 h: the owner is warned, once, however often the worker runs.
    for _ in 0..3 {
        w.run_once(NOW_MS + 18 * H).await.unwrap();
    }
    assert_eq!(kinds(&app, id).await, ["opened", "warned:first_response"]);
    // 24 h: breach, escalated to the admin (no team lead), once.
    for _ in 0..3 {
        w.run_once(NOW_MS + 24 * H).await.unwrap();
    }
    assert_eq!(
        kinds(&app, id).await,
        [
            "opened",
            "warned:first_response",
            "breached:first_response",
            "escalated:first_response"
        ]
    );
    let c = app.store.case(&app.org_id, id).await.unwrap();
    assert!(c.breached);
    assert_eq!(c.escalated_to.as_deref(), Some(admin.as_str()));
    // The warning went to the owner, the escalation to the admin and the owner.
    let mails = smtp.decoded();
    let to: Vec<&str> = mails.iter().map(|(to, _, _)| to.as_str()).collect();
    assert_eq!(
        to,
        ["owner@acme.test", "boss@acme.test", "owner@acme.test"],
        "{mails:?}"
    );
    assert!(mails[0].1.starts_with("Due soon"), "{mails:?}");
    assert!(mails[1].1.starts_with("Escalated"));
    // The case shows as breached (and overdue, on the server's clock) in the API.
    app.clock.set(NOW_MS + 25 * H);
    let (_, list) = app
        .get(&app.admin_token, "/api/v1/cases?breached=true")
        .await;
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["overdue"], true);
}

async fn two_worker_processes_racing_record_each_milestone_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    user(&app, "boss@acme.test", Role::Admin).await;
    let survey = app.nps_survey(&app.admin_token).await;
    for i in 0..12 {
        app.answer(&survey, json!({"answers": {"nps": i % 7}}))
            .await;
    }
    let run = |at: i64| {
        let url = app.db_url.clone();
        let key_file = app.config.secret_key_file.clone();
        async move {
            let t = attune_domain::period::format_ms(at);
            let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_attune"))
                .args(["jobs", "run-once", "--now", &t])
                .env("ATTUNE_DB", &url)
                .envs(key_file.iter().map(|k| ("ATTUNE_SECRET_KEY_FILE", k)))
                .env("ATTUNE_LOG", "warn")
                .output()
                .await
                .expect("run attune jobs run-once");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        }
    };
    for at in [
        NOW_MS + 18 * H,
        NOW_MS + 24 * H,
        NOW_MS + 60 * H,
        NOW_MS + 80 * H,
    ] {
        let (a, b) = tokio::join!(run(at), run(at));
        assert!(a.contains("done") && b.contains("done"), "{a} {b}");
    }
    let cases = app
        .store
        .cases(
            &app.org_id,
            &attune_storage::model::CaseQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(cases.len(), 12);
    for c in cases {
        let k = kinds(&app, &c.id).await;
        for milestone in [
            "warned:first_response",
            "breached:first_response",
            "escalated:first_response",
            "warned:resolution",
            "breached:resolution",
        ] {
            assert_eq!(
                k.iter().filter(|x| *x == milestone).count(),
                1,
                "{milestone} in {k:?}"
            );
        }
    }
}

/// Records webhook deliveries: (headers we check, body).
async fn webhook_receiver() -> (String, Arc<Mutex<Vec<(String, String, Vec<u8>)>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let s = s.clone();
                async move {
                    let h = |n: &str| {
                        headers
                            .get(n)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_owned()
                    };
                    s.lock().unwrap().push((
                        h("attune-event"),
                        h("attune-signature"),
                        body.to_vec(),
                    ));
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

async fn resolving_needs_a_root_cause_and_tells_the_customer_in_their_language(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = user(&app, "owner@acme.test", Role::Member).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let (hook_url, seen) = webhook_receiver().await;
    let (status, hook) = app
        .post(&app.admin_token, "/api/v1/webhooks",
              &json!({"url": hook_url, "events": ["case.opened", "case.resolved", "response.created"]}))
        .await;
    assert_eq!(status, 201, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let case = detractor_case(&app, &survey, &owner).await;
    let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    resolving_without_what_it_needs_is_refused(&app, &path).await;
    app.clock.set(NOW_MS + 2 * H);
    let (status, done) = app
        .patch(
            &app.admin_token,
            &path,
            &json!({
            "state": "resolved", "root_cause": "delivery or service delay",
            "resolution": "ہم نے آپ کا آرڈر اسی دن دوبارہ بھیج دیا", "resurvey": true}),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"], "resolved");
    let timeline: Vec<&str> = done["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        timeline,
        [
            "opened",
            "root_cause",
            "resolution",
            "state",
            "first_response"
        ]
    );
    let smtp = SmtpSink::start().await;
    let w = worker(&app, Some(&smtp)).await;
    w.run_once(NOW_MS + 2 * H).await.unwrap();
    let mails = smtp.decoded();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let (to, subject, body) = &mails[0];
    assert_eq!(to, "bilal@example.com");
    // Urdu: the built-in template's words, the customer's comment and what was done.
    assert_eq!(subject, "ہم نے آپ کی رائے پر عمل کیا ہے");
    assert!(
        body.contains("آپ نے ہمیں بتایا") && body.contains("ڈیلیوری میں بہت دیر ہوئی"),
        "{body}"
    );
    assert!(body.contains("ہم نے آپ کا آرڈر اسی دن دوبارہ بھیج دیا"));
    assert!(
        body.contains("https://attune.acme.test/s/"),
        "re-survey link: {body}"
    );
    let c = app
        .store
        .case(&app.org_id, case["id"].as_str().unwrap())
        .await
        .unwrap();
    assert!(c.resurvey_invitation_id.is_some());
    // The link, signed when the e-mail was sent, opens that invitation.
    let t = body
        .split("?t=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .unwrap_or("");
    assert_eq!(
        attune_web::auth::verify_invitation(b"test-key", t),
        c.resurvey_invitation_id
    );
    let got = seen.lock().unwrap().clone();
    webhooks_were_sent_signed(&app, &got, &secret, &hook).await;
}

/// Resolving without a root cause, with one outside the taxonomy, or as a viewer is refused.
async fn resolving_without_what_it_needs_is_refused(app: &TestApp, path: &str) {
    // Without a root cause: 422 naming the field.
    let (status, err) = app
        .patch(
            &app.admin_token,
            path,
            &json!({"state": "resolved", "resolution": "Refunded"}),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error"]["fields"][0]["field"], "root_cause");
    // A root cause outside the taxonomy is refused too.
    let (status, _) = app
        .patch(
            &app.admin_token,
            path,
            &json!({"state": "resolved", "root_cause": "gremlins", "resolution": "Refunded"}),
        )
        .await;
    assert_eq!(status, 422);
    // Viewers cannot change cases.
    let (status, _) = app
        .patch(&app.viewer_token, path, &json!({"state": "in_progress"}))
        .await;
    assert_eq!(status, 403);
}

/// Webhooks: response.created, case.opened and case.resolved, each correctly signed, and
/// the delivery log records each attempt.
async fn webhooks_were_sent_signed(
    app: &TestApp,
    got: &[(String, String, Vec<u8>)],
    secret: &str,
    hook: &Value,
) {
    let events: Vec<&str> = got.iter().map(|(e, _, _)| e.as_str()).collect();
    assert_eq!(events, ["response.created", "case.opened", "case.resolved"]);
    for (_, sig, body) in got {
        assert!(
            verify(secret, sig, body, (NOW_MS + 2 * H) / 1000, 300),
            "bad signature {sig}"
        );
        assert!(!verify(
            "whsec_wrong",
            sig,
            body,
            (NOW_MS + 2 * H) / 1000,
            300
        ));
    }
    let resolved: Value = serde_json::from_slice(&got[2].2).unwrap();
    assert_eq!(resolved["data"]["root_cause"], "delivery or service delay");
    // The delivery log records each attempt.
    let (_, log) = app
        .get(
            &app.admin_token,
            &format!(
                "/api/v1/webhooks/{}/deliveries",
                hook["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(log["items"].as_array().unwrap().len(), 3);
    assert_eq!(log["items"][0]["status_code"], 200);
}

async fn importing_twice_opens_no_second_case(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    user(&app, "agent@acme.test", Role::Member).await;
    let survey_id = app.nps_survey(&app.admin_token).await;
    let survey = app.store.survey(&app.org_id, &survey_id).await.unwrap();
    let rows = nps_rows(
        &survey,
        (0..40).map(|i| {
            json!({
                "answers": {"nps": i % 11, "why": format!("comment {i}")},
                "external_id": format!("ext-{i}"),
                "submitted_at": "2026-11-20T10:00:00Z"
            })
        }),
    );
    let detractors = (0..40).filter(|i| i % 11 <= 6).count();
    for _ in 0..2 {
        app.store
            .import_responses(&app.org_id, &survey, &rows, NOW_MS, &|_| {})
            .await
            .unwrap();
    }
    let (_, list) = app.get(&app.admin_token, "/api/v1/cases?limit=200").await;
    assert_eq!(list["items"].as_array().unwrap().len(), detractors);
    // Paging by deadline visits every case once.
    let mut seen = std::collections::HashSet::new();
    let mut path = "/api/v1/cases?limit=7".to_owned();
    loop {
        let (status, page) = app.get(&app.admin_token, &path).await;
        assert_eq!(status, 200, "{page}");
        for c in page["items"].as_array().unwrap() {
            assert!(seen.insert(c["id"].as_str().unwrap().to_owned()));
        }
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/cases?limit=7&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), detractors);
    let (status, _) = app
        .get(&app.admin_token, "/api/v1/cases?cursor=bm9wZQ")
        .await;
    assert_eq!(status, 422);
    // Retrying one API submission with the same response id is refused and opens nothing.
    let body = json!({"answers": {"nps": 1}, "external_id": "api-1"});
    app.answer(&survey_id, body.clone()).await;
    let (status, _) = app
        .post(
            &app.admin_token,
            &format!("/api/v1/surveys/{survey_id}/responses"),
            &body,
        )
        .await;
    assert_eq!(status, 409);
    let (_, list) = app.get(&app.admin_token, "/api/v1/cases?limit=200").await;
    assert_eq!(list["items"].as_array().unwrap().len(), detractors + 1);
}

async fn waiting_on_the_customer_pauses_the_clock(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = user(&app, "owner@acme.test", Role::Member).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let case = detractor_case(&app, &survey, &owner).await;
    let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    let due = ms(&case["resolution_due_at"]);
    app.clock.set(NOW_MS + 2 * H);
    let (s, _) = app
        .patch(&app.admin_token, &path, &json!({"state": "waiting"}))
        .await;
    assert_eq!(s, 200);
    // While paused the worker records nothing, even past the old deadlines.
    let w = worker(&app, None).await;
    w.run_once(NOW_MS + 7 * H).await.unwrap();
    app.clock.set(NOW_MS + 7 * H);
    let (s, c) = app
        .patch(&app.admin_token, &path, &json!({"state": "in_progress"}))
        .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(ms(&c["resolution_due_at"]), due + 5 * H);
    // Not allowed: closing an in-progress case straight away.
    let (s, e) = app
        .patch(&app.admin_token, &path, &json!({"state": "closed"}))
        .await;
    assert_eq!(s, 422, "{e}");
}

async fn teams_share_cases_round_robin_and_rules_are_editable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = user(&app, "a@acme.test", Role::Member).await;
    let b = user(&app, "b@acme.test", Role::Member).await;
    let (s, team) = app
        .post(&app.admin_token, "/api/v1/teams",
              &json!({"name": "Care", "lead": "b@acme.test", "members": ["a@acme.test", "b@acme.test"]}))
        .await;
    assert_eq!(s, 201, "{team}");
    let (_, rules) = app.get(&app.admin_token, "/api/v1/rules").await;
    assert_eq!(
        rules["items"].as_array().unwrap().len(),
        2,
        "a new organisation has two rules"
    );
    // A rule for comments that mention cancelling, in English or Lao, routed to the team.
    let (s, rule) = app
        .post(
            &app.admin_token,
            "/api/v1/rules",
            &json!({
            "name": "Cancellation risk",
            "conditions": [{"type": "comment", "any": ["cancel", "ຍົກເລີກ"]}],
            "actions": {"priority": "urgent", "team_id": team["id"]}}),
        )
        .await;
    assert_eq!(s, 201, "{rule}");
    let survey = app.nps_survey(&app.admin_token).await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 9, "why": "Great, but I may CANCEL"}}),
    )
    .await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 10, "why": "ຂ້ອຍຢາກຍົກເລີກ"}}),
    )
    .await;
    app.answer(&survey, json!({"answers": {"nps": 10, "why": "all good"}}))
        .await;
    let (_, list) = app.get(&app.admin_token, "/api/v1/cases").await;
    let owners: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["owner"].as_str().unwrap())
        .collect();
    assert_eq!(owners.len(), 2);
    assert!(
        owners.contains(&a.as_str()) && owners.contains(&b.as_str()),
        "{owners:?}"
    );
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["priority"] == "urgent")
    );
    // Bad rules are refused with every reason.
    let (s, e) = app
        .post(&app.admin_token, "/api/v1/rules",
              &json!({"name": "", "conditions": [{"type": "comment", "any": []}], "actions": {"team_id": "nope"}}))
        .await;
    assert_eq!(s, 422, "{e}");
    // Disabling the detractor rule stops new cases.
    let det = rules["items"][0]["id"].as_str().unwrap();
    let (s, _) = app
        .client
        .put(app.url(&format!("/api/v1/rules/{det}")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"name": "Every NPS detractor", "enabled": false,
                      "conditions": [{"type": "band", "band": "detractor"}]}))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(s, 200);
    app.answer(&survey, json!({"answers": {"nps": 0}})).await;
    let (_, list) = app.get(&app.admin_token, "/api/v1/cases").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

/// Two overlapping rules: a detractor who mentions cancelling opens one case, led by the
/// urgent cancellation rule (its team and priority), linked to both; both rules still notify.
async fn one_response_opens_one_case_linked_to_every_rule_it_matches(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    user(&app, "a@acme.test", Role::Member).await;
    let (_, team) = app
        .post(
            &app.admin_token,
            "/api/v1/teams",
            &json!({"name": "Care", "lead": "a@acme.test", "members": ["a@acme.test"]}),
        )
        .await;
    let (_, rules) = app.get(&app.admin_token, "/api/v1/rules").await;
    let detractors = rules["items"][0]["id"].as_str().unwrap().to_owned();
    let (s, cancel) = app
        .post(
            &app.admin_token,
            "/api/v1/rules",
            &json!({"name": "Cancellation risk",
                    "conditions": [{"type": "comment", "any": ["cancel"]}],
                    "actions": {"priority": "urgent", "team_id": team["id"]}}),
        )
        .await;
    assert_eq!(s, 201, "{cancel}");
    let cancel = cancel["id"].as_str().unwrap().to_owned();
    let survey = app.nps_survey(&app.admin_token).await;
    let r = app
        .answer(
            &survey,
            json!({"answers": {"nps": 2, "why": "I will cancel"}}),
        )
        .await;
    let response = r["id"].as_str().unwrap();
    let (_, list) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/cases?response={response}"),
        )
        .await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one response, one case: {list}");
    let case = &items[0];
    assert_eq!(case["rule_id"], json!(cancel));
    assert_eq!(case["rule_ids"], json!([cancel, detractors]));
    assert_eq!(case["priority"], "urgent");
    assert_eq!(case["team_id"], team["id"]);
    let (_, detail) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/cases/{}", case["id"].as_str().unwrap()),
        )
        .await;
    let opened = &detail["timeline"][0];
    assert_eq!(opened["kind"], "opened");
    assert_eq!(
        opened["detail"]["rules"],
        json!(["Cancellation risk", rules["items"][0]["name"]])
    );
    // A detractor who does not mention it is the detractor rule's alone.
    let r = app.answer(&survey, json!({"answers": {"nps": 1}})).await;
    let (_, list) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/cases?response={}", r["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(list["items"][0]["rule_ids"], json!([detractors]), "{list}");
    let (_, detail) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/cases/{}", list["items"][0]["id"].as_str().unwrap()),
        )
        .await;
    assert!(
        detail["timeline"][0]["detail"].get("rules").is_none(),
        "{detail}"
    );
}

async fn another_organisation_sees_none_of_the_cases(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = user(&app, "owner@acme.test", Role::Member).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let case = detractor_case(&app, &survey, &owner).await;
    let (_, other) = app.other_org("Rival").await;
    let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    assert_eq!(app.get(&other, &path).await.0, 404);
    assert_eq!(
        app.patch(&other, &path, &json!({"state": "in_progress"}))
            .await
            .0,
        404
    );
    assert_eq!(
        app.post(&other, &format!("{path}/notes"), &json!({"text": "hi"}))
            .await
            .0,
        404
    );
    let (_, list) = app.get(&other, "/api/v1/cases").await;
    assert_eq!(list["items"], json!([]));
    let (_, m) = app.get(&other, "/api/v1/loop/metrics").await;
    assert_eq!(m["cases"], 0);
    // The same at the storage boundary: another organisation's id finds nothing and changes
    // nothing, whatever the caller passes.
    let (other_org, _) = app.other_org("Rival 2").await;
    let id = case["id"].as_str().unwrap();
    let s = &app.store;
    assert!(matches!(
        s.case(&other_org, id).await,
        Err(attune_storage::StoreError::NotFound)
    ));
    assert!(s.case_events(&other_org, id).await.unwrap().is_empty());
    let patch = attune_domain::closed_loop::case::CasePatch {
        state: Some(attune_domain::closed_loop::case::CaseState::InProgress),
        ..Default::default()
    };
    assert!(matches!(
        s.update_case(&other_org, id, None, &patch, NOW_MS).await,
        Err(attune_storage::StoreError::NotFound)
    ));
    assert!(matches!(
        s.add_case_note(&other_org, id, "x", "hi", NOW_MS).await,
        Err(attune_storage::StoreError::NotFound)
    ));
    let step = s.sla_step(&other_org, id, NOW_MS + 100 * H).await.unwrap();
    assert!(step.recorded.is_empty() && step.next_check.is_none());
    assert_eq!(
        kinds(&app, id).await,
        ["opened"],
        "nothing happened to the case"
    );
    assert!(
        s.loop_cases(&other_org, 0, i64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn loop_metrics_follow_the_cases(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = user(&app, "owner@acme.test", Role::Member).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let case = detractor_case(&app, &survey, &owner).await;
    let path = format!("/api/v1/cases/{}", case["id"].as_str().unwrap());
    app.clock.set(NOW_MS + 3 * H);
    let (s, _) = app
        .post(
            &app.admin_token,
            &format!("{path}/notes"),
            &json!({"text": "Called Bilal"}),
        )
        .await;
    assert_eq!(s, 201);
    app.clock.set(NOW_MS + 5 * H);
    app.patch(
        &app.admin_token,
        &path,
        &json!({"state": "resolved", "root_cause": "pricing", "resolution": "Discount"}),
    )
    .await;
    let (_, m) = app.get(&app.admin_token, "/api/v1/loop/metrics").await;
    assert_eq!(m["cases"], 1, "{m}");
    assert_eq!(m["first_response_within_deadline"]["count"], 1);
    assert_eq!(m["median_first_response_ms"], 3 * H);
    assert_eq!(m["median_resolution_ms"], 5 * H);
    assert_eq!(m["root_causes"][0]["root_cause"], "pricing");
}

on_both_backends!(
    a_detractor_opens_a_case_owned_by_the_account_owner,
    moving_the_clock_warns_then_escalates_exactly_once,
    two_worker_processes_racing_record_each_milestone_once,
    resolving_needs_a_root_cause_and_tells_the_customer_in_their_language,
    importing_twice_opens_no_second_case,
    waiting_on_the_customer_pauses_the_clock,
    teams_share_cases_round_robin_and_rules_are_editable,
    one_response_opens_one_case_linked_to_every_rule_it_matches,
    another_organisation_sees_none_of_the_cases,
    loop_metrics_follow_the_cases,
    old_feedback_opens_no_case_unless_the_window_allows,
);

fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

async fn the_pages_work_the_queue_and_escape_customer_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cookie = crate::pages::login(&app).await;
    let lead = app
        .store
        .user_for_login("lead@acme.example")
        .await
        .unwrap()
        .0
        .id;
    app.store
        .upsert_account(
            &app.org_id,
            &AccountUpsert {
                external_id: "X-1".into(),
                name: "<b>Evil</b> Corp".into(),
                owner_user_id: Some(lead.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let survey = app.nps_survey(&app.admin_token).await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 2, "why": "<script>alert(1)</script> سروس سست ہے"},
                                "account": {"external_id": "X-1"}}),
    )
    .await;
    let page = |path: &str| {
        let req = app.client.get(app.url(path)).header("cookie", &cookie);
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (status, queue) = page("/cases").await;
    assert_eq!(status, 200);
    assert!(
        queue.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{queue}"
    );
    assert!(!queue.contains("<script>alert(1)"));
    let id = {
        let at = queue.find("href=\"/cases/").unwrap() + 13;
        queue[at..].split('"').next().unwrap().to_owned()
    };
    let (status, detail) = page(&format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    assert!(detail.contains("&#60;b&#62;Evil&#60;/b&#62; Corp"));
    let csrf = csrf_of(&detail);
    let post = |form: Vec<(&'static str, String)>| {
        let req = app
            .client
            .post(app.url(&format!("/cases/{id}")))
            .header("cookie", &cookie)
            .form(&form);
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap_or_default())
        }
    };
    // A forged form is refused.
    let (status, _) = post(vec![
        ("csrf", "forged".into()),
        ("action", "note".into()),
        ("note", "x".into()),
    ])
    .await;
    assert_eq!(status, 403);
    // Resolving without a root cause shows the problem on the page.
    let (status, html) = post(vec![
        ("csrf", csrf.clone()),
        ("action", "update".into()),
        ("state", "resolved".into()),
        ("resolution", "Called and fixed".into()),
    ])
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("a root cause is required"), "{html}");
    let (status, _) = post(vec![
        ("csrf", csrf.clone()),
        ("action", "note".into()),
        ("note", "Called the customer".into()),
    ])
    .await;
    assert_eq!(status, 303);
    let (status, _) = post(vec![
        ("csrf", csrf.clone()),
        ("action", "update".into()),
        ("state", "resolved".into()),
        ("root_cause", "staff behaviour".into()),
        ("resolution", "Apologised and coached the team".into()),
    ])
    .await;
    assert_eq!(status, 303);
    let (_, detail) = page(&format!("/cases/{id}")).await;
    assert!(detail.contains("id=\"case-state\">resolved<"), "{detail}");
    assert!(detail.contains("Called the customer"));
    the_feed_loop_and_settings_pages_follow(&app, &cookie, &id).await;
}

/// The feed shows the case and its owner; the loop and settings pages render and save.
async fn the_feed_loop_and_settings_pages_follow(app: &TestApp, cookie: &str, id: &str) {
    let page = |path: &str| {
        let req = app.client.get(app.url(path)).header("cookie", cookie);
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (_, feed) = page("/feedback").await;
    assert!(feed.contains(&format!("href=\"/cases/{id}\"")) && feed.contains("lead@acme.example"));
    let (status, lp) = page("/loop").await;
    assert_eq!(status, 200);
    assert!(lp.contains("staff behaviour"));
    let (status, settings) = page("/settings/loop").await;
    assert_eq!(status, 200);
    assert!(settings.contains("Every NPS detractor"));
    let res = app
        .client
        .post(app.url("/settings/loop"))
        .header("cookie", cookie)
        .form(&[
            ("csrf", csrf_of(&settings).as_str()),
            ("action", "add_rule"),
            ("name", "ਰੱਦ ਕਰਨਾ"),
            ("kind", "comment"),
            ("value", "cancel, ਰੱਦ"),
            ("priority", "high"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let (_, settings) = page("/settings/loop").await;
    assert!(settings.contains("ਰੱਦ ਕਰਨਾ") && settings.contains("comment mentions cancel / ਰੱਦ"));
    // The window for old feedback: a bad value is shown back naming the field, a good one saved.
    for (value, status) in [("soon", 200), ("30", 303)] {
        let res = app
            .client
            .post(app.url("/settings/loop"))
            .header("cookie", cookie)
            .form(&[
                ("csrf", csrf_of(&settings).as_str()),
                ("action", "window"),
                ("case_window_days", value),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), status, "{value}");
        if status == 200 {
            assert!(
                res.text()
                    .await
                    .unwrap()
                    .contains("case_window_days: must be a number of days")
            );
        }
    }
    assert_eq!(
        app.store
            .loop_settings(&app.org_id)
            .await
            .unwrap()
            .case_window_days,
        30
    );
}

on_both_backends!(the_pages_work_the_queue_and_escape_customer_text);

async fn the_daily_digest_shares_good_and_bad_news(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = user(&app, "owner@acme.test", Role::Member).await;
    let (s, _) = app
        .client
        .put(app.url("/api/v1/loop/settings"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"digest_emails": ["everyone@acme.test"], "digest_hour": 18}))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(s, 200);
    let survey = app.nps_survey(&app.admin_token).await;
    detractor_case(&app, &survey, &owner).await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 10, "why": "ਬਹੁਤ ਵਧੀਆ ਸੇਵਾ"}}),
    )
    .await;
    let smtp = SmtpSink::start().await;
    let w = worker(&app, Some(&smtp)).await;
    // NOW is 12:00 UTC: the digest is due at 18:00 and covers the 24 hours before.
    w.run_once(NOW_MS).await.unwrap();
    assert!(
        smtp.decoded()
            .iter()
            .all(|(to, _, _)| to != "everyone@acme.test")
    );
    let report = w.run_once(NOW_MS + 6 * H).await.unwrap();
    assert_eq!(report.done.get("digest"), Some(&1), "{report:?}");
    let digests: Vec<_> = smtp
        .decoded()
        .into_iter()
        .filter(|(to, _, _)| to == "everyone@acme.test")
        .collect();
    assert_eq!(digests.len(), 1);
    let body = &digests[0].2;
    assert!(body.contains("1 opened, 0 resolved, 0 breached"), "{body}");
    assert!(
        body.contains("ਬਹੁਤ ਵਧੀਆ ਸੇਵਾ") && body.contains("ڈیلیوری میں بہت دیر ہوئی"),
        "{body}"
    );
    // Running again the same day sends nothing more.
    w.run_once(NOW_MS + 7 * H).await.unwrap();
    let again = smtp
        .decoded()
        .into_iter()
        .filter(|(to, _, _)| to == "everyone@acme.test")
        .count();
    assert_eq!(again, 1); // Finished jobs are kept 30 days, then purged; the queue does not grow without end.
    let done_before = app.store.list_jobs(Some("done"), 1000).await.unwrap().len();
    assert!(done_before > 0);
    let later = w.run_once(NOW_MS + 40 * 24 * H).await.unwrap();
    assert_eq!(later.purged as usize, done_before, "{later:?}");
}

async fn a_business_hours_policy_and_a_resurvey_that_recovers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = user(&app, "owner@acme.test", Role::Member).await;
    let (s, policy) = app
        .post(&app.admin_token, "/api/v1/sla-policies", &json!({
            "name": "Office hours", "first_response_minutes": 480, "resolution_minutes": 960,
            "is_default": true,
            "business_hours": {"utc_offset_minutes": 0,
                "days": {"mon": ["09:00", "17:00"], "tue": ["09:00", "17:00"], "wed": ["09:00", "17:00"],
                         "thu": ["09:00", "17:00"], "fri": ["09:00", "17:00"]}}}))
        .await;
    assert_eq!(s, 201, "{policy}");
    let survey = app.nps_survey(&app.admin_token).await;
    // One answer per respondent does not refuse the re-survey the case sends.
    let res = app
        .client
        .put(app.url(&format!("/api/v1/surveys/{survey}/access")))
        .bearer_auth(&app.admin_token)
        .json(&json!({"mode": "one_per_respondent"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // NOW is Monday 2026-11-23 12:00 UTC: 5 working hours today, 3 on Tuesday → Tue 12:00.
    let case = detractor_case(&app, &survey, &owner).await;
    assert_eq!(case["first_response_due_at"], "2026-11-24T12:00:00Z");
    assert_eq!(case["sla"]["name"], "Office hours");
    let id = case["id"].as_str().unwrap().to_owned();
    app.patch(
        &app.admin_token,
        &format!("/api/v1/cases/{id}"),
        &json!({
        "state": "resolved", "root_cause": "delivery or service delay",
        "resolution": "Re-sent the order", "resurvey": true}),
    )
    .await;
    let w = worker(&app, None).await;
    w.run_once(NOW_MS).await.unwrap();
    let c = app.store.case(&app.org_id, &id).await.unwrap();
    let inv = c
        .resurvey_invitation_id
        .clone()
        .expect("a re-survey invitation");
    // The queued e-mail holds no signed link (a credential): it is made when the mail is sent.
    let token = attune_web::auth::sign_invitation(b"test-key", &inv);
    let payloads: Vec<String> = sqlx::query("SELECT payload FROM jobs WHERE kind = 'email'")
        .fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| sqlx::Row::try_get(r, 0).unwrap())
        .collect();
    assert!(
        payloads
            .iter()
            .any(|p| p.contains("resurvey_link") || p.contains(&token)),
        "{payloads:?}"
    );
    assert!(payloads.iter().all(|p| !p.contains(&token)), "{payloads:?}");
    // The customer answers the re-survey, happier: the case records it and recovery counts it.
    let s = app.store.survey(&app.org_id, &survey).await.unwrap();
    let input: attune_domain::response::ResponseInput =
        serde_json::from_value(json!({"answers": {"nps": 9}})).unwrap();
    let r = attune_domain::response::NewResponse::parse(
        &s.definition,
        input,
        attune_domain::response::Channel::Email,
        NOW_MS + H,
    )
    .unwrap();
    let stored = app
        .store
        .insert_response(&app.org_id, &s, &r, Some(&inv), NOW_MS + H)
        .await
        .unwrap();
    let c = app.store.case(&app.org_id, &id).await.unwrap();
    assert_eq!(c.resurvey_response_id.as_deref(), Some(stored.id.as_str()));
    let (_, m) = app.get(&app.admin_token, "/api/v1/loop/metrics").await;
    assert_eq!(
        (m["recovery"]["count"].clone(), m["recovery"]["of"].clone()),
        (json!(1), json!(1)),
        "{m}"
    );
}

async fn webhooks_cannot_reach_the_servers_own_network_by_default(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.webhook_allow_internal = false).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://10.0.0.7/x",
        // The security review's bypass: WHATWG URL parsing reads `\` as `/`, so the host the
        // client connects to is 127.0.0.1, not 8.8.8.8.
        "http://127.0.0.1:18999\\@8.8.8.8/x",
        "http://2130706433/x",
        "http://0x7f.1/x",
        "http://[::ffff:7f00:1]/x",
        "http://198.18.0.1/x",
    ] {
        let (s, e) = app
            .post(
                &app.admin_token,
                "/api/v1/webhooks",
                &json!({"url": url, "events": ["*"]}),
            )
            .await;
        assert_eq!(s, 422, "{url}: {e}");
        assert_eq!(e["error"]["fields"][0]["field"], "url");
    }
    let (s, _) = app
        .post(
            &app.admin_token,
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example.com/attune", "events": ["case.opened"]}),
        )
        .await;
    assert_eq!(s, 201);
    // Webhooks stored while internal addresses were allowed (or by an older version whose
    // guard read the bypass URL's host as 8.8.8.8) are refused at delivery when they no longer
    // are: the job ends with the reason, and the receiver listening there hears nothing.
    let (hook_url, seen) = webhook_receiver().await;
    let port = hook_url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/hook");
    for url in [
        hook_url.clone(),
        format!("http://127.0.0.1:{port}\\@8.8.8.8/hook"),
        format!("http://2130706433:{port}/hook"),
        format!("http://localhost:{port}/hook"),
    ] {
        app.store
            .create_webhook(
                &app.org_id,
                &url,
                "whsec_x",
                &["case.opened".into()],
                NOW_MS,
            )
            .await
            .unwrap();
    }
    let survey = app.nps_survey(&app.admin_token).await;
    app.answer(&survey, json!({"answers": {"nps": 1}})).await;
    let w = Worker::new(
        app.store.clone() as Arc<dyn Store>,
        WorkerConfig {
            mailer: None,
            signing_key: Arc::from(b"k".to_vec()),
            sealer: app.sealer.clone(),
            public_url: "https://attune.acme.test".into(),
            webhook_allow_internal: false,
        },
    )
    .unwrap();
    let report = w.run_once(NOW_MS).await.unwrap();
    let refused = report
        .errors
        .iter()
        .filter(|(e, _)| e.contains("inside this server's network"))
        .map(|(_, n)| *n)
        .sum::<u64>();
    assert_eq!(refused, 4, "{report:?}");
    assert!(
        seen.lock().unwrap().is_empty(),
        "an internal receiver was called"
    );
}

on_both_backends!(
    webhooks_cannot_reach_the_servers_own_network_by_default,
    the_daily_digest_shares_good_and_bad_news,
    a_business_hours_policy_and_a_resurvey_that_recovers,
);

/// Responses as an import would parse them.
fn nps_rows(
    survey: &attune_storage::model::Survey,
    inputs: impl Iterator<Item = Value>,
) -> Vec<attune_domain::response::NewResponse> {
    inputs
        .map(|input| {
            attune_domain::response::NewResponse::parse(
                &survey.definition,
                serde_json::from_value(input).unwrap(),
                attune_domain::response::Channel::Import,
                NOW_MS,
            )
            .unwrap()
        })
        .collect()
}

/// Imports one detractor per submission time, each with its own response id.
async fn import_detractors(app: &TestApp, survey_id: &str, tag: &str, submitted: &[&str]) {
    let survey = app.store.survey(&app.org_id, survey_id).await.unwrap();
    let rows = nps_rows(
        &survey,
        submitted.iter().enumerate().map(|(i, at)| {
            json!({
                "answers": {"nps": 2, "why": "ਬਹੁਤ ਹੌਲੀ"},
                "external_id": format!("{tag}-{i}"),
                "submitted_at": at
            })
        }),
    );
    app.store
        .import_responses(&app.org_id, &survey, &rows, NOW_MS, &|_| {})
        .await
        .unwrap();
}

async fn old_feedback_opens_no_case_unless_the_window_allows(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let survey_id = app.nps_survey(&app.admin_token).await;
    let (_, settings) = app.get(&app.viewer_token, "/api/v1/loop/settings").await;
    assert_eq!(settings["case_window_days"], 7, "the default window");

    // The clock reads 2026-11-23 12:00: a year-old, a 30-day-old and an 8-day-old detractor
    // are history; 6 days old and this morning's are customers waiting for an answer.
    let when = [
        "2025-11-23T12:00:00Z",
        "2026-10-24T12:00:00Z",
        "2026-11-15T11:59:00Z",
        "2026-11-17T12:00:00Z",
        "2026-11-23T08:00:00Z",
    ];
    import_detractors(&app, &survey_id, "first", &when).await;
    let (_, cases) = app.get(&app.admin_token, "/api/v1/cases?limit=50").await;
    assert_eq!(cases["items"].as_array().unwrap().len(), 2, "{cases}");
    // Every response still counts in the metrics.
    let (_, nps) = app
        .get(
            &app.viewer_token,
            &format!("/api/v1/metrics/nps?survey_id={survey_id}&from=2025-01-01&to=2026-12-01"),
        )
        .await;
    assert_eq!(nps["detractors"], 5, "{nps}");

    // Bad windows are refused, naming the field; a window of 0 acts on feedback of any age.
    for bad in [json!(-1), json!(3651)] {
        let (status, body) = app
            .client
            .put(app.url("/api/v1/loop/settings"))
            .bearer_auth(&app.admin_token)
            .json(&json!({"digest_emails": [], "digest_hour": 8, "case_window_days": bad}))
            .send()
            .await
            .map(|r| (r.status().as_u16(), r))
            .unwrap();
        assert_eq!(status, 422);
        let body: Value = body.json().await.unwrap();
        assert_eq!(body["error"]["fields"][0]["field"], "case_window_days");
    }
    let res = app
        .client
        .put(app.url("/api/v1/loop/settings"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"digest_emails": [], "digest_hour": 8, "case_window_days": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    import_detractors(&app, &survey_id, "second", &when).await;
    let (_, cases) = app.get(&app.admin_token, "/api/v1/cases?limit=50").await;
    assert_eq!(cases["items"].as_array().unwrap().len(), 2 + when.len());
    // Leaving the window out of a later PUT keeps it.
    let res = app
        .client
        .put(app.url("/api/v1/loop/settings"))
        .bearer_auth(&app.admin_token)
        .json(&json!({"digest_emails": [], "digest_hour": 9}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, settings) = app.get(&app.viewer_token, "/api/v1/loop/settings").await;
    assert_eq!(
        (
            settings["case_window_days"].clone(),
            settings["digest_hour"].clone()
        ),
        (json!(0), json!(9))
    );
}

on_both_backends!(a_customer_who_opted_out_of_email_gets_no_resolution_message);

/// The resolution message checks the person's contact rules: an opt-out of e-mail sends
/// nothing; without it the message is queued.
async fn a_customer_who_opted_out_of_email_gets_no_resolution_message(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let owner = user(&app, "owner@acme.test", Role::Member).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let case = detractor_case(&app, &survey, &owner).await;
    let (s, b) = app
        .post(&app.admin_token, "/api/v1/people",
              &json!({"email": "bilal@example.com", "name": "Bilal",
                      "contact": {"opt_outs": [{"channel": "email", "at": "2026-11-20", "how": "asked on a call"}]}}))
        .await;
    assert_eq!(s, 201, "{b}");
    let id = case["id"].as_str().unwrap().to_owned();
    app.patch(&app.admin_token, &format!("/api/v1/cases/{id}"),
              &json!({"state": "resolved", "root_cause": "delivery or service delay", "resolution": "Re-sent the order"}))
        .await;
    let w = worker(&app, None).await;
    w.run_once(NOW_MS).await.unwrap();
    let emails = || async {
        sqlx::query("SELECT payload FROM jobs WHERE kind = 'email'")
            .fetch_all(app.store.pool())
            .await
            .unwrap()
            .len()
    };
    assert_eq!(
        emails().await,
        0,
        "no message to someone who opted out of e-mail"
    );
    // The same without the opt-out: the message is queued.
    let (s, _) = app
        .post(
            &app.admin_token,
            "/api/v1/people",
            &json!({"email": "bilal@example.com", "name": "Bilal", "contact": {"opt_outs": []}}),
        )
        .await;
    assert_eq!(s, 201);
    let second = detractor_case(&app, &survey, &owner).await;
    let id = second["id"].as_str().unwrap().to_owned();
    app.patch(&app.admin_token, &format!("/api/v1/cases/{id}"),
              &json!({"state": "resolved", "root_cause": "delivery or service delay", "resolution": "Refunded"}))
        .await;
    w.run_once(NOW_MS + 1).await.unwrap();
    assert_eq!(emails().await, 1);
}
