//! Outbound webhooks: each delivery is POSTed with an HMAC-SHA256 signature over the
//! timestamp and the exact body, logged, and retried with backoff on failure.
//!
//! The `Attune-Signature` header reads `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
//! keyed with the webhook's secret. Receivers recompute it and reject old timestamps.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use attune_storage::StoreError;
use attune_storage::model::{Job, JobOutcome, WebhookDelivery};

use super::{Failure, Worker, org_of, str_field};

type HmacSha256 = Hmac<Sha256>;

/// The signature header value for a body sent at `unix_secs`.
pub fn sign(secret: &str, unix_secs: i64, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(unix_secs.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={unix_secs},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Checks a signature header: right key, right body, timestamp within `tolerance_secs`.
pub fn verify(secret: &str, header: &str, body: &[u8], now_secs: i64, tolerance_secs: i64) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    if (now_secs - t).abs() > tolerance_secs {
        return false;
    }
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&v1).is_ok()
}

/// The webhook client's resolver: a host name resolving to any internal address is an error,
/// so the addresses a delivery connects to are the addresses that were checked.
pub(crate) struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs
                .iter()
                .any(|a| attune_domain::net::is_internal(a.ip()))
            {
                return Err(
                    format!("{host} resolves to an address inside this server's network").into(),
                );
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Refuses a URL whose host is, or resolves to, an internal address (checked at delivery too,
/// since a public name can be pointed at a private address after the webhook was created).
async fn refuse_internal(url: &str) -> Result<(), Failure> {
    let refuse = || {
        Failure::permanent(
            "the webhook URL points inside this server's network; \
             set ATTUNE_WEBHOOK_ALLOW_INTERNAL=true to allow it",
        )
    };
    if attune_domain::net::url_is_internal(url) {
        return Err(refuse());
    }
    let Some(host) = attune_domain::net::url_host(url) else {
        return Err(refuse());
    };
    let target = if host.contains(':') {
        format!("[{host}]:0")
    } else {
        format!("{host}:0")
    };
    let addrs = tokio::net::lookup_host(target)
        .await
        .map_err(|e| Failure::retry(format!("resolving {host}: {e}")))?;
    for a in addrs {
        if attune_domain::net::is_internal(a.ip()) {
            return Err(refuse());
        }
    }
    Ok(())
}

pub(super) async fn deliver(w: &Worker, job: &Job, now_ms: i64) -> Result<JobOutcome, Failure> {
    let org = org_of(job)?;
    let p = &job.payload;
    let (hook_id, event, event_id) = (
        str_field(p, "webhook_id")?,
        str_field(p, "event")?,
        str_field(p, "event_id")?,
    );
    let (hook, sealed) = match w.store.webhook_target(org, hook_id).await {
        Ok(found) => found,
        // Deleted since the event: nothing to deliver.
        Err(StoreError::NotFound) => return Ok(JobOutcome::Done),
        Err(e) => return Err(e.into()),
    };
    if !hook.active {
        return Ok(JobOutcome::Done);
    }
    if !w.config.webhook_allow_internal {
        refuse_internal(&hook.url).await?;
    }
    let secret = w
        .config
        .sealer
        .open(&attune_seal::purpose::webhook_secret(org), &sealed)
        .map_err(|e| Failure::permanent(format!("the signing secret of webhook {hook_id} {e}")))?;
    let body = serde_json::to_vec(p.get("body").unwrap_or(&serde_json::Value::Null))
        .map_err(|e| Failure::permanent(e.to_string()))?;
    let signature = sign(&secret, now_ms.div_euclid(1000), &body);
    let started = std::time::Instant::now();
    let result = w
        .http
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("attune-event", event)
        .header("attune-delivery", event_id)
        .header("attune-signature", signature)
        .body(body)
        .send()
        .await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (status, error) = match &result {
        Ok(r) if r.status().is_success() => (Some(i64::from(r.status().as_u16())), None),
        Ok(r) => (
            Some(i64::from(r.status().as_u16())),
            Some(format!("receiver answered {}", r.status())),
        ),
        Err(e) => (None, Some(format!("{e}"))),
    };
    w.store
        .record_delivery(
            org,
            &WebhookDelivery {
                id: uuid::Uuid::now_v7().simple().to_string(),
                webhook_id: hook_id.to_owned(),
                event: event.to_owned(),
                event_id: event_id.to_owned(),
                attempt: job.attempts,
                status_code: status,
                error: error.clone(),
                duration_ms,
                at: now_ms,
            },
        )
        .await?;
    match error {
        None => Ok(JobOutcome::Done),
        Some(e) => Err(Failure::retry(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_resolver_refuses_names_of_internal_addresses() {
        use reqwest::dns::Resolve;
        let name = |h: &str| h.parse::<reqwest::dns::Name>().expect("a host name");
        let err = PublicOnly.resolve(name("localhost")).await.err();
        assert!(
            err.is_some_and(|e| e.to_string().contains("inside this server's network")),
            "localhost must be refused"
        );
        // The whole client refuses it too, before any connection is made.
        let client = reqwest::Client::builder()
            .dns_resolver(std::sync::Arc::new(PublicOnly))
            .build()
            .expect("a client");
        let res = client.get("http://localhost:9/hook").send().await;
        assert!(res.is_err_and(|e| format!("{e:?}").contains("inside this server's network")));
    }

    #[test]
    fn signatures_verify_only_with_the_key_body_and_time() {
        let body = br#"{"event":"case.opened"}"#;
        let header = sign("s3cret", 1_700_000_000, body);
        assert!(verify("s3cret", &header, body, 1_700_000_100, 300));
        assert!(!verify("other", &header, body, 1_700_000_100, 300));
        assert!(!verify("s3cret", &header, b"{}", 1_700_000_100, 300));
        assert!(!verify("s3cret", &header, body, 1_700_001_000, 300));
        assert!(!verify("s3cret", "garbage", body, 1_700_000_000, 300));
        // The HMAC itself matches an independent computation (RFC 4231 style key/message).
        let mut mac = HmacSha256::new_from_slice(b"s3cret").unwrap();
        mac.update(b"1700000000.");
        mac.update(body);
        let expected = hex::encode(mac.finalize().into_bytes());
        assert!(header.ends_with(&expected));
    }
}
