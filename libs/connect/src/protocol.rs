//! The pieces of the Connect protocol that both the unary and the streaming
//! translation need: error codes, the error JSON, reading a gRPC status out of
//! headers or trailers, and the `connect-timeout-ms` header.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD_NO_PAD};
use bytes::{BufMut, Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use prost::Message as _;
use serde::Serialize;

/// Standard base64 that accepts the value with or without `=` padding, as gRPC
/// allows for `-bin` metadata.
const STANDARD_INDIFFERENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// URL-safe base64 with or without padding, as a Connect GET `message` uses.
pub(crate) const URL_SAFE_INDIFFERENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub(crate) const GRPC_STATUS: &str = "grpc-status";
pub(crate) const GRPC_MESSAGE: &str = "grpc-message";
pub(crate) const GRPC_STATUS_DETAILS: &str = "grpc-status-details-bin";
pub(crate) const GRPC_ENCODING: &str = "grpc-encoding";
pub(crate) const GRPC_ACCEPT_ENCODING: &str = "grpc-accept-encoding";
pub(crate) const GRPC_TIMEOUT: &str = "grpc-timeout";
pub(crate) const CONNECT_PROTOCOL_VERSION: &str = "connect-protocol-version";
pub(crate) const CONNECT_TIMEOUT_MS: &str = "connect-timeout-ms";
pub(crate) const CONNECT_CONTENT_ENCODING: &str = "connect-content-encoding";
pub(crate) const CONNECT_ACCEPT_ENCODING: &str = "connect-accept-encoding";

/// Flag bit of an envelope whose payload is compressed.
pub(crate) const FLAG_COMPRESSED: u8 = 0x01;
/// Flag bit of the Connect end-stream envelope.
pub(crate) const FLAG_END_STREAM: u8 = 0x02;

/// gRPC status codes by number, with their Connect names and the HTTP status a
/// Connect unary error carries.
const CODES: [(&str, u16); 17] = [
    ("ok", 200),
    ("canceled", 499),
    ("unknown", 500),
    ("invalid_argument", 400),
    ("deadline_exceeded", 504),
    ("not_found", 404),
    ("already_exists", 409),
    ("permission_denied", 403),
    ("resource_exhausted", 429),
    ("failed_precondition", 400),
    ("aborted", 409),
    ("out_of_range", 400),
    ("unimplemented", 501),
    ("internal", 500),
    ("unavailable", 503),
    ("data_loss", 500),
    ("unauthenticated", 401),
];

/// A gRPC status code (0..=16). Anything outside that range reads as `unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Code(u8);

impl Code {
    pub(crate) const OK: Code = Code(0);
    pub(crate) const UNKNOWN: Code = Code(2);
    pub(crate) const INVALID_ARGUMENT: Code = Code(3);
    pub(crate) const DEADLINE_EXCEEDED: Code = Code(4);
    pub(crate) const RESOURCE_EXHAUSTED: Code = Code(8);
    pub(crate) const UNIMPLEMENTED: Code = Code(12);
    pub(crate) const INTERNAL: Code = Code(13);
    pub(crate) const UNAVAILABLE: Code = Code(14);
    pub(crate) const UNAUTHENTICATED: Code = Code(16);
    pub(crate) const PERMISSION_DENIED: Code = Code(7);

    fn from_number(n: i64) -> Code {
        match u8::try_from(n) {
            Ok(n) if usize::from(n) < CODES.len() => Code(n),
            _ => Code::UNKNOWN,
        }
    }

    pub(crate) fn from_tonic(code: tonic::Code) -> Code {
        Code::from_number(i64::from(code as i32))
    }

    pub(crate) fn is_ok(self) -> bool {
        self == Code::OK
    }

    pub(crate) fn name(self) -> &'static str {
        CODES[usize::from(self.0)].0
    }

    pub(crate) fn http_status(self) -> StatusCode {
        StatusCode::from_u16(CODES[usize::from(self.0)].1).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The gRPC code for an HTTP response that carries no `grpc-status`
    /// (gRPC's "HTTP to gRPC status code mapping").
    pub(crate) fn from_http_status(status: StatusCode) -> Code {
        match status.as_u16() {
            400 => Code::INTERNAL,
            401 => Code::UNAUTHENTICATED,
            403 => Code::PERMISSION_DENIED,
            404 => Code::UNIMPLEMENTED,
            429 | 502 | 503 | 504 => Code::UNAVAILABLE,
            _ => Code::UNKNOWN,
        }
    }
}

/// One entry of a Connect error's `details`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Detail {
    /// The fully-qualified protobuf message name (the `Any` type URL after its
    /// last `/`).
    #[serde(rename = "type")]
    pub(crate) type_name: String,
    /// The message bytes, standard base64 without padding.
    pub(crate) value: String,
}

/// A gRPC status read from headers or trailers, or one made up here.
#[derive(Debug, Clone)]
pub(crate) struct Status {
    pub(crate) code: Code,
    pub(crate) message: String,
    pub(crate) details: Vec<Detail>,
}

impl Status {
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Status {
        Status {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// Reads `grpc-status`, `grpc-message` and `grpc-status-details-bin`.
    /// `None` when there is no `grpc-status`. Never fails: a malformed header
    /// gives `unknown` (bad code) or is left out (bad message or details).
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<Status> {
        let raw = headers.get(GRPC_STATUS)?;
        let code = std::str::from_utf8(raw.as_bytes())
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .map_or(Code::UNKNOWN, Code::from_number);
        let message = headers
            .get(GRPC_MESSAGE)
            .map(|v| String::from_utf8_lossy(&percent_decode(v.as_bytes(), false)).into_owned())
            .unwrap_or_default();
        let details = headers
            .get(GRPC_STATUS_DETAILS)
            .map(|v| decode_details(v.as_bytes()))
            .unwrap_or_default();
        Some(Status { code, message, details })
    }

    pub(crate) fn from_tonic(status: &tonic::Status) -> Status {
        Status {
            code: Code::from_tonic(status.code()),
            message: status.message().to_owned(),
            details: decode_status_proto(status.details()),
        }
    }

    /// An error for an inner service or body error of any kind.
    pub(crate) fn from_error(err: tower::BoxError) -> Status {
        Status::from_tonic(&tonic::Status::from_error(err))
    }

    pub(crate) fn to_error_json(&self) -> ErrorJson<'_> {
        ErrorJson {
            code: self.code.name(),
            message: &self.message,
            details: &self.details,
        }
    }
}

/// The JSON form of a Connect error, for unary error bodies and the `error`
/// member of an end-stream message.
#[derive(Debug, Serialize)]
pub(crate) struct ErrorJson<'a> {
    code: &'static str,
    #[serde(skip_serializing_if = "str::is_empty")]
    message: &'a str,
    #[serde(skip_serializing_if = "<[Detail]>::is_empty")]
    details: &'a [Detail],
}

#[derive(Debug, Serialize)]
struct EndStreamJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorJson<'a>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    metadata: BTreeMap<String, Vec<String>>,
}

/// The payload of `grpc-status-details-bin`: base64 of a `google.rpc.Status`.
/// Undecodable input gives no details rather than an error.
fn decode_details(header: &[u8]) -> Vec<Detail> {
    match STANDARD_INDIFFERENT.decode(header) {
        Ok(bytes) => decode_status_proto(&bytes),
        Err(_) => Vec::new(),
    }
}

fn decode_status_proto(bytes: &[u8]) -> Vec<Detail> {
    if bytes.is_empty() {
        return Vec::new();
    }
    match tonic_types::pb::Status::decode(bytes) {
        Ok(status) => status
            .details
            .into_iter()
            .map(|any| Detail {
                type_name: any
                    .type_url
                    .rsplit_once('/')
                    .map_or(any.type_url.as_str(), |(_, name)| name)
                    .to_owned(),
                value: STANDARD_NO_PAD.encode(&any.value),
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Decodes `%XX` escapes; with `plus_is_space`, `+` reads as a space (URL
/// query strings). Malformed escapes are kept as they are.
pub(crate) fn percent_decode(input: &[u8], plus_is_space: bool) -> Vec<u8> {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Trailers (or trailers-only headers) as the end-stream `metadata` object:
/// everything but the gRPC status headers.
pub(crate) fn metadata_json(headers: &HeaderMap) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in headers {
        if is_status_header(name) {
            continue;
        }
        out.entry(name.as_str().to_owned())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    out
}

pub(crate) fn is_status_header(name: &HeaderName) -> bool {
    matches!(name.as_str(), GRPC_STATUS | GRPC_MESSAGE | GRPC_STATUS_DETAILS)
}

/// A 5-byte envelope prefix plus payload.
pub(crate) fn envelope(flags: u8, payload: &[u8]) -> Bytes {
    let mut buf = BytesMut::with_capacity(5 + payload.len());
    buf.put_u8(flags);
    // Callers never hand over more than u32::MAX bytes (the unary path checks,
    // and end-stream JSON is small); saturate rather than wrap just in case.
    buf.put_u32(u32::try_from(payload.len()).unwrap_or(u32::MAX));
    buf.put_slice(payload);
    buf.freeze()
}

/// The Connect end-stream envelope for a final status and trailers.
pub(crate) fn end_stream(status: &Status, trailers: Option<&HeaderMap>) -> Bytes {
    let json = EndStreamJson {
        error: (!status.code.is_ok()).then(|| status.to_error_json()),
        metadata: trailers.map(metadata_json).unwrap_or_default(),
    };
    let payload = serde_json::to_vec(&json).unwrap_or_else(|_| b"{}".to_vec());
    envelope(FLAG_END_STREAM, &payload)
}

/// The JSON body of a Connect unary error.
pub(crate) fn error_body(status: &Status) -> Bytes {
    serde_json::to_vec(&status.to_error_json())
        .map(Bytes::from)
        .unwrap_or_else(|_| Bytes::from_static(br#"{"code":"internal"}"#))
}

/// Parses `connect-timeout-ms`: 1 to 10 ASCII digits.
pub(crate) fn parse_timeout_ms(value: &HeaderValue) -> Result<Duration, Status> {
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(Status::new(
            Code::INVALID_ARGUMENT,
            format!(
                "invalid {CONNECT_TIMEOUT_MS} header {:?}: expected 1 to 10 digits",
                String::from_utf8_lossy(bytes)
            ),
        ));
    }
    let ms = bytes.iter().fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'));
    Ok(Duration::from_millis(ms))
}

/// `grpc-timeout` for a timeout in milliseconds (at most 8 digits, so long
/// timeouts are rounded up to whole seconds).
pub(crate) fn grpc_timeout(timeout: Duration) -> HeaderValue {
    let ms = timeout.as_millis();
    let text = if ms <= 99_999_999 {
        format!("{ms}m")
    } else {
        format!("{}S", ms.div_ceil(1000))
    };
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("99999999S"))
}

/// Whether an encoding header names no compression.
pub(crate) fn is_identity(value: &HeaderValue) -> bool {
    let v = value.as_bytes();
    v.is_empty() || v.eq_ignore_ascii_case(b"identity")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_and_http_statuses() {
        assert_eq!(Code::from_number(5).name(), "not_found");
        assert_eq!(Code::from_number(5).http_status(), StatusCode::NOT_FOUND);
        assert_eq!(Code::from_number(1).name(), "canceled");
        assert_eq!(Code::from_number(1).http_status().as_u16(), 499);
        assert_eq!(Code::from_number(99).name(), "unknown");
        assert_eq!(Code::from_number(-1).name(), "unknown");
        assert_eq!(
            Code::from_tonic(tonic::Code::Unauthenticated).http_status(),
            StatusCode::UNAUTHORIZED
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode(b"a%20b%", false), b"a b%");
        assert_eq!(percent_decode(b"%zz%4", false), b"%zz%4");
        assert_eq!(percent_decode(b"a+b%2B", true), b"a b+");
        assert_eq!(percent_decode(b"%e2%9c%93", false), "\u{2713}".as_bytes());
    }

    #[test]
    fn status_from_malformed_headers_does_not_panic() {
        let mut h = HeaderMap::new();
        h.insert(GRPC_STATUS, HeaderValue::from_static("nope"));
        h.insert(GRPC_MESSAGE, HeaderValue::from_bytes(b"bad %ff utf8").expect("header"));
        h.insert(GRPC_STATUS_DETAILS, HeaderValue::from_static("!!!not base64"));
        let s = Status::from_headers(&h).expect("status");
        assert_eq!(s.code, Code::UNKNOWN);
        assert!(s.message.starts_with("bad "));
        assert!(s.details.is_empty());
    }

    #[test]
    fn details_are_decoded() {
        let status = tonic_types::pb::Status {
            code: 3,
            message: "bad".into(),
            details: vec![prost_types_any(
                "type.googleapis.com/google.rpc.BadRequest",
                b"\x01\x02\x03\x04",
            )],
        };
        let encoded = STANDARD_NO_PAD.encode(status.encode_to_vec());
        let mut h = HeaderMap::new();
        h.insert(GRPC_STATUS, HeaderValue::from_static("3"));
        h.insert(GRPC_MESSAGE, HeaderValue::from_static("field%20x%20is%20bad"));
        h.insert(GRPC_STATUS_DETAILS, HeaderValue::from_str(&encoded).expect("header"));
        let s = Status::from_headers(&h).expect("status");
        assert_eq!(s.code, Code::INVALID_ARGUMENT);
        assert_eq!(s.message, "field x is bad");
        assert_eq!(
            s.details,
            vec![Detail {
                type_name: "google.rpc.BadRequest".into(),
                value: "AQIDBA".into()
            }]
        );
        let json: serde_json::Value = serde_json::from_slice(&error_body(&s)).expect("json");
        assert_eq!(
            json,
            serde_json::json!({
                "code": "invalid_argument",
                "message": "field x is bad",
                "details": [{"type": "google.rpc.BadRequest", "value": "AQIDBA"}],
            })
        );
    }

    fn prost_types_any(type_url: &str, value: &[u8]) -> prost_types::Any {
        prost_types::Any {
            type_url: type_url.into(),
            value: value.to_vec(),
        }
    }

    #[test]
    fn timeouts() {
        assert_eq!(
            parse_timeout_ms(&HeaderValue::from_static("1500")).expect("ok"),
            Duration::from_millis(1500)
        );
        assert!(parse_timeout_ms(&HeaderValue::from_static("")).is_err());
        assert!(parse_timeout_ms(&HeaderValue::from_static("-1")).is_err());
        assert!(parse_timeout_ms(&HeaderValue::from_static("12345678901")).is_err());
        assert_eq!(grpc_timeout(Duration::from_millis(1500)), "1500m");
        assert_eq!(grpc_timeout(Duration::from_millis(9_999_999_999)), "10000000S");
    }

    #[test]
    fn end_stream_envelope() {
        let ok = end_stream(&Status::new(Code::OK, ""), None);
        assert_eq!(&ok[..], b"\x02\x00\x00\x00\x02{}");
        let mut trailers = HeaderMap::new();
        trailers.insert(GRPC_STATUS, HeaderValue::from_static("5"));
        trailers.insert("x-thing", HeaderValue::from_static("a"));
        trailers.append("x-thing", HeaderValue::from_static("b"));
        let err = end_stream(&Status::new(Code::from_number(5), "gone"), Some(&trailers));
        assert_eq!(err[0], FLAG_END_STREAM);
        let json: serde_json::Value = serde_json::from_slice(&err[5..]).expect("json");
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "not_found", "message": "gone"}, "metadata": {"x-thing": ["a", "b"]}})
        );
    }
}
