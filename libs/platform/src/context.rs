//! Who is calling, through which method, and why: put into each request by the
//! gateway layer and read by the handlers.

use chrono::{DateTime, Utc};
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::tonic::{Request, Status};

/// An authenticated caller: a user or a machine client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// `users/{id}` or `clients/{id}`.
    pub name: String,
    pub display_name: String,
    /// The sign-in name of a user; empty for clients.
    pub username: String,
    pub bindings: Vec<(Role, String)>,
    pub issue_time: DateTime<Utc>,
    pub expire_time: DateTime<Utc>,
}

impl Principal {
    pub fn roles(&self) -> impl Iterator<Item = Role> + '_ {
        self.bindings.iter().map(|(role, _)| *role)
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles().any(|r| r == role)
    }

    pub fn is_admin(&self) -> bool {
        self.has_role(Role::Admin)
    }
}

/// Facts about the call, inserted by the gateway into the request extensions.
#[derive(Debug, Clone)]
pub struct CallInfo {
    /// `/package.Service/Method`.
    pub method: String,
    /// `None` only for methods that need no token (Login, health, reflection).
    pub principal: Option<Principal>,
    /// The reason the caller gave in `eiso-reason-bin` (UTF-8) or `eiso-reason`.
    pub reason: String,
    /// The bearer token the call came with, once verified.
    pub token: Option<BearerToken>,
}

/// A caller's verified bearer token, kept to call another eiso process on
/// the caller's behalf (that process then decides what the caller may see,
/// as it would if the caller had come to it directly). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(std::sync::Arc<str>);

impl BearerToken {
    pub fn new(token: &str) -> Self {
        Self(token.into())
    }

    /// The token itself, to send as `authorization: Bearer <token>`.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(…)")
    }
}

/// What a handler needs to record a change: the call facts plus the
/// `request_id` of the request message, if any.
#[derive(Debug, Clone)]
pub struct CallContext {
    pub method: String,
    pub principal: Principal,
    pub reason: String,
    pub request_id: String,
    /// The caller's token, when the call came over gRPC with one; `None`
    /// for the server's own work and for the web app's sessions.
    pub token: Option<BearerToken>,
}

impl CallContext {
    /// Reads the call facts the gateway put into `request`.
    pub fn from_request<T>(request: &Request<T>) -> Result<Self, Status> {
        let info = request
            .extensions()
            .get::<CallInfo>()
            .ok_or_else(|| Status::internal("call info missing: the gateway layer is not installed"))?;
        let principal = info
            .principal
            .clone()
            .ok_or_else(|| Status::unauthenticated("a bearer token is required"))?;
        Ok(Self {
            method: info.method.clone(),
            principal,
            reason: info.reason.clone(),
            request_id: String::new(),
            token: info.token.clone(),
        })
    }

    /// A context for work the server does by itself (first-start setup).
    pub fn system(method: &str) -> Self {
        let now = Utc::now();
        Self {
            method: method.to_string(),
            principal: Principal {
                name: "system".to_string(),
                display_name: "eiso".to_string(),
                username: String::new(),
                bindings: Vec::new(),
                issue_time: now,
                expire_time: now,
            },
            reason: String::new(),
            request_id: String::new(),
            token: None,
        }
    }

    /// The same caller acting through `method`: an in-process call to another
    /// service (an evidence link is resolved as the caller's read of it).
    pub fn as_method(&self, method: &str) -> Self {
        Self {
            method: method.to_string(),
            request_id: String::new(),
            ..self.clone()
        }
    }

    pub fn with_request_id(mut self, request_id: &str) -> Self {
        self.request_id = request_id.to_string();
        self
    }

    /// A reason given in the request message wins over the metadata one.
    pub fn with_reason(mut self, reason: &str) -> Self {
        if !reason.trim().is_empty() {
            self.reason = reason.trim().to_string();
        }
        self
    }
}
