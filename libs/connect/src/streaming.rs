//! Connect streaming calls (`application/connect+proto`) ⇄ gRPC.
//!
//! The request body is passed through as it is: Connect and gRPC envelopes are
//! the same. The response's message envelopes are passed through as they come;
//! the gRPC status and trailers become the end-stream envelope.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body::Frame;
use tokio::time::{Instant, Sleep};
use tonic::body::Body;
use tower::{BoxError, ServiceExt as _};

use crate::protocol::{
    CONNECT_ACCEPT_ENCODING, CONNECT_CONTENT_ENCODING, Code, GRPC_ACCEPT_ENCODING, GRPC_ENCODING, Status, end_stream,
};
use crate::request::{CONNECT_PROTO, Flavor, deadline_exceeded, rewrite_head, strip_grpc_framing, until};
use crate::{BytesBody, Inner};

pub(crate) async fn serve<S, B>(inner: S, req: Request<Body>) -> Response<Body>
where
    S: Inner<B>,
    B: BytesBody,
{
    let (mut parts, body) = req.into_parts();
    let rewritten = match rewrite_head(&mut parts, Flavor::Stream) {
        Ok(rewritten) => rewritten,
        Err(status) => return error_response(HeaderMap::new(), &status),
    };
    let deadline = rewritten.deadline;
    let res = match until(deadline, inner.oneshot(Request::from_parts(parts, body))).await {
        None => return error_response(HeaderMap::new(), &deadline_exceeded()),
        Some(Err(err)) => return error_response(HeaderMap::new(), &Status::from_error(err.into())),
        Some(Ok(res)) => res,
    };
    let (parts, body) = res.into_parts();
    let mut headers = parts.headers;

    // Trailers-only (how tonic answers most errors), or something that is not
    // a gRPC response at all: the status is known now.
    let early = match Status::from_headers(&headers) {
        Some(status) => Some(status),
        None if parts.status != StatusCode::OK => Some(Status::new(
            Code::from_http_status(parts.status),
            format!("the gRPC service answered HTTP {}", parts.status),
        )),
        None => None,
    };
    if let Some(status) = early {
        return error_response(response_headers(headers), &status);
    }
    headers = response_headers(headers);
    let body = StreamBody {
        inner: Body::new(body),
        deadline: deadline.and_then(sleep_until),
        done: false,
    };
    respond(headers, Body::new(body))
}

fn sleep_until(deadline: Instant) -> Option<Pin<Box<Sleep>>> {
    tokio::runtime::Handle::try_current()
        .is_ok()
        .then(|| Box::pin(tokio::time::sleep_until(deadline)))
}

/// The gRPC response headers as Connect streaming response headers.
fn response_headers(mut headers: HeaderMap) -> HeaderMap {
    strip_grpc_framing(&mut headers);
    if let Some(encoding) = headers.remove(GRPC_ENCODING) {
        headers.insert(CONNECT_CONTENT_ENCODING, encoding);
    }
    if let Some(accept) = headers.remove(GRPC_ACCEPT_ENCODING) {
        headers.insert(CONNECT_ACCEPT_ENCODING, accept);
    }
    headers
}

fn respond(mut headers: HeaderMap, body: Body) -> Response<Body> {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(CONNECT_PROTO));
    let mut res = Response::new(body);
    *res.headers_mut() = headers;
    res
}

/// A streaming response that is only an end-stream envelope with `status`.
/// (Streaming responses are always HTTP 200.)
pub(crate) fn error_response(headers: HeaderMap, status: &Status) -> Response<Body> {
    let bytes = end_stream(status, None);
    respond(headers, Body::new(http_body_util::Full::new(bytes)))
}

/// The gRPC response body as a Connect streaming response body.
struct StreamBody {
    inner: Body,
    deadline: Option<Pin<Box<Sleep>>>,
    done: bool,
}

impl StreamBody {
    fn finish(
        &mut self,
        status: &Status,
        trailers: Option<&HeaderMap>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.done = true;
        self.deadline = None;
        // Drop the gRPC call now (cancelling it if it is still running).
        self.inner = Body::empty();
        Poll::Ready(Some(Ok(Frame::data(end_stream(status, trailers)))))
    }
}

impl http_body::Body for StreamBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if let Some(sleep) = this.deadline.as_mut()
            && sleep.as_mut().poll(cx).is_ready()
        {
            return this.finish(&deadline_exceeded(), None);
        }
        loop {
            let frame = match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(frame) => frame,
            };
            match frame {
                None => {
                    let status = Status::new(Code::INTERNAL, "the gRPC response ended without a grpc-status");
                    return this.finish(&status, None);
                }
                Some(Err(err)) => return this.finish(&Status::from_tonic(&err), None),
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => return Poll::Ready(Some(Ok(Frame::data(data)))),
                    Err(frame) => {
                        if let Ok(trailers) = frame.into_trailers() {
                            let status = Status::from_headers(&trailers).unwrap_or_else(|| {
                                Status::new(Code::INTERNAL, "the gRPC trailers have no grpc-status")
                            });
                            return this.finish(&status, Some(&trailers));
                        }
                        // Some other kind of frame: skip it.
                    }
                },
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}
