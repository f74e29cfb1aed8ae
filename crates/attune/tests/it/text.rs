//! Text analytics through the real server: languages detected at ingest, term search in every
//! script (ranked, highlighted), themes and key drivers, hostile input, tenancy, reindex,
//! stemming (search and the comment rule agree; an upgraded database is re-indexed by serve).

use attune_storage::prelude::*;
use serde_json::{Value, json};
use sqlx::Row;

use crate::helpers::{Backend, TestApp, shared_data};
use crate::on_both_backends;
use crate::pages::login;

on_both_backends!(
    every_shared_language_is_detected_stored_and_used_as_the_language,
    words_in_scripts_without_spaces_find_their_sentences,
    more_matching_terms_rank_first_and_ranked_pages_follow,
    planted_price_drivers_in_three_scripts_are_recovered,
    hostile_inputs_are_stored_searchable_and_escaped,
    another_organisations_words_never_leak,
    reindex_reproduces_the_index,
    stemmed_search_and_the_comment_rule_agree_on_cancel,
    serve_reindexes_an_upgraded_database_in_the_background,
);

/// GET with query parameters (encoded by the client).
async fn get_with(app: &TestApp, token: &str, path: &str, params: &[(&str, &str)]) -> (u16, Value) {
    let res = app
        .client
        .get(app.url(path))
        .query(params)
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The comments of a feed page, in order.
fn comments(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["comment"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Posts every line of the shared multilingual file without a language; returns (line, id).
async fn load_multilingual(app: &TestApp, survey: &str) -> Option<Vec<(Value, String)>> {
    let data = shared_data("feedback-multilingual.jsonl")?;
    let mut out = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let row: Value = serde_json::from_str(line).expect("jsonl");
        let r = app
            .answer(
                survey,
                json!({"answers": {"nps": row["nps"], "why": row["text"]}}),
            )
            .await;
        out.push((row, r["id"].as_str().expect("id").to_owned()));
    }
    Some(out)
}

async fn every_shared_language_is_detected_stored_and_used_as_the_language(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let Some(rows) = load_multilingual(&app, &survey).await else {
        return;
    };
    for (row, id) in &rows {
        let want = row["lang"].as_str().unwrap();
        let (status, r) = app
            .get(&app.admin_token, &format!("/api/v1/responses/{id}"))
            .await;
        assert_eq!(status, 200);
        assert_eq!(r["language"], want, "{}", row["text"]);
        let stored = sqlx::query(
            "SELECT language_source, text_language, language_confidence FROM responses WHERE id = $1",
        )
        .bind(id)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        assert_eq!(stored.get::<String, _>("language_source"), "detected");
        assert_eq!(stored.get::<String, _>("text_language"), want);
        let confidence: i64 = stored.get("language_confidence");
        assert!((300..=1000).contains(&confidence), "{confidence}");
    }
    // The detected language is the response's language: the feed filter and the metrics segment.
    let (_, feed) = app
        .get(&app.admin_token, "/api/v1/feedback?language=lo")
        .await;
    assert_eq!(feed["items"].as_array().unwrap().len(), 4, "{feed}");
    let (status, m) = app
        .get(&app.admin_token, "/api/v1/metrics/nps?by=language")
        .await;
    assert_eq!(status, 200, "{m}");
    assert!(m.to_string().contains("\"lo\""), "{m}");
    // A declared language wins over detection.
    let r = app
        .answer(
            &survey,
            json!({"answers": {"nps": 5, "why": "ລາຄາແພງເກີນໄປ"}, "language": "en-GB"}),
        )
        .await;
    assert_eq!(r["language"], "en-GB");
    let source: String = sqlx::query("SELECT language_source FROM responses WHERE id = $1")
        .bind(r["id"].as_str().unwrap())
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get("language_source");
    assert_eq!(source, "declared");
}

async fn words_in_scripts_without_spaces_find_their_sentences(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    if load_multilingual(&app, &survey).await.is_none() {
        return;
    }
    for (word, sentence_part) in [
        ("ລາຄາ", "ລາຄາແພງເກີນໄປ"),             // Lao: price
        ("พนักงาน", "พนักงานเป็นมิตร"),           // Thai: staff
        ("قیمت", "قیمت بہت زیادہ"),           // Urdu: price
        ("দাম", "দাম অনেক বেশি"),               // Bengali: price
        ("ਕੀਮਤ", "ਕੀਮਤ ਬਹੁਤ"),                 // Punjabi: price
        ("返事", "三日間返事を待っています"), // Japanese: reply
    ] {
        let (status, feed) =
            get_with(&app, &app.admin_token, "/api/v1/feedback", &[("q", word)]).await;
        assert_eq!(status, 200, "{feed}");
        let found = comments(&feed);
        assert_eq!(found.len(), 1, "{word}: {found:?}");
        assert!(found[0].contains(sentence_part), "{word}: {found:?}");
    }
    // The feed page marks the word, by its bytes in the original text.
    let cookie = login(&app).await;
    let html = app
        .client
        .get(app.url("/feedback"))
        .query(&[("q", "ລາຄາ")])
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<mark>ລາຄາ</mark>ແພງເກີນໄປ"), "{html}");
}

async fn more_matching_terms_rank_first_and_ranked_pages_follow(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let t0 = "2026-11-01T10:00:00Z";
    let t1 = "2026-11-02T10:00:00Z";
    let t2 = "2026-11-03T10:00:00Z";
    // The newest mentions one word; the oldest mentions both.
    let both = "The price went up and support never answered";
    app.answer(
        &survey,
        json!({"answers": {"nps": 3, "why": both}, "submitted_at": t0}),
    )
    .await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 4, "why": "Support was slow today"}, "submitted_at": t1}),
    )
    .await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 5, "why": "Price is fine, onboarding hard"}, "submitted_at": t2}),
    )
    .await;
    let (_, all) = get_with(
        &app,
        &app.admin_token,
        "/api/v1/feedback",
        &[("q", "price support")],
    )
    .await;
    assert_eq!(
        comments(&all),
        vec![both.to_owned()],
        "all words by default"
    );
    let (_, any) = get_with(
        &app,
        &app.admin_token,
        "/api/v1/feedback",
        &[("q", "PRICE support"), ("match", "any")],
    )
    .await;
    let found = comments(&any);
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0], both, "two matched terms rank above one");
    // Ranked results page by position.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut params = vec![("q", "price support"), ("match", "any"), ("limit", "1")];
        if let Some(c) = &cursor {
            params.push(("cursor", c.as_str()));
        }
        let (status, page) = get_with(&app, &app.admin_token, "/api/v1/feedback", &params).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(comments(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, found, "paging gives the same order, each once");
    // A query of stop words only falls back to substring search and still answers.
    let (status, _) = get_with(&app, &app.admin_token, "/api/v1/feedback", &[("q", "the")]).await;
    assert_eq!(status, 200);
    let (status, _) = get_with(
        &app,
        &app.admin_token,
        "/api/v1/feedback",
        &[("q", "x"), ("match", "some")],
    )
    .await;
    assert_eq!(status, 422);
}

async fn planted_price_drivers_in_three_scripts_are_recovered(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    // Detractors mention the price, promoters the service; same scripts on both sides.
    let detractor = [
        "The price is far too high",
        "قیمت بہت زیادہ ہے",
        "ລາຄາແພງເກີນໄປ",
    ];
    let promoter = [
        "The service team is great",
        "سروس بہت اچھی ہے",
        "ການບໍລິການດີຫຼາຍ",
    ];
    for i in 0..12 {
        for (d, p) in detractor.iter().zip(promoter) {
            app.answer(&survey, json!({"answers": {"nps": i % 7, "why": d}}))
                .await;
            app.answer(&survey, json!({"answers": {"nps": 9 + i % 2, "why": p}}))
                .await;
        }
    }
    let (status, r) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/text/drivers?survey={survey}"),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["focus"], "detractors");
    assert_eq!(r["focus_docs"], 36);
    assert_eq!(r["background_docs"], 36);
    for term in ["price", "قیمت", "ລາຄາ"] {
        let d = r["terms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["term"] == term)
            .unwrap_or_else(|| panic!("{term} missing: {r}"));
        assert_eq!(d["significant"], true, "{d}");
        assert_eq!(d["focus_count"], 12);
        assert_eq!(d["background_count"], 0);
        assert!(d["ci_low"].as_f64().unwrap() > 0.0, "{d}");
        assert!(d["q_value"].as_f64().unwrap() < 0.05, "{d}");
        assert!(
            d["examples"][0]["comment"].as_str().unwrap().contains(term),
            "{d}"
        );
    }
    assert!(
        r["terms"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["term"] != "service"),
        "promoter words are not detractor drivers"
    );
    // Themes of detractors against the rest of the organisation find the same words.
    let (status, t) = app
        .get(&app.admin_token, "/api/v1/text/themes?band=detractor")
        .await;
    assert_eq!(status, 200, "{t}");
    let themed: Vec<String> = t["themes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|th| th["terms"].as_array().unwrap().clone())
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    for term in ["price", "قیمت", "ລາຄາ"] {
        assert!(themed.iter().any(|x| x == term), "{term}: {t}");
    }
    // And the insights page shows them, escaped and marked for direction.
    let cookie = login(&app).await;
    let html = app
        .client
        .get(app.url(&format!("/insights?survey={survey}&band=detractor")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Key drivers"), "{html}");
    assert!(html.contains("<strong>ລາຄາ</strong>"), "{html}");
    assert!(
        html.contains("<blockquote dir=\"auto\">قیمت بہت زیادہ ہے</blockquote>"),
        "{html}"
    );
    let (status, _) = app.get(&app.admin_token, "/api/v1/text/drivers").await;
    assert_eq!(status, 422, "a survey is required");
}

async fn hostile_inputs_are_stored_searchable_and_escaped(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    let Some(data) = shared_data("hostile-inputs.jsonl") else {
        return;
    };
    let cookie = login(&app).await;
    let mut texts = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let row: Value = serde_json::from_str(line).expect("jsonl");
        let text = row["text"].as_str().unwrap().to_owned();
        let (status, body) = app
            .post(
                &app.admin_token,
                &format!("/api/v1/surveys/{survey}/responses"),
                &json!({"answers": {"nps": 1, "why": text}}),
            )
            .await;
        // Refusing an input is allowed (with a 422 naming the field); failing is not.
        assert!(
            status == 201 || status == 422,
            "{}: {status} {body}",
            row["case"]
        );
        texts.push(text);
    }
    for text in &texts {
        // A URL carries a few kilobytes at most: search with the start of a long comment.
        let text: String = text.chars().take(500).collect();
        let text = &text;
        let (status, body) =
            get_with(&app, &app.admin_token, "/api/v1/feedback", &[("q", text)]).await;
        // NUL is refused everywhere (PostgreSQL text cannot hold it), naming the parameter.
        let expected = if text.contains('\0') { 422 } else { 200 };
        assert_eq!(status, expected, "search for {text:?}: {body}");
        if expected == 422 {
            assert_eq!(body["error"]["fields"][0]["field"], "q", "{body}");
        }
        let res = app
            .client
            .get(app.url("/feedback"))
            .query(&[("q", text)])
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), expected);
        let html = res.text().await.unwrap();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
    }
    // The script comment is found by its words, marked, and still escaped.
    let html = app
        .client
        .get(app.url("/feedback"))
        .query(&[("q", "alert")])
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<mark>alert</mark>"), "{html}");
    assert!(!html.contains("<script>"), "{html}");
    let (status, t) = app.get(&app.admin_token, "/api/v1/text/themes").await;
    assert_eq!(status, 200);
    assert_eq!(t["background_docs"], 0, "everything selected: {t}");
    assert!(
        t["terms"].as_array().unwrap().is_empty(),
        "nothing to compare with: {t}"
    );
}

async fn another_organisations_words_never_leak(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 8, "why": "Onboarding was smooth"}}),
    )
    .await;
    let (_, other_token) = app.other_org("Other").await;
    let other_survey = app.nps_survey(&other_token).await;
    for i in 0..6 {
        let (status, _) = app
            .post(
                &other_token,
                &format!("/api/v1/surveys/{other_survey}/responses"),
                &json!({"answers": {"nps": i, "why": "zebracorn pricing ລາຄາ"}}),
            )
            .await;
        assert_eq!(status, 201);
    }
    for q in ["zebracorn", "ລາຄາ", "zebracorn pricing"] {
        let (_, feed) = get_with(&app, &app.admin_token, "/api/v1/feedback", &[("q", q)]).await;
        assert!(comments(&feed).is_empty(), "{q}: {feed}");
        let (_, feed) = get_with(&app, &other_token, "/api/v1/feedback", &[("q", q)]).await;
        assert_eq!(comments(&feed).len(), 6, "{q}: {feed}");
    }
    let (_, t) = app
        .get(&app.admin_token, "/api/v1/text/themes?band=passive")
        .await;
    assert!(!t.to_string().contains("zebracorn"), "{t}");
    let (status, _) = app
        .get(
            &app.admin_token,
            &format!("/api/v1/text/drivers?survey={other_survey}"),
        )
        .await;
    assert_eq!(status, 404, "another organisation's survey");
}

/// The whole index and the analysis columns, sorted.
async fn index_snapshot(app: &TestApp) -> (Vec<String>, Vec<String>) {
    let terms = sqlx::query(
        "SELECT org_id, term, response_id, tf FROM (SELECT org_id, term, response_id, tf \
         FROM response_terms UNION ALL SELECT org_id, term, response_id, tf \
         FROM response_terms_recent) t ORDER BY org_id, term, response_id",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        format!(
            "{} {} {} {}",
            r.get::<String, _>("org_id"),
            r.get::<String, _>("term"),
            r.get::<String, _>("response_id"),
            r.get::<i64, _>("tf")
        )
    })
    .collect();
    let rows = sqlx::query(
        "SELECT id, language, language_source, text_language, language_confidence, terms \
         FROM responses ORDER BY id",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        format!(
            "{} {:?} {:?} {:?} {:?} {:?}",
            r.get::<String, _>("id"),
            r.get::<Option<String>, _>("language"),
            r.get::<Option<String>, _>("language_source"),
            r.get::<Option<String>, _>("text_language"),
            r.get::<Option<i64>, _>("language_confidence"),
            r.get::<Option<String>, _>("terms"),
        )
    })
    .collect();
    (terms, rows)
}

/// NPS answers per language segment: (from the daily aggregates, from the responses).
async fn language_counts(app: &TestApp) -> (Vec<(String, i64)>, Vec<(String, i64)>) {
    let pool = app.store.pool();
    let aggregates: Vec<(String, i64)> = sqlx::query(
        "SELECT value, CAST(SUM(n) AS BIGINT) AS n FROM score_segment_daily WHERE dim = 'language' \
         GROUP BY value HAVING SUM(n) <> 0 ORDER BY value",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get("value"), r.get("n")))
    .collect();
    let mut counted = std::collections::BTreeMap::<String, i64>::new();
    for r in sqlx::query(
        "SELECT r.language FROM responses r JOIN response_scores s ON s.response_id = r.id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    {
        let l: Option<String> = r.get("language");
        let primary = l
            .unwrap_or_default()
            .split('-')
            .next()
            .unwrap()
            .to_lowercase();
        *counted.entry(primary).or_default() += 1;
    }
    (aggregates, counted.into_iter().collect())
}

async fn reindex_reproduces_the_index(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    if load_multilingual(&app, &survey).await.is_none() {
        return;
    }
    app.answer(&survey, json!({"answers": {"nps": 10}, "language": "fr"}))
        .await;
    app.answer(
        &survey,
        json!({"answers": {"nps": 6, "why": "Trop cher, vraiment"}, "language": "fr-CA"}),
    )
    .await;
    let (_, other_token) = app.other_org("Other").await;
    let other_survey = app.nps_survey(&other_token).await;
    app.post(
        &other_token,
        &format!("/api/v1/surveys/{other_survey}/responses"),
        &json!({"answers": {"nps": 2, "why": "slow slow support"}}),
    )
    .await;
    let before = index_snapshot(&app).await;
    assert!(before.0.len() > 100, "{}", before.0.len());

    let n = attune::reindex::run(app.store.as_ref(), None, 7)
        .await
        .unwrap();
    assert_eq!(n, 35);
    assert_eq!(
        index_snapshot(&app).await,
        before,
        "reindex changes nothing"
    );

    // From an empty index (as after the migration), one organisation at a time.
    for table in ["response_terms", "response_terms_recent"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(app.store.pool())
            .await
            .unwrap();
    }
    sqlx::query(
        "UPDATE responses SET terms = NULL, text_language = NULL, language_confidence = NULL",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    let org = app.store.org_by_id(&app.org_id).await.unwrap();
    attune::reindex::run(app.store.as_ref(), Some(&org.slug), 5)
        .await
        .unwrap();
    attune::reindex::run(app.store.as_ref(), None, 5000)
        .await
        .unwrap();
    assert_eq!(index_snapshot(&app).await, before, "rebuilt from nothing");

    // A response stored before detection existed: no language, counted in the blank segment.
    let (aggregates, counted) = language_counts(&app).await;
    assert_eq!(aggregates, counted);
    let before_counts = aggregates;
    let pool = app.store.pool();
    let id: String = sqlx::query(
        "SELECT r.id FROM responses r JOIN response_scores s ON s.response_id = r.id \
         WHERE r.language = 'lo' AND s.score = 3",
    )
    .fetch_one(pool)
    .await
    .unwrap()
    .get("id");
    sqlx::query("UPDATE responses SET language = NULL, language_source = NULL WHERE id = $1")
        .bind(&id)
        .execute(pool)
        .await
        .unwrap();
    for table in ["score_segment_daily", "score_segment_monthly"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET n = n - 1 WHERE dim = 'language' AND value = 'lo' AND score = 3"
        )))
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} SELECT org_id, survey_id, question_key, qtype, dim, '', {}, score, 1 \
             FROM {table} WHERE dim = 'language' AND value = 'lo' AND score = 3",
            if table.ends_with("daily") { "day" } else { "month" }
        )))
        .execute(pool)
        .await
        .unwrap();
    }
    let (aggregates, counted) = language_counts(&app).await;
    assert_eq!(aggregates, counted, "a consistent pre-detection state");
    let lo = |counts: &[(String, i64)]| counts.iter().find(|c| c.0 == "lo").map(|c| c.1);
    assert_eq!(lo(&aggregates), Some(3), "{aggregates:?}");
    attune::reindex::run(app.store.as_ref(), None, 5000)
        .await
        .unwrap();
    assert_eq!(
        index_snapshot(&app).await,
        before,
        "the language is detected again"
    );
    let (aggregates, counted) = language_counts(&app).await;
    assert_eq!(
        aggregates, counted,
        "the language segment follows the detected language"
    );
    assert_eq!(aggregates, before_counts, "back in the Lao segment");
    let (_, feed) = get_with(&app, &app.admin_token, "/api/v1/feedback", &[("q", "ລາຄາ")]).await;
    assert_eq!(comments(&feed).len(), 1);
}

/// The comments a feed search for `q` finds (first page).
async fn found(app: &TestApp, q: &str) -> Vec<String> {
    let (status, feed) = get_with(app, &app.admin_token, "/api/v1/feedback", &[("q", q)]).await;
    assert_eq!(status, 200, "{feed}");
    let mut c = comments(&feed);
    c.sort();
    c
}

async fn stemmed_search_and_the_comment_rule_agree_on_cancel(b: Backend) {
    let app = TestApp::spawn(b).await;
    let (status, rule) = app
        .post(
            &app.admin_token,
            "/api/v1/rules",
            &json!({"name": "Mentions cancel",
                    "conditions": [{"type": "comment", "any": ["cancel"]}]}),
        )
        .await;
    assert_eq!(status, 201, "{rule}");
    let survey = app.nps_survey(&app.admin_token).await;
    let texts = [
        ("I am cancelling my plan", true),
        ("We cancelled the order twice and it was slow", true),
        ("The cancellation fee is unfair to us", true),
        ("All good, we will renew the plan", false),
    ];
    let mut expected = Vec::new();
    for (text, mentions) in texts {
        let r = app
            .answer(&survey, json!({"answers": {"nps": 9, "why": text}}))
            .await;
        let id = r["id"].as_str().expect("id");
        let (_, cases) = app
            .get(&app.admin_token, &format!("/api/v1/cases?response={id}"))
            .await;
        let opened = cases["items"].as_array().expect("cases").len();
        assert_eq!(opened, usize::from(mentions), "the rule on {text}: {cases}");
        if mentions {
            expected.push(text.to_owned());
        }
    }
    expected.sort();
    assert_eq!(
        found(&app, "cancel").await,
        expected,
        "search agrees with the rule"
    );
    assert_eq!(
        found(&app, "CANCELLING").await,
        expected,
        "any inflection finds all"
    );
    assert_eq!(found(&app, "cancel renew").await, Vec::<String>::new());
    let (_, any) = get_with(
        &app,
        &app.admin_token,
        "/api/v1/feedback",
        &[("q", "cancel renew"), ("match", "any")],
    )
    .await;
    assert_eq!(comments(&any).len(), 4, "{any}");
    // The page marks the inflected word the query stands for, never a stem.
    let cookie = login(&app).await;
    let html = app
        .client
        .get(app.url("/feedback"))
        .query(&[("q", "cancel")])
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("I am <mark>cancelling</mark> my plan"),
        "{html}"
    );
    assert!(html.contains("The <mark>cancellation</mark> fee"), "{html}");
    assert!(!html.contains("<mark>cancel</mark>"), "{html}");
}

/// Rewrites every posting as index version 1 wrote them (surface terms) and marks every
/// organisation as indexed by it: the state of a database made before stemming.
async fn downgrade_postings(app: &TestApp) {
    let pool = app.store.pool();
    for table in ["response_terms", "response_terms_recent"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(pool)
            .await
            .unwrap();
    }
    let rows = sqlx::query("SELECT org_id, id, terms FROM responses WHERE terms IS NOT NULL")
        .fetch_all(pool)
        .await
        .unwrap();
    for row in rows {
        let terms: String = row.get("terms");
        let mut counts = std::collections::BTreeMap::<&str, i64>::new();
        for t in terms.split(' ').filter(|t| !t.is_empty()) {
            *counts.entry(t).or_default() += 1;
        }
        for (term, tf) in counts {
            sqlx::query(
                "INSERT INTO response_terms (org_id, term, response_id, tf) VALUES ($1, $2, $3, $4)",
            )
            .bind(row.get::<String, _>("org_id"))
            .bind(term)
            .bind(row.get::<String, _>("id"))
            .bind(tf)
            .execute(pool)
            .await
            .unwrap();
        }
    }
    sqlx::query("UPDATE orgs SET text_index_version = 1")
        .execute(pool)
        .await
        .unwrap();
}

async fn serve_reindexes_an_upgraded_database_in_the_background(b: Backend) {
    let app = TestApp::spawn(b).await;
    let survey = app.nps_survey(&app.admin_token).await;
    for (text, lang) in [
        ("I am cancelling my plan", None),
        ("C'est trop cher, j'annule mon abonnement", Some("fr")),
        (
            "قیمت بہت زیادہ ہے، میں اپنی رکنیت منسوخ کرنے کا سوچ رہا ہوں۔",
            None,
        ),
    ] {
        app.answer(
            &survey,
            json!({"answers": {"nps": 8, "why": text}, "language": lang}),
        )
        .await;
    }
    let current = index_snapshot(&app).await;
    downgrade_postings(&app).await;
    assert_ne!(
        index_snapshot(&app).await,
        current,
        "the postings were surface terms"
    );
    assert_eq!(app.store.outdated_text_indexes().await.unwrap().len(), 1);
    // Before the re-index: an inflection is missed (the bug), the word as typed is found.
    assert!(found(&app, "cancel").await.is_empty());
    assert_eq!(found(&app, "cancelling").await.len(), 1);
    assert_eq!(found(&app, "منسوخ").await.len(), 1);

    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_attune"))
        .args(["serve", "--db", &app.db_url, "--bind", "127.0.0.1:0"])
        .env("ATTUNE_WORKER_INTERVAL_SECS", "0")
        .env("ATTUNE_SECURE_COOKIES", "false")
        .envs(
            app.config
                .secret_key_file
                .iter()
                .map(|f| ("ATTUNE_SECRET_KEY_FILE", f.as_os_str())),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("attune serve");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !app.store.outdated_text_indexes().await.unwrap().is_empty() {
        assert!(server.try_wait().unwrap().is_none(), "attune serve stopped");
        assert!(
            std::time::Instant::now() < deadline,
            "not re-indexed within 60 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    server.kill().await.expect("stop the server");
    assert_eq!(
        index_snapshot(&app).await,
        current,
        "the postings a new database gets"
    );
    assert_eq!(found(&app, "cancel").await, vec!["I am cancelling my plan"]);
    assert_eq!(found(&app, "annulation").await.len(), 1);
}
