//! Bytes that do not decode get INVALID_ARGUMENT, never INTERNAL, over every
//! protocol the server speaks: gRPC, gRPC-Web (binary and text) and Connect.
//! The requests are built by hand, byte by byte, and sent over the real server.

use base64::Engine;
use bytes::Bytes;
use eiso_proto::eiso::identity::v1::{CreateUnitRequest, GetUnitRequest, Unit};
use eiso_proto::prost::Message;
use eiso_tests::TestServer;
use eiso_tests::values::bad_fields;
use http_body_util::{BodyExt, Full};
use tonic::Code;
use tower::ServiceExt;

const GET_UNIT: &str = "/eiso.identity.v1.IdentityService/GetUnit";
const CREATE_UNIT: &str = "/eiso.identity.v1.IdentityService/CreateUnit";

/// A gRPC frame: uncompressed flag, big-endian length, the bytes.
fn frame(message: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8];
    out.extend_from_slice(&(message.len() as u32).to_be_bytes());
    out.extend_from_slice(message);
    out
}

/// The encoding of `message` with every occurrence of `marker` replaced by
/// bytes that are not UTF-8.
fn with_invalid_utf8(message: impl Message, marker: &[u8]) -> Vec<u8> {
    let mut bytes = message.encode_to_vec();
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("marker in the encoding");
    for (i, b) in bytes[at..at + marker.len()].iter_mut().enumerate() {
        *b = if i % 2 == 0 { 0xff } else { 0xfe };
    }
    bytes
}

struct Answer {
    http: http::StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
    trailers: http::HeaderMap,
}

/// Sends `body` to `path` with `content_type` over the server's HTTP/2
/// connection, as the admin.
async fn send(server: &TestServer, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
    let request = http::Request::builder()
        .method("POST")
        .uri(format!("http://{}{path}", server.addr))
        .header("content-type", content_type)
        .header("te", "trailers")
        .header("authorization", format!("Bearer {}", server.admin_token))
        .body(tonic::body::Body::new(Full::new(Bytes::from(body))))
        .unwrap();
    let response = server.channel.clone().oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let collected = body.collect().await.unwrap();
    let trailers = collected.trailers().cloned().unwrap_or_default();
    Answer {
        http: parts.status,
        headers: parts.headers,
        body: collected.to_bytes(),
        trailers,
    }
}

/// The gRPC status of a gRPC (or gRPC-Web binary) answer: from the headers
/// (trailers-only), the HTTP trailers, or a gRPC-Web trailer frame.
fn grpc_status(answer: &Answer) -> tonic::Status {
    if let Some(status) = tonic::Status::from_header_map(&answer.headers) {
        return status;
    }
    if let Some(status) = tonic::Status::from_header_map(&answer.trailers) {
        return status;
    }
    // gRPC-Web: a frame with flag 0x80 holds the trailers as HTTP/1 header lines.
    let mut rest = &answer.body[..];
    while rest.len() >= 5 {
        let len = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
        let payload = &rest[5..5 + len];
        if rest[0] & 0x80 != 0 {
            let mut map = http::HeaderMap::new();
            for line in String::from_utf8_lossy(payload).split("\r\n") {
                if let Some((k, v)) = line.split_once(':') {
                    map.insert(
                        http::HeaderName::from_bytes(k.trim().as_bytes()).unwrap(),
                        v.trim().parse().unwrap(),
                    );
                }
            }
            return tonic::Status::from_header_map(&map).expect("status in the trailer frame");
        }
        rest = &rest[5 + len..];
    }
    panic!(
        "no grpc-status in {:?} / {:?} / {:?}",
        answer.headers, answer.trailers, answer.body
    );
}

#[tokio::test]
async fn undecodable_grpc_requests_are_invalid_argument() {
    let server = TestServer::start().await;

    // Invalid UTF-8 in a string field, at the top level and nested.
    let bad_name = with_invalid_utf8(
        GetUnitRequest {
            name: "units/ZZZZ".into(),
        },
        b"ZZZZ",
    );
    let bad_nested = with_invalid_utf8(
        CreateUnitRequest {
            unit: Some(Unit {
                code: "OK".into(),
                display_name: "ZZZZ".into(),
                ..Default::default()
            }),
            request_id: String::new(),
        },
        b"ZZZZ",
    );
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        ("invalid UTF-8", GET_UNIT, frame(&bad_name), "name"),
        (
            "invalid UTF-8, nested",
            CREATE_UNIT,
            frame(&bad_nested),
            "unit.display_name",
        ),
        // Field 1 with wire type 7, which does not exist.
        ("bad wire type", GET_UNIT, frame(&[0x0f]), ""),
        // Field 1, length 16, but one byte follows.
        ("truncated length", GET_UNIT, frame(&[0x0a, 0x10, b'u']), "name"),
        // A varint that never ends.
        (
            "endless varint",
            GET_UNIT,
            frame(&[0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            "",
        ),
    ];
    for (case, path, body, field) in cases {
        let status = grpc_status(&send(&server, path, "application/grpc", body).await);
        assert_eq!(status.code(), Code::InvalidArgument, "{case}: {status:?}");
        assert!(
            status.message().starts_with("the request cannot be decoded"),
            "{case}: {status:?}"
        );
        if !field.is_empty() {
            assert_eq!(bad_fields(&status), [field], "{case}: {status:?}");
        }
    }

    // A frame that announces 100 bytes and brings 3.
    let mut cut = frame(&[0u8; 100]);
    cut.truncate(8);
    let status = grpc_status(&send(&server, GET_UNIT, "application/grpc", cut).await);
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");

    // gRPC-Web, binary: the same bad bytes.
    let status = grpc_status(&send(&server, GET_UNIT, "application/grpc-web+proto", frame(&bad_name)).await);
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert_eq!(bad_fields(&status), ["name"]);

    // gRPC-Web text: not base64 at all, and base64 of bad bytes.
    for (case, body) in [
        ("not base64", b"!!!!not base64 at all!!!".to_vec()),
        (
            "base64 of bad bytes",
            base64::engine::general_purpose::STANDARD
                .encode(frame(&bad_name))
                .into_bytes(),
        ),
    ] {
        let answer = send(&server, GET_UNIT, "application/grpc-web-text", body).await;
        let status = match tonic::Status::from_header_map(&answer.headers) {
            Some(status) => status,
            None => {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(
                        answer
                            .body
                            .iter()
                            .copied()
                            .filter(|b| !b.is_ascii_whitespace())
                            .collect::<Vec<_>>(),
                    )
                    .expect("a gRPC-Web text answer is base64");
                grpc_status(&Answer {
                    body: Bytes::from(decoded),
                    ..answer
                })
            }
        };
        assert_eq!(status.code(), Code::InvalidArgument, "{case}: {status:?}");
    }

    // Health and reflection are behind the same gate.
    let status = grpc_status(
        &send(
            &server,
            "/grpc.health.v1.Health/Check",
            "application/grpc",
            frame(&[0x0f]),
        )
        .await,
    );
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");

    // A good request still works.
    let good = GetUnitRequest {
        name: "units/nope".into(),
    }
    .encode_to_vec();
    let status = grpc_status(&send(&server, GET_UNIT, "application/grpc", frame(&good)).await);
    assert_eq!(status.code(), Code::NotFound, "{status:?}");
    server.stop().await;
}

/// A Connect error body: `{"code": "...", "message": "..."}`.
fn connect_code(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let start = text
        .find("\"code\":\"")
        .map(|i| i + 8)
        .unwrap_or_else(|| panic!("no code in {text}"));
    text[start..].split('"').next().unwrap_or_default().to_string()
}

#[tokio::test]
async fn malformed_connect_bodies_are_not_internal() {
    let server = TestServer::start().await;
    let bad_name = with_invalid_utf8(
        GetUnitRequest {
            name: "units/ZZZZ".into(),
        },
        b"ZZZZ",
    );

    // Connect unary, proto codec: bad bytes.
    for (case, body) in [
        ("invalid UTF-8", bad_name.clone()),
        ("bad wire type", vec![0x0f]),
        ("truncated length", vec![0x0a, 0x10, b'u']),
    ] {
        let answer = send(&server, GET_UNIT, "application/proto", body).await;
        assert_eq!(answer.http, http::StatusCode::BAD_REQUEST, "{case}: {:?}", answer.body);
        assert_eq!(connect_code(&answer.body), "invalid_argument", "{case}");
    }

    // Connect streaming envelope cut short.
    let mut cut = frame(&[0u8; 100]);
    cut.truncate(8);
    let answer = send(&server, GET_UNIT, "application/connect+proto", cut).await;
    assert_eq!(connect_code(&answer.body), "invalid_argument", "{:?}", answer.body);

    // Connect JSON: this server speaks the proto codec only, and says so
    // (unimplemented, HTTP 415) whatever the JSON holds.
    for body in [&b"{not json"[..], b"{\"name\": 12}", b"\xff\xfe"] {
        let answer = send(&server, GET_UNIT, "application/json", body.to_vec()).await;
        assert_eq!(answer.http, http::StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(connect_code(&answer.body), "unimplemented");
    }
    server.stop().await;
}

/// A method eiso does not have is UNIMPLEMENTED, named (not a refusal of the
/// caller's roles), whether or not the caller signed in.
#[tokio::test]
async fn a_method_that_does_not_exist_is_unimplemented() {
    let server = TestServer::start().await;
    for path in [
        "/eiso.identity.v1.IdentityService/DropEverything",
        "/eiso.nothing.v1.Nothing/Call",
    ] {
        let answer = send(&server, path, "application/grpc", frame(&[])).await;
        let status = grpc_status(&answer);
        assert_eq!(status.code(), Code::Unimplemented, "{path}: {status:?}");
        assert!(status.message().contains("is not a method of eiso"), "{status:?}");
    }
    server.stop().await;
}
