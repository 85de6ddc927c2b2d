//! End-to-end: a real tonic server (health + reflection + a scripted test
//! service) behind `ConnectLayer` and `GrpcWebLayer`, spoken to over real
//! HTTP/2 (and HTTP/1.1) with hand-built Connect, gRPC and gRPC-Web requests.

#![allow(clippy::unwrap_used)]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use eiso_connect::ConnectLayer;
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use prost::Message;
use serde_json::{Value, json};
use tonic::body::Body;
use tonic::server::NamedService;
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse, health_check_response::ServingStatus};
use tonic_reflection::pb::v1::{
    ServerReflectionRequest, ServerReflectionResponse, server_reflection_request::MessageRequest,
    server_reflection_response::MessageResponse,
};
use tonic_types::{ErrorDetails, StatusExt};

const CHECK: &str = "/grpc.health.v1.Health/Check";
const REFLECT: &str = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";

/// A test service whose methods answer in the shapes the layer has to
/// translate: trailers-only errors with details, messages followed by
/// trailers with metadata, slow answers, broken headers.
#[derive(Clone)]
struct Scripted;

impl NamedService for Scripted {
    const NAME: &'static str = "test.Scripted";
}

impl tower::Service<Request<Body>> for Scripted {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let path = req.uri().path().to_owned();
        let headers = req.headers().clone();
        Box::pin(async move {
            let res = match path.as_str() {
                "/test.Scripted/Details" => {
                    let details = ErrorDetails::with_bad_request_violation("name", "must not be empty.");
                    tonic::Status::with_error_details(tonic::Code::InvalidArgument, "bad name: ü 100%", details)
                        .into_http()
                }
                "/test.Scripted/BadDetails" => {
                    let mut res = tonic::Status::new(tonic::Code::FailedPrecondition, "x").into_http::<Body>();
                    res.headers_mut()
                        .insert("grpc-status-details-bin", HeaderValue::from_static("@@@not-base64"));
                    res.headers_mut()
                        .insert("grpc-message", HeaderValue::from_static("%ff%fe%"));
                    res
                }
                "/test.Scripted/Trailers" => {
                    let mut trailers = HeaderMap::new();
                    trailers.insert("grpc-status", HeaderValue::from_static("0"));
                    trailers.insert("x-trailer", HeaderValue::from_static("t1"));
                    let frames = vec![
                        Ok::<_, Infallible>(http_body::Frame::data(envelope(0, b"hello"))),
                        Ok(http_body::Frame::trailers(trailers)),
                    ];
                    let mut res = Response::new(Body::new(StreamBody::new(tokio_stream::iter(frames))));
                    res.headers_mut()
                        .insert("content-type", HeaderValue::from_static("application/grpc"));
                    res.headers_mut().insert("x-header", HeaderValue::from_static("h1"));
                    // Echo what the layer turned the Connect headers into.
                    for name in ["grpc-timeout", "te", "grpc-encoding", "x-client"] {
                        if let Some(v) = headers.get(name) {
                            res.headers_mut()
                                .insert(format!("x-echo-{name}").parse::<http::HeaderName>().unwrap(), v.clone());
                        }
                    }
                    res
                }
                "/test.Scripted/Slow" => {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    tonic::Status::ok("").into_http()
                }
                _ => tonic::Status::unimplemented("no such method").into_http(),
            };
            Ok(res)
        })
    }
}

struct Server {
    addr: SocketAddr,
    _reporter: tonic_health::server::HealthReporter,
}

impl Server {
    /// POSTs `body` as `content_type` to `path` over HTTP/2.
    async fn post(&self, path: &str, content_type: &str, body: impl Into<Bytes>) -> Answer {
        send(&h2_client(), request(self.addr, path, content_type, body)).await
    }

    /// GETs `path_and_query` over HTTP/2.
    async fn get(&self, path_and_query: &str) -> Answer {
        let req = Request::get(format!("http://{}{path_and_query}", self.addr))
            .body(Full::new(Bytes::new()))
            .unwrap();
        send(&h2_client(), req).await
    }
}

async fn start(layer: ConnectLayer) -> Server {
    let (reporter, health) = tonic_health::server::health_reporter();
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = tonic::transport::Server::builder()
        .accept_http1(true)
        .layer(layer)
        .layer(tonic_web::GrpcWebLayer::new())
        .add_service(health)
        .add_service(reflection)
        .add_service(Scripted);
    tokio::spawn(router.serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)));
    Server {
        addr,
        _reporter: reporter,
    }
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn h2_client() -> HttpClient {
    Client::builder(TokioExecutor::new()).http2_only(true).build_http()
}

fn h1_client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    trailers: Option<HeaderMap>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or_default()
    }
}

async fn send(client: &HttpClient, req: Request<Full<Bytes>>) -> Answer {
    let res = tokio::time::timeout(Duration::from_secs(20), client.request(req))
        .await
        .expect("no answer within 20s")
        .expect("HTTP request");
    let (parts, body) = res.into_parts();
    let collected = body.collect().await.expect("response body");
    let trailers = collected.trailers().cloned();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: collected.to_bytes(),
        trailers,
    }
}

fn request(addr: SocketAddr, path: &str, content_type: &str, body: impl Into<Bytes>) -> Request<Full<Bytes>> {
    Request::builder()
        .method(Method::POST)
        .uri(format!("http://{addr}{path}"))
        .header("content-type", content_type)
        .body(Full::new(body.into()))
        .unwrap()
}

fn envelope(flags: u8, payload: &[u8]) -> Bytes {
    let mut b = BytesMut::new();
    b.put_u8(flags);
    b.put_u32(payload.len() as u32);
    b.put_slice(payload);
    b.freeze()
}

/// Splits a body into envelopes; panics on a malformed one.
fn envelopes(mut body: Bytes) -> Vec<(u8, Bytes)> {
    let mut out = Vec::new();
    while !body.is_empty() {
        assert!(body.len() >= 5, "short envelope: {body:?}");
        let flags = body.get_u8();
        let len = body.get_u32() as usize;
        assert!(body.len() >= len, "truncated envelope");
        out.push((flags, body.split_to(len)));
    }
    out
}

/// The end-stream message of a Connect streaming response (which must be its
/// last envelope) and the messages before it.
/// Asserts that `message` is a HealthCheckResponse saying SERVING.
fn assert_serving(message: Bytes) {
    assert_eq!(
        HealthCheckResponse::decode(message).unwrap().status(),
        ServingStatus::Serving
    );
}

/// The error of an end-stream that follows no message.
fn end_stream_error(answer: &Answer) -> Value {
    let (messages, mut end) = end_stream(answer);
    assert!(messages.is_empty(), "{messages:?}");
    end["error"].take()
}

fn end_stream(answer: &Answer) -> (Vec<Bytes>, Value) {
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), "application/connect+proto");
    assert!(
        answer.trailers.as_ref().is_none_or(HeaderMap::is_empty),
        "Connect has no HTTP trailers"
    );
    let mut all = envelopes(answer.body.clone());
    let (flags, last) = all.pop().expect("an end-stream envelope");
    assert_eq!(flags, 0x02, "last envelope is end-stream");
    assert!(
        all.iter().all(|(f, _)| *f == 0),
        "messages are uncompressed, not end-stream"
    );
    (
        all.into_iter().map(|(_, m)| m).collect(),
        serde_json::from_slice(&last).unwrap(),
    )
}

fn check(service: &str) -> Bytes {
    HealthCheckRequest {
        service: service.into(),
    }
    .encode_to_vec()
    .into()
}

#[tokio::test]
async fn unary_check_serving() {
    let server = start(ConnectLayer::new()).await;
    let answer = server.post(CHECK, "application/proto", check("")).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    assert_eq!(answer.header("content-type"), "application/proto");
    let res = HealthCheckResponse::decode(answer.body).unwrap();
    assert_eq!(res.status(), ServingStatus::Serving);
}

#[tokio::test]
async fn unary_over_http1_with_protocol_header() {
    let server = start(ConnectLayer::new()).await;
    let mut req = request(server.addr, CHECK, "application/proto", check(""));
    req.headers_mut()
        .insert("connect-protocol-version", HeaderValue::from_static("1"));
    req.headers_mut()
        .insert("connect-timeout-ms", HeaderValue::from_static("5000"));
    let answer = send(&h1_client(), req).await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    assert_serving(answer.body);
}

#[tokio::test]
async fn unary_get() {
    use base64::Engine as _;
    let server = start(ConnectLayer::new()).await;
    let message = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(check(""));
    let answer = server
        .get(&format!("{CHECK}?connect=v1&encoding=proto&base64=1&message={message}"))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
    assert_serving(answer.body);

    // Percent-encoded raw bytes, for an unknown service: not_found.
    let raw: String = check("nope").iter().map(|b| format!("%{b:02X}")).collect();
    let answer = server.get(&format!("{CHECK}?encoding=proto&message={raw}")).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json()["code"], "not_found");
}

#[tokio::test]
async fn unary_unknown_service_is_not_found() {
    let server = start(ConnectLayer::new()).await;
    let answer = server.post(CHECK, "application/proto", check("no.such.Service")).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.header("content-type"), "application/json");
    let json = answer.json();
    assert_eq!(json["code"], "not_found", "{json}");
    assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{json}");
}

#[tokio::test]
async fn unary_unknown_method_is_unimplemented() {
    let server = start(ConnectLayer::new()).await;
    let answer = server.post("/no.Such/Method", "application/proto", Bytes::new()).await;
    assert_eq!(answer.status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(answer.json()["code"], "unimplemented");
}

#[tokio::test]
async fn unary_error_details_and_percent_decoded_message() {
    let server = start(ConnectLayer::new()).await;
    let answer = server
        .post("/test.Scripted/Details", "application/proto", Bytes::new())
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let json = answer.json();
    assert_eq!(json["code"], "invalid_argument");
    assert_eq!(json["message"], "bad name: ü 100%");
    let details = json["details"].as_array().unwrap();
    assert_eq!(details.len(), 1, "{json}");
    assert_eq!(details[0]["type"], "google.rpc.BadRequest");
    let value = details[0]["value"].as_str().unwrap();
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(value).unwrap();
    // Chosen so that padded base64 would end in `=`: the value must not.
    assert_ne!(bytes.len() % 3, 0);
    assert!(!value.ends_with('='), "unpadded base64: {value}");
    let bad_request = tonic_types::pb::BadRequest::decode(&bytes[..]).unwrap();
    assert_eq!(bad_request.field_violations[0].field, "name");
}

#[tokio::test]
async fn malformed_status_headers_do_not_panic() {
    let server = start(ConnectLayer::new()).await;
    let answer = server
        .post("/test.Scripted/BadDetails", "application/proto", Bytes::new())
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let json = answer.json();
    assert_eq!(json["code"], "failed_precondition");
    assert!(json.get("details").is_none(), "{json}");

    let answer = server
        .post("/test.Scripted/BadDetails", "application/connect+proto", Bytes::new())
        .await;
    let error = end_stream_error(&answer);
    assert_eq!(error["code"], "failed_precondition");
}

#[tokio::test]
async fn unary_trailers_become_headers() {
    let server = start(ConnectLayer::new()).await;
    let mut req = request(
        server.addr,
        "/test.Scripted/Trailers",
        "application/proto",
        Bytes::from_static(b"x"),
    );
    req.headers_mut()
        .insert("connect-timeout-ms", HeaderValue::from_static("1500"));
    req.headers_mut().insert("x-client", HeaderValue::from_static("c1"));
    let answer = send(&h2_client(), req).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, Bytes::from_static(b"hello"));
    assert_eq!(answer.header("x-header"), "h1");
    assert_eq!(answer.header("trailer-x-trailer"), "t1");
    assert!(answer.headers.get("trailer-grpc-status").is_none());
    assert!(answer.headers.get("grpc-status").is_none());
    assert_eq!(answer.header("x-echo-grpc-timeout"), "1500m");
    assert_eq!(answer.header("x-echo-te"), "trailers");
    assert_eq!(answer.header("x-echo-x-client"), "c1");
}

#[tokio::test]
async fn streaming_trailers_become_end_stream_metadata() {
    let server = start(ConnectLayer::new()).await;
    let mut req = request(
        server.addr,
        "/test.Scripted/Trailers",
        "application/connect+proto",
        envelope(0, b"x"),
    );
    req.headers_mut()
        .insert("connect-content-encoding", HeaderValue::from_static("gzip"));
    let answer = send(&h2_client(), req).await;
    let (messages, end) = end_stream(&answer);
    assert_eq!(messages, vec![Bytes::from_static(b"hello")]);
    assert_eq!(end, json!({"metadata": {"x-trailer": ["t1"]}}));
    assert_eq!(answer.header("x-header"), "h1");
    assert_eq!(answer.header("x-echo-grpc-encoding"), "gzip");
}

#[tokio::test]
async fn streaming_error_details() {
    let server = start(ConnectLayer::new()).await;
    let answer = server
        .post("/test.Scripted/Details", "application/connect+proto", Bytes::new())
        .await;
    let error = end_stream_error(&answer);
    assert_eq!(error["code"], "invalid_argument");
    assert_eq!(error["message"], "bad name: ü 100%");
    assert_eq!(error["details"][0]["type"], "google.rpc.BadRequest");
}

#[tokio::test]
async fn deadlines_are_enforced() {
    let server = start(ConnectLayer::new()).await;
    for content_type in ["application/proto", "application/connect+proto"] {
        let mut req = request(server.addr, "/test.Scripted/Slow", content_type, Bytes::new());
        req.headers_mut()
            .insert("connect-timeout-ms", HeaderValue::from_static("100"));
        let started = std::time::Instant::now();
        let answer = send(&h2_client(), req).await;
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{content_type}: took {:?}",
            started.elapsed()
        );
        let code = if content_type == "application/proto" {
            assert_eq!(answer.status, StatusCode::GATEWAY_TIMEOUT);
            answer.json()["code"].clone()
        } else {
            end_stream(&answer).1["error"]["code"].clone()
        };
        assert_eq!(code, "deadline_exceeded", "{content_type}");
    }
}

fn list_services_request() -> Bytes {
    let req = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    envelope(0, &req.encode_to_vec())
}

fn service_names(message: Bytes) -> Vec<String> {
    match ServerReflectionResponse::decode(message).unwrap().message_response {
        Some(MessageResponse::ListServicesResponse(list)) => list.service.into_iter().map(|s| s.name).collect(),
        other => panic!("not a list-services response: {other:?}"),
    }
}

#[tokio::test]
async fn streaming_reflection_list_services() {
    let server = start(ConnectLayer::new()).await;
    let mut req = request(
        server.addr,
        REFLECT,
        "application/connect+proto",
        list_services_request(),
    );
    req.headers_mut()
        .insert("connect-protocol-version", HeaderValue::from_static("1"));
    let answer = send(&h2_client(), req).await;
    let (messages, end) = end_stream(&answer);
    assert_eq!(messages.len(), 1);
    let names = service_names(messages[0].clone());
    assert!(names.contains(&"grpc.health.v1.Health".to_string()), "{names:?}");
    assert!(end.get("error").is_none(), "{end}");
}

#[tokio::test]
async fn streaming_protocol_for_a_unary_method() {
    let server = start(ConnectLayer::new()).await;
    let answer = server
        .post(CHECK, "application/connect+proto", envelope(0, &check("")))
        .await;
    let (messages, end) = end_stream(&answer);
    assert_eq!(messages.len(), 1);
    assert_eq!(
        HealthCheckResponse::decode(messages[0].clone()).unwrap().status(),
        ServingStatus::Serving
    );
    assert_eq!(end, json!({}));

    let answer = server
        .post(CHECK, "application/connect+proto", envelope(0, &check("nope")))
        .await;
    let error = end_stream_error(&answer);
    assert_eq!(error["code"], "not_found");
}

#[tokio::test]
async fn grpc_passes_through_unchanged() {
    let server = start(ConnectLayer::new()).await;
    let mut req = request(server.addr, CHECK, "application/grpc", envelope(0, &check("")));
    req.headers_mut().insert("te", HeaderValue::from_static("trailers"));
    let answer = send(&h2_client(), req).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), "application/grpc");
    let trailers = answer.trailers.as_ref().expect("gRPC trailers");
    assert_eq!(trailers["grpc-status"], "0");
    let msgs = envelopes(answer.body);
    assert_eq!(msgs.len(), 1);
    assert_eq!(
        HealthCheckResponse::decode(msgs[0].1.clone()).unwrap().status(),
        ServingStatus::Serving
    );

    // Reflection over plain gRPC too.
    let mut req = request(server.addr, REFLECT, "application/grpc", list_services_request());
    req.headers_mut().insert("te", HeaderValue::from_static("trailers"));
    let answer = send(&h2_client(), req).await;
    assert_eq!(answer.trailers.as_ref().expect("trailers")["grpc-status"], "0");
    let msgs = envelopes(answer.body);
    assert!(service_names(msgs[0].1.clone()).contains(&"grpc.health.v1.Health".to_string()));
}

#[tokio::test]
async fn grpc_web_passes_through_unchanged() {
    let server = start(ConnectLayer::new()).await;
    let answer = send(
        &h1_client(),
        request(
            server.addr,
            CHECK,
            "application/grpc-web+proto",
            envelope(0, &check("")),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-type"), "application/grpc-web+proto");
    let frames = envelopes(answer.body);
    assert_eq!(frames[0].0, 0);
    assert_eq!(
        HealthCheckResponse::decode(frames[0].1.clone()).unwrap().status(),
        ServingStatus::Serving
    );
    assert_eq!(frames.last().unwrap().0, 0x80, "grpc-web trailers frame");
}

#[tokio::test]
async fn malformed_envelope_is_a_connect_error() {
    let server = start(ConnectLayer::new()).await;
    // Health/Check called with the streaming protocol (which Connect allows
    // for any method), with: a short prefix, a truncated message, a bad flag.
    for body in [
        &b"\x00\x00\x00"[..],
        b"\x00\x00\x00\x00\x10abc",
        b"\x07\x00\x00\x00\x00",
    ] {
        let answer = server
            .post(CHECK, "application/connect+proto", Bytes::copy_from_slice(body))
            .await;
        let (_, end) = end_stream(&answer);
        let code = end["error"]["code"].as_str().unwrap_or_default().to_owned();
        assert!(
            ["invalid_argument", "internal", "unimplemented"].contains(&code.as_str()),
            "{body:?}: {end}"
        );
    }
    // Unary: bytes that are not a HealthCheckRequest.
    let answer = server
        .post(CHECK, "application/proto", Bytes::from_static(b"\xff\xff\xff"))
        .await;
    assert!(
        answer.status.is_client_error() || answer.status.is_server_error(),
        "{:?}",
        answer.status
    );
    let code = answer.json()["code"].as_str().unwrap().to_owned();
    assert!(["invalid_argument", "internal"].contains(&code.as_str()), "{code}");
    // The server is still fine.
    let answer = server.post(CHECK, "application/proto", check("")).await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn bad_connect_headers_are_connect_errors() {
    let server = start(ConnectLayer::new()).await;
    for (name, value) in [
        ("connect-timeout-ms", "soon"),
        ("connect-timeout-ms", "12345678901"),
        ("connect-protocol-version", "2"),
    ] {
        let mut req = request(server.addr, CHECK, "application/proto", check(""));
        req.headers_mut().insert(name, HeaderValue::from_static(value));
        let answer = send(&h2_client(), req).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{name}: {value}");
        assert_eq!(answer.json()["code"], "invalid_argument");

        let mut req = request(
            server.addr,
            REFLECT,
            "application/connect+proto",
            list_services_request(),
        );
        req.headers_mut().insert(name, HeaderValue::from_static(value));
        let answer = send(&h2_client(), req).await;
        assert_eq!(
            end_stream(&answer).1["error"]["code"],
            "invalid_argument",
            "{name}: {value}"
        );
    }
    // Invalid base64 in a GET.
    let answer = server
        .get(&format!("{CHECK}?encoding=proto&base64=1&message=%%%"))
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["code"], "invalid_argument");
}

#[tokio::test]
async fn unary_request_cap() {
    let server = start(ConnectLayer::with_max_message_bytes(64)).await;
    let big = Bytes::from(vec![0u8; 65]);
    let answer = server.post(CHECK, "application/proto", big).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.json()["code"], "resource_exhausted");
    // Under the cap is served as usual.
    let answer = server.post(CHECK, "application/proto", check("")).await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn json_codec_is_refused_with_415() {
    let server = start(ConnectLayer::new()).await;
    for content_type in ["application/json", "application/connect+json"] {
        let answer = server.post(CHECK, content_type, Bytes::from_static(b"{}")).await;
        assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}");
        let json = answer.json();
        assert_eq!(json["code"], "unimplemented");
        assert!(json["message"].as_str().unwrap().contains("proto"), "{json}");
    }
}
