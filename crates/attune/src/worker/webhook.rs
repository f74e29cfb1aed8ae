//! Outbound webhooks: each delivery is POSTed with an HMAC-SHA256 signature over the
//! timestamp and the exact body, logged, and retried with backoff on failure.
//!
//! The `Attune-Signature` header reads `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`,
//! keyed with the webhook's secret. Receivers recompute it and reject old timestamps.

use hmac::{Hmac, Mac};
use hyper_util::client::legacy::connect::{Connection, HttpInfo};
use sha2::Sha256;

use attune_storage::StoreError;
use attune_storage::model::{JobOutcome, WebhookDelivery};

use attune_domain::jobs::WebhookCall;

use super::{Failure, Worker};

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

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The last line of defence: a connector layer that looks at the address a connection was
/// actually made to and drops it, before a byte of the request is written, when that peer is
/// not globally reachable. Whatever parsed the URL or resolved the name, an internal peer is
/// never sent a request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PublicPeersOnly;

impl<S> tower::Layer<S> for PublicPeersOnly {
    type Service = PublicPeers<S>;

    fn layer(&self, inner: S) -> Self::Service {
        PublicPeers(inner)
    }
}

/// The service [`PublicPeersOnly`] wraps a connector in.
#[derive(Clone, Debug)]
pub(crate) struct PublicPeers<S>(S);

impl<S, R> tower::Service<R> for PublicPeers<S>
where
    S: tower::Service<R>,
    S::Response: Connection + Send + 'static,
    S::Error: Into<BoxError>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = BoxError;
    type Future = std::pin::Pin<
        Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send + 'static>,
    >;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, req: R) -> Self::Future {
        let connecting = self.0.call(req);
        Box::pin(async move {
            let conn = connecting.await.map_err(Into::into)?;
            let mut extras = axum::http::Extensions::new();
            conn.connected().get_extras(&mut extras);
            let peer = extras.get::<HttpInfo>().map(|i| i.remote_addr().ip());
            match peer {
                Some(ip) if attune_domain::net::is_global(ip) => Ok(conn),
                Some(ip) => Err(format!(
                    "refused to send to {ip}: the address is inside this server's network"
                )
                .into()),
                None => Err("refused: the connection's peer address is unknown".into()),
            }
        })
    }
}

/// The HTTP client for webhooks: no proxy (a proxy would connect for us, to anywhere), no
/// redirects, and, unless internal targets are allowed, the checking resolver and connector.
pub(crate) fn client(allow_internal: bool) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("Attune-Webhooks/", env!("CARGO_PKG_VERSION")));
    if allow_internal {
        return builder.build();
    }
    builder
        .dns_resolver(std::sync::Arc::new(PublicOnly))
        .connector_layer(PublicPeersOnly)
        .build()
}

/// The URL to deliver to, parsed once as the client will use it. A host that is, or resolves
/// to, an internal address is a permanent failure (checked at delivery too, since a public name
/// can be pointed at a private address after the webhook was created).
async fn target(url: &str, allow_internal: bool) -> Result<attune_domain::net::Url, Failure> {
    let parsed = attune_domain::net::outgoing_url(url, allow_internal)
        .map_err(|e| Failure::permanent(format!("the webhook URL {e}")))?;
    if allow_internal {
        return Ok(parsed);
    }
    if let Some(attune_domain::net::Host::Domain(host)) = parsed.host() {
        let addrs = tokio::net::lookup_host((host, 0))
            .await
            .map_err(|e| Failure::retry(format!("resolving {host}: {e}")))?;
        for a in addrs {
            if attune_domain::net::is_internal(a.ip()) {
                return Err(Failure::permanent(format!(
                    "the webhook URL's host {host} resolves to {}, inside this server's \
                     network; set ATTUNE_WEBHOOK_ALLOW_INTERNAL=true to allow it",
                    a.ip()
                )));
            }
        }
    }
    Ok(parsed)
}

pub(super) async fn deliver(
    w: &Worker,
    org: &str,
    attempt: i64,
    p: &WebhookCall,
    now_ms: i64,
) -> Result<JobOutcome, Failure> {
    let (hook_id, event, event_id) = (p.webhook_id.as_str(), p.event.as_str(), p.event_id.as_str());
    let (hook, sealed) = match w.store.webhook_target(org, hook_id).await {
        Ok(found) => found,
        // Deleted since the event: nothing to deliver.
        Err(StoreError::NotFound) => return Ok(JobOutcome::Done),
        Err(e) => return Err(e.into()),
    };
    if !hook.active {
        return Ok(JobOutcome::Done);
    }
    let url = target(&hook.url, w.config.webhook_allow_internal).await?;
    let secret = w
        .config
        .sealer
        .open(&attune_seal::purpose::webhook_secret(org), &sealed)
        .map_err(|e| Failure::permanent(format!("the signing secret of webhook {hook_id} {e}")))?;
    let body = serde_json::to_vec(&p.body).map_err(|e| Failure::permanent(e.to_string()))?;
    let signature = sign(&secret, now_ms.div_euclid(1000), &body);
    let started = std::time::Instant::now();
    let result = w
        .http
        .post(url)
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
                attempt,
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

    /// The connector itself refuses an internal peer, even when the URL check and the resolver
    /// are bypassed (an IP literal never reaches the resolver): the peer accepts a connection
    /// but never receives a byte of the request.
    #[tokio::test]
    async fn the_connector_drops_a_connection_to_an_internal_peer_before_sending() {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = Vec::new();
            let _ = socket.read_to_end(&mut buf).await;
            buf
        });
        let res = client(false)
            .unwrap()
            .post(format!("http://{addr}/hook"))
            .body("secret payload")
            .send()
            .await;
        let err = format!("{:?}", res.expect_err("an internal peer is refused"));
        assert!(err.contains("inside this server's network"), "{err}");
        let bytes = received.await.unwrap();
        assert!(bytes.is_empty(), "the peer received {bytes:?}");
        // With internal targets allowed, the same client settings reach it.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
            let _ = socket
                .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                .await;
        });
        let res = client(true)
            .unwrap()
            .post(format!("http://{addr}/hook"))
            .send()
            .await;
        assert_eq!(res.unwrap().status(), 204);
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
