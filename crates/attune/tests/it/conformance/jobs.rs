//! The job queue (enqueued once by key, claimed once, finished, purged) and the outbox
//! (webhooks, their deliveries, e-mails sent, events emitted as delivery jobs).

use attune_domain::jobs::JobKind;
use attune_storage::StoreError;
use attune_storage::model::{JobOutcome, LoopSettings, NewJob, Org, WebhookDelivery};
use attune_storage::prelude::*;
use serde_json::json;
use sqlx::Row;

use super::{Rec, recorded};
use crate::helpers::{Backend, NOW_MS};
use crate::on_both_backends;

on_both_backends!(jobs_story, outbox_story);

const H: i64 = 3_600_000;

fn email_job(org_id: &str, key: &str, run_at: i64) -> NewJob {
    NewJob {
        org_id: Some(org_id.to_owned()),
        kind: JobKind::Email,
        payload: json!({"to": "lead@acme.example", "subject": key, "body": "hello"}),
        run_at,
        max_attempts: 2,
        dedup_key: Some(key.to_owned()),
    }
}

async fn jobs_story(b: Backend) {
    let store: Rec = recorded(&b).await;
    let a = store.create_org("Acme Corp").await.unwrap();
    let a2 = store.create_org("Beta").await.unwrap();
    // A job whose key is stored is skipped.
    let now = email_job(&a.id, "now", NOW_MS);
    let later = email_job(&a.id, "later", NOW_MS + H);
    store
        .enqueue_jobs(&[now.clone(), later.clone()], NOW_MS)
        .await
        .unwrap();
    store
        .enqueue_jobs(std::slice::from_ref(&now), NOW_MS)
        .await
        .unwrap();
    assert_eq!(store.list_jobs(None, 10).await.unwrap().len(), 2);
    assert_eq!(store.list_jobs(None, 1).await.unwrap().len(), 1, "limit");
    // Claimed once, and only when due.
    let job = store
        .claim_job("w1", NOW_MS)
        .await
        .unwrap()
        .expect("a due job");
    assert_eq!(job.payload, now.payload);
    assert_eq!((job.kind, job.attempts), (JobKind::Email, 1));
    assert_eq!(store.claim_job("w2", NOW_MS).await.unwrap(), None);
    store
        .finish_job(&job, &JobOutcome::Done, NOW_MS + 1)
        .await
        .unwrap();
    let done = store.list_jobs(Some("done"), 10).await.unwrap();
    assert_eq!(
        done.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(),
        [job.id.as_str()]
    );
    // A failure is retried while attempts remain, then the job is dead.
    let second = store.claim_job("w1", NOW_MS + H).await.unwrap().unwrap();
    assert_eq!(second.payload, later.payload);
    let failed = JobOutcome::Failed {
        error: "smtp down".into(),
        retry_at: Some(NOW_MS + 2 * H),
    };
    store
        .finish_job(&second, &failed, NOW_MS + H)
        .await
        .unwrap();
    let queued = store.list_jobs(Some("queued"), 10).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].last_error.as_deref(), Some("smtp down"));
    let third = store
        .claim_job("w1", NOW_MS + 2 * H)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((third.id.as_str(), third.attempts), (second.id.as_str(), 2));
    store
        .finish_job(&third, &failed, NOW_MS + 2 * H)
        .await
        .unwrap();
    assert_eq!(store.list_jobs(Some("dead"), 10).await.unwrap().len(), 1);
    // Finished jobs are purged by age; dead ones are kept.
    assert_eq!(store.purge_done_jobs(NOW_MS).await.unwrap(), 0);
    assert_eq!(store.purge_done_jobs(NOW_MS + 2).await.unwrap(), 1);
    assert!(store.list_jobs(Some("done"), 10).await.unwrap().is_empty());
    assert_eq!(store.list_jobs(None, 10).await.unwrap().len(), 1);
    // Every organisation has a digest hour (8 unless set).
    store
        .set_loop_settings(
            &a.id,
            &LoopSettings {
                digest_emails: vec!["lead@acme.example".into()],
                digest_hour: 6,
                case_window_days: 7,
                handover_cases: Default::default(),
            },
        )
        .await
        .unwrap();
    let mut schedule = store.digest_schedule().await.unwrap();
    schedule.sort();
    let mut expected = vec![(a.id.clone(), 6), (a2.id.clone(), 8)];
    expected.sort();
    assert_eq!(schedule, expected);
    store.assert_all_called("JobStore", <dyn JobStore>::METHODS);
}

async fn outbox_story(b: Backend) {
    let store: Rec = recorded(&b).await;
    let a = store.create_org("Acme Corp").await.unwrap();
    let a2 = store.create_org("Beta").await.unwrap();
    let events = vec!["case.resolved".to_owned()];
    let hook = store
        .create_webhook(&a.id, "https://hooks.test/a", "sealed-1", &events, NOW_MS)
        .await
        .unwrap();
    assert_eq!(
        (hook.url.as_str(), &hook.events),
        ("https://hooks.test/a", &events)
    );
    assert_eq!(
        store.list_webhooks(&a.id).await.unwrap(),
        std::slice::from_ref(&hook)
    );
    assert!(store.list_webhooks(&a2.id).await.unwrap().is_empty());
    let (target, secret) = store.webhook_target(&a.id, &hook.id).await.unwrap();
    assert_eq!((target, secret.as_str()), (hook.clone(), "sealed-1"));
    assert!(matches!(
        store.webhook_target(&a2.id, &hook.id).await,
        Err(StoreError::NotFound)
    ));
    // An event becomes one delivery job per subscribed webhook; others are not called.
    store
        .emit_event(&a.id, "case.opened", json!({"n": 0}), NOW_MS)
        .await
        .unwrap();
    assert!(store.list_jobs(None, 10).await.unwrap().is_empty());
    store
        .emit_event(&a.id, "case.resolved", json!({"n": 1}), NOW_MS)
        .await
        .unwrap();
    store
        .emit_event(&a2.id, "case.resolved", json!({"n": 2}), NOW_MS)
        .await
        .unwrap();
    let jobs = store.list_jobs(None, 10).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(
        (jobs[0].kind, jobs[0].org_id.as_deref()),
        (JobKind::Webhook, Some(a.id.as_str()))
    );
    assert_eq!(jobs[0].payload["webhook_id"], json!(hook.id));
    // Deliveries are logged per webhook, newest first.
    let delivery = |n: i64| WebhookDelivery {
        id: format!("d{n}"),
        webhook_id: hook.id.clone(),
        event: "case.resolved".into(),
        event_id: "e1".into(),
        attempt: n,
        status_code: Some(500 - 300 * (n - 1)),
        error: None,
        duration_ms: 12,
        at: NOW_MS + n,
    };
    store.record_delivery(&a.id, &delivery(1)).await.unwrap();
    store.record_delivery(&a.id, &delivery(2)).await.unwrap();
    assert_eq!(
        store.deliveries(&a.id, &hook.id, 10).await.unwrap(),
        [delivery(2), delivery(1)]
    );
    assert_eq!(store.deliveries(&a.id, &hook.id, 1).await.unwrap().len(), 1);
    assert!(
        store
            .deliveries(&a2.id, &hook.id, 10)
            .await
            .unwrap()
            .is_empty()
    );
    email_log(&store, &a).await;
    // Deleting is per organisation.
    assert!(matches!(
        store.delete_webhook(&a2.id, &hook.id).await,
        Err(StoreError::NotFound)
    ));
    store.delete_webhook(&a.id, &hook.id).await.unwrap();
    assert!(store.list_webhooks(&a.id).await.unwrap().is_empty());
    store.assert_all_called("OutboxStore", <dyn OutboxStore>::METHODS);
}

/// Sent e-mails are logged, with or without an organisation.
async fn email_log(store: &Rec, a: &Org) {
    // Sent e-mails are logged, with or without an organisation.
    store
        .record_email(
            Some(&a.id),
            "sla_warning",
            None,
            "lead@acme.example",
            "Due soon",
            NOW_MS,
        )
        .await
        .unwrap();
    store
        .record_email(None, "test", None, "ops@attune.example", "Test", NOW_MS)
        .await
        .unwrap();
    let logged = sqlx::query("SELECT org_id, kind, to_addr, subject FROM email_log ORDER BY kind")
        .fetch_all(store.inner().pool())
        .await
        .unwrap();
    let logged: Vec<(Option<String>, String, String, String)> = logged
        .iter()
        .map(|r| {
            (
                r.get("org_id"),
                r.get("kind"),
                r.get("to_addr"),
                r.get("subject"),
            )
        })
        .collect();
    assert_eq!(
        logged,
        [
            (
                Some(a.id.clone()),
                "sla_warning".to_owned(),
                "lead@acme.example".to_owned(),
                "Due soon".to_owned()
            ),
            (
                None,
                "test".to_owned(),
                "ops@attune.example".to_owned(),
                "Test".to_owned()
            ),
        ]
    );
}
