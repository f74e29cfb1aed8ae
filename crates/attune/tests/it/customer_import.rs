//! Accounts and people from CRM exports (issue 14, slice 8): HubSpot and Salesforce layouts
//! import with no mapping (the files in `tests/fixtures/crm/` follow each CRM's documented
//! export columns, date forms and `;` between values), a contact of several companies gets a
//! membership of each, importing again changes nothing, a bad file stores nothing and names
//! the line and column, and the sync API takes batches of up to 1,000 all or nothing.

use std::path::PathBuf;

use attune::customer_import::import_file;
use attune_app::import::customers::{Options, Target};
use serde_json::{Value, json};

use crate::helpers::{Backend, NOW_MS, TestApp};
use crate::on_both_backends;

on_both_backends!(hubspot_exports_import_with_no_mapping_and_again_change_nothing);
on_both_backends!(salesforce_exports_give_parents_and_a_contact_in_two_accounts);
on_both_backends!(a_bad_file_stores_nothing_and_names_the_line_and_column);
on_both_backends!(the_sync_api_stores_a_batch_all_or_nothing);

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/crm")
        .join(name)
}

async fn import(app: &TestApp, target: Target, file: &str) -> anyhow::Result<Value> {
    let report = import_file(
        app.store.as_ref(),
        &app.org_id,
        target,
        &fixture(file),
        &Options::default(),
        None,
        NOW_MS,
    )
    .await?;
    Ok(serde_json::to_value(report)?)
}

async fn account(app: &TestApp, key: &str) -> Value {
    let (s, b) = app
        .get(&app.admin_token, &format!("/api/v1/accounts/{key}"))
        .await;
    assert_eq!(s, 200, "{key}: {b}");
    b
}

async fn person(app: &TestApp, email: &str) -> Value {
    let (s, b) = app
        .get(&app.admin_token, &format!("/api/v1/people/{email}"))
        .await;
    assert_eq!(s, 200, "{email}: {b}");
    b
}

fn memberships(p: &Value) -> Vec<(String, Value, Value, Value, Value)> {
    let mut out: Vec<_> = p["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["account_name"].as_str().unwrap().to_owned(),
                m["title"].clone(),
                m["roles"].clone(),
                m["from"].clone(),
                m["to"].clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

async fn hubspot_exports_import_with_no_mapping_and_again_change_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let r = import(&app, Target::Accounts, "hubspot-companies.csv")
        .await
        .unwrap();
    assert_eq!(
        (r["accounts_created"].clone(), r["accounts_updated"].clone()),
        (json!(3), json!(0))
    );
    let noor = account(&app, "9001").await;
    assert_eq!(noor["name"], "Noor Textiles");
    assert_eq!(
        noor["domains"],
        json!(["noor.example"]),
        "domain and website are one"
    );
    assert_eq!(noor["external_ids"], json!({"hubspot": "9001"}));
    assert_eq!(noor["size_band"], "201-500", "240 employees");
    assert_eq!(noor["industry"], "Textiles");
    assert_eq!(noor["region"], "Pakistan");
    assert_eq!(noor["attributes"]["lifecycle_stage"], "Customer");
    assert_eq!(noor["created_at"], "2023-02-14T00:00:00Z");
    let lao = account(&app, "9003").await;
    assert_eq!(lao["name"], "<script>alert(1)</script> & Co");
    assert_eq!(lao["size_band"], "1001-5000", "`1,200` employees");
    assert_eq!(
        account(&app, "9002").await["domains"],
        json!(["noor-retail.example"])
    );

    let r = import(&app, Target::People, "hubspot-contacts.csv")
        .await
        .unwrap();
    assert_eq!(
        (r["people_created"].clone(), r["people_updated"].clone()),
        (json!(3), json!(0))
    );
    let ayesha = person(&app, "ayesha@noor.example").await;
    assert_eq!(ayesha["name"], "Ayesha Khan");
    assert_eq!(ayesha["language"], "ur");
    assert_eq!(
        ayesha["other_emails"],
        json!(["ayesha.khan@noor-retail.example"])
    );
    let title = json!("CFO");
    assert_eq!(
        memberships(&ayesha),
        [
            (
                "Noor Textiles".into(),
                title.clone(),
                json!([]),
                Value::Null,
                Value::Null
            ),
            (
                "شرکت نور".into(),
                title,
                json!([]),
                Value::Null,
                Value::Null
            ),
        ],
        "one contact of two companies: two memberships"
    );
    assert_eq!(
        person(&app, "simran@noor.example").await["name"],
        "ਸਿਮਰਨ ਕੌਰ"
    );

    // What staff set in Attune stays when the CRM's file comes again.
    let (s, b) = app
        .post(
            &app.admin_token,
            "/api/v1/people",
            &json!({"email": "ayesha@noor.example", "name": "Ayesha Khan",
                    "preferences": {"calls": "mornings only"}}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let again = import(&app, Target::Accounts, "hubspot-companies.csv")
        .await
        .unwrap();
    assert_eq!(
        (
            again["accounts_created"].clone(),
            again["accounts_updated"].clone()
        ),
        (json!(0), json!(3))
    );
    let again = import(&app, Target::People, "hubspot-contacts.csv")
        .await
        .unwrap();
    assert_eq!(
        (
            again["people_created"].clone(),
            again["people_updated"].clone()
        ),
        (json!(0), json!(3))
    );
    let (_, list) = app.get(&app.admin_token, "/api/v1/accounts").await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        3,
        "no account twice"
    );
    let ayesha_again = person(&app, "ayesha@noor.example").await;
    assert_eq!(
        ayesha_again["preferences"],
        json!({"calls": "mornings only"})
    );
    assert_eq!(memberships(&ayesha_again), memberships(&ayesha));

    // Another organisation sees none of it.
    let (_, other) = app.other_org("Other").await;
    let (s, _) = app.get(&other, "/api/v1/accounts/9001").await;
    assert_eq!(s, 404);
    let (s, _) = app.get(&other, "/api/v1/people/ayesha@noor.example").await;
    assert_eq!(s, 404);
}

async fn salesforce_exports_give_parents_and_a_contact_in_two_accounts(b: Backend) {
    let app = TestApp::spawn(b).await;
    import(&app, Target::Accounts, "salesforce-accounts.csv")
        .await
        .unwrap();
    let group = account(&app, "001Dn00000AbCdFIAV").await;
    let dhaka = account(&app, "001Dn00000AbCdEIAV").await;
    assert_eq!(
        dhaka["parent_id"], group["id"],
        "a parent later in the file"
    );
    assert_eq!(dhaka["domains"], json!(["padma-dhaka.example"]));
    assert_eq!(dhaka["attributes"]["lifecycle_stage"], "Customer - Direct");
    assert_eq!(group["size_band"], "1001-5000");
    assert_eq!(dhaka["created_at"], "2022-05-10T00:00:00Z");
    let r = import(&app, Target::People, "salesforce-contacts.csv")
        .await
        .unwrap();
    assert_eq!(r["people_created"], 2);
    let r = import(
        &app,
        Target::People,
        "salesforce-account-contact-relations.csv",
    )
    .await
    .unwrap();
    assert_eq!(
        (r["people_created"].clone(), r["people_updated"].clone()),
        (json!(0), json!(1))
    );
    let farhana = person(&app, "farhana@padma.example").await;
    assert_eq!(farhana["name"], "Farhana Rahman");
    assert_eq!(
        farhana["phone"], "+880 1711 000000",
        "no phone: the mobile phone"
    );
    assert_eq!(
        memberships(&farhana),
        [
            (
                "Padma Foods Dhaka".into(),
                json!("Head of Purchasing"),
                json!(["decision_maker"]),
                json!("2022-06-01"),
                Value::Null
            ),
            (
                "Padma Group".into(),
                Value::Null,
                json!(["executive_sponsor"]),
                json!("2024-01-01"),
                json!("2026-06-30")
            ),
        ],
        "the relations file adds roles and days and keeps the title"
    );
}

async fn a_bad_file_stores_nothing_and_names_the_line_and_column(b: Backend) {
    let app = TestApp::spawn(b).await;
    // Contacts before their companies: the first contact names companies no account has.
    let err = import(&app, Target::People, "hubspot-contacts.csv")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "line 2, column `Associated Company IDs`: no account has the hubspot id `9001`"
        ),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    let (_, people) = app.get(&app.admin_token, "/api/v1/people").await;
    assert_eq!(people["items"], json!([]), "nothing stored");

    let path = std::env::temp_dir().join(format!(
        "attune-companies-{}.csv",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(
        &path,
        "Record ID,Company name,Company Domain Name,Create Date\n\
         1,Good,good.example,2024-01-01\n\
         2,Bad domain,not a domain,2024-01-01\n\
         3,Bad date,bad.example,31/31/2024\n",
    )
    .unwrap();
    let err = import_file(
        app.store.as_ref(),
        &app.org_id,
        Target::Accounts,
        &path,
        &Options::default(),
        None,
        NOW_MS,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("2 problem(s)"), "{err}");
    assert!(
        err.contains("line 3, column `Company Domain Name`: `not a domain` is not a web domain"),
        "{err}"
    );
    assert!(
        err.contains("line 4, column `Create Date`: `31/31/2024` is not a date"),
        "{err}"
    );
    let (_, list) = app.get(&app.admin_token, "/api/v1/accounts").await;
    assert_eq!(
        list["items"],
        json!([]),
        "the good row is not stored either"
    );

    // A domain another account already has is refused by the store: still nothing stored.
    std::fs::write(
        &path,
        "Record ID,Company name,Company Domain Name\n1,One,one.example\n2,Two,one.example\n",
    )
    .unwrap();
    let err = import_file(
        app.store.as_ref(),
        &app.org_id,
        Target::Accounts,
        &path,
        &Options::default(),
        None,
        NOW_MS,
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("line 3, column `Company Domain Name`"),
        "{err}"
    );
    let (_, list) = app.get(&app.admin_token, "/api/v1/accounts").await;
    assert_eq!(list["items"], json!([]));
    let _ = std::fs::remove_file(&path);
}

async fn the_sync_api_stores_a_batch_all_or_nothing(b: Backend) {
    let app = TestApp::spawn(b).await;
    let body = json!({
        "accounts": [
            {"external_id": "A-1", "name": "Alpha", "domains": ["alpha.example"],
             "attributes": {"plan_tier": "gold"}, "parent": "G-1"},
            {"external_id": "G-1", "name": "Group"}
        ],
        "people": [
            {"email": "ana@alpha.example", "name": "Ana",
             "memberships": [{"account": "A-1", "roles": ["champion"], "title": "COO"}]}
        ]
    });
    let (s, r) = app
        .post(&app.admin_token, "/api/v1/customers/sync", &body)
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["accounts_created"].clone(), r["people_created"].clone()),
        (json!(2), json!(1))
    );
    let alpha = account(&app, "A-1").await;
    assert_eq!(alpha["parent_id"], account(&app, "G-1").await["id"]);

    // A later call sends only what changed: the rest is kept, attributes one by one.
    let body = json!({"accounts": [{"external_id": "A-1", "attributes": {"segment": "smb"}}],
                      "people": [{"email": "ANA@alpha.example", "phone": "+1 555 0100",
                                  "memberships": [{"account": "A-1"}]}]});
    let (s, r) = app
        .post(&app.admin_token, "/api/v1/customers/sync", &body)
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (r["accounts_updated"].clone(), r["people_updated"].clone()),
        (json!(1), json!(1))
    );
    let alpha = account(&app, "A-1").await;
    assert_eq!(alpha["name"], "Alpha");
    assert_eq!(alpha["domains"], json!(["alpha.example"]));
    assert_eq!(
        alpha["attributes"],
        json!({"plan_tier": "gold", "segment": "smb"})
    );
    let ana = person(&app, "ana@alpha.example").await;
    assert_eq!(ana["name"], "Ana");
    assert_eq!(ana["phone"], "+1 555 0100");
    assert_eq!(ana["memberships"][0]["roles"], json!(["champion"]));
    assert_eq!(ana["memberships"][0]["title"], "COO");

    // A clash in the last row: a 409 naming it, and the first row is not stored either.
    let body = json!({"accounts": [{"external_id": "B-1", "name": "Beta"},
                                   {"external_id": "C-1", "domains": ["alpha.example"]}]});
    let (s, r) = app
        .post(&app.admin_token, "/api/v1/customers/sync", &body)
        .await;
    assert_eq!(s, 409, "{r}");
    assert!(r.to_string().contains("accounts[1].domains"), "{r}");
    let (s, _) = app.get(&app.admin_token, "/api/v1/accounts/B-1").await;
    assert_eq!(s, 404, "all or nothing");

    // An unknown account in a membership, an invalid row: 422 naming the row.
    let body = json!({"people": [{"email": "x@y.example", "memberships": [{"account": "NOPE"}]}]});
    let (s, r) = app
        .post(&app.admin_token, "/api/v1/customers/sync", &body)
        .await;
    assert_eq!(s, 422, "{r}");
    assert!(r.to_string().contains("people[0].memberships"), "{r}");
    let body = json!({"accounts": [{"external_id": "ok"}, {"name": "no id"}]});
    let (s, r) = app
        .post(&app.admin_token, "/api/v1/customers/sync", &body)
        .await;
    assert_eq!(s, 422, "{r}");
    assert!(r.to_string().contains("accounts[1].external_id"), "{r}");

    // At most 1,000 rows a call; viewers may not write.
    let many: Vec<Value> = (0..1_001)
        .map(|i| json!({"external_id": format!("M-{i}")}))
        .collect();
    let (s, r) = app
        .post(
            &app.admin_token,
            "/api/v1/customers/sync",
            &json!({"accounts": many}),
        )
        .await;
    assert_eq!(s, 422, "{r}");
    let thousand: Vec<Value> = (0..1_000)
        .map(|i| json!({"external_id": format!("M-{i}")}))
        .collect();
    let (s, r) = app
        .post(
            &app.admin_token,
            "/api/v1/customers/sync",
            &json!({"accounts": thousand}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["accounts_created"], 1_000);
    let (s, _) = app
        .post(
            &app.viewer_token,
            "/api/v1/customers/sync",
            &json!({"accounts": []}),
        )
        .await;
    assert_eq!(s, 403);
    let (_, other) = app.other_org("Other").await;
    let (s, _) = app.get(&other, "/api/v1/accounts/A-1").await;
    assert_eq!(s, 404);
}
