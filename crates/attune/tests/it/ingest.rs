//! The write path under concurrency: submissions wait for the writer and are written in groups
//! (group commit). Each acknowledged response is stored exactly once, with its aggregates and
//! cases; a faulty one in a group fails alone; past the queue a clear 503; a `kill -9` under
//! load loses nothing acknowledged; several instances on one database store each answer once.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, org_count};
use crate::on_both_backends;

on_both_backends!(
    concurrent_submissions_are_each_stored_once_with_their_aggregates_and_cases,
    a_full_queue_answers_503_and_keeps_what_the_respondent_typed,
    acknowledged_responses_survive_kill_9_under_load,
);

/// Counts of what the database holds for an organisation: responses, distinct external ids,
/// cases, and the NPS answers the daily aggregate counts.
async fn stored(app: &TestApp, org_id: &str) -> (i64, i64, i64, i64) {
    let one = |sql: &'static str| org_count(app, org_id, sql);
    (
        one("SELECT count(*) FROM responses WHERE org_id = $1").await,
        one("SELECT count(DISTINCT dedup_key) FROM responses WHERE org_id = $1").await,
        one("SELECT count(*) FROM cases WHERE org_id = $1").await,
        one("SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM score_daily WHERE org_id = $1").await,
    )
}

async fn post(client: &reqwest::Client, url: &str, token: &str, body: &Value) -> (u16, Value) {
    let res = client
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Posts as a well-behaved client does: a 503 (queue full, or another process holding the
/// SQLite write lock past the busy timeout) is sent again after a pause, at most 50 times.
async fn post_retrying(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> (u16, Value) {
    for _ in 0..50 {
        let (status, b) = post(client, url, token, body).await;
        if status != 503 {
            return (status, b);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    post(client, url, token, body).await
}

async fn concurrent_submissions_are_each_stored_once_with_their_aggregates_and_cases(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let (other_org, other_token) = app.other_org("Globex").await;
    let other_survey = app.nps_survey(&other_token).await;
    // 200 distinct external ids, the first 100 sent twice, and 50 answers to another
    // organisation, all at once: the writer takes them in groups that mix duplicates,
    // organisations and detractors.
    let mut sends = Vec::new();
    for i in 0..300 {
        let k = i % 200;
        let body = json!({"answers": {"nps": k % 11, "why": format!("reason {k}")},
                          "external_id": format!("e{k}")});
        sends.push((survey.clone(), app.admin_token.clone(), body));
    }
    for i in 0..50 {
        let body = json!({"answers": {"nps": i % 11}, "external_id": format!("o{i}")});
        sends.push((other_survey.clone(), other_token.clone(), body));
    }
    let client = app.client.clone();
    let base = app.addr.clone();
    let tasks: Vec<_> = sends
        .into_iter()
        .map(|(s, t, body)| {
            let (client, url) = (
                client.clone(),
                format!("{base}/api/v1/surveys/{s}/responses"),
            );
            tokio::spawn(async move { post(&client, &url, &t, &body).await })
        })
        .collect();
    let mut created = Vec::new();
    let mut conflicts = 0;
    for t in tasks {
        let (status, body) = t.await.expect("task");
        match status {
            201 => created.push(body),
            409 => {
                assert_eq!(
                    body["error"]["message"],
                    "this response has already been recorded"
                );
                conflicts += 1;
            }
            s => panic!("unexpected {s}: {body}"),
        }
    }
    assert_eq!(created.len(), 250, "one 201 per distinct external id");
    assert_eq!(conflicts, 100, "every repeat is a 409");
    // Each acknowledged response reads back, in its own organisation only.
    for body in &created {
        let id = body["id"].as_str().expect("id");
        let mine = body["survey_id"] == json!(survey);
        let (owner, stranger) = if mine {
            (&app.admin_token, &other_token)
        } else {
            (&other_token, &app.admin_token)
        };
        let (status, back) = app.get(owner, &format!("/api/v1/responses/{id}")).await;
        assert_eq!(status, 200, "{back}");
        assert_eq!(back["id"], body["id"]);
        let (status, _) = app.get(stranger, &format!("/api/v1/responses/{id}")).await;
        assert_eq!(
            status, 404,
            "a response is invisible to another organisation"
        );
    }
    // Live answers' search postings wait in the recent table, and are found there and after
    // the writer moves them into the index.
    let search = format!("/api/v1/surveys/{survey}/responses?q=reason&limit=200");
    let (_, before) = app.get(&app.admin_token, &search).await;
    let before = before["items"].as_array().expect("items").len();
    assert_eq!(before, 200, "every stored answer says reason");
    let recent = org_count(
        &app,
        &app.org_id,
        "SELECT count(*) FROM response_terms_recent WHERE org_id = $1",
    )
    .await;
    assert!(recent > 0, "postings wait to be merged");
    let moved = app.store.merge_terms().await.expect("merge");
    assert!(moved >= recent as u64, "{moved} moved, {recent} waiting");
    assert_eq!(
        org_count(
            &app,
            &app.org_id,
            "SELECT count(*) FROM response_terms_recent WHERE org_id = $1"
        )
        .await,
        0
    );
    let (_, after) = app.get(&app.admin_token, &search).await;
    assert_eq!(after["items"].as_array().expect("items").len(), before);
    // They were written in groups: fewer transactions than responses.
    let stats = app.store.ingest_stats();
    assert_eq!(stats.responses, 350, "every submission passed the writer");
    assert!(stats.groups < 350, "group commit: {stats:?}");
    // Detractors (0–6) among the stored: e0…e199 have scores k % 11.
    let detractors = (0..200).filter(|k| k % 11 <= 6).count() as i64;
    assert_eq!(stored(&app, &app.org_id).await, (200, 200, detractors, 200));
    let other_detractors = (0..50).filter(|k| k % 11 <= 6).count() as i64;
    assert_eq!(
        stored(&app, &other_org).await,
        (50, 50, other_detractors, 50)
    );
}

/// Holds the database's write lock from outside the server, so its writer waits.
enum Blocker {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Blocker {
    async fn hold(app: &TestApp) -> Self {
        use sqlx::Connection;
        if app.db_url.starts_with("postgres") {
            let mut c = sqlx::PgConnection::connect(&app.db_url)
                .await
                .expect("connect");
            // Blocks inserts into responses; reads (tokens, surveys) go on.
            sqlx::raw_sql("BEGIN; LOCK TABLE responses IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut c)
                .await
                .expect("lock");
            Self::Postgres(c)
        } else {
            let url = attune_sqlite::url_for(&app.db_url);
            let mut c = sqlx::SqliteConnection::connect(&url)
                .await
                .expect("connect");
            sqlx::raw_sql("BEGIN IMMEDIATE")
                .execute(&mut c)
                .await
                .expect("lock");
            Self::Sqlite(c)
        }
    }

    async fn release(self) {
        match self {
            Self::Sqlite(mut c) => sqlx::raw_sql("ROLLBACK").execute(&mut c).await.map(drop),
            Self::Postgres(mut c) => sqlx::raw_sql("ROLLBACK").execute(&mut c).await.map(drop),
        }
        .expect("release");
    }
}

async fn a_full_queue_answers_503_and_keeps_what_the_respondent_typed(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.ingest_queue = 3).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let blocker = Blocker::hold(&app).await;
    let url = app.url(&format!("/api/v1/surveys/{survey}/responses"));
    let send = |i: usize| {
        let (client, url, token) = (app.client.clone(), url.clone(), app.admin_token.clone());
        tokio::spawn(async move {
            let body = json!({"answers": {"nps": 9}, "external_id": format!("q{i}")});
            post(&client, &url, &token, &body).await
        })
    };
    // The writer takes the first and waits for the lock; three more fill the queue.
    let first = send(0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let queued: Vec<_> = (1..4).map(send).collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let res = app
        .client
        .post(&url)
        .bearer_auth(&app.admin_token)
        .json(&json!({"answers": {"nps": 9}, "external_id": "refused"}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(res.headers()["retry-after"], "1");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    // The public form says so in the respondent's language and keeps what they typed.
    let res = app
        .client
        .post(app.url(&format!("/s/{survey}")))
        .form(&[("lang", "ur"), ("q.nps", "4"), ("q.why", "ڈیلیوری میں دیر")])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(res.headers()["retry-after"], "1");
    let page = res.text().await.expect("page");
    assert!(page.contains("اس وقت بہت سے جوابات آ رہے ہیں"), "{page}");
    assert!(
        page.contains("ڈیلیوری میں دیر"),
        "what was typed is kept: {page}"
    );
    blocker.release().await;
    let (status, body) = first.await.expect("task");
    assert_eq!(status, 201, "{body}");
    for q in queued {
        let (status, body) = q.await.expect("task");
        assert_eq!(status, 201, "{body}");
    }
    let (responses, ..) = stored(&app, &app.org_id).await;
    assert_eq!(responses, 4, "the refused ones were not stored");
}

/// A free port on 127.0.0.1.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `attune serve` as its own process on the test's database.
async fn serve(app: &TestApp) -> (tokio::process::Child, String) {
    let bind = format!("127.0.0.1:{}", free_port());
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_attune"));
    cmd.args(["serve", "--db", &app.db_url, "--bind", &bind])
        .env("ATTUNE_WORKER_INTERVAL_SECS", "0")
        .env("ATTUNE_API_RATE_PER_MINUTE", "0")
        .env("ATTUNE_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(key) = &app.config.secret_key_file {
        cmd.env("ATTUNE_SECRET_KEY_FILE", key);
    }
    let child = cmd.spawn().expect("attune serve");
    let base = format!("http://{bind}");
    for _ in 0..300 {
        if let Ok(r) = app.client.get(format!("{base}/healthz")).send().await
            && r.status() == 200
        {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("attune serve did not come up");
}

async fn acknowledged_responses_survive_kill_9_under_load(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let (mut server, base) = serve(&app).await;
    let url = format!("{base}/api/v1/surveys/{survey}/responses");
    let acked = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let clients = 16;
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (client, url, token, acked) = (
                app.client.clone(),
                url.clone(),
                app.admin_token.clone(),
                acked.clone(),
            );
            tokio::spawn(async move {
                for i in 0.. {
                    let body = json!({"answers": {"nps": (c + i) % 11, "why": "late again"},
                                      "external_id": format!("c{c}-{i}")});
                    let sent = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await;
                    let Ok(res) = sent else { break };
                    if res.status() != 201 {
                        break;
                    }
                    let Ok(body) = res.json::<Value>().await else {
                        break;
                    };
                    let id = body["id"].as_str().expect("id").to_owned();
                    acked.lock().expect("lock").push(id);
                }
            })
        })
        .collect();
    // Kill the server mid-stream, once it has acknowledged a few hundred answers.
    for _ in 0..200 {
        if acked.lock().expect("lock").len() >= 300 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    server.start_kill().expect("kill -9");
    server.wait().await.expect("the server is gone");
    for t in tasks {
        t.await.expect("client");
    }
    let acked = acked.lock().expect("lock").clone();
    assert!(
        acked.len() >= 100,
        "only {} acknowledged before the kill",
        acked.len()
    );
    let ids: HashSet<&String> = acked.iter().collect();
    assert_eq!(ids.len(), acked.len(), "no id acknowledged twice");
    let (responses, distinct, _, counted) = stored(&app, &app.org_id).await;
    let acked_n = acked.len() as i64;
    assert!(
        (acked_n..=acked_n + clients as i64).contains(&responses),
        "{responses} stored for {acked_n} acknowledged (at most one in flight per client)"
    );
    assert_eq!(distinct, responses, "no response stored twice");
    assert_eq!(
        counted, responses,
        "the aggregates hold every stored response"
    );
    let pool = app.store.pool();
    for id in acked {
        let found = sqlx::query("SELECT id FROM responses WHERE id = $1")
            .bind(&id)
            .fetch_optional(pool)
            .await
            .expect("query");
        assert!(found.is_some(), "acknowledged response {id} was lost");
    }
}

/// Two and four instances, each with its own pool and writer, on one PostgreSQL database
/// (and one SQLite file): every answer is sent to two instances at once; each is stored once,
/// and acknowledged exactly when stored.
#[tokio::test]
async fn several_instances_on_one_database_store_each_response_once() {
    let mut backends = vec![Backend::Sqlite];
    match Backend::postgres() {
        Some(pg) => backends.push(pg),
        None => crate::helpers::skip("on PostgreSQL: ATTUNE_TEST_POSTGRES_URL is not set"),
    }
    for backend in backends {
        for instances in [2, 4] {
            several_instances(backend.clone(), instances).await;
        }
    }
}

async fn several_instances(backend: Backend, instances: usize) {
    let _ = tracing_subscriber::fmt().with_env_filter("warn").try_init();
    let app = TestApp::spawn(backend).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let mut bases = vec![app.addr.clone()];
    for _ in 1..instances {
        let store = attune::db::open(&app.db_url).await.expect("a second pool");
        let built =
            attune::server::Application::build(&app.config, Arc::new(store), app.clock.clone())
                .await
                .expect("another instance");
        bases.push(format!("http://{}", built.addr().expect("addr")));
        tokio::spawn(built.run_until(std::future::pending()));
    }
    let ids = 150;
    let tasks: Vec<_> = (0..ids * 2)
        .map(|i| {
            let k = i / 2;
            // The two copies of one answer go to two different instances.
            let base = &bases[(k + i % 2) % instances];
            let url = format!("{base}/api/v1/surveys/{survey}/responses");
            let (client, token) = (app.client.clone(), app.admin_token.clone());
            let body = json!({"answers": {"nps": k % 11}, "external_id": format!("m{k}")});
            tokio::spawn(async move { post_retrying(&client, &url, &token, &body).await })
        })
        .collect();
    let (mut acked, mut refused) = (HashSet::new(), 0);
    for t in tasks {
        let (status, body) = t.await.expect("task");
        match status {
            201 => assert!(acked.insert(body["id"].as_str().expect("id").to_owned())),
            409 => refused += 1,
            s => panic!("unexpected {s}: {body}"),
        }
    }
    assert_eq!((acked.len(), refused), (ids, ids), "{instances} instances");
    let (responses, distinct, cases, counted) = stored(&app, &app.org_id).await;
    let detractors = (0..ids).filter(|k| k % 11 <= 6).count() as i64;
    assert_eq!(
        (responses, distinct, cases, counted),
        (ids as i64, ids as i64, detractors, ids as i64),
        "{instances} instances"
    );
}
