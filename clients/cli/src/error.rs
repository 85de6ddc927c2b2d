//! Every way a command can fail, the message a person reads for it and the
//! exit code a script sees.
//!
//! The mapping from `tonic::Code` to text lives only in [`describe_status`] and
//! the mapping to exit codes only in [`CliError::exit_code`].

use std::fmt::Write as _;

pub use eiso_proto::codes::name as code_name;
use eiso_proto::tonic::{Code, Status};
use eiso_proto::tonic_types::StatusExt;

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code of `eiso audit verify` when a trail is broken.
pub const EXIT_TRAIL_BROKEN: u8 = 1;
/// Exit code for a command line the client refuses before calling the server
/// (clap uses the same code for its own parse errors).
pub const EXIT_USAGE: u8 = 2;
/// Exit code for a local failure: session file, terminal, local files, standard
/// output, a server answer the client cannot use, or a download whose content
/// does not match its SHA-256.
pub const EXIT_LOCAL: u8 = 3;
/// Exit code of `eiso procedures import` when the server refused some rows
/// (each is listed; the other rows were imported unless it was a dry run).
pub const EXIT_ROWS_REFUSED: u8 = 4;
/// Exit codes for server errors are this plus the gRPC code number.
pub const EXIT_RPC_BASE: u8 = 10;

/// The exit-code table shown at the end of `eiso --help`. A test checks that it
/// matches [`CliError::exit_code`].
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
   0  success
   1  audit verify: a trail is broken
   2  wrong usage: a flag or value the command does not accept, or a file it would overwrite
   3  local failure: session file, terminal, local files, output, an unusable server answer,
      or a download whose SHA-256 does not match
   4  procedures import: some rows were refused (each is listed; the others were imported)
  11  CANCELLED            the request was cancelled
  12  UNKNOWN              the server failed with an unknown error
  13  INVALID_ARGUMENT     the server refused a value (each field is listed)
  14  DEADLINE_EXCEEDED    the server did not answer in time
  15  NOT_FOUND            no such unit, user, client, trail, document, revision, record, file,
                           procedure, calendar year or dossier
  16  ALREADY_EXISTS       a unit, user, client, document or procedure with that code or name exists
  17  PERMISSION_DENIED    your role does not allow this
  18  RESOURCE_EXHAUSTED   too many requests or a limit was reached
  19  FAILED_PRECONDITION  not possible in the resource's current state
  20  ABORTED              the resource changed since you read it (etag mismatch)
  21  OUT_OF_RANGE         a value is out of range
  22  UNIMPLEMENTED        the server does not offer this operation
  23  INTERNAL             the server hit an internal error
  24  UNAVAILABLE          cannot reach the server
  25  DATA_LOSS            the server reported data loss
  26  UNAUTHENTICATED      not signed in, session expired, or sign-in refused";

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Something on the command line is wrong; found before calling the server
    /// (or, for a download saved under the name the server sends, before
    /// writing over an existing file).
    #[error("{0}")]
    Usage(String),
    /// There is no usable token: no session, an expired one, or one saved for
    /// another server.
    #[error("{0}")]
    NotSignedIn(String),
    /// The server refused the user's credentials at sign-in.
    #[error("sign-in refused: wrong {what}, or the account is disabled or revoked{}", detail_suffix(.detail))]
    LoginRefused {
        /// "username or password" or "client id or secret".
        what: &'static str,
        /// The server's message.
        detail: String,
    },
    /// The server answered a call with an error.
    #[error("{}{}", describe_status(.status, .server), hint_suffix(.hint.as_deref()))]
    Rpc {
        /// The status the server (or the transport) returned.
        status: Box<Status>,
        /// The server address, for UNAVAILABLE.
        server: String,
        /// What the user can do next, when the command knows better than the
        /// code alone (e.g. retry a create with its request id).
        hint: Option<String>,
    },
    /// `audit verify` found a broken hash chain.
    #[error(
        "the {trail} audit trail is BROKEN: the first broken entry is sequence {sequence}{}\n  \
         {checked} entries checked; entries from sequence {sequence} on cannot be trusted",
        detail_suffix(.detail)
    )]
    TrailBroken {
        /// The trail's short name, e.g. `identity`.
        trail: String,
        /// The first entry whose hash or link does not match.
        sequence: i64,
        /// What did not match.
        detail: String,
        /// How many entries were checked.
        checked: i64,
    },
    /// `audit verify` of every trail found broken hash chains (each trail's
    /// line is printed already).
    #[error(
        "{} of {checked} audit trails {} BROKEN: {}; entries from the sequence named on cannot be trusted",
        .broken.len(),
        if .broken.len() == 1 { "is" } else { "are" },
        .broken.iter().map(|(trail, sequence)| format!("{trail} from sequence {sequence}")).collect::<Vec<_>>().join(", ")
    )]
    TrailsBroken {
        /// Each broken trail's short name and its first broken sequence.
        broken: Vec<(String, i64)>,
        /// How many trails were verified.
        checked: usize,
    },
    /// `procedures import` was answered, but with refused rows.
    #[error(
        "{count} row(s) refused{}",
        if *.dry_run {
            ": nothing was changed (dry run)"
        } else {
            ": the other rows were imported; correct these and import the file again"
        }
    )]
    RowsRefused {
        /// How many rows the server refused.
        count: usize,
        /// Whether it was a dry run.
        dry_run: bool,
    },
    /// Anything that went wrong on this machine.
    #[error(transparent)]
    Local(#[from] anyhow::Error),
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    }
}

fn hint_suffix(hint: Option<&str>) -> String {
    hint.map(|hint| format!("\n  {hint}")).unwrap_or_default()
}

impl CliError {
    /// The usage error of a command run without something it needs:
    /// `` `eiso COMMAND` needs FLAG: WHAT ``.
    pub fn needs(command: &str, flag: &str, what: &str) -> Self {
        CliError::Usage(format!("`eiso {command}` needs {flag}: {what}"))
    }

    /// Wraps a status returned by a call to `server`.
    pub fn rpc(status: Status, server: &str) -> Self {
        CliError::Rpc {
            status: Box::new(status),
            server: server.to_string(),
            hint: None,
        }
    }

    /// Adds a hint to an RPC error; other errors are returned unchanged.
    pub fn with_hint(self, new_hint: impl Into<String>) -> Self {
        match self {
            CliError::Rpc { status, server, .. } => CliError::Rpc {
                status,
                server,
                hint: Some(new_hint.into()),
            },
            other => other,
        }
    }

    /// The gRPC code, for RPC errors.
    pub fn code(&self) -> Option<Code> {
        match self {
            CliError::Rpc { status, .. } => Some(status.code()),
            _ => None,
        }
    }

    /// The process exit code; see [`EXIT_CODES_HELP`].
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => EXIT_USAGE,
            CliError::NotSignedIn(_) | CliError::LoginRefused { .. } => rpc_exit_code(Code::Unauthenticated),
            CliError::Rpc { status, .. } => rpc_exit_code(status.code()),
            CliError::TrailBroken { .. } | CliError::TrailsBroken { .. } => EXIT_TRAIL_BROKEN,
            CliError::RowsRefused { .. } => EXIT_ROWS_REFUSED,
            CliError::Local(_) => EXIT_LOCAL,
        }
    }
}

/// The exit code for a gRPC code: 10 + its number (OK, which is never an
/// error, maps to the local-failure code).
pub fn rpc_exit_code(code: Code) -> u8 {
    match code {
        Code::Ok => EXIT_LOCAL,
        other => EXIT_RPC_BASE + other as u8,
    }
}

/// `": message"` when the server said something, else nothing.
fn colon_message(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

/// The status message followed by the chain of errors under it (for
/// transport failures tonic says "tcp connect error" and the cause says
/// "Connection refused").
fn with_causes(status: &Status) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !status.message().is_empty() {
        parts.push(status.message().to_string());
    }
    let mut source = std::error::Error::source(status);
    while let Some(error) = source {
        let text = error.to_string();
        if !text.is_empty() && !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        source = error.source();
    }
    parts.join(": ")
}

/// The message a person reads for a failed call to `server`, with the error
/// details the server attached (field violations, precondition failures, the
/// resource concerned, when to retry), one per indented line.
pub fn describe_status(status: &Status, server: &str) -> String {
    let message = status.message();
    let mut text = match status.code() {
        Code::Ok => format!("the server answered OK but sent no result{}", colon_message(message)),
        Code::Cancelled => format!("the request was cancelled{}", colon_message(message)),
        Code::Unknown => format!("the server failed with an unknown error{}", colon_message(message)),
        Code::InvalidArgument => format!("the server refused the request as invalid{}", colon_message(message)),
        Code::DeadlineExceeded => {
            "the server did not answer in time (deadline exceeded): the change may or may not have been made; \
             check before trying again"
                .to_string()
        }
        Code::NotFound => format!("not found{}", colon_message(message)),
        Code::AlreadyExists => format!("it already exists{}", colon_message(message)),
        Code::PermissionDenied => format!("your role does not allow this{}", colon_message(message)),
        Code::ResourceExhausted => format!(
            "too many requests or a limit was reached: wait a moment and try again{}",
            colon_message(message)
        ),
        Code::FailedPrecondition => format!("not possible in the resource's current state{}", colon_message(message)),
        Code::Aborted => "the resource changed since you read it: fetch it again (etag mismatch)".to_string(),
        Code::OutOfRange => format!("a value is out of range{}", colon_message(message)),
        Code::Unimplemented => format!(
            "the server at {server} does not offer this operation: is it an older eiso-server than this \
             client, or not an eiso server at all?"
        ),
        Code::Internal => format!(
            "the server hit an internal error{}; its administrator can find the details in the server log",
            colon_message(message)
        ),
        Code::Unavailable => {
            let mut text = format!("cannot reach the server at {server}: is eiso-server running?");
            let cause = with_causes(status);
            if !cause.is_empty() {
                let _ = write!(text, "\n  ({cause})");
            }
            text
        }
        Code::DataLoss => format!("the server reported data loss or corruption{}", colon_message(message)),
        Code::Unauthenticated => {
            let mut text = "not signed in or the session expired: run `eiso login`".to_string();
            if !message.is_empty() {
                let _ = write!(text, "\n  ({message})");
            }
            text
        }
    };

    let details = status.get_error_details();
    if let Some(bad_request) = details.bad_request() {
        for violation in &bad_request.field_violations {
            let _ = write!(text, "\n  {}: {}", violation.field, violation.description);
        }
    }
    if let Some(failure) = details.precondition_failure() {
        for violation in &failure.violations {
            let mut subject = violation.r#type.clone();
            if !violation.subject.is_empty() {
                if !subject.is_empty() {
                    subject.push(' ');
                }
                subject.push_str(&violation.subject);
            }
            if subject.is_empty() {
                let _ = write!(text, "\n  {}", violation.description);
            } else {
                let _ = write!(text, "\n  {subject}: {}", violation.description);
            }
        }
    }
    if let Some(resource) = details.resource_info() {
        let name = [resource.resource_type.as_str(), resource.resource_name.as_str()]
            .iter()
            .filter(|part| !part.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            let _ = write!(text, "\n  resource: {name}");
        }
        if !resource.description.is_empty() {
            let _ = write!(text, " ({})", resource.description);
        }
    }
    if let Some(delay) = details.retry_info().and_then(|retry| retry.retry_delay) {
        let _ = write!(text, "\n  retry after {} s", delay.as_secs().max(1));
    }
    text
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use eiso_proto::tonic_types::ErrorDetails;

    use super::*;

    const ALL_CODES: [Code; 17] = [
        Code::Ok,
        Code::Cancelled,
        Code::Unknown,
        Code::InvalidArgument,
        Code::DeadlineExceeded,
        Code::NotFound,
        Code::AlreadyExists,
        Code::PermissionDenied,
        Code::ResourceExhausted,
        Code::FailedPrecondition,
        Code::Aborted,
        Code::OutOfRange,
        Code::Unimplemented,
        Code::Internal,
        Code::Unavailable,
        Code::DataLoss,
        Code::Unauthenticated,
    ];

    #[test]
    fn invalid_argument_lists_every_field_violation() {
        let mut details = ErrorDetails::new();
        details
            .add_bad_request_violation("unit.code", "must not be empty")
            .add_bad_request_violation("unit.display_name", "must not be empty");
        let status = Status::with_error_details(Code::InvalidArgument, "invalid unit", details);
        let text = describe_status(&status, "http://127.0.0.1:50051");
        assert!(
            text.starts_with("the server refused the request as invalid: invalid unit"),
            "{text}"
        );
        assert!(text.contains("\n  unit.code: must not be empty"), "{text}");
        assert!(text.contains("\n  unit.display_name: must not be empty"), "{text}");
    }

    #[test]
    fn failed_precondition_lists_the_precondition_violations() {
        let details = ErrorDetails::with_precondition_failure_violation(
            "ACTIVE_CHILDREN",
            "units/abc",
            "the unit has active children: name a successor",
        );
        let status = Status::with_error_details(Code::FailedPrecondition, "cannot dissolve", details);
        let text = describe_status(&status, "http://127.0.0.1:50051");
        assert!(text.contains("current state: cannot dissolve"), "{text}");
        assert!(
            text.contains("\n  ACTIVE_CHILDREN units/abc: the unit has active children: name a successor"),
            "{text}"
        );
    }

    #[test]
    fn unavailable_names_the_server() {
        let status = Status::unavailable("tcp connect error");
        let text = describe_status(&status, "http://10.0.0.5:50051");
        assert!(
            text.starts_with("cannot reach the server at http://10.0.0.5:50051: is eiso-server running?"),
            "{text}"
        );
    }

    #[test]
    fn the_fixed_messages_say_what_to_do() {
        let server = "http://127.0.0.1:50051";
        assert!(describe_status(&Status::unauthenticated(""), server).contains("run `eiso login`"));
        assert!(describe_status(&Status::permission_denied(""), server).starts_with("your role does not allow this"));
        assert_eq!(
            describe_status(&Status::aborted("etag"), server),
            "the resource changed since you read it: fetch it again (etag mismatch)"
        );
    }

    #[test]
    fn a_hint_follows_the_message() {
        let error = CliError::rpc(Status::unavailable(""), "http://h:1").with_hint("retry with --request-id r1");
        assert_eq!(
            error.to_string(),
            "cannot reach the server at http://h:1: is eiso-server running?\n  retry with --request-id r1"
        );
    }

    #[test]
    fn every_code_has_its_own_documented_exit_code() {
        let mut seen = HashSet::new();
        for code in ALL_CODES.into_iter().filter(|code| *code != Code::Ok) {
            let exit = CliError::rpc(Status::new(code, "x"), "s").exit_code();
            assert!(seen.insert(exit), "{code:?} shares exit code {exit}");
            let line = format!("{exit:>4}  {}", code_name(code));
            assert!(EXIT_CODES_HELP.contains(&line), "help lacks `{line}`");
        }
        for fixed in [EXIT_OK, EXIT_TRAIL_BROKEN, EXIT_USAGE, EXIT_LOCAL, EXIT_ROWS_REFUSED] {
            assert!(seen.insert(fixed), "exit code {fixed} is used twice");
            assert!(EXIT_CODES_HELP.contains(&format!("{fixed:>4}  ")));
        }
        assert_eq!(
            CliError::NotSignedIn("x".into()).exit_code(),
            rpc_exit_code(Code::Unauthenticated)
        );
        assert_eq!(CliError::Usage("x".into()).exit_code(), EXIT_USAGE);
        let refused = CliError::RowsRefused {
            count: 2,
            dry_run: false,
        };
        assert_eq!(refused.exit_code(), EXIT_ROWS_REFUSED);
        assert!(refused.to_string().starts_with("2 row(s) refused"), "{refused}");
    }
}
