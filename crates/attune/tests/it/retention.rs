//! Retention end to end: the shared files imported through the CLI's code path, the API's
//! numbers checked against the pandas fixtures of `attune-retention` and against the
//! arithmetic run directly on the parsed file; re-import, bad files, bad parameters, tenancy,
//! drill-down and the page.

use std::collections::HashMap;
use std::path::PathBuf;

use attune::retention_import::{Kind, import_file};
use attune_retention::calendar::format_day;
use attune_retention::{ActivityEvent, Grid, Ledger, PeriodUnit, parse_day};
use attune_storage::prelude::*;
use attune_storage::retention::RetentionSource;
use serde_json::{Value, json};

use crate::helpers::{Backend, NOW_MS, TestApp};
use crate::on_both_backends;
use crate::pages::login;

on_both_backends!(
    saas_subscriptions_imported_by_the_cli_match_pandas_and_the_arithmetic,
    cdnow_purchases_import_with_a_mapping_and_match_the_arithmetic,
    a_bad_file_reports_lines_and_stores_nothing,
    bad_parameters_and_rows_are_422_naming_the_field,
    another_organisation_sees_none_of_it,
    the_page_draws_the_charts_and_escapes_account_names,
    reports_read_the_snapshot_and_follow_every_change,
    an_account_import_is_all_or_nothing,
    telco_imported_by_tenure_matches_lifelines_and_scipy,
);

fn data_path(name: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/retention")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        crate::helpers::skip(&format!("{} is absent", p.display()));
        None
    }
}

fn fixture(name: &str) -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../attune-retention/tests/fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(p).expect("fixture")).expect("fixture JSON")
}

fn maps(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[track_caller]
fn close(got: &Value, want: &Value, what: &str) {
    match (got.as_f64(), want.as_f64()) {
        (Some(a), Some(b)) => assert!(
            (a - b).abs() <= 1e-9 * b.abs().max(1.0),
            "{what}: {a} vs {b}"
        ),
        (None, None) => {}
        _ => panic!("{what}: got {got}, want {want}"),
    }
}

async fn import_saas(app: &TestApp) -> Option<attune_storage::model::ImportOutcome> {
    let path = data_path("simulated-saas-subscriptions.csv")?;
    Some(
        import_file(
            app.store.as_ref(),
            &app.org_id,
            Kind::Subscriptions,
            &path,
            &maps(&[
                ("account_external_id", "account_id"),
                ("billing_period", "bill_period_months"),
            ]),
            None,
            None,
            NOW_MS,
        )
        .await
        .expect("import"),
    )
}

async fn saas_subscriptions_imported_by_the_cli_match_pandas_and_the_arithmetic(b: Backend) {
    let app = TestApp::spawn(b).await;
    let Some(first) = import_saas(&app).await else {
        return;
    };
    assert_eq!((first.inserted, first.duplicates), (690, 0));

    let fx = fixture("saas_summary.json");
    let cases: Vec<&Value> = fx["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["dataset"] == "saas")
        .collect();
    assert!(!cases.is_empty());
    for case in cases {
        summary_matches_pandas(&app, case).await;
    }

    let ledger = api_equals_the_arithmetic(&app).await;

    // Importing the same file again stores nothing twice and changes no number.
    let again = import_saas(&app).await.unwrap();
    assert_eq!((again.inserted, again.duplicates), (0, 690));
    let rows2 = app
        .store
        .retention_rows(&app.org_id, RetentionSource::Subscriptions)
        .await
        .unwrap();
    assert_eq!(rows2.subscriptions.len(), 690);

    // Cohorts, survival and the audit answer over the same rows.
    let (s, c) = app
        .get(
            &app.viewer_token,
            "/api/v1/retention/cohorts?period=month&as_of=2023-03-15",
        )
        .await;
    assert_eq!(s, 200, "{c}");
    let total: u64 = c["cohorts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["size"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 60, "every customer is in one cohort");
    let (s, km) = app
        .get(
            &app.viewer_token,
            "/api/v1/retention/survival?unit=month&as_of=2023-03-15&ci=loglog",
        )
        .await;
    assert_eq!(s, 200, "{km}");
    assert_eq!(km["n"], 60);
    assert!(km["steps"].as_array().unwrap().iter().all(|s| {
        let v = s["survival"].as_f64().unwrap();
        (0.0..=1.0).contains(&v)
    }));
    let accounts = data_path("simulated-saas-accounts.csv").unwrap();
    import_file(
        app.store.as_ref(),
        &app.org_id,
        Kind::Accounts,
        &accounts,
        &maps(&[("account_external_id", "account_id")]),
        None,
        None,
        NOW_MS,
    )
    .await
    .unwrap();
    let (s, audit) = app
        .get(
            &app.viewer_token,
            "/api/v1/retention/audit?attribute=channel&min_support=5&as_of=2023-03-15",
        )
        .await;
    assert_eq!(s, 200, "{audit}");
    let n: u64 = audit["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["churned"].as_u64().unwrap() + r["retained"].as_u64().unwrap())
        .sum();
    let audited = ledger
        .outcomes_at_as_of()
        .iter()
        .filter(|o| **o != attune_retention::Outcome::Excluded)
        .count();
    assert!(audited > 0);
    assert_eq!(
        n, audited as u64,
        "every customer ever active is audited once"
    );
}

/// One case of the pandas fixture over the API: every period's numbers and its drill-down.
async fn summary_matches_pandas(app: &TestApp, case: &Value) {
    let want = case["periods"].as_array().unwrap();
    let from = format_day(want[0]["start"].as_i64().unwrap() as i32);
    let to = format_day(want.last().unwrap()["end"].as_i64().unwrap() as i32);
    let as_of = format_day(case["as_of"].as_i64().unwrap() as i32);
    let (unit, grace) = (case["unit"].as_str().unwrap(), &case["grace_days"]);
    let q = format!(
        "/api/v1/retention/summary?period={unit}&from={from}&to={to}&as_of={as_of}&grace_days={grace}"
    );
    let (status, got) = app.get(&app.viewer_token, &q).await;
    assert_eq!(status, 200, "{q}: {got}");
    let periods = got["periods"].as_array().unwrap();
    assert_eq!(periods.len(), want.len(), "{q}");
    for (g, w) in periods.iter().zip(want) {
        let what = format!("{unit} grace {grace} {}", g["start"]);
        assert_eq!(g["start"], format_day(w["start"].as_i64().unwrap() as i32));
        for k in ["S", "E", "N", "lost", "lost_new", "reactivated"] {
            assert_eq!(g[k], w[k], "{what} {k}");
        }
        for (ours, theirs) in [
            ("mrr0_cents", "mrr0"),
            ("mrr_end_cents", "mrr_end"),
            ("expansion_cents", "expansion"),
            ("contraction_cents", "contraction"),
            ("churned_mrr_cents", "churned_mrr"),
        ] {
            assert_eq!(g[ours], w[theirs], "{what} {ours}");
        }
        for k in ["crr", "retained_share", "churn_rate", "grr", "nrr"] {
            close(&g[k], &w[k], &format!("{what} {k}"));
        }
        // Drill-down: the customers behind N and lost are pandas' (account ids are the
        // file's, so the dense numbers never leak).
        for which in ["new", "lost"] {
            let (status, m) = app
                .get(
                    &app.viewer_token,
                    &format!(
                        "{q}&period_start={}&which={which}&limit=1000",
                        g["start"].as_str().unwrap()
                    )
                    .replace("/summary?", "/members?"),
                )
                .await;
            assert_eq!(status, 200, "{m}");
            let mut ids: Vec<u64> = m["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["external_id"].as_str().unwrap().parse().unwrap())
                .collect();
            ids.sort_unstable();
            let mut expected: Vec<u64> = w["members"][which]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            expected.sort_unstable();
            assert_eq!(ids, expected, "{what} members {which}");
            assert_eq!(m["count"], expected.len(), "{what}");
        }
    }
}

/// The same numbers from the arithmetic run directly on the rows as stored; returns that
/// ledger (quarterly, as of 2023-03-15, grace 7).
async fn api_equals_the_arithmetic(app: &TestApp) -> Ledger {
    let rows = app
        .store
        .retention_rows(&app.org_id, RetentionSource::Subscriptions)
        .await
        .unwrap();
    assert_eq!((rows.n_accounts, rows.subscriptions.len()), (60, 690));
    let as_of = parse_day("2023-03-15").unwrap();
    let ledger =
        Ledger::from_subscriptions(rows.n_accounts, &rows.subscriptions, as_of, 7).unwrap();
    let direct = ledger.summary(&Grid::calendar(
        PeriodUnit::Quarter,
        parse_day("2022-01-01").unwrap(),
        as_of + 1,
    ));
    let (_, api) = app
        .get(
            &app.viewer_token,
            "/api/v1/retention/summary?period=quarter&from=2022-01-01&as_of=2023-03-15",
        )
        .await;
    let api = api["periods"].as_array().unwrap();
    assert_eq!(api.len(), direct.len());
    for (a, d) in api.iter().zip(&direct) {
        assert_eq!(a["S"], d.s);
        assert_eq!(a["E"], d.e);
        assert_eq!(a["N"], d.n);
        assert_eq!(a["lost"], d.lost);
        close(&a["crr"], &json!(d.crr), "crr");
        close(&a["nrr"], &json!(d.nrr), "nrr");
    }

    ledger
}

async fn cdnow_purchases_import_with_a_mapping_and_match_the_arithmetic(b: Backend) {
    let app = TestApp::spawn(b).await;
    let Some(path) = data_path("cdnow-purchases.txt") else {
        return;
    };
    let outcome = import_file(
        app.store.as_ref(),
        &app.org_id,
        Kind::Activity,
        &path,
        &maps(&[
            ("account_external_id", "customer_id"),
            ("value", "dollar_value"),
        ]),
        None,
        None,
        NOW_MS,
    )
    .await
    .unwrap();
    assert_eq!(outcome.inserted + outcome.duplicates, 69_659);

    // The file parsed independently of the importer.
    let text = std::fs::read_to_string(&path).unwrap();
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut events = Vec::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let n = ids.len() as u32;
        let account = *ids.entry(f[0].to_owned()).or_insert(n);
        let d = f[1];
        events.push(ActivityEvent {
            account,
            day: parse_day(&format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..])).unwrap(),
            value_cents: (f[3].parse::<f64>().unwrap() * 100.0).round() as i64,
        });
    }
    let fx = fixture("cdnow_cohorts.json");
    let as_of = fx["as_of"].as_i64().unwrap() as i32;
    let (from, to) = (
        fx["from"].as_i64().unwrap() as i32,
        fx["to"].as_i64().unwrap() as i32,
    );
    let ledger = Ledger::from_activity(ids.len(), &events, as_of, 90).unwrap();
    let grid = Grid::calendar(PeriodUnit::Month, from, to);
    let direct = ledger.summary(&grid);
    let range = format!(
        "period=month&basis=activity&from={}&to={}&as_of={}",
        format_day(from),
        format_day(to),
        format_day(as_of)
    );
    let (s, api) = app
        .get(
            &app.viewer_token,
            &format!("/api/v1/retention/summary?{range}"),
        )
        .await;
    assert_eq!(s, 200, "{api}");
    assert_eq!(api["basis"], "activity");
    let periods = api["periods"].as_array().unwrap();
    assert_eq!(periods.len(), direct.len());
    for (a, d) in periods.iter().zip(&direct) {
        for (k, v) in [
            ("S", d.s),
            ("E", d.e),
            ("N", d.n),
            ("lost", d.lost),
            ("lost_new", d.lost_new),
        ] {
            assert_eq!(a[k], v, "{} {k}", a["start"]);
        }
        close(
            &a["retained_share"],
            &json!(d.retained_share),
            "retained share",
        );
    }

    // Monthly cohorts (active = a purchase in month k) equal pandas'.
    let (s, got) = app
        .get(
            &app.viewer_token,
            &format!("/api/v1/retention/cohorts?{range}"),
        )
        .await;
    assert_eq!(s, 200, "{got}");
    let got = got["cohorts"].as_array().unwrap();
    for w in fx["cohorts"].as_array().unwrap() {
        let start = format_day(w["start_day"].as_i64().unwrap() as i32);
        let g = got
            .iter()
            .find(|g| g["start"] == start.as_str())
            .expect("cohort");
        assert_eq!(g["size"], w["size"], "{start}");
        let active = w["active"].as_array().unwrap();
        for (k, a) in active.iter().enumerate() {
            assert_eq!(g["active"][k], *a, "{start} +{k}");
        }
    }
}

async fn a_bad_file_reports_lines_and_stores_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let dir = std::env::temp_dir().join(format!("attune-ret-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("subs.csv");
    std::fs::write(
        &path,
        "account_external_id,start_date,end_date,mrr,product\n\
         a1,2025-01-01,,10.00,pro\n\
         a2,2025-02-30,,10.00,pro\n\
         a3,2025-03-01,2025-02-01,ten,pro\n\
         a4,2025-03-01,,5,pro\n",
    )
    .unwrap();
    let err = import_file(
        app.store.as_ref(),
        &app.org_id,
        Kind::Subscriptions,
        &path,
        &HashMap::new(),
        None,
        None,
        NOW_MS,
    )
    .await
    .expect_err("the file has errors");
    let msg = err.to_string();
    assert!(msg.contains("nothing was imported"), "{msg}");
    assert!(msg.contains("line 3, column `start_date`"), "{msg}");
    assert!(
        msg.contains("line 4, column `end_date`: is before start_date"),
        "{msg}"
    );
    assert!(msg.contains("line 4, column `mrr`"), "{msg}");
    let rows = app
        .store
        .retention_rows(&app.org_id, RetentionSource::Subscriptions)
        .await
        .unwrap();
    assert_eq!((rows.n_accounts, rows.subscriptions.len()), (0, 0));
    assert!(
        app.store
            .list_accounts(&app.org_id)
            .await
            .unwrap()
            .is_empty()
    );

    // A missing column is named with the header it looked in.
    std::fs::write(&path, "customer,when\nx,2025-01-01\n").unwrap();
    let err = import_file(
        app.store.as_ref(),
        &app.org_id,
        Kind::Activity,
        &path,
        &HashMap::new(),
        None,
        None,
        NOW_MS,
    )
    .await
    .expect_err("no columns match");
    assert!(
        err.to_string()
            .contains("line 1, column `account_external_id`"),
        "{err}"
    );

    // An API batch with one bad row stores none of them.
    let (s, body) = app
        .post(
            &app.admin_token,
            "/api/v1/subscriptions",
            &json!([
                {"account_external_id": "ok", "start_date": "2025-01-01", "mrr": 10},
                {"account_external_id": "bad", "start_date": "yesterday", "mrr": 10}
            ]),
        )
        .await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "[1].start_date");
    assert!(
        app.store
            .list_accounts(&app.org_id)
            .await
            .unwrap()
            .is_empty()
    );
    std::fs::remove_dir_all(dir).ok();
}

async fn bad_parameters_and_rows_are_422_naming_the_field(b: Backend) {
    let app = TestApp::spawn(b).await;
    for (q, field) in [
        ("/api/v1/retention/summary?period=week", "period"),
        ("/api/v1/retention/summary?as_of=2025-13-01", "as_of"),
        ("/api/v1/retention/summary?basis=logins", "basis"),
        ("/api/v1/retention/summary?grace_days=-1", "grace_days"),
        (
            "/api/v1/retention/summary?period=custom&from=2025-01-01",
            "from",
        ),
        (
            "/api/v1/retention/summary?from=2025-02-01&to=2025-01-01",
            "to",
        ),
        ("/api/v1/retention/survival?unit=week", "unit"),
        ("/api/v1/retention/survival?ci=plain", "ci"),
        ("/api/v1/retention/audit", "attribute"),
        ("/api/v1/retention/audit?attribute=shoe_size", "attribute"),
        ("/api/v1/retention/members?which=lost", "period_start"),
        (
            "/api/v1/retention/members?period_start=2025-01-01&which=gone",
            "which",
        ),
        (
            "/api/v1/retention/summary?window_days=0&basis=activity",
            "window_days",
        ),
    ] {
        let (s, body) = app.get(&app.viewer_token, q).await;
        assert_eq!(s, 422, "{q}: {body}");
        let fields: Vec<&str> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{q}: {fields:?}");
    }
    let (s, body) = app
        .post(
            &app.admin_token,
            "/api/v1/activity",
            &json!([{"account_external_id": "a", "date": "2025-01-01", "value": "12,50"}]),
        )
        .await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "[0].value");
    let (s, _) = app
        .post(
            &app.viewer_token,
            "/api/v1/subscriptions",
            &json!([{"account_external_id": "a", "start_date": "2025-01-01"}]),
        )
        .await;
    assert_eq!(s, 403, "viewers cannot write");
    let (s, _) = app.get("not-a-token", "/api/v1/retention/summary").await;
    assert_eq!(s, 401);
}

async fn another_organisation_sees_none_of_it(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (s, body) = app
        .post(
            &app.admin_token,
            "/api/v1/subscriptions",
            &json!([
                {"account_external_id": "c1", "start_date": "2025-01-10", "end_date": "2025-05-01", "mrr": "99.90", "product": "pro"},
                {"account_external_id": "c2", "start_date": "2025-02-01", "mrr": 10}
            ]),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["inserted"], 2);
    let (s, body) = app
        .post(
            &app.admin_token,
            "/api/v1/activity",
            &json!([{"account_external_id": "c1", "date": "2025-03-03", "value": 5}]),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let q = "/api/v1/retention/summary?period=month&from=2025-01-01&to=2025-07-01&as_of=2025-06-30";
    let (_, mine) = app.get(&app.viewer_token, q).await;
    assert_eq!(mine["n_accounts"], 2);
    let may = &mine["periods"][4];
    assert_eq!(
        (
            may["start"].as_str(),
            may["S"].as_u64(),
            may["lost"].as_u64()
        ),
        (Some("2025-05-01"), Some(2), Some(1))
    );
    let (_, lost) = app
        .get(
            &app.viewer_token,
            "/api/v1/retention/members?period=month&from=2025-01-01&to=2025-07-01&as_of=2025-06-30&period_start=2025-05-01&which=lost",
        )
        .await;
    assert_eq!(lost["accounts"][0]["external_id"], "c1");

    let (_, other) = app.other_org("Other").await;
    let (s, theirs) = app.get(&other, q).await;
    assert_eq!(s, 200);
    assert_eq!(theirs["n_accounts"], 0);
    assert!(
        theirs["periods"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["S"] == 0 && p["E"] == 0)
    );
    let (_, theirs) = app
        .get(&other, "/api/v1/retention/summary?basis=activity&period=month&from=2025-01-01&as_of=2025-06-30")
        .await;
    assert_eq!(theirs["n_accounts"], 0);
    let (_, m) = app
        .get(
            &other,
            "/api/v1/retention/members?period=month&from=2025-01-01&to=2025-07-01&as_of=2025-06-30&period_start=2025-05-01&which=start",
        )
        .await;
    assert_eq!(m["count"], 0);
    let (_, attrs) = app.get(&other, "/api/v1/retention/attributes").await;
    assert_eq!(
        attrs["attributes"].as_array().unwrap().len(),
        attune_storage::retention::BUILTIN_ATTRIBUTES.len()
            + attune_storage::retention::SUBSCRIPTION_ATTRIBUTES.len(),
        "built-ins only"
    );
}

async fn the_page_draws_the_charts_and_escapes_account_names(b: Backend) {
    let app = TestApp::spawn(b).await;
    let hostile = "<script>alert('x')</script> & \"Ünïcode\" شركة";
    let mut rows = Vec::new();
    for i in 0..12 {
        rows.push(json!({
            "account_external_id": format!("acct-{i}"),
            "start_date": format!("2026-{:02}-05", 1 + i % 6),
            "end_date": if i % 3 == 0 { Value::from(format!("2026-{:02}-20", 7 + i % 4)) } else { Value::Null },
            "mrr": 10 + i,
        }));
    }
    let (s, body) = app
        .post(
            &app.admin_token,
            "/api/v1/subscriptions",
            &Value::from(rows),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    let (s, body) = app
        .post(
            &app.admin_token,
            "/api/v1/accounts",
            &json!({"external_id": "acct-3", "name": hostile}),
        )
        .await;
    assert_eq!(s, 201, "{body}");

    let res = app.client.get(app.url("/retention")).send().await.unwrap();
    assert_eq!(res.status(), 303, "anonymous visitors are sent to log in");
    let session = login(&app).await;
    let res = app
        .client
        .get(app.url("/retention?period=month&as_of=2026-11-23"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"retention-summary\""), "summary table");
    assert!(
        html.contains("<svg id=\"survival-curve\""),
        "survival curve"
    );
    assert!(
        html.contains("<svg id=\"cohort-heatmap\""),
        "cohort heat map"
    );
    assert!(html.contains("href=\"/retention\""), "in the nav");
    assert!(!html.contains("<script>alert"), "no raw script");
    assert!(
        html.contains("&#60;script&#62;alert(") || html.contains("&lt;script&gt;alert("),
        "the name is shown escaped"
    );
    assert!(html.contains("شركة"));

    every_number_drills_down(&app, &session, &html).await;
    bad_and_custom_periods(&app, &session).await;
}

/// Every number drills down to its customers: a heat-map cell and a summary cell link to the
/// list, which shows the hostile name escaped.
async fn every_number_drills_down(app: &TestApp, session: &str, html: &str) {
    let hrefs: Vec<String> = html
        .match_indices("href=\"/retention/members?")
        .map(|(i, _)| {
            let rest = &html[i + 6..];
            rest[..rest.find('"').unwrap()]
                .replace("&#38;", "&")
                .replace("&amp;", "&")
        })
        .collect();
    let cohort = hrefs
        .iter()
        .find(|h| h.contains("which=cohort") && h.contains("k=0"))
        .expect("a heat-map link");
    let lost = hrefs
        .iter()
        .find(|h| h.contains("which=lost"))
        .expect("a summary link");
    for href in [cohort, lost] {
        let res = app
            .client
            .get(app.url(href))
            .header("cookie", session)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{href}");
        let list = res.text().await.unwrap();
        assert!(list.contains("id=\"members-count\""), "{href}: {list}");
        assert!(!list.contains("<script>alert"), "{href}");
    }
    // acct-3 starts in April and leaves in October: in the April cohort at k = 0, and lost.
    let april = cohort_link(&hrefs, "2026-04-01");
    let res = app
        .client
        .get(app.url(&april))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    let list = res.text().await.unwrap();
    assert!(
        list.contains("&#60;script&#62;alert(") || list.contains("&lt;script&gt;alert("),
        "{list}"
    );
}

/// A period the page does not know, and a custom period (kept in the form).
async fn bad_and_custom_periods(app: &TestApp, session: &str) {
    let res = app
        .client
        .get(app.url("/retention/members?which=survival&unit=month"))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("time: is required"));
    let bad = app
        .client
        .get(app.url("/retention?period=fortnight"))
        .header("cookie", session)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 200);
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("period: must be month, quarter, year or custom")
    );
    // A custom period: one row from `from` up to the day before `to`, the inputs kept.
    let html = app
        .client
        .get(app.url("/retention?period=custom&from=2026-02-01&to=2026-08-01&as_of=2026-11-23"))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("2026-02-01 – 2026-07-31"), "{html}");
    assert!(html.contains("value=\"2026-08-01\""));
    assert!(html.contains("<option value=\"custom\" selected>"));
    let html = app
        .client
        .get(app.url("/retention?period=custom"))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("a custom period needs from and to"));
}

/// The number of accounts in the cohort table (every customer is in exactly one cohort).
async fn cohort_total(app: &TestApp) -> u64 {
    let (s, c) = app
        .get(
            &app.viewer_token,
            "/api/v1/retention/cohorts?period=month&as_of=2026-11-23",
        )
        .await;
    assert_eq!(s, 200, "{c}");
    c["cohorts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["size"].as_u64().unwrap())
        .sum()
}

/// The values the audit shows for `plan`.
async fn audited_plans(app: &TestApp) -> Vec<String> {
    let (s, a) = app
        .get(
            &app.viewer_token,
            "/api/v1/retention/audit?attribute=plan&min_support=1&as_of=2026-11-23",
        )
        .await;
    assert_eq!(s, 200, "{a}");
    let mut v: Vec<String> = a["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| Some(r["value"].as_str()?.to_owned()))
        .collect();
    v.sort();
    v
}

/// The current generation and the generations of the snapshots of `kind`.
async fn snapshot_state(app: &TestApp, kind: &str) -> (i64, Vec<i64>) {
    use sqlx::Row;
    let g: i64 = sqlx::query("SELECT generation FROM retention_state WHERE org_id = $1")
        .bind(&app.org_id)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get(0);
    let parts: Vec<i64> = sqlx::query(
        "SELECT generation FROM retention_snapshots WHERE org_id = $1 AND kind = $2 ORDER BY part",
    )
    .bind(&app.org_id)
    .bind(kind)
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect();
    (g, parts)
}

async fn post_subscriptions(app: &TestApp, accounts: std::ops::Range<usize>) {
    let rows: Vec<Value> = accounts
        .map(|i| {
            json!({
                "account_external_id": format!("acct-{i}"),
                "start_date": format!("2026-{:02}-05", 1 + i % 9),
                "end_date": if i % 3 == 0 { Value::from("2026-10-20") } else { Value::Null },
                "mrr": 10 + i,
            })
        })
        .collect();
    let (s, body) = app
        .post(
            &app.admin_token,
            "/api/v1/subscriptions",
            &Value::from(rows),
        )
        .await;
    assert_eq!(s, 201, "{body}");
}

async fn set_plan(app: &TestApp, account: &str, plan: &str) {
    let (s, body) = app
        .post(
            &app.admin_token,
            "/api/v1/accounts",
            &json!({"external_id": account, "name": account, "plan": plan}),
        )
        .await;
    assert_eq!(s, 201, "{body}");
}

async fn reports_read_the_snapshot_and_follow_every_change(b: Backend) {
    let app = TestApp::spawn(b).await;
    post_subscriptions(&app, 0..12).await;
    assert_eq!(cohort_total(&app).await, 12);
    let (g, parts) = snapshot_state(&app, "subscriptions").await;
    assert_eq!(
        parts,
        vec![g],
        "the first report saved a snapshot at the current generation"
    );

    // New rows through the API: the next report has them.
    post_subscriptions(&app, 12..15).await;
    let (g2, parts) = snapshot_state(&app, "subscriptions").await;
    assert!(
        g2 > g && parts == vec![g],
        "the write made the snapshot old"
    );
    assert_eq!(cohort_total(&app).await, 15);
    assert_eq!(
        snapshot_state(&app, "subscriptions").await.1,
        vec![g],
        "the report patched the old snapshot with the touched accounts, without saving it"
    );
    app.store.retention_refresh(None).await.unwrap();
    assert_eq!(
        snapshot_state(&app, "subscriptions").await.1,
        vec![g2],
        "the worker's refresh saved the patched snapshot"
    );

    // Attributes: changing an account's plan changes the audit.
    set_plan(&app, "acct-1", "gold").await;
    set_plan(&app, "acct-2", "free").await;
    assert_eq!(audited_plans(&app).await, ["free", "gold"]);
    set_plan(&app, "acct-1", "silver").await;
    assert_eq!(audited_plans(&app).await, ["free", "silver"]);
    // Saving an account again unchanged (a CRM sync) keeps the snapshot.
    app.store.retention_refresh(None).await.unwrap();
    let (g_same, _) = snapshot_state(&app, "attributes").await;
    set_plan(&app, "acct-1", "silver").await;
    assert_eq!(
        snapshot_state(&app, "attributes").await,
        (g_same, vec![g_same])
    );
    // An account the reports do not know changes nothing for them.
    let (g3, _) = snapshot_state(&app, "attributes").await;
    set_plan(&app, "prospect", "gold").await;
    assert_eq!(snapshot_state(&app, "attributes").await, (g3, vec![g3]));

    // The report reads the snapshot: one built from other rows, at the current generation,
    // is what it shows.
    app.store.retention_refresh(None).await.unwrap();
    let other_rows: Vec<attune_retention::Subscription> = (0..2)
        .map(|a| attune_retention::Subscription {
            account: a,
            start: parse_day("2026-03-01").unwrap(),
            end: None,
            mrr_cents: 100,
        })
        .collect();
    let rows = app
        .store
        .retention_rows(&app.org_id, RetentionSource::Subscriptions)
        .await
        .unwrap();
    let forged = attune_retention::packed::pack_subscriptions(rows.n_accounts, &other_rows);
    sqlx::query(
        "UPDATE retention_snapshots SET data = $1 WHERE org_id = $2 AND kind = 'subscriptions'",
    )
    .bind(forged)
    .bind(&app.org_id)
    .execute(app.store.pool())
    .await
    .unwrap();
    assert_eq!(cohort_total(&app).await, 2);

    // A damaged snapshot is not trusted: the rows are read again and the snapshot rebuilt.
    sqlx::query(
        "UPDATE retention_snapshots SET data = $1 WHERE org_id = $2 AND kind = 'subscriptions'",
    )
    .bind(b"ATRS\x01garbage".to_vec())
    .bind(&app.org_id)
    .execute(app.store.pool())
    .await
    .unwrap();
    assert_eq!(cohort_total(&app).await, 15);
    assert_eq!(cohort_total(&app).await, 15);
    let again = app
        .store
        .retention_rows(&app.org_id, RetentionSource::Subscriptions)
        .await
        .unwrap();
    assert_eq!(again, rows, "the rebuilt snapshot holds the stored rows");

    // The worker's refresh builds what a write made old, once.
    post_subscriptions(&app, 15..16).await;
    set_plan(&app, "acct-15", "gold").await;
    let built = app.store.retention_refresh(None).await.unwrap();
    assert_eq!(built, 2, "subscriptions and attributes");
    let (g4, parts) = snapshot_state(&app, "subscriptions").await;
    assert_eq!(parts, vec![g4]);
    assert_eq!(snapshot_state(&app, "attributes").await.1, vec![g4]);
    assert_eq!(app.store.retention_refresh(None).await.unwrap(), 0);
    assert_eq!(cohort_total(&app).await, 16);
    assert_eq!(audited_plans(&app).await, ["free", "gold", "silver"]);

    subscriptions_say_why_customers_left(&app).await;
}

/// Subscriptions carry attributes of their own: why a customer left (the reason on their
/// latest cancelled subscription) and the products they had.
async fn subscriptions_say_why_customers_left(app: &TestApp) {
    let rows = json!([
        {"account_external_id": "gone-1", "start_date": "2026-01-01", "end_date": "2026-05-01", "mrr": 10, "product": "pro", "cancellation_reason": "price"},
        {"account_external_id": "gone-2", "start_date": "2026-01-01", "end_date": "2026-05-01", "mrr": 10, "product": "pro", "cancellation_reason": "ਕੀਮਤ"},
        {"account_external_id": "gone-3", "start_date": "2026-01-01", "end_date": "2026-03-01", "mrr": 10, "product": "basic", "cancellation_reason": "bugs"},
        {"account_external_id": "gone-3", "start_date": "2026-03-01", "end_date": "2026-06-01", "mrr": 10, "product": "pro", "cancellation_reason": "price"},
    ]);
    let (s, body) = app
        .post(&app.admin_token, "/api/v1/subscriptions", &rows)
        .await;
    assert_eq!(s, 201, "{body}");
    let audit = |attribute: &'static str| async move {
        let (s, a) = app
            .get(
                &app.viewer_token,
                &format!(
                    "/api/v1/retention/audit?attribute={attribute}&min_support=1&as_of=2026-11-23"
                ),
            )
            .await;
        assert_eq!(s, 200, "{a}");
        let mut v: Vec<(String, u64, u64)> = a["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| {
                Some((
                    r["value"].as_str()?.to_owned(),
                    r["churned"].as_u64()?,
                    r["retained"].as_u64()?,
                ))
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        audit("cancellation_reason").await,
        [("price".to_owned(), 2, 0), ("ਕੀਮਤ".to_owned(), 1, 0)]
    );
    assert_eq!(
        audit("product").await,
        [("basic + pro".to_owned(), 1, 0), ("pro".to_owned(), 2, 0)]
    );
}

async fn an_account_import_is_all_or_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let account = |id: &str, owner: Option<&str>| attune_storage::model::AccountUpsert {
        external_id: id.to_owned(),
        name: format!("Name of {id}"),
        plan: Some("pro".into()),
        size_band: None,
        industry: None,
        region: Some("ਪੰਜਾਬ".into()),
        owner_user_id: owner.map(str::to_owned),
        attributes: serde_json::from_value(json!({"channel": "partner"})).unwrap(),
        ..Default::default()
    };
    let before = app.store.list_accounts(&app.org_id).await.unwrap().len();
    // The second row names an owner that does not exist: the database refuses it, and the
    // first row, already sent, is not kept either.
    let err = app
        .store
        .import_accounts(
            &app.org_id,
            &[account("a-1", None), account("a-2", Some("no-such-user"))],
            NOW_MS,
            &|_| {},
        )
        .await;
    assert!(err.is_err());
    assert_eq!(
        app.store.list_accounts(&app.org_id).await.unwrap().len(),
        before
    );

    // A good file: new accounts counted as new, a repeated id updates (the later row wins).
    let mut later = account("a-1", None);
    later.plan = Some("enterprise".into());
    let outcome = app
        .store
        .import_accounts(
            &app.org_id,
            &[account("a-1", None), account("a-2", None), later],
            NOW_MS,
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!((outcome.inserted, outcome.duplicates), (2, 1));
    let saved = app.store.list_accounts(&app.org_id).await.unwrap();
    let a1 = saved
        .iter()
        .find(|a| a.external_id.as_deref() == Some("a-1"))
        .unwrap();
    assert_eq!(a1.plan.as_deref(), Some("enterprise"));
    assert_eq!(a1.region.as_deref(), Some("ਪੰਜਾਬ"));
    assert_eq!(a1.attributes["channel"], "partner");
    let again = app
        .store
        .import_accounts(&app.org_id, &[account("a-2", None)], NOW_MS, &|_| {})
        .await
        .unwrap();
    assert_eq!((again.inserted, again.duplicates), (0, 1));
}

/// Relative closeness for numbers that can be tiny (p-values).
#[track_caller]
fn close_rel(got: &Value, want: &Value, what: &str) {
    let (a, b) = (got.as_f64().expect(what), want.as_f64().expect(what));
    assert!(
        (a - b).abs() <= 1e-6 * b.abs() + 1e-300,
        "{what}: {a} vs {b}"
    );
}

async fn telco_imported_by_tenure_matches_lifelines_and_scipy(b: Backend) {
    let app = TestApp::spawn(b).await;
    let Some(path) = data_path("telco-customer-churn.csv") else {
        return;
    };
    // The file knows tenures, not dates: counted back from a month's last day (so short
    // months clamp), churned customers end on that day.
    let as_of = parse_day("2024-03-31");
    let outcome = import_file(
        app.store.as_ref(),
        &app.org_id,
        Kind::Subscriptions,
        &path,
        &maps(&[
            ("account_external_id", "customerID"),
            ("tenure_months", "tenure"),
            ("churned", "Churn"),
            ("mrr", "MonthlyCharges"),
        ]),
        None,
        as_of,
        NOW_MS,
    )
    .await
    .unwrap();
    assert_eq!(outcome.inserted, 7_043);
    import_file(
        app.store.as_ref(),
        &app.org_id,
        Kind::Accounts,
        &path,
        &maps(&[("account_external_id", "customerID")]),
        None,
        None,
        NOW_MS,
    )
    .await
    .unwrap();

    // Kaplan–Meier in months over the API, against lifelines on the raw tenure column.
    let fx = fixture("telco_km.json");
    let want = fx["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "all")
        .unwrap();
    survival_matches_lifelines(&app, want).await;
    drill_down_finds_the_file_s_customers(&app, want, &path).await;
    the_cli_prints_the_same_report(&app).await;
    audit_matches_scipy_and_statsmodels(&app).await;
}

/// Kaplan–Meier in months over the API, against lifelines on the raw tenure column (`want`).
async fn survival_matches_lifelines(app: &TestApp, want: &Value) {
    for (ci, key) in [("log", "ci_log"), ("loglog", "ci_log_log")] {
        let (s, km) = app
            .get(
                &app.viewer_token,
                &format!("/api/v1/retention/survival?unit=month&as_of=2024-03-31&ci={ci}"),
            )
            .await;
        assert_eq!(s, 200, "{km}");
        assert_eq!(km["n"], want["n"]);
        // lifelines gives no median when the curve never falls to a half.
        let median = if want["median"].is_null() {
            json!("not reached")
        } else {
            want["median"].clone()
        };
        assert_eq!(km["median"], median);
        let (got, steps) = (
            km["steps"].as_array().unwrap(),
            want["steps"].as_array().unwrap(),
        );
        assert_eq!(got.len(), steps.len());
        for (g, w) in got.iter().zip(steps) {
            let what = format!("month {}", w["time"]);
            for k in ["time", "at_risk", "events", "censored"] {
                assert_eq!(g[k].as_f64(), w[k].as_f64(), "{what} {k}");
            }
            close(&g["survival"], &w["survival"], &what);
            for i in 0..2 {
                close(&g["ci95"][i], &w[key][i], &format!("{what} {key}"));
            }
        }
    }
}

/// Drill-down into the curve and the audit: the members are exactly the file's customers.
async fn drill_down_finds_the_file_s_customers(
    app: &TestApp,
    want: &Value,
    path: &std::path::Path,
) {
    // Drill-down into the curve: who churned, who was still a customer, who was at risk.
    let members = |q: String| async move {
        let (s, m) = app
            .get(
                &app.viewer_token,
                &format!("/api/v1/retention/members?as_of=2024-03-31&limit=10000&{q}"),
            )
            .await;
        assert_eq!(s, 200, "{q}: {m}");
        m
    };
    for step in want["steps"].as_array().unwrap().iter().take(4) {
        let t = step["time"].as_f64().unwrap();
        for (outcome, key) in [
            ("events", "events"),
            ("censored", "censored"),
            ("at_risk", "at_risk"),
        ] {
            let m = members(format!(
                "which=survival&unit=month&time={t}&outcome={outcome}"
            ))
            .await;
            assert_eq!(m["count"], step[key], "month {t} {outcome}");
        }
    }
    // … and into the audit: the customers behind a row are exactly the file's.
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id, contract, churn) = (col("customerID"), col("Contract"), col("Churn"));
    for (outcome, flag) in [("churned", "Yes"), ("retained", "No")] {
        let m = members(format!(
            "which=audit&attribute=Contract&value=Month-to-month&outcome={outcome}"
        ))
        .await;
        let mut got: Vec<&str> = m["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["external_id"].as_str().unwrap())
            .collect();
        got.sort_unstable();
        let mut expected: Vec<&str> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| f[contract] == "Month-to-month" && f[churn] == flag)
            .map(|f| f[id])
            .collect();
        expected.sort_unstable();
        assert_eq!(m["count"], expected.len(), "{outcome}");
        assert_eq!(got, expected, "{outcome}");
    }
    for (q, field) in [
        ("which=survival&unit=month", "time"),
        ("which=audit&attribute=Contract", "value"),
        ("which=audit&attribute=Nope&value=x", "attribute"),
        (
            "which=audit&attribute=Contract&value=x&outcome=maybe",
            "outcome",
        ),
    ] {
        let (s, e) = app
            .get(&app.viewer_token, &format!("/api/v1/retention/members?{q}"))
            .await;
        assert_eq!(s, 422, "{q}: {e}");
        assert_eq!(e["error"]["fields"][0]["field"], field, "{q}");
    }
}

/// The CLI prints the same report: survival as JSON, the audit as CSV.
async fn the_cli_prints_the_same_report(app: &TestApp) {
    // The CLI prints the same report: survival as JSON, the audit as CSV.
    let slug = app.store.org_by_id(&app.org_id).await.unwrap().slug;
    let cli = |args: Vec<&'static str>| {
        let (url, slug) = (app.db_url.clone(), slug.clone());
        async move {
            let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_attune"))
                .args([
                    "report",
                    "retention",
                    "--org",
                    &slug,
                    "--as-of",
                    "2024-03-31",
                ])
                .args(args)
                .env("ATTUNE_DB", &url)
                .env("ATTUNE_LOG", "warn")
                .output()
                .await
                .expect("run attune report retention");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        }
    };
    let printed: Value = serde_json::from_str(
        &cli(vec![
            "--show", "survival", "--unit", "month", "--format", "json",
        ])
        .await,
    )
    .unwrap();
    let (_, api) = app
        .get(
            &app.viewer_token,
            "/api/v1/retention/survival?unit=month&as_of=2024-03-31",
        )
        .await;
    assert_eq!(printed, api);
    let csv = cli(vec![
        "--show",
        "audit",
        "--attribute",
        "Contract",
        "--min-support",
        "10",
        "--format",
        "csv",
    ])
    .await;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("value,churned,retained,share_churned,share_retained,lift,churn_rate,test,p_value")
    );
    let mut counts: Vec<(String, u64, u64)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_owned(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
            )
        })
        .collect();
    counts.sort();
    assert_eq!(
        counts,
        [
            ("Month-to-month".to_owned(), 1655, 2220),
            ("One year".to_owned(), 166, 1307),
            ("Two year".to_owned(), 48, 1647)
        ]
    );
    let table = cli(vec!["--show", "cohorts", "--from", "2024-01-01"]).await;
    assert!(
        table.contains("cohort  size") && table.contains("2024-02-01   613"),
        "{table}"
    );
}

/// The churn audit over the imported attributes, against scipy and statsmodels.
async fn audit_matches_scipy_and_statsmodels(app: &TestApp) {
    // The churn audit over the imported attributes, against scipy and statsmodels.
    let fx = fixture("telco_audit.json");
    let min_support = fx["min_support"].as_u64().unwrap();
    for attr in fx["attributes"].as_array().unwrap() {
        let name = attr["attribute"].as_str().unwrap();
        let (s, audit) = app
            .get(
                &app.viewer_token,
                &format!(
                    "/api/v1/retention/audit?attribute={name}&min_support={min_support}&as_of=2024-03-31"
                ),
            )
            .await;
        assert_eq!(s, 200, "{audit}");
        let rows = audit["rows"].as_array().unwrap();
        let want = attr["rows"].as_array().unwrap();
        assert_eq!(rows.len(), want.len(), "{name}");
        for w in want {
            let what = format!("{name}={}", w["value"]);
            let g = rows.iter().find(|r| r["value"] == w["value"]).expect(&what);
            for k in ["churned", "retained", "below_support"] {
                assert_eq!(g[k], w[k], "{what} {k}");
            }
            for k in ["share_churned", "churn_rate", "lift"] {
                close(&g[k], &w[k], &format!("{what} {k}"));
            }
            if !w["test"].is_null() {
                assert_eq!(g["test"]["test"], w["test"]["test"], "{what}");
                close_rel(
                    &g["test"]["p_value"],
                    &w["test"]["p_value"],
                    &format!("{what} p"),
                );
            }
        }
    }
}

/// The heat-map link of the cohort starting on `start`, k = 0.
fn cohort_link(hrefs: &[String], start: &str) -> String {
    hrefs
        .iter()
        .find(|h| {
            h.contains("which=cohort")
                && h.contains(&format!("period_start={start}"))
                && h.ends_with("k=0")
        })
        .cloned()
        .unwrap_or_else(|| panic!("no link to the cohort of {start} in {hrefs:?}"))
}
