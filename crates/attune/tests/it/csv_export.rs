//! CSV written by the product cannot carry a spreadsheet formula (security review finding 6):
//! through the real `attune report retention --format csv` command, hostile attribute values in
//! several scripts come out neutralised and quoted, and numbers stay numbers.

use attune_storage::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(retention_csv_neutralises_formulas_in_a_multilingual_audit);

/// Text cells a spreadsheet would take for a formula, each beside a real sentence. (Tab, CR and
/// LF cannot reach an account attribute through the API; the unit tests of
/// `attune_domain::csv` cover them.)
const HOSTILE: &[&str] = &[
    "=HYPERLINK(\"http://x\",\"y\") ਸੇਵਾ ਬਹੁਤ ਵਧੀਆ ਸੀ",
    "@SUM(1) ບໍລິການດີຫຼາຍ",
    "+cmd|' /C calc'!A0 سروس بہت اچھی تھی",
    "-2+3 দাম অনেক বেশি",
    "=1+1 サポートが遅い",
    "@服务很好",
];

async fn retention_csv_neutralises_formulas_in_a_multilingual_audit(b: Backend) {
    let app = TestApp::spawn(b).await;
    let mut plans: Vec<&str> = HOSTILE.to_vec();
    plans.push("ਸਾਲਾਨਾ plan, \"quoted\"");
    plans.push("Pro");
    let mut subs = Vec::new();
    for (i, plan) in plans.iter().enumerate() {
        for j in 0..2 {
            let ext = format!("acct-{i}-{j}");
            subs.push(json!({
                "account_external_id": ext,
                "start_date": "2025-01-05",
                "end_date": if j == 0 { Value::from("2025-06-20") } else { Value::Null },
                "mrr": 10 + i,
            }));
            let (s, body) = app
                .post(
                    &app.admin_token,
                    "/api/v1/accounts",
                    &json!({"external_id": ext, "name": "=HYPERLINK(\"http://x\",\"y\")", "plan": plan}),
                )
                .await;
            assert_eq!(s, 201, "{body}");
        }
    }
    let (s, body) = app
        .post(
            &app.admin_token,
            "/api/v1/subscriptions",
            &Value::from(subs),
        )
        .await;
    assert_eq!(s, 201, "{body}");

    let slug = app.store.org_by_id(&app.org_id).await.unwrap().slug;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_attune"))
        .args([
            "report",
            "retention",
            "--org",
            &slug,
            "--as-of",
            "2025-12-31",
            "--show",
            "audit",
            "--attribute",
            "plan",
            "--min-support",
            "1",
            "--format",
            "csv",
        ])
        .env("ATTUNE_DB", &app.db_url)
        .env("ATTUNE_LOG", "warn")
        .output()
        .await
        .expect("run attune report retention");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        text.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\") ਸੇਵਾ ਬਹੁਤ ਵਧੀਆ ਸੀ\""),
        "the formula is prefixed, quoted and its quotes doubled:\n{text}"
    );
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[0], "value");
    let mut values = Vec::new();
    for record in reader.records() {
        let record = record.expect("well-formed CSV");
        assert_eq!(record.len(), header.len(), "{record:?}");
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell starts with a formula character: {cell:?}\n{text}"
            );
        }
        for (name, cell) in header.iter().zip(record.iter()).skip(1) {
            if name != "test" && !cell.is_empty() {
                assert!(
                    cell.parse::<f64>().is_ok(),
                    "{name} stays a number: {cell:?}"
                );
            }
        }
        values.push(record[0].to_owned());
    }
    values.sort();
    let mut want: Vec<String> = HOSTILE.iter().map(|h| format!("'{h}")).collect();
    want.push("ਸਾਲਾਨਾ plan, \"quoted\"".to_owned());
    want.push("Pro".to_owned());
    want.sort();
    assert_eq!(values, want, "{text}");
}
