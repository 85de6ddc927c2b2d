//! A status from another eiso process back into the [`ServiceError`] it was
//! made from (`ServiceError::into_status` in `eiso-platform` is the other
//! way): the code and the message are kept, and so are the field violations
//! and the precondition that failed, so that this process answers its own
//! caller as the other would have.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use eiso_platform::ServiceError;
use eiso_platform::error::{FieldViolation, MAX_MESSAGE_CHARS, truncate_chars};
use eiso_proto::tonic::{Code, Status};
use eiso_proto::tonic_types::StatusExt;

/// The error `status` stands for. Codes without a variant of their own:
/// DEADLINE_EXCEEDED and CANCELLED become UNAVAILABLE (the other side did not
/// answer in time; the caller may retry), OUT_OF_RANGE becomes
/// INVALID_ARGUMENT, UNIMPLEMENTED and UNKNOWN become INTERNAL.
pub fn from_status(status: &Status) -> ServiceError {
    let message = truncate_chars(status.message(), MAX_MESSAGE_CHARS);
    match status.code() {
        Code::InvalidArgument | Code::OutOfRange => {
            let details = status.get_error_details();
            let violations: Vec<_> = details
                .bad_request()
                .map(|bad| {
                    bad.field_violations
                        .iter()
                        .map(|v| FieldViolation::new(v.field.clone(), v.description.clone()))
                        .collect()
                })
                .unwrap_or_default();
            if violations.is_empty() {
                ServiceError::InvalidArgument(vec![FieldViolation::new("", message)])
            } else {
                ServiceError::InvalidArgument(violations)
            }
        }
        // `NotFound(name)` reads "{name} not found".
        Code::NotFound => ServiceError::NotFound(
            message
                .strip_suffix(" not found")
                .map(str::to_string)
                .unwrap_or(message),
        ),
        Code::AlreadyExists => ServiceError::AlreadyExists(message),
        Code::FailedPrecondition => {
            let details = status.get_error_details();
            let failed = details
                .precondition_failure()
                .and_then(|failure| failure.violations.first().cloned());
            let (kind, subject) = failed.map(|v| (v.r#type, v.subject)).unwrap_or_default();
            ServiceError::FailedPrecondition {
                kind: known_kind(&kind),
                subject,
                description: message,
            }
        }
        Code::Aborted => ServiceError::Aborted(message),
        Code::PermissionDenied => ServiceError::PermissionDenied(message),
        Code::Unauthenticated => ServiceError::Unauthenticated(message),
        Code::ResourceExhausted => ServiceError::ResourceExhausted(message),
        Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled => ServiceError::Unavailable(message),
        Code::DataLoss => ServiceError::DataLoss(message),
        Code::Ok | Code::Unknown | Code::Internal | Code::Unimplemented => ServiceError::Internal(message),
    }
}

/// The kind a precondition failure gives when it names none.
const UNNAMED_PRECONDITION: &str = "FAILED_PRECONDITION";
/// At most this many distinct kinds are kept; the set the services use is
/// small and fixed, so more means a confused upstream.
const MAX_KINDS: usize = 256;

/// `kind` as the `&'static str` [`ServiceError::FailedPrecondition`] holds:
/// each distinct kind (`UNIT_NOT_ACTIVE`, `LAST_ADMIN`, …) is kept once for
/// the life of the process, and at most [`MAX_KINDS`] of them.
fn known_kind(kind: &str) -> &'static str {
    static KINDS: OnceLock<Kinds> = OnceLock::new();
    KINDS.get_or_init(|| Kinds::new(MAX_KINDS)).get(kind)
}

/// The precondition kinds seen, each kept once.
struct Kinds {
    kept: Mutex<HashSet<&'static str>>,
    max: usize,
}

impl Kinds {
    fn new(max: usize) -> Self {
        Self {
            kept: Mutex::new(HashSet::new()),
            max,
        }
    }

    fn get(&self, kind: &str) -> &'static str {
        let plausible = !kind.is_empty()
            && kind.len() <= 64
            && kind
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !plausible {
            return UNNAMED_PRECONDITION;
        }
        let Ok(mut kept) = self.kept.lock() else {
            return UNNAMED_PRECONDITION;
        };
        if let Some(known) = kept.get(kind) {
            return known;
        }
        if kept.len() >= self.max {
            return UNNAMED_PRECONDITION;
        }
        let leaked: &'static str = Box::leak(kind.to_string().into_boxed_str());
        kept.insert(leaked);
        leaked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error sent through `into_status` and read back is the error sent.
    fn round_trip(error: ServiceError) -> ServiceError {
        from_status(&error.into_status())
    }

    #[test]
    fn codes_and_messages_survive_the_trip() {
        let sent = [
            ServiceError::NotFound("units/abc".into()),
            ServiceError::AlreadyExists("a unit with code PGD exists".into()),
            ServiceError::Aborted("the etag does not match".into()),
            ServiceError::PermissionDenied("units/x is outside the units you administer".into()),
            ServiceError::Unauthenticated("the token expired; sign in again".into()),
            ServiceError::ResourceExhausted("too many failed sign-ins".into()),
            ServiceError::DataLoss("blob abc failed its checksum".into()),
        ];
        for error in sent {
            let (code, text) = (error.code(), error.to_string());
            let back = round_trip(error);
            assert_eq!((back.code(), back.to_string()), (code, text));
        }
    }

    #[test]
    fn field_violations_survive_the_trip() {
        let error = ServiceError::InvalidArgument(vec![
            FieldViolation::new("unit.code", "is required"),
            FieldViolation::new("unit.kind", "unknown unit kind 99"),
        ]);
        let text = error.to_string();
        let ServiceError::InvalidArgument(violations) = round_trip(error) else {
            panic!("not INVALID_ARGUMENT");
        };
        assert_eq!(
            violations,
            [
                FieldViolation::new("unit.code", "is required"),
                FieldViolation::new("unit.kind", "unknown unit kind 99"),
            ]
        );
        assert_eq!(ServiceError::InvalidArgument(violations).to_string(), text);
        // Without details, the message is the one violation.
        let plain = from_status(&Status::invalid_argument("filter: unknown field"));
        assert_eq!(plain.code(), Code::InvalidArgument);
        assert!(plain.to_string().ends_with("filter: unknown field"), "{plain}");
    }

    #[test]
    fn the_failed_precondition_is_kept() {
        let back = round_trip(ServiceError::precondition(
            "UNIT_NOT_ACTIVE",
            "units/abc",
            "units/abc (Phòng Tư pháp) is merged or dissolved",
        ));
        let ServiceError::FailedPrecondition {
            kind,
            subject,
            description,
        } = back
        else {
            panic!("not FAILED_PRECONDITION");
        };
        assert_eq!(kind, "UNIT_NOT_ACTIVE");
        assert_eq!(subject, "units/abc");
        assert_eq!(description, "units/abc (Phòng Tư pháp) is merged or dissolved");
        let plain = from_status(&Status::failed_precondition("not now"));
        assert!(matches!(
            plain,
            ServiceError::FailedPrecondition {
                kind: UNNAMED_PRECONDITION,
                ..
            }
        ));
    }

    #[test]
    fn kinds_are_kept_once_and_bounded() {
        assert!(std::ptr::eq(known_kind("LAST_ADMIN"), known_kind("LAST_ADMIN")));
        let kinds = Kinds::new(3);
        assert_eq!(kinds.get("not a kind"), UNNAMED_PRECONDITION);
        assert_eq!(kinds.get(&"X".repeat(65)), UNNAMED_PRECONDITION);
        for kind in ["A", "B", "C", "A"] {
            assert_eq!(kinds.get(kind), kind);
        }
        assert_eq!(kinds.get("D"), UNNAMED_PRECONDITION, "one too many");
        assert_eq!(kinds.get("B"), "B", "a kept kind stays");
    }

    #[test]
    fn an_upstream_that_does_not_answer_is_unavailable() {
        for code in [Code::Unavailable, Code::DeadlineExceeded, Code::Cancelled] {
            let error = from_status(&Status::new(code, "identity did not answer"));
            assert!(
                matches!(&error, ServiceError::Unavailable(m) if m == "identity did not answer"),
                "{code:?}"
            );
        }
        for code in [Code::Internal, Code::Unknown, Code::Unimplemented] {
            assert_eq!(from_status(&Status::new(code, "x")).code(), Code::Internal, "{code:?}");
        }
        assert_eq!(
            from_status(&Status::out_of_range("page 9")).code(),
            Code::InvalidArgument
        );
    }

    #[test]
    fn long_messages_are_bounded() {
        let error = from_status(&Status::permission_denied("x".repeat(100_000)));
        assert!(error.to_string().chars().count() <= MAX_MESSAGE_CHARS + 1);
    }
}
