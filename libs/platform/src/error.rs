//! The one place where domain errors become gRPC statuses.

use eiso_proto::tonic::{Code, Status};
use eiso_proto::tonic_types::{ErrorDetails, StatusExt};

/// A request field that is not acceptable, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    pub field: String,
    pub description: String,
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            description: description.into(),
        }
    }
}

/// Errors of every eiso service. The variants say what went wrong in terms a
/// caller can act on; [`ServiceError::into_status`] maps them to gRPC codes.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid request: {}", describe(.0))]
    InvalidArgument(Vec<FieldViolation>),
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    /// The request is valid but the resource is not in a state that allows it.
    #[error("{description}")]
    FailedPrecondition {
        kind: &'static str,
        subject: String,
        description: String,
    },
    /// Optimistic concurrency: the etag did not match.
    #[error("{0}")]
    Aborted(String),
    #[error("{0}")]
    PermissionDenied(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    ResourceExhausted(String),
    /// Storage is busy or unreachable; the caller may retry.
    #[error("{0}")]
    Unavailable(String),
    /// Stored data does not match its checksum: nothing wrong is served.
    #[error("{0}")]
    DataLoss(String),
    /// A bug or a storage fault. The text is logged, never sent to the caller.
    #[error("internal error: {0}")]
    Internal(String),
}

/// At most this many field violations go out in one status (message and
/// details); the rest are counted. A CSV of 100,000 bad columns would otherwise
/// make a status of megabytes that standard clients cannot read.
pub const MAX_REPORTED_VIOLATIONS: usize = 10;
/// At most this many characters of a violation's field path.
pub const MAX_FIELD_CHARS: usize = 100;
/// At most this many characters of a violation's description.
pub const MAX_VIOLATION_CHARS: usize = 300;
/// At most this many characters in any other status message.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// `text` cut to `max` characters, with an ellipsis when cut.
pub fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// The violations that go out: the first [`MAX_REPORTED_VIOLATIONS`], each
/// cut to [`MAX_VIOLATION_CHARS`], and how many more there were.
fn reported(violations: &[FieldViolation]) -> (Vec<FieldViolation>, usize) {
    let shown = violations
        .iter()
        .take(MAX_REPORTED_VIOLATIONS)
        .map(|v| FieldViolation {
            field: truncate_chars(&v.field, MAX_FIELD_CHARS),
            description: truncate_chars(&v.description, MAX_VIOLATION_CHARS),
        })
        .collect();
    (shown, violations.len().saturating_sub(MAX_REPORTED_VIOLATIONS))
}

fn describe(violations: &[FieldViolation]) -> String {
    let (shown, more) = reported(violations);
    let listed = shown
        .iter()
        .map(|v| format!("{}: {}", v.field, v.description))
        .collect::<Vec<_>>()
        .join("; ");
    let mut text = truncate_chars(&listed, MAX_MESSAGE_CHARS);
    if more > 0 {
        text.push_str(&format!("; and {more} more problem(s)"));
    }
    text
}

impl ServiceError {
    pub fn invalid(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self::InvalidArgument(vec![FieldViolation::new(field, description)])
    }

    pub fn precondition(kind: &'static str, subject: impl Into<String>, description: impl Into<String>) -> Self {
        Self::FailedPrecondition {
            kind,
            subject: subject.into(),
            description: description.into(),
        }
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        Self::Internal(error.to_string())
    }

    pub fn code(&self) -> Code {
        match self {
            Self::InvalidArgument(_) => Code::InvalidArgument,
            Self::NotFound(_) => Code::NotFound,
            Self::AlreadyExists(_) => Code::AlreadyExists,
            Self::FailedPrecondition { .. } => Code::FailedPrecondition,
            Self::Aborted(_) => Code::Aborted,
            Self::PermissionDenied(_) => Code::PermissionDenied,
            Self::Unauthenticated(_) => Code::Unauthenticated,
            Self::ResourceExhausted(_) => Code::ResourceExhausted,
            Self::Unavailable(_) => Code::Unavailable,
            Self::DataLoss(_) => Code::DataLoss,
            Self::Internal(_) => Code::Internal,
        }
    }

    /// Maps the error to a status with google.rpc details. Internal errors are
    /// logged here and replaced by a generic message.
    pub fn into_status(self) -> Status {
        match self {
            Self::InvalidArgument(violations) => {
                let mut details = ErrorDetails::new();
                let (shown, more) = reported(&violations);
                for v in shown {
                    details.add_bad_request_violation(v.field, v.description);
                }
                if more > 0 {
                    details.add_bad_request_violation("", format!("{more} more problem(s) not listed"));
                }
                Status::with_error_details(
                    Code::InvalidArgument,
                    format!("invalid request: {}", describe(&violations)),
                    details,
                )
            }
            Self::FailedPrecondition {
                kind,
                subject,
                description,
            } => {
                let mut details = ErrorDetails::new();
                let description = truncate_chars(&description, MAX_MESSAGE_CHARS);
                details.add_precondition_failure_violation(
                    kind,
                    truncate_chars(&subject, MAX_FIELD_CHARS),
                    description.clone(),
                );
                Status::with_error_details(Code::FailedPrecondition, description, details)
            }
            Self::Internal(text) => {
                tracing::error!(error = %text, "internal error");
                Status::internal("internal error; the server log has the details")
            }
            Self::Unavailable(text) => {
                tracing::warn!(error = %text, "storage unavailable");
                Status::unavailable("storage is busy or unreachable; retry shortly")
            }
            Self::DataLoss(text) => {
                tracing::error!(error = %text, "stored data failed its checksum");
                Status::data_loss(truncate_chars(&text, MAX_MESSAGE_CHARS))
            }
            other => Status::new(other.code(), truncate_chars(&other.to_string(), MAX_MESSAGE_CHARS)),
        }
    }
}

impl From<ServiceError> for Status {
    fn from(error: ServiceError) -> Self {
        error.into_status()
    }
}

impl ServiceError {
    /// A database error from a write that may break a unique key: the
    /// violation as ALREADY_EXISTS saying `message` (what already holds the
    /// key, in the caller's terms), anything else as any database error.
    pub fn unique(error: sea_orm::DbErr, message: impl FnOnce() -> String) -> Self {
        match error.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Self::AlreadyExists(message()),
            _ => error.into(),
        }
    }
}

impl From<sea_orm::DbErr> for ServiceError {
    fn from(error: sea_orm::DbErr) -> Self {
        use sea_orm::{DbErr, SqlErr};
        if let Some(SqlErr::UniqueConstraintViolation(text)) = error.sql_err() {
            return Self::AlreadyExists(format!("a resource with the same unique key exists ({text})"));
        }
        match &error {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => Self::Unavailable(error.to_string()),
            _ => Self::Internal(error.to_string()),
        }
    }
}

impl From<sea_orm::TransactionError<ServiceError>> for ServiceError {
    fn from(error: sea_orm::TransactionError<ServiceError>) -> Self {
        match error {
            sea_orm::TransactionError::Connection(e) => e.into(),
            sea_orm::TransactionError::Transaction(e) => e,
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Collects field violations so that a request reports all of them at once.
#[derive(Debug, Default)]
pub struct Violations(Vec<FieldViolation>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, description: impl Into<String>) {
        self.0.push(FieldViolation::new(field, description));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes in the violations of an INVALID_ARGUMENT error; any other error
    /// becomes one violation with no field.
    pub fn absorb(&mut self, error: ServiceError) {
        match error {
            ServiceError::InvalidArgument(violations) => self.0.extend(violations),
            other => self.add("", other.to_string()),
        }
    }

    /// `Ok(())` if nothing was added, else INVALID_ARGUMENT with every violation.
    pub fn check(self) -> ServiceResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::InvalidArgument(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_argument_carries_every_field_violation() {
        let mut v = Violations::new();
        v.add("unit.code", "must not be empty");
        v.add("unit.kind", "unknown value 99");
        let status = v.check().expect_err("violations were added").into_status();
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.get_error_details();
        let bad = details.bad_request().expect("bad request details");
        let fields: Vec<_> = bad.field_violations.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["unit.code", "unit.kind"]);
    }

    #[test]
    fn many_violations_are_reported_in_bounded_size() {
        let mut v = Violations::new();
        for i in 0..100_000 {
            v.add(format!("rows[0].columns[{i}]"), "x".repeat(1000));
        }
        let status = v.check().expect_err("violations were added").into_status();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().len() < 8 * 1024, "{} bytes", status.message().len());
        assert!(
            status.message().ends_with("and 99990 more problem(s)"),
            "{}",
            status.message()
        );
        assert!(
            status.details().len() < 8 * 1024,
            "{} bytes of details",
            status.details().len()
        );
        let details = status.get_error_details();
        let bad = details.bad_request().expect("bad request details");
        assert_eq!(bad.field_violations.len(), MAX_REPORTED_VIOLATIONS + 1);
        assert_eq!(bad.field_violations[0].field, "rows[0].columns[0]");
        assert_eq!(
            bad.field_violations[MAX_REPORTED_VIOLATIONS].description,
            "99990 more problem(s) not listed"
        );
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate_chars("Đường", 3), "Đườ…");
        assert_eq!(truncate_chars("abc", 3), "abc");
    }

    #[test]
    fn internal_errors_do_not_leak_their_text() {
        let status = ServiceError::internal("relation \"users\" has a secret").into_status();
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("secret"));
    }
}
