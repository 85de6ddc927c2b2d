//! A channel to another eiso process and this process's identity there.
//!
//! The channel connects on first use and reconnects by itself. Every call has
//! a deadline (sent as `grpc-timeout` and kept here too, retries included).
//! Reads that find the other side unavailable are tried again
//! ([`RetryPolicy`]); writes never are.
//!
//! A call goes out either as the **service identity** ([`Upstream::call`]):
//! an API client that signs in with its id and secret on first use, keeps its
//! token, signs in again shortly before the token expires, and once more when
//! a call is answered UNAUTHENTICATED; or with the **caller's own token**
//! ([`Upstream::call_as`]), so that the other side decides what the caller
//! may see, as it would if the caller had come to it directly.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use eiso_platform::clock::Clock;
use eiso_proto::eiso::identity::v1::identity_service_client::IdentityServiceClient;
use eiso_proto::eiso::identity::v1::{ClientCredentials, LoginRequest, login_request};
use eiso_proto::tonic::metadata::AsciiMetadataValue;
use eiso_proto::tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use eiso_proto::tonic::{Code, Request, Response, Status};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::retry::{self, RetryPolicy};
use eiso_platform::config::{Secret, UpstreamConfig, UpstreamError};

/// Identity's sign-in method.
pub const LOGIN: &str = "/eiso.identity.v1.IdentityService/Login";

/// Another eiso process: a lazily connected channel, the deadline of a call,
/// the retry policy, and the service identity to call as.
pub struct Upstream {
    url: String,
    channel: Channel,
    timeout: Duration,
    retry: RetryPolicy,
    identity: Option<Arc<ServiceIdentity>>,
    clock: Clock,
}

/// The API client this process signs in as, where it signs in (identity's
/// address), and the token it holds: one for every upstream of a process.
struct ServiceIdentity {
    client_id: String,
    secret: Secret,
    /// Identity's address and a channel to it.
    login_url: String,
    login: Channel,
    token: Mutex<Option<HeldToken>>,
}

#[derive(Clone)]
struct HeldToken {
    /// `Bearer <token>`.
    header: AsciiMetadataValue,
    /// When to sign in again, shortly before the token expires.
    refresh_at: DateTime<Utc>,
}

/// Whose token a call carries.
enum Caller<'a> {
    Service,
    Forwarded(&'a str),
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("url", &self.url)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("client_id", &self.identity.as_ref().map(|i| i.client_id.as_str()))
            .field("client_secret", &self.identity.as_ref().map(|i| &i.secret))
            .finish()
    }
}

/// `url` without spaces or a trailing slash.
fn normalized(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

/// A lazily connected endpoint at `url` with `config`'s deadline and TLS.
fn endpoint(config: &UpstreamConfig, url: &str) -> Result<Endpoint, UpstreamError> {
    let mut endpoint = Endpoint::from_shared(url.to_string())?
        .connect_timeout(config.timeout())
        .tcp_nodelay(true)
        // A connection that died silently is noticed within a minute.
        .http2_keep_alive_interval(Duration::from_secs(30))
        .keep_alive_timeout(Duration::from_secs(20));
    if config.is_tls() {
        let mut tls = ClientTlsConfig::new();
        if let Some(ca) = &config.ca_file {
            tls = tls.ca_certificate(Certificate::from_pem(read_file("ca_file", ca)?));
        }
        if let (Some(cert), Some(key)) = (&config.cert_file, &config.key_file) {
            tls = tls.identity(Identity::from_pem(
                read_file("cert_file", cert)?,
                read_file("key_file", key)?,
            ));
        }
        endpoint = endpoint.tls_config(tls)?;
    }
    Ok(endpoint)
}

fn read_file(field: &'static str, path: &std::path::Path) -> Result<Vec<u8>, UpstreamError> {
    std::fs::read(path).map_err(|source| UpstreamError::File {
        field,
        path: path.to_path_buf(),
        source,
    })
}

impl Upstream {
    /// The upstream `config` describes; nothing is connected yet (the first
    /// call connects). Needs a running tokio runtime.
    pub fn new(config: &UpstreamConfig) -> Result<Self, UpstreamError> {
        config.validate()?;
        let url = normalized(&config.url);
        let channel = endpoint(config, &url)?.connect_lazy();
        let login_url = normalized(config.url_of("identity"));
        let login = match login_url == url {
            true => channel.clone(),
            false => endpoint(config, &login_url)?.connect_lazy(),
        };
        let identity = (!config.client_id().is_empty()).then(|| {
            Arc::new(ServiceIdentity {
                client_id: config.client_id().to_string(),
                secret: config.client_secret.clone(),
                login_url,
                login,
                token: Mutex::new(None),
            })
        });
        Ok(Self {
            url,
            channel,
            timeout: config.timeout(),
            retry: RetryPolicy::default(),
            identity,
            clock: Clock::system(),
        })
    }

    /// The upstream of `service`: at its route in `config` (this upstream's
    /// configuration), else this one; signed in to as the same service
    /// identity, whose token the two share.
    pub fn to_service(self: &Arc<Self>, config: &UpstreamConfig, service: &str) -> Result<Arc<Self>, UpstreamError> {
        let url = normalized(config.url_of(service));
        if url == self.url {
            return Ok(self.clone());
        }
        Ok(Arc::new(Self {
            channel: endpoint(config, &url)?.connect_lazy(),
            url,
            timeout: self.timeout,
            retry: self.retry.clone(),
            identity: self.identity.clone(),
            clock: self.clock.clone(),
        }))
    }

    /// The same upstream with another deadline per call.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same upstream with another retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The same upstream deciding by `clock` when its token is due for
    /// renewal (tests move time instead of waiting).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The channel itself, for streams and calls this type does not wrap.
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// The `authorization` header of the service identity (signing in when
    /// it holds no fresh token), for calls this type does not wrap: a
    /// server stream, which must not carry the per-call deadline.
    pub async fn service_authorization(&self) -> Result<AsciiMetadataValue, Status> {
        self.service_token(Instant::now() + self.timeout).await
    }

    /// `clients/{id}` of the service identity, if there is one.
    pub fn service_principal(&self) -> Option<String> {
        self.identity.as_ref().map(|i| format!("clients/{}", i.client_id))
    }

    /// Calls `method` (`/package.Service/Method`) as the service identity:
    /// `send` makes the call on the channel with the request as prepared
    /// (token, deadline, trace context), e.g.
    /// `|channel, request| async move { IdentityServiceClient::new(channel).get_unit(request).await }`.
    pub async fn call<Req, Res, F, Fut>(&self, method: &str, request: Req, send: F) -> Result<Res, Status>
    where
        Req: Clone,
        F: Fn(Channel, Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<Res>, Status>>,
    {
        self.run(Caller::Service, method, request, send).await
    }

    /// Calls `method` with the caller's own bearer `token`: the other side
    /// answers as it would answer the caller. An UNAUTHENTICATED answer is
    /// the caller's and is returned as it is.
    pub async fn call_as<Req, Res, F, Fut>(
        &self,
        token: &str,
        method: &str,
        request: Req,
        send: F,
    ) -> Result<Res, Status>
    where
        Req: Clone,
        F: Fn(Channel, Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<Res>, Status>>,
    {
        self.run(Caller::Forwarded(token), method, request, send).await
    }

    async fn run<Req, Res, F, Fut>(
        &self,
        caller: Caller<'_>,
        method: &str,
        request: Req,
        send: F,
    ) -> Result<Res, Status>
    where
        Req: Clone,
        F: Fn(Channel, Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<Res>, Status>>,
    {
        let deadline = Instant::now() + self.timeout;
        let mut attempt = 1;
        let mut signed_in_again = false;
        loop {
            let header = match &caller {
                Caller::Service => self.service_token(deadline).await,
                Caller::Forwarded(token) => format!("Bearer {token}")
                    .parse::<AsciiMetadataValue>()
                    .map_err(|_| Status::unauthenticated("the bearer token is not printable ASCII")),
            };
            let (status, header) = match header {
                Err(status) => (status, None),
                Ok(header) => match self.send_once(method, &request, &send, &header, deadline).await {
                    Ok(answer) => return Ok(answer),
                    Err(status) => (status, Some(header)),
                },
            };
            // The call itself (not the sign-in) refused the service
            // identity's token: expired or revoked early. Sign in once more.
            if let (Caller::Service, Some(header), Code::Unauthenticated) = (&caller, &header, status.code()) {
                if signed_in_again {
                    let message = format!(
                        "{} refuses the service identity even just after it signed in: {}",
                        self.url,
                        status.message()
                    );
                    tracing::error!(method, url = %self.url, "{message}");
                    return Err(Status::internal(message));
                }
                tracing::info!(method, url = %self.url, "the service identity's token was refused; signing in again");
                self.forget(header).await;
                signed_in_again = true;
                continue;
            }
            if !self.retry.retries(method, &status, attempt) {
                return Err(status);
            }
            let wait = self.retry.backoff(attempt, rand::random::<f64>());
            if Instant::now() + wait >= deadline {
                return Err(status);
            }
            tracing::debug!(method, attempt, code = ?status.code(), url = %self.url, "upstream unavailable; trying again");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One attempt of a call, within what is left of `deadline`.
    async fn send_once<Req, Res, F, Fut>(
        &self,
        method: &str,
        request: &Req,
        send: &F,
        header: &AsciiMetadataValue,
        deadline: Instant,
    ) -> Result<Res, Status>
    where
        Req: Clone,
        F: Fn(Channel, Request<Req>) -> Fut,
        Fut: Future<Output = Result<Response<Res>, Status>>,
    {
        let remaining = self.remaining(method, deadline)?;
        let mut request = Request::new(request.clone());
        request.set_timeout(remaining);
        request.metadata_mut().insert("authorization", header.clone());
        eiso_telemetry::inject_trace_context(request.metadata_mut());
        match tokio::time::timeout(remaining, send(self.channel.clone(), request)).await {
            Ok(answer) => answer.map(Response::into_inner),
            Err(_) => Err(self.too_late(method)),
        }
    }

    /// What is left of `deadline`; DEADLINE_EXCEEDED when nothing is.
    fn remaining(&self, method: &str, deadline: Instant) -> Result<Duration, Status> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(self.too_late(method));
        }
        Ok(remaining)
    }

    fn too_late(&self, method: &str) -> Status {
        Status::deadline_exceeded(format!(
            "{} did not answer {} within {:?}",
            self.url,
            method.rsplit('/').next().unwrap_or(method),
            self.timeout
        ))
    }

    /// `Bearer <token>` of the service identity: the held token while it is
    /// fresh, else a new one (one sign-in at a time; the others wait for it).
    async fn service_token(&self, deadline: Instant) -> Result<AsciiMetadataValue, Status> {
        let Some(identity) = &self.identity else {
            return Err(Status::internal(format!(
                "no service identity (client_id, client_secret) is configured for {}",
                self.url
            )));
        };
        let mut held = identity.token.lock().await;
        if let Some(token) = held.as_ref()
            && self.clock.now() < token.refresh_at
        {
            return Ok(token.header.clone());
        }
        let fresh = self.sign_in(identity, deadline).await?;
        let header = fresh.header.clone();
        *held = Some(fresh);
        Ok(header)
    }

    /// Drops the held token if it is still `header` (another call may have
    /// signed in again already).
    async fn forget(&self, header: &AsciiMetadataValue) {
        if let Some(identity) = &self.identity {
            let mut held = identity.token.lock().await;
            if held.as_ref().is_some_and(|token| token.header == header) {
                *held = None;
            }
        }
    }

    async fn sign_in(&self, identity: &ServiceIdentity, deadline: Instant) -> Result<HeldToken, Status> {
        let remaining = self.remaining(LOGIN, deadline)?;
        let mut request = Request::new(LoginRequest {
            credentials: Some(login_request::Credentials::Client(ClientCredentials {
                client_id: identity.client_id.clone(),
                client_secret: identity.secret.expose().to_string(),
            })),
        });
        request.set_timeout(remaining);
        eiso_telemetry::inject_trace_context(request.metadata_mut());
        let mut client = IdentityServiceClient::new(identity.login.clone());
        let response = match tokio::time::timeout(remaining, client.login(request)).await {
            Err(_) => return Err(self.sign_in_failed(identity, self.too_late(LOGIN))),
            Ok(Err(status)) => return Err(self.sign_in_failed(identity, status)),
            Ok(Ok(response)) => response.into_inner(),
        };
        let expire_time = response
            .expire_time
            .and_then(|t| DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).unwrap_or(0)))
            .ok_or_else(|| {
                Status::internal(format!(
                    "{} signed the service identity in without an expiry",
                    identity.login_url
                ))
            })?;
        let header = format!("Bearer {}", response.access_token)
            .parse::<AsciiMetadataValue>()
            .map_err(|_| {
                Status::internal(format!(
                    "{} gave a token that is not printable ASCII",
                    identity.login_url
                ))
            })?;
        tracing::info!(
            url = %identity.login_url,
            principal = %response.principal,
            %expire_time,
            "signed in as the service identity"
        );
        Ok(HeldToken {
            header,
            refresh_at: refresh_time(self.clock.now(), expire_time),
        })
    }

    /// A refused sign-in as the caller of this process should see it: the
    /// upstream not reachable is UNAVAILABLE (try later); credentials that
    /// do not work are this process's configuration, INTERNAL (logged, and
    /// not shown to the caller as their own sign-in problem).
    fn sign_in_failed(&self, identity: &ServiceIdentity, status: Status) -> Status {
        let message = format!(
            "cannot sign in to {} as clients/{}: {}",
            identity.login_url,
            identity.client_id,
            status.message()
        );
        let transient =
            retry::is_retryable(&status) || matches!(status.code(), Code::DeadlineExceeded | Code::ResourceExhausted);
        if transient {
            tracing::warn!(url = %identity.login_url, code = ?status.code(), "{message}");
            Status::unavailable(message)
        } else {
            tracing::error!(url = %identity.login_url, code = ?status.code(), "{message}");
            Status::internal(message)
        }
    }
}

/// When a token that expires at `expire_time` (received at `now`) is renewed:
/// a fifth of its lifetime before it expires, at most a minute before. The
/// token itself expires at the whole second (identity signs whole seconds),
/// so its lifetime counts from there.
pub(crate) fn refresh_time(now: DateTime<Utc>, expire_time: DateTime<Utc>) -> DateTime<Utc> {
    let expiry = DateTime::from_timestamp(expire_time.timestamp(), 0).unwrap_or(expire_time);
    let lifetime = expiry - now;
    if lifetime <= chrono::Duration::zero() {
        return now;
    }
    expiry - Ord::min(lifetime / 5, chrono::Duration::minutes(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64, millis: u32) -> DateTime<Utc> {
        Utc.timestamp_opt(seconds, millis * 1_000_000).single().expect("a time")
    }

    #[test]
    fn a_token_is_renewed_shortly_before_it_expires() {
        // An hour: a minute before.
        assert_eq!(refresh_time(at(1000, 0), at(4600, 0)), at(4540, 0));
        // Two seconds, signed at .7: its token expires at the whole second.
        assert_eq!(
            refresh_time(at(1000, 700), at(1002, 700)),
            at(1002, 0) - chrono::Duration::milliseconds(260)
        );
        // Already expired: at once.
        assert_eq!(refresh_time(at(1000, 0), at(999, 0)), at(1000, 0));
    }

    #[tokio::test]
    async fn the_secret_is_not_in_debug_output() {
        let config =
            UpstreamConfig::new("http://127.0.0.1:1").with_service_identity("clients/search-1", "s3cret-value");
        let upstream = Upstream::new(&config).expect("an upstream");
        let printed = format!("{upstream:?}");
        assert!(!printed.contains("s3cret-value"), "{printed}");
        assert!(printed.contains("search-1"), "{printed}");
        assert_eq!(upstream.service_principal().as_deref(), Some("clients/search-1"));
    }

    #[tokio::test]
    async fn a_read_of_an_upstream_that_is_not_there_is_unavailable_after_its_retries() {
        // A port nobody listens on: connection refused, three times.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let upstream = Upstream::new(&UpstreamConfig::new(format!("http://127.0.0.1:{port}"))).expect("an upstream");
        let tries = std::sync::atomic::AtomicU32::new(0);
        let send = |channel: Channel, request: Request<eiso_proto::eiso::identity::v1::GetUnitRequest>| {
            tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move { IdentityServiceClient::new(channel).get_unit(request).await }
        };
        let read = eiso_proto::eiso::identity::v1::GetUnitRequest { name: "units/x".into() };
        let status = upstream
            .call_as("token", "/eiso.identity.v1.IdentityService/GetUnit", read.clone(), send)
            .await
            .expect_err("nobody answers");
        assert_eq!(status.code(), Code::Unavailable, "{status:?}");
        assert_eq!(tries.swap(0, std::sync::atomic::Ordering::SeqCst), 3);

        // The policy goes by the method's name: named as a write, sent once.
        let status = upstream
            .call_as("token", "/eiso.identity.v1.IdentityService/UpdateUnit", read, send)
            .await
            .expect_err("nobody answers");
        assert_eq!(status.code(), Code::Unavailable, "{status:?}");
        assert_eq!(
            tries.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "a write is sent once"
        );
    }

    #[tokio::test]
    async fn without_a_service_identity_a_call_as_it_is_refused_here() {
        let upstream = Upstream::new(&UpstreamConfig::new("http://127.0.0.1:1")).expect("an upstream");
        let status = upstream
            .call(
                "/eiso.identity.v1.IdentityService/GetUnit",
                eiso_proto::eiso::identity::v1::GetUnitRequest::default(),
                |channel, request| async move { IdentityServiceClient::new(channel).get_unit(request).await },
            )
            .await
            .expect_err("no identity");
        assert_eq!(status.code(), Code::Internal);
    }
}
