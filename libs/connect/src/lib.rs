//! The [Connect protocol](https://connectrpc.com/docs/protocol) in front of a
//! tonic gRPC server.
//!
//! [`ConnectLayer`] is a tower layer that turns Connect requests into gRPC
//! requests for the services behind it and turns their gRPC responses back
//! into Connect responses, the way `tonic-web` does for gRPC-Web. Requests that
//! are not Connect (gRPC, gRPC-Web, anything else) pass through untouched.
//!
//! Put it outermost, before `tonic_web::GrpcWebLayer`:
//!
//! ```no_run
//! # async fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! let (_reporter, health) = tonic_health::server::health_reporter();
//! tonic::transport::Server::builder()
//!     .accept_http1(true)
//!     .layer(eiso_connect::ConnectLayer::new())
//!     .layer(tonic_web::GrpcWebLayer::new())
//!     .add_service(health)
//!     .serve("127.0.0.1:50051".parse()?)
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! What is served:
//!
//! - unary calls: `POST` with `content-type: application/proto` (the raw
//!   message as the body, optional `content-encoding`), and `GET` with the
//!   `?encoding=proto&message=…[&base64=1][&compression=…]` query;
//! - streaming calls of every kind: `POST` with
//!   `content-type: application/connect+proto`, enveloped messages and the
//!   final end-stream message carrying the status and trailers;
//! - `connect-timeout-ms` (enforced here and passed on as `grpc-timeout`),
//!   `connect-protocol-version: 1`, and compression by passing the compressed
//!   bytes through as gRPC compressed messages (`grpc-encoding`), so what the
//!   tonic service accepts (gzip in this workspace, when a service enables it)
//!   is what Connect clients can use.
//!
//! Not served: the JSON codec (`application/json`,
//! `application/connect+json`), which answers HTTP 415 with a Connect error
//! that says so.

mod protocol;
mod request;
mod streaming;
mod unary;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use pin_project_lite::pin_project;
use tonic::body::Body;
use tonic::server::NamedService;
use tower::{BoxError, Layer, Service};

use crate::request::Kind;

/// The unary request size cap used by [`ConnectLayer::new`]: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// A tower layer that serves the Connect protocol by translating it to gRPC
/// for the inner service. See the [crate documentation](crate).
#[derive(Debug, Clone)]
pub struct ConnectLayer {
    max_message_bytes: usize,
}

impl ConnectLayer {
    /// A layer with the default unary request cap
    /// ([`DEFAULT_MAX_MESSAGE_BYTES`]).
    pub fn new() -> ConnectLayer {
        ConnectLayer::with_max_message_bytes(DEFAULT_MAX_MESSAGE_BYTES)
    }

    /// A layer that refuses unary request bodies larger than
    /// `max_message_bytes` with a `resource_exhausted` Connect error. (Unary
    /// bodies are collected before the gRPC call; streaming messages are not
    /// collected and are limited by the tonic service's own decoding limit.)
    pub fn with_max_message_bytes(max_message_bytes: usize) -> ConnectLayer {
        ConnectLayer { max_message_bytes }
    }

    /// The unary request cap in bytes.
    pub fn max_message_bytes(&self) -> usize {
        self.max_message_bytes
    }
}

impl Default for ConnectLayer {
    fn default() -> Self {
        ConnectLayer::new()
    }
}

impl<S> Layer<S> for ConnectLayer {
    type Service = ConnectService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ConnectService {
            inner,
            max_message_bytes: self.max_message_bytes,
        }
    }
}

/// The service made by [`ConnectLayer`].
#[derive(Debug, Clone)]
pub struct ConnectService<S> {
    inner: S,
    max_message_bytes: usize,
}

impl<S> ConnectService<S> {
    /// Wraps `inner` with the default settings.
    pub fn new(inner: S) -> Self {
        ConnectLayer::new().layer(inner)
    }
}

/// The service behind the layer, as the translations call it: HTTP requests
/// in, responses with a [`BytesBody`] out.
pub(crate) trait Inner<B>: Service<Request<Body>, Response = Response<B>, Error: Into<BoxError>> {}

impl<S, B> Inner<B> for S where S: Service<Request<Body>, Response = Response<B>, Error: Into<BoxError>> {}

/// A response body of [`Bytes`] whose errors can be boxed.
pub(crate) trait BytesBody: http_body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static {}

impl<B> BytesBody for B where B: http_body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static {}

impl<S: NamedService> NamedService for ConnectService<S> {
    const NAME: &'static str = S::NAME;
}

impl<S, ResBody> Service<Request<Body>> for ConnectService<S>
where
    S: Service<Request<Body>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError> + Send + 'static,
    ResBody: BytesBody,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let Some(kind) = Kind::of(&req) else {
            return ResponseFuture {
                kind: FutureKind::Passthrough {
                    future: self.inner.call(req),
                },
            };
        };
        if let Kind::Refused(refusal) = kind {
            return ResponseFuture {
                kind: FutureKind::Connect {
                    future: Box::pin(std::future::ready(refusal.response())),
                },
            };
        }
        // The instance that was polled ready goes into the future; a fresh
        // clone stays behind for the next poll_ready.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let max = self.max_message_bytes;
        let future: ConnectFuture = match kind {
            Kind::Unary => Box::pin(unary::serve(inner, req, max, unary::Source::Post)),
            Kind::UnaryGet => Box::pin(unary::serve(inner, req, max, unary::Source::Get)),
            Kind::Stream | Kind::Refused(_) => Box::pin(streaming::serve(inner, req)),
        };
        ResponseFuture {
            kind: FutureKind::Connect { future },
        }
    }
}

type ConnectFuture = Pin<Box<dyn Future<Output = Response<Body>> + Send>>;

pin_project! {
    /// The response future of [`ConnectService`].
    #[must_use = "futures do nothing unless polled"]
    pub struct ResponseFuture<F> {
        #[pin]
        kind: FutureKind<F>,
    }
}

pin_project! {
    #[project = FutureKindProj]
    enum FutureKind<F> {
        Passthrough { #[pin] future: F },
        Connect { future: ConnectFuture },
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: BytesBody,
{
    type Output = Result<Response<Body>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            FutureKindProj::Passthrough { future } => future.poll(cx).map_ok(|res| res.map(Body::new)),
            FutureKindProj::Connect { future } => future.as_mut().poll(cx).map(Ok),
        }
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
