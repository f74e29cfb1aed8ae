//! The daily digest: the day's good and bad news for everyone — best quotes, new detractors,
//! cases opened, resolved and breached — by e-mail to the organisation's recipients and as
//! the `digest.daily` webhook event.

use attune_domain::period::{DAY_MS, format_ms};
use attune_storage::model::{FeedItem, FeedQuery, JobOutcome, NewJob};
use serde_json::{Value, json};

use super::{Failure, Worker, org_of};

/// The digest of the 24 hours before `at_ms`.
pub async fn build(w: &Worker, org_id: &str, at_ms: i64) -> Result<Value, Failure> {
    let from = at_ms - DAY_MS;
    let query = |range: (i64, i64)| FeedQuery {
        score_range: Some(range),
        from_ms: Some(from),
        to_ms: Some(at_ms),
        with_comment: true,
        limit: 5,
        ..Default::default()
    };
    let quote = |i: &FeedItem| {
        json!({"response_id": i.response.id, "comment": i.response.comment,
               "language": i.response.language, "account": i.account_name,
               "case": i.case})
    };
    let best: Vec<Value> = w
        .store
        .feed(org_id, &query((9, 10)))
        .await?
        .iter()
        .map(quote)
        .collect();
    let detractors: Vec<Value> = w
        .store
        .feed(org_id, &query((0, 6)))
        .await?
        .iter()
        .map(quote)
        .collect();
    let cases = w
        .store
        .loop_cases(org_id, at_ms - 90 * DAY_MS, at_ms)
        .await?;
    let within = |t: Option<i64>| t.is_some_and(|t| t >= from && t < at_ms);
    let opened = cases
        .iter()
        .filter(|c| within(Some(c.case.opened_at)))
        .count();
    let resolved = cases.iter().filter(|c| within(c.case.resolved_at)).count();
    let breached = cases
        .iter()
        .filter(|c| within(c.case.first_breached_at) || within(c.case.resolution_breached_at))
        .count();
    Ok(json!({
        "from": from, "to": at_ms,
        "best_quotes": best,
        "new_detractors": detractors,
        "cases": {"opened": opened, "resolved": resolved, "breached": breached},
    }))
}

fn text_of(org: &str, d: &Value) -> String {
    let mut out = format!(
        "{org}: the day in feedback ({} – {})\n\n",
        format_ms(d["from"].as_i64().unwrap_or(0)),
        format_ms(d["to"].as_i64().unwrap_or(0))
    );
    let c = &d["cases"];
    out += &format!(
        "Cases: {} opened, {} resolved, {} breached a deadline.\n\n",
        c["opened"], c["resolved"], c["breached"]
    );
    for (title, key) in [
        ("Good news", "best_quotes"),
        ("New detractors", "new_detractors"),
    ] {
        out += &format!("{title}:\n");
        let items = d[key].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            out += "  (none)\n";
        }
        for q in items {
            out += &format!("  • {}\n", q["comment"].as_str().unwrap_or(""));
        }
        out += "\n";
    }
    out
}

pub(super) async fn run(
    w: &Worker,
    job: &attune_storage::model::Job,
    now_ms: i64,
) -> Result<JobOutcome, Failure> {
    let org_id = org_of(job)?;
    let at = job
        .payload
        .get("at")
        .and_then(Value::as_i64)
        .unwrap_or(now_ms);
    let digest = build(w, org_id, at).await?;
    let org = w.store.org_by_id(org_id).await?;
    let settings = w.store.loop_settings(org_id).await?;
    let body = text_of(&org.name, &digest);
    let day = at.div_euclid(DAY_MS);
    let jobs: Vec<NewJob> = settings
        .digest_emails
        .iter()
        .map(|to| NewJob {
            org_id: Some(org_id.to_owned()),
            kind: "email".into(),
            payload: json!({"kind": "digest", "to": to,
                            "subject": format!("{}: the day in feedback", org.name),
                            "body": body}),
            run_at: now_ms,
            max_attempts: attune_storage::sql::DELIVERY_ATTEMPTS,
            dedup_key: Some(format!("digest-mail:{org_id}:{day}:{to}")),
        })
        .collect();
    w.store.enqueue_jobs(&jobs, now_ms).await?;
    w.store
        .emit_event(org_id, "digest.daily", digest, now_ms)
        .await?;
    Ok(JobOutcome::Done)
}
