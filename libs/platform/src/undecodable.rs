//! Requests that cannot be decoded are the caller's fault: INVALID_ARGUMENT,
//! never INTERNAL.
//!
//! tonic answers INTERNAL when a request message does not decode (prost's
//! codec follows the gRPC status-code table, written for responses), when a
//! request's last frame is cut short, and when gRPC-Web text is not base64.
//! The gateway passes every response through [`rewrite`], which turns exactly
//! those answers into INVALID_ARGUMENT — with the field path prost reports as a
//! BadRequest violation — in one place for every service, health and
//! reflection included.

use eiso_proto::tonic::body::Body;
use eiso_proto::tonic::{Code, Status};
use eiso_proto::tonic_types::{ErrorDetails, StatusExt};

/// The beginning of prost's decode error text.
const PROST: &str = "failed to decode Protobuf message: ";

/// How tonic and tonic-web say that the request's bytes are malformed.
const FRAMING: [&str; 3] = [
    // A frame's length says more than the body holds.
    "Unexpected EOF decoding stream",
    // A frame flag other than 0 (uncompressed) or 1 (compressed).
    "protocol error: received message with invalid compression flag",
    // gRPC-Web: not base64, or trailers inside a base64 body.
    "tonic-web: ",
];

/// The status a caller should get instead of `message` (an INTERNAL status's
/// text), if that text says the request could not be decoded.
pub fn invalid_argument_for(message: &str) -> Option<Status> {
    if let Some(rest) = message.strip_prefix(PROST) {
        let (field, description) = prost_field(rest);
        let text = if field.is_empty() {
            format!("the request cannot be decoded: {description}")
        } else {
            format!("the request cannot be decoded: {field}: {description}")
        };
        let mut details = ErrorDetails::new();
        details.add_bad_request_violation(field, description);
        return Some(Status::with_error_details(Code::InvalidArgument, text, details));
    }
    if FRAMING.iter().any(|prefix| message.starts_with(prefix)) {
        let description = message.strip_prefix("tonic-web: ").unwrap_or(message);
        return Some(Status::invalid_argument(format!(
            "the request cannot be decoded: {description}"
        )));
    }
    None
}

/// The field path (outermost first) and the cause in prost's
/// `Inner.field: Outer.field: cause` (innermost first).
fn prost_field(text: &str) -> (String, String) {
    let mut fields = Vec::new();
    let mut rest = text;
    while let Some((segment, after)) = rest.split_once(": ") {
        let Some((message, field)) = segment.split_once('.') else {
            break;
        };
        let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ident(message) || !ident(field) {
            break;
        }
        fields.push(field);
        rest = after;
    }
    fields.reverse();
    (fields.join("."), rest.to_string())
}

/// `response`, or the INVALID_ARGUMENT answer that replaces it when it is a
/// trailers-only INTERNAL answer about undecodable request bytes.
pub fn rewrite(response: http::Response<Body>) -> http::Response<Body> {
    let internal = response
        .headers()
        .get("grpc-status")
        .is_some_and(|v| v.as_bytes() == b"13");
    if !internal {
        return response;
    }
    let message = response
        .headers()
        .get("grpc-message")
        .and_then(|v| v.to_str().ok())
        .map(crate::gateway::percent_decode)
        .unwrap_or_default();
    match invalid_argument_for(&message) {
        Some(status) => {
            tracing::debug!(%message, "undecodable request");
            status.into_http()
        }
        None => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prost_errors_name_the_field_outermost_first() {
        let status = invalid_argument_for(
            "failed to decode Protobuf message: Unit.display_name: CreateUnitRequest.unit: invalid string value: data is not UTF-8 encoded",
        )
        .expect("recognised");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(
            status.message(),
            "the request cannot be decoded: unit.display_name: invalid string value: data is not UTF-8 encoded"
        );
        let details = status.get_error_details();
        let bad = details.bad_request().expect("bad request");
        assert_eq!(bad.field_violations[0].field, "unit.display_name");
    }

    #[test]
    fn errors_without_a_field_keep_their_cause() {
        let status =
            invalid_argument_for("failed to decode Protobuf message: invalid wire type value: 7").expect("recognised");
        assert_eq!(
            status.message(),
            "the request cannot be decoded: invalid wire type value: 7"
        );
        let status = invalid_argument_for("tonic-web: Invalid symbol 33, offset 0.").expect("recognised");
        assert_eq!(
            status.message(),
            "the request cannot be decoded: Invalid symbol 33, offset 0."
        );
        assert!(invalid_argument_for("Unexpected EOF decoding stream.").is_some());
    }

    #[test]
    fn other_internal_errors_stay_internal() {
        assert!(invalid_argument_for("internal error; the server log has the details").is_none());
        assert!(invalid_argument_for("").is_none());
    }
}
