//! gRPC status codes by name, as the API's documents and the audit trail's
//! readers spell them (`PERMISSION_DENIED`), not as Rust debug-prints them.

use tonic::Code;

/// The canonical name of a status code (`Code::NotFound` → `NOT_FOUND`).
pub fn name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// The name of a code stored as its number (the audit trail's `code`);
/// a number that is no code reads `UNKNOWN`.
pub fn name_of_number(code: i32) -> &'static str {
    name(Code::from_i32(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_numbers_of_the_grpc_status_codes() {
        assert_eq!(name_of_number(0), "OK");
        assert_eq!(name_of_number(7), "PERMISSION_DENIED");
        assert_eq!(name_of_number(15), "DATA_LOSS");
        assert_eq!(name_of_number(16), "UNAUTHENTICATED");
        assert_eq!(name_of_number(99), "UNKNOWN");
    }
}
