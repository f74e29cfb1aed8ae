//! A minimum body rate instead of a fixed body timeout: once a handler starts reading a
//! request body, the client must keep up at least `min_bytes_per_sec` on average after a
//! `grace` period, or the read fails ("the request body arrives too slowly") and the
//! connection is closed. A large upload at any ordinary speed is never cut off; a client that
//! trickles a byte now and then cannot hold a connection and a handler for ever.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http_body::Frame;
use tokio::time::{Instant, Sleep};

use crate::AppState;

/// The slowest body accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyRate {
    /// Bytes per second, on average, after the grace period (0 turns the check off).
    pub min_bytes_per_sec: u64,
    /// Time allowed before the average counts.
    pub grace: Duration,
}

impl Default for BodyRate {
    fn default() -> Self {
        Self {
            min_bytes_per_sec: 1024,
            grace: Duration::from_secs(10),
        }
    }
}

/// The error a too-slow body ends with.
#[derive(Debug)]
pub struct TooSlow;

impl std::fmt::Display for TooSlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body arrives too slowly")
    }
}

impl std::error::Error for TooSlow {}

/// A body that fails when it falls behind its minimum rate.
struct MinRate {
    inner: Body,
    rate: BodyRate,
    started: Option<Instant>,
    received: u64,
    deadline: Pin<Box<Sleep>>,
}

impl MinRate {
    fn new(inner: Body, rate: BodyRate) -> Self {
        Self {
            inner,
            rate,
            started: None,
            received: 0,
            deadline: Box::pin(tokio::time::sleep(Duration::from_secs(0))),
        }
    }

    /// The moment the bytes received so far stop being enough.
    fn due(&self, started: Instant) -> Instant {
        let earned =
            Duration::from_secs_f64(self.received as f64 / self.rate.min_bytes_per_sec as f64);
        started + self.rate.grace + earned
    }
}

impl http_body::Body for MinRate {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        let started = *this.started.get_or_insert_with(Instant::now);
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received += data.len() as u64;
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(other) => Poll::Ready(other.map(|r| r.map_err(Into::into))),
            Poll::Pending => {
                let due = this.due(started);
                if Instant::now() >= due {
                    return Poll::Ready(Some(Err(Box::new(TooSlow))));
                }
                this.deadline.as_mut().reset(due);
                match this.deadline.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(TooSlow)))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Middleware wrapping every request body in the minimum-rate check.
pub(crate) async fn enforce(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let rate = state.config.body_rate;
    if rate.min_bytes_per_sec == 0 || http_body::Body::is_end_stream(req.body()) {
        return next.run(req).await;
    }
    next.run(req.map(|b| Body::new(MinRate::new(b, rate))))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn rate(min: u64, grace_ms: u64) -> BodyRate {
        BodyRate {
            min_bytes_per_sec: min,
            grace: Duration::from_millis(grace_ms),
        }
    }

    /// A client that sends 10 bytes and then nothing.
    struct Stalled(bool);

    impl http_body::Body for Stalled {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            if self.0 {
                return Poll::Pending;
            }
            self.0 = true;
            Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(b"0123456789")))))
        }
    }

    #[tokio::test]
    async fn a_stalled_body_fails_after_grace_and_a_steady_one_arrives_whole() {
        let slow = Body::new(MinRate::new(Body::new(Stalled(false)), rate(1_000, 50)));
        let err = slow.collect().await.expect_err("a stalled body fails");
        assert!(err.to_string().contains("too slowly"), "{err}");

        // 1 MB, all there: read whole.
        let big = Body::from(vec![7u8; 1_000_000]);
        let read = Body::new(MinRate::new(big, rate(1_000, 50)))
            .collect()
            .await
            .expect("a whole body")
            .to_bytes();
        assert_eq!(read.len(), 1_000_000);
    }
}
