//! Which calls to another eiso process are tried again, on what, and after
//! how long. Only reads are retried (`Get…`, `List…`, `WhoAmI`: asking twice
//! changes nothing), only when the other side was not reached or said it is
//! unavailable, a few times with a short doubling wait. A write is never sent
//! twice: a lost answer does not tell whether it was done.

use std::error::Error as _;
use std::time::Duration;

use eiso_proto::tonic::{Code, Status};

/// How often and how patiently a read is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The wait after the first failure; it doubles with each one after.
    pub first_backoff: Duration,
    /// The longest wait.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            first_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// Whether the `attempt`-th call (from 1) of `method` that failed with
    /// `status` is tried again.
    pub fn retries(&self, method: &str, status: &Status, attempt: u32) -> bool {
        attempt < self.attempts && is_idempotent(method) && is_retryable(status)
    }

    /// The wait after the `attempt`-th failure (from 1); `jitter` (0–1)
    /// takes it down to as little as half, so that callers that failed
    /// together do not come back together.
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let doublings = attempt.saturating_sub(1).min(20);
        let full = self.first_backoff.saturating_mul(1 << doublings).min(self.max_backoff);
        full.mul_f64(1.0 - jitter.clamp(0.0, 1.0) / 2.0)
    }
}

/// Whether calling `method` (`/package.Service/Method`, or the method's
/// name alone) twice does what calling it once does: the standard reads
/// (`Get…`, `List…`), the counts (`Count…`) and `WhoAmI`.
pub fn is_idempotent(method: &str) -> bool {
    let name = method.rsplit('/').next().unwrap_or(method);
    let read = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|first| first.is_ascii_uppercase())
    };
    read("Get") || read("List") || read("Count") || name == "WhoAmI"
}

/// Whether a failure says that the call did not get through, so that trying
/// again may succeed: UNAVAILABLE (the server said so, or the connection could
/// not be made), or the connection broke under the call (a status made here
/// from a transport error, not one the server sent).
pub fn is_retryable(status: &Status) -> bool {
    match status.code() {
        Code::Unavailable => true,
        Code::Unknown | Code::Cancelled => is_transport_failure(status),
        _ => false,
    }
}

/// A status tonic made from an error of the connection (it keeps the error as
/// its source); one decoded from the server's answer has none.
pub fn is_transport_failure(status: &Status) -> bool {
    status.source().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GET_UNIT: &str = "/eiso.identity.v1.IdentityService/GetUnit";

    fn connection_reset() -> Status {
        Status::from_error(Box::new(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset by peer",
        )))
    }

    #[test]
    fn reads_are_idempotent_and_writes_are_not() {
        for read in [
            GET_UNIT,
            "/eiso.identity.v1.IdentityService/ListUsers",
            "/eiso.identity.v1.IdentityService/WhoAmI",
            "/eiso.documents.v1.DocumentService/ListRecordsDueForDisposition",
            "/eiso.sync.v1.SyncService/CountSyncedDossiers",
            "GetUser",
        ] {
            assert!(is_idempotent(read), "{read}");
        }
        for write in [
            "/eiso.identity.v1.IdentityService/Login",
            "/eiso.identity.v1.IdentityService/CreateUnit",
            "/eiso.identity.v1.IdentityService/UpdateUser",
            "/eiso.identity.v1.IdentityService/RevokeApiClient",
            "/eiso.procedures.v1.DossierService/ReceiveDossier",
            "/eiso.documents.v1.DocumentService/AllocateIssueNumber",
            "/eiso.identity.v1.IdentityService/WatchEvents",
            "/eiso.x.v1.X/Counter",
            "/eiso.x.v1.X/Getaway",
            "/eiso.x.v1.X/Listen",
            "",
        ] {
            assert!(!is_idempotent(write), "{write}");
        }
    }

    /// Every method the rule calls a read is a read in the authorisation
    /// table (not audited: it changes nothing), so a new `Get…` or `List…`
    /// that writes cannot be retried unnoticed.
    #[test]
    fn every_read_by_name_is_a_read_in_the_policy_table() {
        let methods = eiso_proto::all_methods().expect("the descriptor set decodes");
        let reads: Vec<_> = methods.iter().filter(|m| is_idempotent(m)).collect();
        assert!(reads.len() > 20, "{reads:?}");
        for method in reads {
            let rule = eiso_platform::policy::rule(method).unwrap_or_else(|| panic!("{method} has no rule"));
            assert!(!rule.audited, "{method} is retried as a read but audited as a change");
        }
    }

    #[test]
    fn only_unavailable_and_broken_connections_are_retried() {
        assert!(is_retryable(&Status::unavailable("storage is busy")));
        assert!(is_retryable(&connection_reset()), "{:?}", connection_reset());
        for code in [
            Code::InvalidArgument,
            Code::NotFound,
            Code::PermissionDenied,
            Code::Unauthenticated,
            Code::FailedPrecondition,
            Code::Aborted,
            Code::AlreadyExists,
            Code::ResourceExhausted,
            Code::DeadlineExceeded,
            Code::Internal,
            Code::DataLoss,
            Code::Unimplemented,
            // From the server, not from the connection.
            Code::Unknown,
            Code::Cancelled,
        ] {
            assert!(!is_retryable(&Status::new(code, "no")), "{code:?}");
        }
    }

    #[test]
    fn a_read_is_tried_three_times_and_a_write_once() {
        let policy = RetryPolicy::default();
        let down = Status::unavailable("connection refused");
        assert!(policy.retries(GET_UNIT, &down, 1));
        assert!(policy.retries(GET_UNIT, &down, 2));
        assert!(!policy.retries(GET_UNIT, &down, 3), "three attempts in all");
        assert!(policy.retries("/eiso.identity.v1.IdentityService/WhoAmI", &connection_reset(), 1));
        assert!(!policy.retries(GET_UNIT, &Status::not_found("units/x"), 1));
        assert!(!policy.retries(GET_UNIT, &Status::deadline_exceeded("too slow"), 1));
        for write in [
            "/eiso.identity.v1.IdentityService/CreateUnit",
            "/eiso.identity.v1.IdentityService/Login",
        ] {
            assert!(!policy.retries(write, &down, 1), "{write}");
            assert!(!policy.retries(write, &connection_reset(), 1), "{write}");
        }
    }

    #[test]
    fn the_wait_doubles_to_its_ceiling_and_jitter_takes_at_most_half() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(1, 0.0), Duration::from_millis(50));
        assert_eq!(policy.backoff(2, 0.0), Duration::from_millis(100));
        assert_eq!(policy.backoff(3, 0.0), Duration::from_millis(200));
        assert_eq!(policy.backoff(10, 0.0), Duration::from_secs(1), "capped");
        assert_eq!(policy.backoff(u32::MAX, 0.0), Duration::from_secs(1), "no overflow");
        assert_eq!(
            policy.backoff(2, 1.0),
            Duration::from_millis(50),
            "jitter halves at most"
        );
        assert_eq!(policy.backoff(2, 7.0), Duration::from_millis(50), "jitter is clamped");
    }
}
