//! Recognising Connect requests and rewriting their headers into gRPC ones.

use std::future::Future;
use std::time::Duration;

use http::header::{ACCEPT_ENCODING, ALLOW, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, TE};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Version, request};
use tokio::time::Instant;
use tonic::body::Body;

use crate::protocol::{
    CONNECT_ACCEPT_ENCODING, CONNECT_CONTENT_ENCODING, CONNECT_PROTOCOL_VERSION, CONNECT_TIMEOUT_MS, Code,
    GRPC_ACCEPT_ENCODING, GRPC_ENCODING, GRPC_TIMEOUT, Status, error_body, grpc_timeout, is_identity, parse_timeout_ms,
};

pub(crate) const CONNECT_PROTO: &str = "application/connect+proto";
pub(crate) const PROTO: &str = "application/proto";
pub(crate) const JSON: &str = "application/json";
const GRPC: &str = "application/grpc";

/// What a request is, as far as this layer is concerned. `None` from
/// [`Kind::of`] means "not Connect: pass it through".
#[derive(Debug)]
pub(crate) enum Kind {
    /// `POST` + `application/proto`.
    Unary,
    /// `GET` + `?encoding=proto&message=…`.
    UnaryGet,
    /// `POST` + `application/connect+proto`.
    Stream,
    /// A Connect request this layer won't serve.
    Refused(Refusal),
}

#[derive(Debug)]
pub(crate) struct Refusal {
    http_status: StatusCode,
    code: Code,
    message: String,
    allow: Option<&'static str>,
}

impl Refusal {
    fn unsupported_codec(content_type: &str) -> Refusal {
        Refusal {
            http_status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code: Code::UNIMPLEMENTED,
            message: format!(
                "this server speaks Connect with the proto codec only ({PROTO} for unary calls, {CONNECT_PROTO} \
                 for streaming calls), not {content_type:?}; use the proto codec (e.g. `buf curl --codec proto`) or \
                 the gRPC protocol"
            ),
            allow: None,
        }
    }

    fn method_not_allowed(method: &Method) -> Refusal {
        Refusal {
            http_status: StatusCode::METHOD_NOT_ALLOWED,
            code: Code::UNIMPLEMENTED,
            message: format!("Connect calls use POST (or GET for unary calls), not {method}"),
            allow: Some("POST"),
        }
    }

    /// The answer: the HTTP status, and a Connect error as a JSON body so a
    /// person with curl sees why.
    pub(crate) fn response(&self) -> Response<Body> {
        let status = Status::new(self.code, self.message.clone());
        let mut res = Response::new(Body::new(http_body_util::Full::new(error_body(&status))));
        *res.status_mut() = self.http_status;
        res.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
        if self.http_status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            res.headers_mut().insert(
                "accept-post",
                HeaderValue::from_static("application/proto, application/connect+proto"),
            );
        }
        if let Some(allow) = self.allow {
            res.headers_mut().insert(ALLOW, HeaderValue::from_static(allow));
        }
        res
    }
}

impl Kind {
    pub(crate) fn of<B>(req: &Request<B>) -> Option<Kind> {
        if req.method() == Method::GET {
            return Kind::of_get(req);
        }
        let content_type = req.headers().get(CONTENT_TYPE)?.to_str().ok()?;
        let media_type = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let kind = match media_type.as_str() {
            CONNECT_PROTO => Kind::Stream,
            PROTO => Kind::Unary,
            JSON => return Some(Kind::Refused(Refusal::unsupported_codec(content_type))),
            other if other.starts_with("application/connect+") => {
                return Some(Kind::Refused(Refusal::unsupported_codec(content_type)));
            }
            _ => return None,
        };
        if req.method() != Method::POST {
            return Some(Kind::Refused(Refusal::method_not_allowed(req.method())));
        }
        Some(kind)
    }

    fn of_get<B>(req: &Request<B>) -> Option<Kind> {
        let query = req.uri().query()?;
        let mut encoding = None;
        let mut has_message = false;
        for (key, value) in query_pairs(query) {
            match key.as_slice() {
                b"encoding" => encoding = Some(value),
                b"message" => has_message = true,
                _ => {}
            }
        }
        let encoding = encoding?;
        if !has_message {
            return None;
        }
        if encoding != b"proto" {
            let name = String::from_utf8_lossy(&encoding).into_owned();
            return Some(Kind::Refused(Refusal::unsupported_codec(&format!("encoding={name}"))));
        }
        Some(Kind::UnaryGet)
    }
}

/// The decoded `key=value` pairs of a query string.
pub(crate) fn query_pairs(query: &str) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (
            crate::protocol::percent_decode(k.as_bytes(), true),
            crate::protocol::percent_decode(v.as_bytes(), true),
        )
    })
}

/// What the header rewrite found out.
#[derive(Debug, Default)]
pub(crate) struct Rewritten {
    /// From `connect-timeout-ms`.
    pub(crate) deadline: Option<Instant>,
    /// Whether the request's message(s) are compressed (`grpc-encoding` set).
    pub(crate) compressed: bool,
}

/// Which headers carry the compression names.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Flavor {
    /// `content-encoding` / `accept-encoding`.
    Unary,
    /// `connect-content-encoding` / `connect-accept-encoding`.
    Stream,
}

/// Rewrites a Connect request's head into a gRPC request's head (HTTP/2,
/// `application/grpc`, `te: trailers`, `grpc-timeout`, `grpc-encoding`,
/// `grpc-accept-encoding`). Other headers are metadata and stay.
pub(crate) fn rewrite_head(parts: &mut request::Parts, flavor: Flavor) -> Result<Rewritten, Status> {
    let headers = &mut parts.headers;
    if let Some(version) = headers.remove(CONNECT_PROTOCOL_VERSION)
        && version.as_bytes() != b"1"
    {
        return Err(Status::new(
            Code::INVALID_ARGUMENT,
            format!(
                "unsupported {CONNECT_PROTOCOL_VERSION} {:?}: expected \"1\"",
                String::from_utf8_lossy(version.as_bytes())
            ),
        ));
    }
    let timeout = headers
        .remove(CONNECT_TIMEOUT_MS)
        .map(|v| parse_timeout_ms(&v))
        .transpose()?;

    let (content_encoding, accept_encoding) = match flavor {
        Flavor::Unary => (headers.remove(CONTENT_ENCODING), headers.remove(ACCEPT_ENCODING)),
        Flavor::Stream => (
            headers.remove(CONNECT_CONTENT_ENCODING),
            headers.remove(CONNECT_ACCEPT_ENCODING),
        ),
    };
    for name in [GRPC_TIMEOUT, GRPC_ENCODING, GRPC_ACCEPT_ENCODING] {
        headers.remove(name);
    }
    headers.remove(CONTENT_LENGTH);
    let content_encoding = content_encoding.filter(|v| !is_identity(v));
    let compressed = content_encoding.is_some();
    if let Some(encoding) = content_encoding {
        headers.insert(GRPC_ENCODING, encoding);
    }
    if let Some(accept) = accept_encoding {
        headers.insert(GRPC_ACCEPT_ENCODING, accept);
    }
    if let Some(timeout) = timeout {
        headers.insert(GRPC_TIMEOUT, grpc_timeout(timeout));
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(GRPC));
    headers.insert(TE, HeaderValue::from_static("trailers"));
    // The inner services (tonic-web in particular) treat any HTTP/1.1 request
    // as not-gRPC; the translated request is gRPC whatever the client spoke.
    parts.version = Version::HTTP_2;

    Ok(Rewritten {
        deadline: timeout.map(deadline_after),
        compressed,
    })
}

fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    // About 30 years out is "never" and cannot overflow.
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(60 * 60 * 24 * 365 * 30))
}

/// Runs `fut` until `deadline`. `None` if the deadline passed first. Without
/// a tokio runtime (no timer) the deadline is not enforced.
pub(crate) async fn until<T>(deadline: Option<Instant>, fut: impl Future<Output = T>) -> Option<T> {
    match deadline {
        Some(deadline) if tokio::runtime::Handle::try_current().is_ok() => {
            tokio::time::timeout_at(deadline, fut).await.ok()
        }
        _ => Some(fut.await),
    }
}

pub(crate) fn deadline_exceeded() -> Status {
    Status::new(Code::DEADLINE_EXCEEDED, "the deadline set by connect-timeout-ms passed")
}

/// Response headers that describe the gRPC framing and so must not be copied
/// onto a Connect response.
pub(crate) fn strip_grpc_framing(headers: &mut HeaderMap) {
    headers.remove(CONTENT_TYPE);
    headers.remove(CONTENT_LENGTH);
    headers.remove(TE);
    headers.remove("trailer");
    for name in [
        crate::protocol::GRPC_STATUS,
        crate::protocol::GRPC_MESSAGE,
        crate::protocol::GRPC_STATUS_DETAILS,
    ] {
        headers.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: Method, uri: &str, content_type: Option<&str>) -> Request<()> {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(ct) = content_type {
            b = b.header(CONTENT_TYPE, ct);
        }
        b.body(()).expect("request")
    }

    #[test]
    fn classification() {
        let kind = |m, u, ct| Kind::of(&req(m, u, ct));
        assert!(matches!(
            kind(Method::POST, "/a.B/C", Some("application/proto")),
            Some(Kind::Unary)
        ));
        assert!(matches!(
            kind(Method::POST, "/a.B/C", Some("Application/Proto; x=y")),
            Some(Kind::Unary)
        ));
        assert!(matches!(
            kind(Method::POST, "/a.B/C", Some("application/connect+proto")),
            Some(Kind::Stream)
        ));
        assert!(kind(Method::POST, "/a.B/C", Some("application/grpc")).is_none());
        assert!(kind(Method::POST, "/a.B/C", Some("application/grpc-web+proto")).is_none());
        assert!(kind(Method::POST, "/a.B/C", None).is_none());
        assert!(kind(Method::GET, "/a.B/C", None).is_none());
        assert!(kind(Method::GET, "/a.B/C?foo=bar", None).is_none());
        assert!(matches!(
            kind(Method::GET, "/a.B/C?encoding=proto&message=", None),
            Some(Kind::UnaryGet)
        ));
        let refused = |k: Option<Kind>| match k {
            Some(Kind::Refused(r)) => r.http_status,
            other => panic!("not refused: {other:?}"),
        };
        assert_eq!(
            refused(kind(Method::POST, "/a.B/C", Some("application/json; charset=utf-8"))),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            refused(kind(Method::POST, "/a.B/C", Some("application/connect+json"))),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            refused(kind(Method::GET, "/a.B/C?encoding=json&message=%7B%7D", None)),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            refused(kind(Method::PUT, "/a.B/C", Some("application/proto"))),
            StatusCode::METHOD_NOT_ALLOWED
        );
    }

    #[test]
    fn head_rewrite() {
        let (mut parts, ()) = Request::builder()
            .method(Method::POST)
            .version(Version::HTTP_11)
            .header(CONTENT_TYPE, "application/proto")
            .header(CONTENT_LENGTH, "3")
            .header(CONTENT_ENCODING, "gzip")
            .header(ACCEPT_ENCODING, "gzip, br")
            .header(CONNECT_TIMEOUT_MS, "250")
            .header(CONNECT_PROTOCOL_VERSION, "1")
            .header("x-user", "kept")
            .body(())
            .expect("request")
            .into_parts();
        let rw = rewrite_head(&mut parts, Flavor::Unary).expect("rewrite");
        assert!(rw.compressed);
        assert!(rw.deadline.is_some());
        let h = &parts.headers;
        assert_eq!(parts.version, Version::HTTP_2);
        assert_eq!(h[CONTENT_TYPE], "application/grpc");
        assert_eq!(h[TE], "trailers");
        assert_eq!(h[GRPC_ENCODING], "gzip");
        assert_eq!(h[GRPC_ACCEPT_ENCODING], "gzip, br");
        assert_eq!(h[GRPC_TIMEOUT], "250m");
        assert_eq!(h["x-user"], "kept");
        for gone in [
            CONTENT_ENCODING.as_str(),
            ACCEPT_ENCODING.as_str(),
            CONTENT_LENGTH.as_str(),
            CONNECT_TIMEOUT_MS,
        ] {
            assert!(!h.contains_key(gone), "{gone} left over");
        }
    }

    #[test]
    fn head_rewrite_refusals() {
        let parts = |name: &str, value: &str| {
            Request::builder()
                .method(Method::POST)
                .header(name, value)
                .body(())
                .expect("request")
                .into_parts()
                .0
        };
        let err = rewrite_head(&mut parts(CONNECT_PROTOCOL_VERSION, "2"), Flavor::Stream).expect_err("v2");
        assert_eq!(err.code, Code::INVALID_ARGUMENT);
        let err = rewrite_head(&mut parts(CONNECT_TIMEOUT_MS, "soon"), Flavor::Stream).expect_err("timeout");
        assert_eq!(err.code, Code::INVALID_ARGUMENT);
        let rw = rewrite_head(&mut parts(CONNECT_CONTENT_ENCODING, "identity"), Flavor::Stream).expect("ok");
        assert!(!rw.compressed);
    }
}
