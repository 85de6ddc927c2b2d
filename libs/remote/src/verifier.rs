//! [`TokenVerifier`] for a process that does not host identity: the caller's
//! bearer token is shown to identity's `WhoAmI` as the caller's own (not as
//! the service identity), and identity answers who it is, as its gateway sees
//! it: the same [`Principal`] the in-process `IdentityVerifier` gives.
//!
//! Answers are kept per token for at most [`DEFAULT_CACHE_TTL`] and never
//! past the token's expiry, so a disabled account or a changed role takes
//! effect here within that time. Tokens are kept as their SHA-256, never as
//! they are.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use eiso_platform::Principal;
use eiso_platform::clock::Clock;
use eiso_platform::error::{MAX_MESSAGE_CHARS, truncate_chars};
use eiso_platform::gateway::TokenVerifier;
use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{Role, WhoAmIRequest, WhoAmIResponse};
use eiso_proto::tonic::{Code, Status};
use sha2::{Digest, Sha256};

use crate::retry;
use crate::upstream::Upstream;

pub const WHO_AM_I: &str = "/eiso.identity.v1.IdentityService/WhoAmI";

/// The longest a principal is kept per token.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(30);
/// The most tokens kept at once.
pub const MAX_CACHED_TOKENS: usize = 10_000;

type Key = [u8; 32];

struct Cached {
    /// When identity answered (by the verifier's clock).
    at: DateTime<Utc>,
    principal: Principal,
}

/// Checks tokens with a remote identity service.
pub struct RemoteVerifier {
    upstream: Arc<Upstream>,
    cache_ttl: Duration,
    max_cached: usize,
    clock: Clock,
    cache: Mutex<HashMap<Key, Cached>>,
}

impl RemoteVerifier {
    pub fn new(upstream: Arc<Upstream>) -> Self {
        Self {
            upstream,
            cache_ttl: DEFAULT_CACHE_TTL,
            max_cached: MAX_CACHED_TOKENS,
            clock: Clock::system(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The same verifier keeping an answer for at most `ttl` (zero: asking
    /// every time).
    pub fn with_cache_ttl(mut self, ttl: Duration) -> Self {
        self.cache_ttl = ttl;
        self
    }

    /// The same verifier keeping at most `max` tokens.
    pub fn with_max_cached(mut self, max: usize) -> Self {
        self.max_cached = max;
        self
    }

    /// The same verifier reading the time from `clock` (tests move time
    /// instead of waiting).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// How many tokens are kept now.
    pub fn cached(&self) -> usize {
        self.cache.lock().map(|cache| cache.len()).unwrap_or(0)
    }

    fn usable(&self, cached: &Cached, now: DateTime<Utc>) -> bool {
        let age = now.signed_duration_since(cached.at);
        age >= chrono::Duration::zero()
            && age.to_std().is_ok_and(|age| age < self.cache_ttl)
            && now < cached.principal.expire_time
    }

    fn recall(&self, key: &Key, now: DateTime<Utc>) -> Option<Principal> {
        let mut cache = self.cache.lock().ok()?;
        match cache.get(key) {
            Some(cached) if self.usable(cached, now) => Some(cached.principal.clone()),
            Some(_) => {
                cache.remove(key);
                None
            }
            None => None,
        }
    }

    fn remember(&self, key: Key, principal: Principal, now: DateTime<Utc>) {
        if self.max_cached == 0 || self.cache_ttl.is_zero() {
            return;
        }
        let Ok(mut cache) = self.cache.lock() else {
            return;
        };
        if cache.len() >= self.max_cached {
            cache.retain(|_, cached| self.usable(cached, now));
        }
        if cache.len() >= self.max_cached {
            // Full of live tokens: start over rather than grow.
            cache.clear();
        }
        cache.insert(key, Cached { at: now, principal });
    }

    async fn check(&self, token: &str) -> Result<Principal, Status> {
        if token.is_empty() {
            return Err(Status::unauthenticated("the bearer token is empty"));
        }
        let key: Key = Sha256::digest(token.as_bytes()).into();
        if let Some(principal) = self.recall(&key, self.clock.now()) {
            return Ok(principal);
        }
        let answer = self
            .upstream
            .call_as(token, WHO_AM_I, WhoAmIRequest {}, |channel, request| async move {
                IdentityServiceClient::new(channel).who_am_i(request).await
            })
            .await
            .map_err(|status| self.refused(&status))?;
        let principal = principal(answer, self.upstream.url())?;
        self.remember(key, principal.clone(), self.clock.now());
        Ok(principal)
    }

    /// What the gateway answers when identity did not vouch for the token:
    /// the token's own refusal stays UNAUTHENTICATED; identity not answering
    /// is UNAVAILABLE (try again), never a reason to sign in again.
    fn refused(&self, status: &Status) -> Status {
        let message = truncate_chars(status.message(), MAX_MESSAGE_CHARS);
        match status.code() {
            Code::Unauthenticated => Status::unauthenticated(message),
            Code::DeadlineExceeded => Status::unavailable(format!(
                "the identity service did not answer in time; retry shortly ({message})"
            )),
            _ if retry::is_retryable(status) => {
                tracing::warn!(url = %self.upstream.url(), code = ?status.code(), %message, "cannot check a token");
                Status::unavailable(format!(
                    "the identity service cannot be reached; retry shortly ({message})"
                ))
            }
            code => Status::new(code, message),
        }
    }
}

fn time(timestamp: Option<eiso_proto::prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    let timestamp = timestamp?;
    DateTime::from_timestamp(timestamp.seconds, u32::try_from(timestamp.nanos).ok()?)
}

/// The principal `WhoAmI` describes.
fn principal(answer: WhoAmIResponse, url: &str) -> Result<Principal, Status> {
    let missing = |field: &str| {
        Status::internal(format!(
            "the identity service at {url} answered WhoAmI without `{field}`: it is older than this process"
        ))
    };
    Ok(Principal {
        name: answer.principal,
        display_name: answer.display_name,
        username: answer.username,
        bindings: answer
            .role_bindings
            .into_iter()
            .filter_map(|b| Role::try_from(b.role).ok().map(|role| (role, b.unit)))
            .collect(),
        issue_time: time(answer.issue_time).ok_or_else(|| missing("issue_time"))?,
        expire_time: time(answer.expire_time).ok_or_else(|| missing("expire_time"))?,
    })
}

impl TokenVerifier for RemoteVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> Pin<Box<dyn Future<Output = Result<Principal, Status>> + Send + 'a>> {
        Box::pin(self.check(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eiso_platform::config::UpstreamConfig;
    use eiso_platform::journal::timestamp;
    use eiso_proto::eiso::identity::v1::RoleBinding;

    fn verifier(clock: Clock) -> RemoteVerifier {
        let upstream = Upstream::new(&UpstreamConfig::new("http://127.0.0.1:1")).expect("an upstream");
        RemoteVerifier::new(Arc::new(upstream)).with_clock(clock)
    }

    fn someone(expire_time: DateTime<Utc>) -> Principal {
        Principal {
            name: "users/a".into(),
            display_name: "Nguyễn Văn A".into(),
            username: "a".into(),
            bindings: vec![(Role::Viewer, "units/root".into())],
            issue_time: expire_time - chrono::Duration::hours(1),
            expire_time,
        }
    }

    #[tokio::test]
    async fn a_principal_is_kept_thirty_seconds_and_never_past_its_token() {
        let start = Utc::now();
        let (clock, hands) = Clock::manual(start);
        let verifier = verifier(clock);
        let key = [1; 32];
        verifier.remember(key, someone(start + chrono::Duration::minutes(10)), start);
        hands.set(start + chrono::Duration::seconds(29));
        assert!(verifier.recall(&key, verifier.clock.now()).is_some());
        hands.set(start + chrono::Duration::seconds(30));
        assert!(verifier.recall(&key, verifier.clock.now()).is_none(), "30 s at most");
        assert_eq!(verifier.cached(), 0, "the stale answer is dropped");

        let short = [2; 32];
        verifier.remember(short, someone(start + chrono::Duration::seconds(5)), start);
        hands.set(start + chrono::Duration::seconds(4));
        assert!(verifier.recall(&short, verifier.clock.now()).is_some());
        hands.set(start + chrono::Duration::seconds(5));
        assert!(
            verifier.recall(&short, verifier.clock.now()).is_none(),
            "not past the expiry"
        );

        // A clock set back does not make an answer last longer.
        verifier.remember(key, someone(start + chrono::Duration::minutes(10)), start);
        hands.set(start - chrono::Duration::seconds(1));
        assert!(verifier.recall(&key, verifier.clock.now()).is_none());
    }

    #[tokio::test]
    async fn the_cache_is_bounded() {
        let now = Utc::now();
        let verifier = verifier(Clock::manual(now).0).with_max_cached(3);
        for i in 0..10u8 {
            verifier.remember([i; 32], someone(now + chrono::Duration::minutes(10)), now);
            assert!(verifier.cached() <= 3);
        }
        assert!(verifier.recall(&[9; 32], now).is_some(), "the newest is kept");
    }

    #[tokio::test]
    async fn an_empty_token_is_refused_without_asking() {
        let status = verifier(Clock::system()).check("").await.expect_err("empty");
        assert_eq!(status.code(), Code::Unauthenticated);
    }

    #[tokio::test]
    async fn refusals_keep_their_meaning() {
        let v = verifier(Clock::system());
        assert_eq!(
            v.refused(&Status::unauthenticated("expired")).code(),
            Code::Unauthenticated
        );
        assert_eq!(v.refused(&Status::unavailable("down")).code(), Code::Unavailable);
        assert_eq!(v.refused(&Status::deadline_exceeded("slow")).code(), Code::Unavailable);
        assert_eq!(v.refused(&Status::internal("bug")).code(), Code::Internal);
        let reset = Status::from_error(Box::new(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "reset",
        )));
        assert_eq!(v.refused(&reset).code(), Code::Unavailable);
    }

    #[test]
    fn who_am_i_becomes_the_principal() {
        let expire = Utc::now();
        let answer = WhoAmIResponse {
            principal: "clients/x".into(),
            display_name: "Hệ thống tỉnh".into(),
            username: String::new(),
            role_bindings: vec![
                RoleBinding {
                    role: Role::Viewer as i32,
                    unit: "units/root".into(),
                },
                RoleBinding {
                    role: 999,
                    unit: "units/root".into(),
                },
            ],
            expire_time: Some(timestamp(expire)),
            issue_time: Some(timestamp(expire - chrono::Duration::hours(1))),
        };
        let principal = principal(answer.clone(), "http://x").expect("a principal");
        assert_eq!(principal.bindings, [(Role::Viewer, "units/root".to_string())]);
        assert_eq!(principal.expire_time, expire);
        assert_eq!(principal.issue_time, expire - chrono::Duration::hours(1));
        let old = WhoAmIResponse {
            issue_time: None,
            ..answer
        };
        assert_eq!(principal_of(old).code(), Code::Internal);
    }

    fn principal_of(answer: WhoAmIResponse) -> Status {
        principal(answer, "http://x").expect_err("refused")
    }
}
