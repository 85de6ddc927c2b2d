//! The gate every call passes: authentication (bearer token), authorisation
//! (the [`policy`](crate::policy) table), the call facts handlers read
//! ([`CallInfo`]), and the audit entry of every audited call that failed.
//! (Successful changes are audited by the handlers, in their own transaction.)

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use base64::Engine;
use eiso_proto::tonic::body::Body;
use eiso_proto::tonic::{Code, Status};
use tower::{Layer, Service};

use crate::audit::{self, NewEntry};
use crate::context::{BearerToken, CallInfo, Principal};
use crate::db::Db;
use crate::policy::{self, Access};

/// Turns a bearer token into a principal (signature, expiry, and whether the
/// user or client is still allowed in).
pub trait TokenVerifier: Send + Sync + 'static {
    fn verify<'a>(&'a self, token: &'a str) -> Pin<Box<dyn Future<Output = Result<Principal, Status>> + Send + 'a>>;
}

/// Shared state of the gateway: the verifier and the audit trail of each
/// service, by trail name (`identity`, `documents`, …).
#[derive(Clone)]
pub struct GatewayLayer {
    verifier: Arc<dyn TokenVerifier>,
    trails: Arc<HashMap<String, Db>>,
}

impl GatewayLayer {
    pub fn new(verifier: Arc<dyn TokenVerifier>, trails: HashMap<String, Db>) -> Self {
        Self {
            verifier,
            trails: Arc::new(trails),
        }
    }
}

impl<S> Layer<S> for GatewayLayer {
    type Service = Gateway<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Gateway {
            inner,
            verifier: self.verifier.clone(),
            trails: self.trails.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Gateway<S> {
    inner: S,
    verifier: Arc<dyn TokenVerifier>,
    trails: Arc<HashMap<String, Db>>,
}

/// The trail a method's outcome is recorded in: `identity` for
/// `/eiso.identity.v1.IdentityService/…`.
pub fn trail_of(method: &str) -> Option<&str> {
    let package = method.strip_prefix('/')?.split('/').next()?;
    let mut parts = package.split('.');
    match (parts.next(), parts.next()) {
        (Some("eiso"), Some(service)) => Some(service),
        _ => None,
    }
}

/// The reason the caller gave: `eiso-reason-bin` (UTF-8, base64 as gRPC binary
/// metadata requires) or plain ASCII `eiso-reason`.
fn reason(headers: &http::HeaderMap) -> String {
    if let Some(value) = headers.get("eiso-reason-bin") {
        let bytes = value.as_bytes();
        let decoded = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(bytes.iter().copied().filter(|b| *b != b'=').collect::<Vec<_>>())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok());
        if let Some(text) = decoded {
            return text.chars().take(1000).collect();
        }
    }
    headers
        .get("eiso-reason")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(1000).collect())
        .unwrap_or_default()
}

fn bearer(headers: &http::HeaderMap) -> Option<&str> {
    bearer_token(headers.get(http::header::AUTHORIZATION)?.to_str().ok()?)
}

/// The token of an `authorization` value `Bearer <token>` (the scheme in
/// any case), as the gateway reads it.
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

fn status_of(response: &http::Response<Body>) -> Option<Code> {
    response
        .headers()
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i32>().ok())
        .map(Code::from_i32)
}

impl<S, B> Service<http::Request<B>> for Gateway<S>
where
    S: Service<http::Request<B>, Response = http::Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        // The clone is ready-less; keep the one that was polled ready.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let verifier = self.verifier.clone();
        let trails = self.trails.clone();
        Box::pin(async move {
            let method = request.uri().path().to_string();
            let reason = reason(request.headers());
            let token = bearer(request.headers()).map(str::to_string);
            let rule = policy::rule(&method);

            let verified = match &token {
                Some(token) => Some(verifier.verify(token).await),
                None => None,
            };
            // Who the caller is, as far as we know, for the audit trail.
            let actor = match &verified {
                Some(Ok(principal)) => principal.name.clone(),
                _ => "anonymous".to_string(),
            };
            let decision: Result<Option<Principal>, Status> = match (rule.map(|r| r.access), verified) {
                (None, _) => Err(Status::unimplemented(format!(
                    "{} is not a method of eiso",
                    method.chars().take(200).collect::<String>()
                ))),
                (Some(Access::Public), Some(Ok(principal))) => Ok(Some(principal)),
                (Some(Access::Public), _) => Ok(None),
                (Some(_), None) => Err(Status::unauthenticated(
                    "this call needs a bearer token: sign in with Login and send `authorization: Bearer <token>`",
                )),
                (Some(_), Some(Err(status))) => Err(status),
                (Some(Access::Authenticated), Some(Ok(principal))) => Ok(Some(principal)),
                (Some(Access::Roles(allowed)), Some(Ok(principal))) => {
                    if principal.roles().any(|role| allowed.contains(&role)) {
                        Ok(Some(principal))
                    } else {
                        Err(Status::permission_denied(format!(
                            "your roles do not allow {}",
                            method.rsplit('/').next().unwrap_or(&method)
                        )))
                    }
                }
            };

            let response = match decision {
                Err(status) => status.into_http::<Body>(),
                Ok(principal) => {
                    request.extensions_mut().insert(CallInfo {
                        method: method.clone(),
                        token: principal.as_ref().and(token.as_deref()).map(BearerToken::new),
                        principal,
                        reason: reason.clone(),
                    });
                    crate::undecodable::rewrite(inner.call(request).await?)
                }
            };

            // A failed audited call changed nothing; record that it was tried.
            if let Some(code) = status_of(&response) {
                let message = response
                    .headers()
                    .get("grpc-message")
                    .and_then(|v| v.to_str().ok())
                    .map(percent_decode)
                    .unwrap_or_default();
                record_failure(&trails, &actor, &method, code, message, reason).await;
            }
            Ok(response)
        })
    }
}

/// Records in the method's audit trail that an audited call (a change, a
/// sign-in) was tried and failed: nothing changed, but the attempt is
/// evidence. Calls that succeeded or are not audited are not recorded here
/// (successful changes are recorded by the services in their transaction).
/// The gateway calls it for gRPC, the web app for its forms.
pub async fn record_failure(
    trails: &HashMap<String, Db>,
    actor: &str,
    method: &str,
    code: Code,
    message: String,
    reason: String,
) {
    let audited = policy::rule(method).is_some_and(|r| r.audited);
    if !audited || code == Code::Ok {
        return;
    }
    let Some(db) = trail_of(method).and_then(|trail| trails.get(trail)) else {
        return;
    };
    let entry = NewEntry {
        actor: actor.to_string(),
        method: method.to_string(),
        resource: String::new(),
        code: code as i32,
        message,
        reason,
        request_id: String::new(),
    };
    if let Err(error) = audit::record_outcome(db, entry).await {
        tracing::error!(%error, method, "cannot record a failed call in the audit trail");
    }
}

/// grpc-message is percent-encoded (gRPC over HTTP/2 spec).
pub(crate) fn percent_decode(text: &str) -> String {
    fn hex(byte: u8) -> Option<u8> {
        (byte as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(high << 4 | low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trails_follow_the_package() {
        assert_eq!(
            trail_of("/eiso.identity.v1.IdentityService/CreateUser"),
            Some("identity")
        );
        assert_eq!(trail_of("/grpc.health.v1.Health/Check"), None);
        assert_eq!(trail_of("garbage"), None);
    }

    #[test]
    fn reasons_are_read_from_binary_metadata() {
        let mut headers = http::HeaderMap::new();
        let encoded = base64::engine::general_purpose::STANDARD_NO_PAD.encode("Quyết định số 12/QĐ-UBND".as_bytes());
        headers.insert("eiso-reason-bin", encoded.parse().expect("header"));
        assert_eq!(reason(&headers), "Quyết định số 12/QĐ-UBND");
    }

    #[test]
    fn messages_are_percent_decoded() {
        assert_eq!(percent_decode("unit%20not%20found"), "unit not found");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%E1%BB%87"), "ệ");
        assert_eq!(percent_decode("%ệ%"), "%ệ%");
        assert_eq!(percent_decode("%4"), "%4");
    }
}
