//! Heavy analytics reads (themes, drivers, loop metrics, retention reports, and the pages that
//! show them) are bounded so that whatever readers do, ingest and every other page stay fast:
//! at most `per_org` such reads run at once for one organisation and `total` for the process;
//! a read that cannot get its permits within `wait` is answered 503 with `Retry-After`, and a
//! read still running after `timeout` is answered 503 too. A timed-out read is not abandoned
//! half-way: it finishes in the background holding its permits, so the bound stays true.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::auth::{SESSION_COOKIE, cookie, sha256_hex};
use crate::{ApiError, AppState};

/// The bounds of heavy reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeavyLimits {
    /// Heavy reads running at once for one organisation.
    pub per_org: u32,
    /// Heavy reads running at once in this process.
    pub total: u32,
    /// How long a read waits for its permits before it is answered 503.
    pub wait: Duration,
    /// How long a read may run before it is answered 503.
    pub timeout: Duration,
}

impl Default for HeavyLimits {
    fn default() -> Self {
        Self {
            per_org: 2,
            total: 4,
            wait: Duration::from_secs(2),
            timeout: Duration::from_secs(30),
        }
    }
}

/// Permission to run one heavy read; dropping it lets the next one in.
#[derive(Debug)]
pub struct HeavyPermit {
    _org: OwnedSemaphorePermit,
    _process: OwnedSemaphorePermit,
}

/// The semaphores behind [`HeavyLimits`].
#[derive(Debug)]
pub(crate) struct HeavyReads {
    limits: HeavyLimits,
    process: Arc<Semaphore>,
    orgs: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Seconds a client is asked to wait before trying a refused heavy read again.
const RETRY_AFTER_SECS: u64 = 5;

fn busy(why: &str) -> ApiError {
    ApiError::Unavailable {
        message: format!("{why}; try again in a few seconds"),
        retry_after_secs: RETRY_AFTER_SECS,
    }
}

impl HeavyReads {
    pub(crate) fn new(limits: HeavyLimits) -> Self {
        let total = usize::try_from(limits.total.max(1)).unwrap_or(1);
        Self {
            limits,
            process: Arc::new(Semaphore::new(total)),
            orgs: Mutex::new(HashMap::new()),
        }
    }

    fn org_semaphore(&self, org: &str) -> Arc<Semaphore> {
        let per_org = usize::try_from(self.limits.per_org.max(1)).unwrap_or(1);
        let Ok(mut orgs) = self.orgs.lock() else {
            return Arc::new(Semaphore::new(per_org));
        };
        if orgs.len() > 10_000 {
            // Forget idle organisations so the map cannot grow without bound.
            orgs.retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < per_org);
        }
        orgs.entry(org.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(per_org)))
            .clone()
    }

    /// Takes a permit of the organisation, then of the process, waiting at most `wait` in
    /// all; a 503 when either stays taken.
    pub(crate) async fn acquire(&self, org: &str) -> Result<HeavyPermit, ApiError> {
        let deadline = tokio::time::Instant::now() + self.limits.wait;
        let org_permit = tokio::time::timeout_at(deadline, self.org_semaphore(org).acquire_owned())
            .await
            .map_err(|_| busy("this organisation already has as many reports running as allowed"))?
            .map_err(|_| busy("the server is shutting down"))?;
        let process = tokio::time::timeout_at(deadline, self.process.clone().acquire_owned())
            .await
            .map_err(|_| busy("the server is busy with other reports"))?
            .map_err(|_| busy("the server is shutting down"))?;
        Ok(HeavyPermit {
            _org: org_permit,
            _process: process,
        })
    }

    /// Runs `work` with a permit, answering 503 when no permit comes in time or the work takes
    /// longer than `timeout` (it then finishes in the background, still holding the permit).
    pub(crate) async fn run<F>(&self, org: &str, work: F) -> Result<Response, ApiError>
    where
        F: Future<Output = Response> + Send + 'static,
    {
        let permit = self.acquire(org).await?;
        let task = tokio::spawn(async move {
            let res = work.await;
            drop(permit);
            res
        });
        match tokio::time::timeout(self.limits.timeout, task).await {
            Ok(Ok(res)) => Ok(res),
            Ok(Err(e)) => Err(ApiError::Internal(format!("a report failed: {e}"))),
            Err(_) => {
                tracing::warn!(org.id = %org, "a heavy read outlasted its time limit");
                Err(busy("the report took longer than allowed"))
            }
        }
    }
}

/// The organisation of the caller, from the bearer token or the session cookie; `None` when
/// the request carries neither (the handler then answers 401 or the login redirect itself).
async fn caller_org(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Option<String>, ApiError> {
    if let Some(token) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() < 200)
    {
        return match state.store.token_grant(&sha256_hex(token)).await {
            Ok(g) => Ok(Some(g.org_id)),
            Err(attune_storage::StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        };
    }
    if let Some(id) = cookie(headers, SESSION_COOKIE) {
        return match state.store.session(&sha256_hex(id), state.now_ms()).await {
            Ok(s) => Ok(Some(s.user.org_id)),
            Err(attune_storage::StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        };
    }
    Ok(None)
}

/// Middleware of the heavy routes: identifies the organisation and runs the handler within
/// the bounds.
pub(crate) async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // The headers are copied: a request body cannot be held across an await by reference.
    let headers = req.headers().clone();
    let org = match caller_org(&state, &headers).await {
        Ok(Some(org)) => org,
        Ok(None) => return next.run(req).await,
        Err(e) => return e.into_response(),
    };
    let page = !req.uri().path().starts_with("/api/");
    match state.heavy.run(&org, next.run(req)).await {
        Ok(res) => res,
        Err(e) if page => crate::pages::unavailable(&e, &crate::i18n::Tr::from_headers(&headers)),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_org: u32, total: u32, timeout_ms: u64) -> HeavyLimits {
        HeavyLimits {
            per_org,
            total,
            wait: Duration::ZERO,
            timeout: Duration::from_millis(timeout_ms),
        }
    }

    #[tokio::test]
    async fn permits_bound_each_organisation_and_the_process() {
        let h = HeavyReads::new(limits(1, 2, 1_000));
        let a = h.acquire("a").await.expect("a's first read");
        assert!(h.acquire("a").await.is_err(), "a second read of a waits");
        let b = h.acquire("b").await.expect("b is not held up by a");
        let e = h.acquire("c").await.expect_err("the process is full");
        assert_eq!(e.status(), 503);
        drop(a);
        assert!(h.acquire("c").await.is_ok());
        drop(b);
    }

    #[tokio::test]
    async fn a_read_past_its_time_is_a_503_and_keeps_its_permit_until_it_ends() {
        let h = Arc::new(HeavyReads::new(limits(1, 1, 50)));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let res = h
            .run("a", async move {
                let _ = rx.await;
                "done".into_response()
            })
            .await
            .expect_err("a 503")
            .into_response();
        assert_eq!(res.status(), 503);
        assert!(res.headers().contains_key("retry-after"));
        // The timed-out work still runs, so its permit is still taken.
        assert!(h.acquire("a").await.is_err());
        tx.send(()).expect("the work is still waiting");
        tokio::task::yield_now().await;
        for _ in 0..10 {
            if h.acquire("a").await.is_ok() {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the permit was not released when the work ended");
    }
}
