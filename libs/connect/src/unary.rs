//! Connect unary calls (`application/proto`, or `GET ?encoding=proto`) ⇄ gRPC.
//!
//! The request body is collected (up to the cap) and sent as one gRPC
//! envelope; the gRPC response is collected, its one message becomes the body
//! and its trailers become `trailer-` headers, or its error status becomes a
//! Connect error (HTTP status for the code, JSON body).

use bytes::{Buf, Bytes};
use http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode, request};
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use tonic::body::Body;
use tower::ServiceExt as _;

use crate::protocol::{
    Code, FLAG_COMPRESSED, GRPC_ACCEPT_ENCODING, GRPC_ENCODING, Status, URL_SAFE_INDIFFERENT, envelope, error_body,
    is_status_header,
};
use crate::request::{Flavor, JSON, PROTO, deadline_exceeded, query_pairs, rewrite_head, strip_grpc_framing, until};
use crate::{BytesBody, Inner};

/// Where the request message comes from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Source {
    /// The `POST` body.
    Post,
    /// The `GET` query's `message`.
    Get,
}

pub(crate) async fn serve<S, B>(inner: S, req: Request<Body>, max: usize, source: Source) -> Response<Body>
where
    S: Inner<B>,
    B: BytesBody,
{
    match call(inner, req, max, source).await {
        Ok(res) => res,
        Err(failure) => error_response(failure.0, &failure.1),
    }
}

/// An error to answer with, and the response headers to send along.
type Failure = Box<(HeaderMap, Status)>;

fn fail(status: Status) -> Failure {
    failed(HeaderMap::new(), status)
}

fn failed(headers: HeaderMap, status: Status) -> Failure {
    Box::new((headers, status))
}

async fn call<S, B>(inner: S, req: Request<Body>, max: usize, source: Source) -> Result<Response<Body>, Failure>
where
    S: Inner<B>,
    B: BytesBody,
{
    let (mut parts, body) = req.into_parts();
    let message = match source {
        Source::Post => read_body(&parts.headers, body, max).await?,
        Source::Get => {
            drop(body);
            from_query(&mut parts, max)?
        }
    };
    let rewritten = rewrite_head(&mut parts, Flavor::Unary).map_err(fail)?;
    if u32::try_from(message.len()).is_err() {
        return Err(fail(too_big(max)));
    }
    let flags = if rewritten.compressed { FLAG_COMPRESSED } else { 0 };
    let grpc_body = envelope(flags, &message);
    parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(grpc_body.len()));
    let grpc_req = Request::from_parts(parts, Body::new(Full::new(grpc_body)));

    let deadline = rewritten.deadline;
    let response = async move {
        let res = inner
            .oneshot(grpc_req)
            .await
            .map_err(|err| fail(Status::from_error(err.into())))?;
        let (parts, body) = res.into_parts();
        // Trailers-only: nothing more to read.
        if let Some(status) = Status::from_headers(&parts.headers) {
            return Ok((parts, None, Some(status)));
        }
        if parts.status != StatusCode::OK {
            let status = Status::new(
                Code::from_http_status(parts.status),
                format!("the gRPC service answered HTTP {}", parts.status),
            );
            return Ok((parts, None, Some(status)));
        }
        let collected = match Body::new(body).collect().await {
            Ok(collected) => collected,
            Err(err) => return Err(failed(parts.headers, Status::from_tonic(&err))),
        };
        Ok((parts, Some(collected), None))
    };
    let (parts, collected, early) = until(deadline, response)
        .await
        .ok_or_else(|| fail(deadline_exceeded()))??;

    let mut headers = parts.headers;
    if let Some(status) = early {
        strip_grpc_framing(&mut headers);
        let status = if status.code.is_ok() {
            Status::new(Code::UNIMPLEMENTED, "the gRPC unary response has no message")
        } else {
            status
        };
        return Err(failed(headers, status));
    }
    let Some(collected) = collected else {
        return Err(failed(
            headers,
            Status::new(Code::INTERNAL, "the gRPC response has no body"),
        ));
    };
    let trailers = collected.trailers().cloned().unwrap_or_default();
    let body = collected.to_bytes();
    let status = Status::from_headers(&trailers)
        .unwrap_or_else(|| Status::new(Code::INTERNAL, "the gRPC response ended without a grpc-status"));

    strip_grpc_framing(&mut headers);
    let encoding = headers.remove(GRPC_ENCODING);
    if let Some(accept) = headers.remove(GRPC_ACCEPT_ENCODING) {
        headers.insert(ACCEPT_ENCODING, accept);
    }
    for (name, value) in &trailers {
        if is_status_header(name) {
            continue;
        }
        if let Ok(name) = HeaderName::from_bytes(format!("trailer-{}", name.as_str()).as_bytes()) {
            headers.append(name, value.clone());
        }
    }
    if !status.code.is_ok() {
        return Err(failed(headers, status));
    }

    let (flags, message) = single_message(body).map_err(|status| failed(headers.clone(), status))?;
    if flags & FLAG_COMPRESSED != 0 {
        match encoding {
            Some(encoding) => {
                headers.insert(CONTENT_ENCODING, encoding);
            }
            None => {
                let status = Status::new(Code::INTERNAL, "compressed gRPC message without grpc-encoding");
                return Err(failed(headers, status));
            }
        }
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(PROTO));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(message.len()));
    let mut res = Response::new(Body::new(Full::new(message)));
    *res.headers_mut() = headers;
    Ok(res)
}

/// Collects a `POST` body of at most `max` bytes.
async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<Bytes, Failure> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > max as u64) {
        return Err(fail(too_big(max)));
    }
    match Limited::new(body, max).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<LengthLimitError>() => Err(fail(too_big(max))),
        Err(err) => Err(fail(Status::new(
            Code::INVALID_ARGUMENT,
            format!("could not read the request body: {err}"),
        ))),
    }
}

/// The message of a Connect `GET`: `message` (percent-encoded, or base64url
/// with `base64=1`), `compression`; the call itself becomes a `POST`.
fn from_query(parts: &mut request::Parts, max: usize) -> Result<Bytes, Failure> {
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let mut message = Vec::new();
    let mut base64 = false;
    let mut compression = None;
    let mut connect_version = None;
    for (key, value) in query_pairs(&query) {
        match key.as_slice() {
            b"message" => message = value,
            b"base64" => base64 = value == b"1",
            b"compression" => compression = Some(value),
            b"connect" => connect_version = Some(value),
            _ => {}
        }
    }
    if connect_version.as_ref().is_some_and(|v| v != b"v1") {
        return Err(fail(Status::new(
            Code::INVALID_ARGUMENT,
            "unsupported connect query parameter: expected v1",
        )));
    }
    let message = if base64 {
        use base64::Engine as _;
        URL_SAFE_INDIFFERENT.decode(&message).map_err(|e| {
            fail(Status::new(
                Code::INVALID_ARGUMENT,
                format!("invalid base64 in message: {e}"),
            ))
        })?
    } else {
        message
    };
    if message.len() > max {
        return Err(fail(too_big(max)));
    }
    parts.method = Method::POST;
    let path = parts.uri.path().to_owned();
    parts.uri = path
        .parse()
        .map_err(|_| fail(Status::new(Code::INVALID_ARGUMENT, "invalid request path")))?;
    let headers = &mut parts.headers;
    headers.remove(CONTENT_ENCODING);
    if let Some(compression) = compression {
        let value = HeaderValue::from_bytes(&compression).map_err(|_| {
            fail(Status::new(
                Code::INVALID_ARGUMENT,
                "invalid compression query parameter",
            ))
        })?;
        headers.insert(CONTENT_ENCODING, value);
    }
    Ok(Bytes::from(message))
}

/// The one message of a gRPC unary response body.
fn single_message(mut body: Bytes) -> Result<(u8, Bytes), Status> {
    let malformed = |what: &str| Status::new(Code::INTERNAL, format!("malformed gRPC unary response: {what}"));
    let mut message = None;
    while !body.is_empty() {
        if body.len() < 5 {
            return Err(malformed("truncated envelope prefix"));
        }
        let flags = body.get_u8();
        let len = body.get_u32() as usize;
        if body.len() < len {
            return Err(malformed("truncated message"));
        }
        let payload = body.split_to(len);
        if message.replace((flags, payload)).is_some() {
            return Err(malformed("more than one message"));
        }
    }
    message.ok_or_else(|| Status::new(Code::UNIMPLEMENTED, "the gRPC unary response has no message"))
}

fn too_big(max: usize) -> Status {
    Status::new(
        Code::RESOURCE_EXHAUSTED,
        format!("the request message is larger than this server's limit of {max} bytes"),
    )
}

/// A Connect unary error: the HTTP status for the code, a JSON body.
pub(crate) fn error_response(mut headers: HeaderMap, status: &Status) -> Response<Body> {
    // A failure can come before any gRPC exchange; never report "ok".
    let status = if status.code.is_ok() {
        &Status::new(Code::UNKNOWN, status.message.clone())
    } else {
        status
    };
    let body = error_body(status);
    headers.remove(CONTENT_ENCODING);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
    let mut res = Response::new(Body::new(Full::new(body)));
    *res.status_mut() = status.code.http_status();
    *res.headers_mut() = headers;
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_message_parsing() {
        assert_eq!(
            single_message(Bytes::from_static(b"\x00\x00\x00\x00\x02hi")).expect("ok"),
            (0, Bytes::from_static(b"hi"))
        );
        assert_eq!(
            single_message(Bytes::from_static(b"\x00\x00\x00\x00\x00"))
                .expect("empty")
                .1
                .len(),
            0
        );
        assert_eq!(
            single_message(Bytes::new()).expect_err("none").code,
            Code::UNIMPLEMENTED
        );
        assert_eq!(
            single_message(Bytes::from_static(b"\x00\x00")).expect_err("short").code,
            Code::INTERNAL
        );
        assert_eq!(
            single_message(Bytes::from_static(b"\x00\x00\x00\x00\x09hi"))
                .expect_err("trunc")
                .code,
            Code::INTERNAL
        );
        assert_eq!(
            single_message(Bytes::from_static(b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
                .expect_err("two")
                .code,
            Code::INTERNAL
        );
    }
}
