//! Upgrade test: a database built by an older Attune, with the demo loaded, is migrated by
//! this code and answers the same API GETs as that older Attune did, on both backends.
//!
//! The fixtures live in `tests/fixtures/upgrade/`: `sqlite.sql` (the `sqlite3 .dump` text),
//! `postgres.sql` (`pg_dump --inserts`, plain SQL), `secret.key` (the key the database's
//! credentials are sealed with), and `sqlite.expected.json` / `postgres.expected.json` (each
//! GET path, its status and its JSON with keys sorted and volatile values redacted). The admin
//! token [`TOKEN`] is stored (hashed) in both databases.
//!
//! They stand for the code before issue 12's restructure (commit 76d29b9, plus
//! `demo::create_sized`, which only makes the demo's response counts a parameter) and were made
//! by [`generate`], an ignored test:
//!
//! ```text
//! ATTUNE_TEST_POSTGRES_URL=postgres://root@127.0.0.1:5432/postgres \
//!   cargo test -p attune --test it upgrade::generate -- --ignored
//! ```
//!
//! (`sqlite3` and `pg_dump` on `PATH`). Run it only with the code of the version the fixture
//! stands for: regenerating with newer code would make the test compare that code with itself.
//! To add the fixture of a later version, check that version out, run the generator there and
//! keep the older fixture too. The database is the demo (`attune demo`) at the fixed clock
//! [`NOW_MS`] but with a twentieth of its responses ([`DEMO_SIZE`], through
//! `demo::create_sized`): the full demo's dumps are 40–46 MB each, 4 MB gzipped; these are
//! 2.5–2.9 MB, 250–275 KB gzipped. Besides the demo the database holds [`TOKEN`], a webhook
//! (so a sealed secret) and a team, and the settings the first start seals with the key.
//!
//! Nothing needed redacting so far ([`VOLATILE_KEYS`] is empty): ids and stored times come from
//! the database and the server runs on the fixed clock. Floats compare to within 1e-12
//! relative, because serde_json's parser is not exact in the last bit.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use attune::config::{Config, Secret};
use attune::server::Application;
use attune_domain::org::Role;
use attune_storage::prelude::*;
use attune_storage::sql::SqlStore;
use attune_web::FixedClock;
use serde_json::{Value, json};

use crate::helpers::{Backend, NOW_MS, fresh_store};
use crate::on_both_backends;

/// The admin API token stored in the fixtures.
const TOKEN: &str = "attune-upgrade-fixture-admin-token-0001";
/// The demo admin's password in the fixtures (meets the password policy).
const PASSWORD: &str = "upgrade fixture lantern quartz";
/// Responses of the fixture's NPS, CSAT and CES surveys (a twentieth of the full demo's).
const DEMO_SIZE: [usize; 3] = [600, 250, 150];
/// Values under these keys change from run to run, not from version to version.
const VOLATILE_KEYS: &[&str] = &[];

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upgrade")
}

fn backend_name(b: &Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    }
}

fn secret_key() -> Secret {
    let text = std::fs::read_to_string(fixture_dir().join("secret.key")).expect("secret.key");
    Secret::new(text.trim())
}

/// One GET and what it answered.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct Answer {
    status: u16,
    body: Value,
}

/// Keys sorted at every level and volatile values redacted, so files compare and diff.
fn canonical(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let sorted: BTreeMap<String, Value> = m.into_iter().collect();
            Value::Object(
                sorted
                    .into_iter()
                    .map(|(k, v)| {
                        if VOLATILE_KEYS.contains(&k.as_str()) {
                            (k, json!("[redacted]"))
                        } else {
                            (k, canonical(v))
                        }
                    })
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.into_iter().map(canonical).collect()),
        other => other,
    }
}

/// A field this code answers that the fixture's code did not, with the value the migration
/// must give old rows: a case's `rule_ids` is its one rule.
fn added_field(key: &str, got: &serde_json::Map<String, Value>) -> bool {
    let value = &got[key];
    match key {
        "rule_ids" => got
            .get("rule_id")
            .is_some_and(|r| got.get("rule_ids") == Some(&Value::Array(vec![r.clone()]))),
        // Issue 14's account fields, as an account that had none of them answers them.
        "archived_at" | "parent_id" => got.contains_key("external_id") && value.is_null(),
        // Merges came later still: nothing upgraded was merged.
        "merged_into" => value.is_null(),
        "domains" => got.contains_key("external_id") && *value == json!([]),
        "external_ids" => got.contains_key("external_id") && *value == json!({}),
        "created_at" => got.contains_key("external_id") && value.is_string(),
        "people" => people_match_contacts(got),
        "team" => got.contains_key("external_id") && *value == json!([]),
        "handover_cases" => *value == json!("move"),
        _ => false,
    }
}

/// An account's `people` after the upgrade are its contacts before it: the same ids, each
/// with exactly one membership, of this account, its title the contact's role and the
/// decision-maker role exactly where the contact had the flag.
fn people_match_contacts(account: &serde_json::Map<String, Value>) -> bool {
    let (Some(people), Some(contacts)) = (
        account.get("people").and_then(Value::as_array),
        account.get("contacts").and_then(Value::as_array),
    ) else {
        return false;
    };
    let by_id = |v: &Value| v["id"].as_str().map(str::to_owned);
    let mut contacts = contacts.clone();
    contacts.sort_by_key(by_id);
    let mut people = people.clone();
    people.sort_by_key(by_id);
    people.len() == contacts.len()
        && !people.is_empty()
        && people.iter().zip(&contacts).all(|(p, c)| {
            let m = &p["memberships"];
            let roles = m[0]["roles"].as_array().cloned().unwrap_or_default();
            let decides = roles == vec![json!("decision_maker")];
            p["id"] == c["id"]
                && p["email"] == c["email"]
                && m.as_array().is_some_and(|m| m.len() == 1)
                && m[0]["account_id"] == account["id"]
                && m[0]["title"] == c["role"]
                && (roles.is_empty() || decides)
                && decides == (c["decision_maker"] == json!(true))
        })
}

/// Equal JSON (`a` as answered now may hold [`added_field`]s), numbers within a few units in
/// the last place: serde_json's default float
/// parser is not exact, so a float read back from the expected file can differ in its last bit.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            let added = |k: &String| y.get(k).is_none() && added_field(k, x);
            x.iter().filter(|(k, _)| !added(k)).count() == y.len()
                && x.iter()
                    .all(|(k, v)| added(k) || y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Themes and drivers, whose definition changed since the fixture was recorded (pairs of
/// words stay within one sentence, overlapping pairs become the phrase they stand in): the
/// same comments are compared, and every term both answers list has the same counts, test
/// and examples.
fn same_text(a: &Value, b: &Value) -> bool {
    let fixed = [
        "focus",
        "background",
        "focus_docs",
        "background_docs",
        "truncated",
    ];
    if fixed.iter().any(|k| !same(&a[*k], &b[*k])) {
        return false;
    }
    let terms = |v: &Value| -> BTreeMap<String, Value> {
        v["terms"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| Some((t["term"].as_str()?.to_owned(), t.clone())))
            .collect()
    };
    let (got, want) = (terms(a), terms(b));
    let shared: Vec<&String> = got.keys().filter(|k| want.contains_key(*k)).collect();
    (got.is_empty() == want.is_empty())
        && (want.is_empty() || !shared.is_empty())
        && shared.iter().all(|k| {
            ["focus_count", "background_count", "p_value", "examples"]
                .iter()
                .all(|f| same(&got[*k][*f], &want[*k][*f]))
        })
}

/// A server on `store` with the fixture's key and the fixed clock.
async fn serve(store: Arc<SqlStore>, db_url: &str) -> String {
    let config = Config {
        db: db_url.to_owned(),
        bind: "127.0.0.1:0".into(),
        secure_cookies: false,
        secret_key: Some(secret_key()),
        login_rate_per_minute: 1000,
        public_rate_per_minute: 1000,
        api_rate_per_minute: 0,
        log: "warn".into(),
        ..Config::default()
    };
    let clock = Arc::new(FixedClock::new(NOW_MS));
    let app = Application::build(&config, store, clock)
        .await
        .expect("the server starts on the fixture");
    let addr = format!("http://{}", app.addr().expect("addr"));
    tokio::spawn(app.run_until(std::future::pending()));
    addr
}

async fn get(client: &reqwest::Client, addr: &str, path: &str) -> Answer {
    let res = client
        .get(format!("{addr}{path}"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let body = res.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        body: canonical(body),
    }
}

/// The ids of the `items` of a list answer.
fn item_ids(v: &Answer) -> Vec<String> {
    v.body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The GETs the fixture records: every list, one of each detail, and the reports with fixed
/// periods (the demo's year, to the fixed clock's day).
async fn record(client: &reqwest::Client, addr: &str) -> BTreeMap<String, Answer> {
    let mut out = BTreeMap::new();
    let surveys = get(client, addr, "/api/v1/surveys").await;
    let survey_ids = item_ids(&surveys);
    assert_eq!(
        survey_ids.len(),
        3,
        "the demo's surveys: {:?}",
        surveys.body
    );
    out.insert("/api/v1/surveys".to_owned(), surveys);
    let period = "from=2025-11-24&to=2026-11-23";
    let mut paths = vec![
        "/api/v1/feedback?limit=50".to_owned(),
        "/api/v1/feedback?q=price&limit=20".to_owned(),
        "/api/v1/feedback?q=support%20slow&match=any&limit=20".to_owned(),
        "/api/v1/feedback?language=th&limit=10".to_owned(),
        "/api/v1/feedback?channel=widget&from=2026-06-01&to=2026-06-30&limit=10".to_owned(),
        format!("/api/v1/metrics/nps?{period}"),
        format!("/api/v1/metrics/nps?{period}&interval=month"),
        format!("/api/v1/metrics/nps?{period}&interval=week&by=channel"),
        format!("/api/v1/metrics/nps?{period}&by=language"),
        format!("/api/v1/metrics/nps?{period}&by=plan"),
        format!("/api/v1/metrics/csat?{period}&interval=month"),
        format!("/api/v1/metrics/csat?{period}&by=region"),
        format!("/api/v1/metrics/ces?{period}&interval=quarter"),
        "/api/v1/metrics/ces?from=2026-11-01&to=2026-11-23&interval=day".to_owned(),
        "/api/v1/accounts".to_owned(),
        "/api/v1/contacts".to_owned(),
        "/api/v1/cases?limit=50".to_owned(),
        "/api/v1/cases?state=open&limit=50".to_owned(),
        "/api/v1/cases?breached=true&limit=20".to_owned(),
        "/api/v1/cases?state=resolved&limit=10".to_owned(),
        format!("/api/v1/loop/metrics?{period}"),
        "/api/v1/loop/metrics?from=2026-10-01&to=2026-11-23".to_owned(),
        "/api/v1/loop/settings".to_owned(),
        "/api/v1/rules".to_owned(),
        "/api/v1/sla-policies".to_owned(),
        "/api/v1/teams".to_owned(),
        "/api/v1/root-causes".to_owned(),
        "/api/v1/templates/resolution/en".to_owned(),
        "/api/v1/templates/resolution/ur".to_owned(),
        "/api/v1/webhooks".to_owned(),
        "/api/v1/retention/attributes".to_owned(),
        "/api/v1/retention/summary?as_of=2026-11-23".to_owned(),
        "/api/v1/retention/summary?as_of=2026-11-23&period=month&from=2026-01-01".to_owned(),
        "/api/v1/retention/cohorts?as_of=2026-11-23".to_owned(),
        "/api/v1/retention/survival?as_of=2026-11-23".to_owned(),
        "/api/v1/retention/audit?as_of=2026-11-23&attribute=plan".to_owned(),
        "/api/v1/retention/members?as_of=2026-11-23&which=lost&period_start=2026-07-01".to_owned(),
        "/api/v1/retention/members?as_of=2026-11-23&which=cohort&period_start=2026-01-01&k=2"
            .to_owned(),
        format!("/api/v1/text/themes?{period}"),
        format!("/api/v1/text/themes?{period}&band=detractor&language=en"),
    ];
    for id in &survey_ids {
        paths.push(format!("/api/v1/surveys/{id}"));
        paths.push(format!("/api/v1/surveys/{id}/access"));
        paths.push(format!("/api/v1/surveys/{id}/responses?limit=10"));
        paths.push(format!("/api/v1/feedback?survey={id}&limit=10"));
        paths.push(format!("/api/v1/text/themes?{period}&survey={id}"));
        paths.push(format!("/api/v1/text/drivers?{period}&survey={id}"));
    }
    for path in paths {
        let answer = get(client, addr, &path).await;
        out.insert(path, answer);
    }
    // One of each detail, found through the lists.
    let mut details = Vec::new();
    let firsts = [
        ("/api/v1/feedback?limit=50", "/api/v1/responses"),
        ("/api/v1/accounts", "/api/v1/accounts"),
        ("/api/v1/cases?limit=50", "/api/v1/cases"),
        ("/api/v1/cases?state=open&limit=50", "/api/v1/cases"),
    ];
    for (list, detail) in firsts {
        for id in item_ids(&out[list]).into_iter().take(2) {
            details.push(format!("{detail}/{id}"));
        }
    }
    for id in item_ids(&out["/api/v1/webhooks"]) {
        details.push(format!("/api/v1/webhooks/{id}/deliveries"));
    }
    for path in details {
        let answer = get(client, addr, &path).await;
        out.insert(path, answer);
    }
    out
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn expected_path(b: &Backend) -> PathBuf {
    fixture_dir().join(format!("{}.expected.json", backend_name(b)))
}

/// Loads the fixture's dump into an empty database and opens it with this code (which runs
/// the migrations added since).
async fn restore(b: &Backend) -> (SqlStore, String) {
    use sqlx::Connection;
    let dump = std::fs::read_to_string(fixture_dir().join(format!("{}.sql", backend_name(b))))
        .expect("the fixture's dump");
    let url = match b {
        Backend::Sqlite => {
            let path = std::env::temp_dir()
                .join(format!("attune-test-{}.db", uuid::Uuid::new_v4().simple()));
            let opts = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true);
            let mut conn = sqlx::SqliteConnection::connect_with(&opts)
                .await
                .expect("create the sqlite file");
            sqlx::raw_sql(sqlx::AssertSqlSafe(dump))
                .execute(&mut conn)
                .await
                .expect("load the sqlite dump");
            conn.close().await.expect("close");
            path.to_string_lossy().into_owned()
        }
        Backend::Postgres(admin) => {
            let name = format!("attune_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(admin).await.expect("connect");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("create the database");
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
            let url = format!("{base}/{name}");
            let mut conn = sqlx::PgConnection::connect(&url).await.expect("connect");
            sqlx::raw_sql(sqlx::AssertSqlSafe(dump))
                .execute(&mut conn)
                .await
                .expect("load the postgres dump");
            conn.close().await.expect("close");
            url
        }
    };
    let store = attune::db::open(&url)
        .await
        .expect("this code opens (and migrates) the older database");
    (store, url)
}

on_both_backends!(an_older_demo_database_migrates_and_answers_the_same);

async fn an_older_demo_database_migrates_and_answers_the_same(b: Backend) {
    let expected: BTreeMap<String, Answer> = serde_json::from_str(
        &std::fs::read_to_string(expected_path(&b)).expect("the expected answers"),
    )
    .expect("expected answers parse");
    let (store, url) = restore(&b).await;
    let addr = serve(Arc::new(store), &url).await;
    let client = client();
    let mut differ = Vec::new();
    let mut answers = BTreeMap::new();
    for (path, want) in &expected {
        let got = get(&client, &addr, path).await;
        let equal = if path.starts_with("/api/v1/text/") {
            same_text(&got.body, &want.body)
        } else {
            same(&got.body, &want.body)
        };
        if !equal || got.status != want.status {
            differ.push(path.clone());
        }
        answers.insert(path.clone(), got);
    }
    // What this code answered, in the expected file's form, to diff against it.
    let got_path =
        std::env::temp_dir().join(format!("attune-upgrade-{}.got.json", backend_name(&b)));
    let text = serde_json::to_string_pretty(&answers).expect("json") + "\n";
    std::fs::write(&got_path, text).expect("write the answers");
    assert!(
        differ.is_empty(),
        "{} of {} answers changed after the upgrade: {differ:?}\n(diff {} {})",
        differ.len(),
        expected.len(),
        expected_path(&b).display(),
        got_path.display()
    );
}

/// Makes the fixtures (see the module's doc). Ignored: run by hand, with the code the fixture
/// stands for.
#[tokio::test]
#[ignore = "makes the upgrade fixtures; run by hand with the code they stand for"]
async fn generate() {
    let mut backends = vec![Backend::Sqlite];
    backends.extend(Backend::postgres());
    assert_eq!(backends.len(), 2, "set ATTUNE_TEST_POSTGRES_URL");
    for b in backends {
        let (store, url) = fresh_store(&b).await;
        let demo = attune::demo::create_sized(&store, Some(PASSWORD.into()), NOW_MS, DEMO_SIZE)
            .await
            .expect("the demo loads");
        store
            .create_token(
                &demo.org.id,
                &attune_web::auth::sha256_hex(TOKEN),
                Role::Admin,
                "upgrade fixture",
            )
            .await
            .expect("token");
        let addr = serve(Arc::new(store), &url).await;
        let client = client();
        // A webhook, so a sealed credential is in the fixture, and a team.
        let res = client
            .post(format!("{addr}/api/v1/webhooks"))
            .bearer_auth(TOKEN)
            .json(&json!({"url": "https://hooks.example.com/attune", "events": ["case.opened"]}))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status().as_u16(), 201);
        let res = client
            .post(format!("{addr}/api/v1/teams"))
            .bearer_auth(TOKEN)
            .json(&json!({"name": "Support"}))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status().as_u16(), 201);
        let answers = record(&client, &addr).await;
        let text = serde_json::to_string_pretty(&answers).expect("json") + "\n";
        std::fs::write(expected_path(&b), text).expect("write expected answers");
        let dump = dump(&b, &url);
        std::fs::write(
            fixture_dir().join(format!("{}.sql", backend_name(&b))),
            dump,
        )
        .expect("write the dump");
    }
}

/// The database as SQL text that an empty database of the same backend can run.
fn dump(b: &Backend, url: &str) -> String {
    let output = match b {
        Backend::Sqlite => std::process::Command::new("sqlite3")
            .arg(url)
            .arg(".dump")
            .output(),
        Backend::Postgres(_) => std::process::Command::new("pg_dump")
            .args([
                "--inserts",
                "--rows-per-insert=500",
                "--no-owner",
                "--no-privileges",
                "--no-comments",
                url,
            ])
            .output(),
    }
    .expect("run the dump tool");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("utf-8 dump");
    // pg_dump's `\restrict` lines are psql commands, which a server cannot run.
    text.split_inclusive('\n')
        .filter(|l| !l.starts_with("\\restrict ") && !l.starts_with("\\unrestrict "))
        .collect()
}
