//! CSV import: checked whole, all or nothing, idempotent.

use std::collections::HashMap;

use attune_storage::prelude::*;

use crate::helpers::{Backend, NOW_MS, TestApp};
use crate::on_both_backends;

on_both_backends!(import_is_all_or_nothing_and_idempotent);

async fn import(
    app: &TestApp,
    survey: &attune_storage::model::Survey,
    file: &std::path::Path,
    maps: &HashMap<String, String>,
) -> anyhow::Result<attune_storage::model::ImportOutcome> {
    attune::import::import_file(app.store.as_ref(), &app.org_id, survey, file, maps, NOW_MS).await
}

async fn import_is_all_or_nothing_and_idempotent(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey_id = app.nps_survey(&app.admin_token).await;
    let survey = app.store.survey(&app.org_id, &survey_id).await.unwrap();
    let dir = std::env::temp_dir().join(format!("attune-import-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "Score,Comment,email,submitted_at\n9,good,a@x.example,2026-10-01\n11,too high,b@x.example,2026-10-02\n5,,not-an-email,2026-10-03\n").unwrap();
    let maps = HashMap::from([
        ("nps".to_owned(), "Score".to_owned()),
        ("why".to_owned(), "Comment".to_owned()),
    ]);
    let err = import(&app, &survey, &bad, &maps).await.unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("line 3, column `Score`"), "{msg}");
    assert!(msg.contains("line 4, column `email`"), "{msg}");
    // An account's name without its id says nothing about which account: refused by line and
    // column before anything is stored, not dropped (which made the corrected file a no-op
    // re-import).
    let named = dir.join("named.csv");
    std::fs::write(
        &named,
        "Score,Comment,account_name,response_id\n9,,Noor Traders,r-1\n",
    )
    .unwrap();
    let err = import(&app, &survey, &named, &maps).await.unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("line 2, column `account_name`"), "{msg}");
    assert!(msg.contains("account_external_id"), "{msg}");
    let (_, m) = app.get(&app.admin_token, "/api/v1/metrics/nps").await;
    assert_eq!(m["n"], 0, "nothing was written");

    let good = dir.join("good.csv");
    std::fs::write(&good, "Score,Comment,email,account_external_id,submitted_at,language\n9,\"great, really\",a@x.example,X-1,2026-10-01,en\n3,ຊ້າຫຼາຍ,b@x.example,X-2,2026-10-02T10:00:00Z,lo\n10,,,,2026-10-03,\n").unwrap();
    let first = import(&app, &survey, &good, &maps).await.unwrap();
    assert_eq!((first.inserted, first.duplicates), (3, 0));
    let again = import(&app, &survey, &good, &maps).await.unwrap();
    assert_eq!(
        (again.inserted, again.duplicates),
        (0, 3),
        "re-importing stores nothing twice"
    );
    let (_, m) = app.get(&app.admin_token, "/api/v1/metrics/nps").await;
    assert_eq!(
        (
            m["n"].as_u64(),
            m["promoters"].as_u64(),
            m["detractors"].as_u64()
        ),
        (Some(3), Some(2), Some(1))
    );
    let (_, feed) = app
        .get(&app.admin_token, "/api/v1/feedback?language=lo")
        .await;
    assert_eq!(feed["items"][0]["channel"], "import");
    assert_eq!(feed["items"][0]["account"]["name"], "X-2");
    let unknown = attune::import::parse_maps(&["nope=Score".into()]).unwrap();
    let err = import(&app, &survey, &good, &unknown).await.unwrap_err();
    assert!(
        format!("{err:#}").contains("`nope` is neither a question"),
        "{err:#}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
