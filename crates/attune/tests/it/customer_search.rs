//! Finding a customer (issue 14) by the start of a name in any script, an e-mail address, a
//! domain or an id in another system; exact matches first; another organisation's and merged
//! records never.

use attune_storage::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

on_both_backends!(customers_are_found_by_name_address_domain_and_id);

async fn found(app: &TestApp, token: &str, q: &str) -> Vec<(String, String)> {
    let path = format!("/api/v1/customers/search?q={}", urlencoding(q));
    let (s, b) = app.get(token, &path).await;
    assert_eq!(s, 200, "{q}: {b}");
    b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_owned(),
                h["matched"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn pair(name: &str, matched: &str) -> (String, String) {
    (name.to_owned(), matched.to_owned())
}

async fn customers_are_found_by_name_address_domain_and_id(b: Backend) {
    let app = TestApp::spawn(b).await;
    for body in [
        json!({"external_id": "ACC-7", "name": "شرکت نور", "domains": ["noor.example"],
               "external_ids": {"crm": "0015g00000XyZ"}}),
        json!({"external_id": "N-1", "name": "Noor Ltd"}),
        json!({"external_id": "L-1", "name": "ບໍລິສັດ ລາວ"}),
        json!({"external_id": "N-10", "name": "Other"}),
        json!({"external_id": "DUP", "name": "Noor Duplicate"}),
    ] {
        let (s, b) = app.post(&app.admin_token, "/api/v1/accounts", &body).await;
        assert_eq!(s, 201, "{b}");
    }
    for body in [
        json!({"email": "simran@punjab.example", "name": "ਸਿਮਰਨ ਕੌਰ"}),
        json!({"email": "ANA@Beta.example", "name": "Ana"}),
    ] {
        let (s, b) = app.post(&app.admin_token, "/api/v1/people", &body).await;
        assert!(s == 200 || s == 201, "{b}");
    }
    let (s, m) = app
        .post(
            &app.admin_token,
            "/api/v1/accounts/N-1/merge",
            &json!({"merge": "DUP"}),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let t = app.admin_token.clone();
    assert_eq!(found(&app, &t, "شرکت").await, [pair("شرکت نور", "name")]);
    assert_eq!(
        found(&app, &t, "NOOR").await,
        [pair("شرکت نور", "domain"), pair("Noor Ltd", "name")],
        "addresses and domains before names; the merged duplicate is left out"
    );
    assert_eq!(found(&app, &t, "ਸਿਮ").await, [pair("ਸਿਮਰਨ ਕੌਰ", "name")]);
    assert_eq!(found(&app, &t, "ບໍລິ").await, [pair("ບໍລິສັດ ລາວ", "name")]);
    assert_eq!(found(&app, &t, "ana@BETA").await, [pair("Ana", "email")]);
    assert_eq!(
        found(&app, &t, "0015g").await,
        [pair("شرکت نور", "external_id")]
    );
    assert_eq!(
        found(&app, &t, "N-1").await,
        [
            pair("Noor Ltd", "external_id"),
            pair("Other", "external_id")
        ],
        "the exact id first"
    );
    assert!(found(&app, &t, "zzz").await.is_empty());
    let (_, other) = app.other_org("Other").await;
    assert!(
        found(&app, &other, "N").await.is_empty(),
        "another organisation sees none"
    );
    // The account list finds them too, escaped, each linking to its page.
    let cookie = crate::pages::login(&app).await;
    let res = app
        .client
        .get(app.url("/accounts?q=%D8%B4%D8%B1%DA%A9%D8%AA"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let id = app.store.account(&app.org_id, "ACC-7").await.unwrap().id;
    assert!(
        html.contains(&format!(
            "<a href=\"/accounts/{id}\" dir=\"auto\">شرکت نور</a>"
        )),
        "{html}"
    );
    assert!(
        html.contains("value=\"شرکت\""),
        "the search is kept in its box"
    );
    for bad in [
        "/api/v1/customers/search?q=%20",
        "/api/v1/customers/search?q=a&limit=0",
        "/api/v1/customers/search",
    ] {
        let (s, e): (u16, Value) = app.get(&t, bad).await;
        assert_eq!(s, 422, "{bad}: {e}");
    }
}
