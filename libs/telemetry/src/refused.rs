//! Calls answered before they reach the gRPC services: the Connect and
//! gRPC-Web translators refuse some requests themselves (a content type they
//! do not speak, a message over the size limit, JSON that does not parse),
//! and [`crate::GrpcTelemetryLayer`], which sits inside them so that it sees
//! plain gRPC, never sees those. [`RefusedCallsLayer`], outside the
//! translators, marks each request; a response to a request the inner layer
//! did not see is recorded here — a span and the same `rpc.server.requests`
//! and `rpc.server.duration` series, with `eiso.refused = true` on the span —
//! so that an operator counts every call, not only those that got through.
//!
//! The status is the response's `grpc-status` header when it has one (a
//! gRPC-Web refusal), else read from its HTTP status the way the Connect
//! protocol maps codes to HTTP statuses (400 INVALID_ARGUMENT, 413 or 429
//! RESOURCE_EXHAUSTED, 415 INVALID_ARGUMENT, …): the code in a Connect error's
//! JSON body is not read, to keep bodies out of telemetry.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Instant;

use pin_project_lite::pin_project;

use crate::grpc_server::{CallRecord, CallSeen, RpcMetrics, STATUS_UNKNOWN, status_from};

/// See the module notes; made by [`crate::GrpcTelemetryLayer::refused_outside`].
#[derive(Debug, Clone)]
pub struct RefusedCallsLayer {
    metrics: RpcMetrics,
    known: Option<fn(&str) -> bool>,
}

impl RefusedCallsLayer {
    pub(crate) fn new(metrics: RpcMetrics, known: Option<fn(&str) -> bool>) -> Self {
        Self { metrics, known }
    }
}

impl<S> tower::Layer<S> for RefusedCallsLayer {
    type Service = RefusedCallsService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RefusedCallsService {
            inner,
            metrics: self.metrics.clone(),
            known: self.known,
        }
    }
}

/// The service made by [`RefusedCallsLayer`].
#[derive(Debug, Clone)]
pub struct RefusedCallsService<S> {
    inner: S,
    metrics: RpcMetrics,
    known: Option<fn(&str) -> bool>,
}

impl<S, ReqBody, ResBody> tower::Service<http::Request<ReqBody>> for RefusedCallsService<S>
where
    S: tower::Service<http::Request<ReqBody>, Response = http::Response<ResBody>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = RefusedFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<ReqBody>) -> Self::Future {
        let seen = CallSeen::default();
        request.extensions_mut().insert(seen.clone());
        // What a record of this call needs, should the inner layer not see it.
        let head = http::Request::builder()
            .uri(request.uri().clone())
            .body(())
            .map(|mut head| {
                *head.headers_mut() = request.headers().clone();
                head
            })
            .ok();
        RefusedFuture {
            inner: self.inner.call(request),
            seen: seen.0,
            head,
            metrics: self.metrics.clone(),
            known: self.known,
            start: Instant::now(),
        }
    }
}

pin_project! {
    /// Response future of [`RefusedCallsService`].
    pub struct RefusedFuture<F> {
        #[pin]
        inner: F,
        seen: Arc<AtomicBool>,
        head: Option<http::Request<()>>,
        metrics: RpcMetrics,
        known: Option<fn(&str) -> bool>,
        start: Instant,
    }
}

impl<F, ResBody, E> Future for RefusedFuture<F>
where
    F: Future<Output = Result<http::Response<ResBody>, E>>,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.inner.poll(cx));
        if !this.seen.load(Ordering::Relaxed)
            && let Some(head) = this.head.take()
        {
            let code = match &result {
                Ok(response) => {
                    status_from(response.headers()).unwrap_or_else(|| code_of_http_status(response.status()))
                }
                Err(_) => STATUS_UNKNOWN,
            };
            CallRecord::begin(this.metrics, *this.known, &head, *this.start, true).finish(code);
        }
        Poll::Ready(result)
    }
}

/// The gRPC code a Connect error's HTTP status stands for (the Connect
/// protocol's table, read backwards; its lossy entries take the code a
/// translator's refusal means).
fn code_of_http_status(status: http::StatusCode) -> i64 {
    match status.as_u16() {
        200 => 0,
        400 | 415 => 3,
        401 => 16,
        403 => 7,
        404 | 405 | 501 => 12,
        408 | 504 => 4,
        409 => 10,
        412 => 9,
        413 | 429 => 8,
        499 => 1,
        502 | 503 => 14,
        _ => STATUS_UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_statuses_read_as_the_connect_protocol_maps_them() {
        let code = |s: u16| code_of_http_status(http::StatusCode::from_u16(s).expect("a status"));
        assert_eq!(code(415), 3, "a content type the translator does not speak");
        assert_eq!(code(413), 8, "a message over the limit");
        assert_eq!(code(404), 12);
        assert_eq!(code(503), 14);
        assert_eq!(code(500), 2);
        assert_eq!(code(418), 2);
    }
}
