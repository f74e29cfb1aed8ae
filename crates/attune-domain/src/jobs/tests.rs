//! Jobs queued by earlier versions must still be readable: each payload below is exactly what
//! the code before typed jobs wrote (`json!` literals in `sql/closed_loop.rs` and the worker).

use serde_json::json;

use super::*;

#[test]
fn sla_payload_of_earlier_versions_reads() {
    let old = json!({ "case_id": "c1" });
    let job: SlaCheck = serde_json::from_value(old.clone()).unwrap();
    assert_eq!(job.case_id, "c1");
    assert_eq!(serde_json::to_value(&job).unwrap(), old);
    assert_eq!(job.dedup_key().as_deref(), Some("sla:c1"));
}

#[test]
fn email_payloads_of_earlier_versions_read() {
    // Rule, warning and escalation e-mails (case_id null for rules).
    let rule = json!({ "kind": "rule", "to": "a@x.test", "subject": "[R] t", "body": "b",
                       "case_id": null });
    let e: Email = serde_json::from_value(rule).unwrap();
    assert_eq!(
        (e.kind, e.case_id.as_deref()),
        (Some(EmailKind::Rule), None)
    );
    let warn = json!({ "kind": "warning", "to": "a@x.test", "subject": "Due soon: t",
                       "body": "b", "case_id": "c1" });
    let e: Email = serde_json::from_value(warn).unwrap();
    assert_eq!(e.kind_name(), "warning");
    assert_eq!(e.case_id.as_deref(), Some("c1"));
    // The resolution message, with and without a re-survey link.
    let link = json!({"marker": "[[attune-resurvey:i1]]", "survey_id": "s1",
                      "invitation_id": "i1", "lang": "pa"});
    for resurvey_link in [json!(null), link] {
        let old = json!({"kind": "resolution", "to": "c@x.test", "subject": "s", "body": "b",
                         "case_id": "c1", "language": "pa", "resurvey_link": resurvey_link});
        let e: Email = serde_json::from_value(old).unwrap();
        assert_eq!(e.language.as_deref(), Some("pa"));
        assert_eq!(e.resurvey_link.is_some(), !resurvey_link.is_null());
    }
    // The digest e-mail had no case id at all.
    let digest = json!({"kind": "digest", "to": "d@x.test", "subject": "Acme: the day in feedback",
                        "body": "b"});
    let e: Email = serde_json::from_value(digest).unwrap();
    assert_eq!((e.kind_name(), e.case_id), ("digest", None));
}

#[test]
fn webhook_payload_of_earlier_versions_reads() {
    let old = json!({
        "webhook_id": "w1", "event": "case.opened", "event_id": "e1",
        "body": {"id": "e1", "event": "case.opened", "created_at": 5, "data": {"id": "c1"}},
    });
    let job: WebhookCall = serde_json::from_value(old.clone()).unwrap();
    assert_eq!(job.body["data"]["id"], "c1");
    assert_eq!(serde_json::to_value(&job).unwrap(), old);
}

#[test]
fn resolution_message_payload_of_earlier_versions_reads() {
    let old = json!({"case_id": "c1", "resurvey": true});
    let job: ResolutionMessage = serde_json::from_value(old.clone()).unwrap();
    assert!(job.resurvey);
    assert_eq!(serde_json::to_value(&job).unwrap(), old);
}

#[test]
fn digest_payload_of_earlier_versions_reads() {
    let old = json!({ "org_id": "o1", "at": 1_764_662_400_000_i64 });
    let job: DailyDigest = serde_json::from_value(old.clone()).unwrap();
    assert_eq!(serde_json::to_value(&job).unwrap(), old);
    let new = job.into_new(Some("o1"), 1_764_662_400_000);
    assert_eq!(new.kind.as_str(), "digest");
    assert_eq!(new.max_attempts, 3);
    assert_eq!(new.dedup_key.as_deref(), Some("digest:o1:20424"));
}

#[test]
fn kinds_keep_their_stored_names() {
    let names: Vec<&str> = JobKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        names,
        ["sla", "email", "webhook", "resolution_message", "digest"]
    );
    for k in JobKind::ALL {
        assert_eq!(JobKind::parse(k.as_str()), Ok(k));
        assert_eq!(serde_json::to_value(k).unwrap(), json!(k.as_str()));
    }
    assert_eq!(
        JobKind::parse("fax").unwrap_err().to_string(),
        "unknown job kind `fax`"
    );
}
