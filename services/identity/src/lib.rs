//! The identity service (`eiso.identity.v1`): the organisation tree, users and
//! their role bindings, API clients for machine callers, and sign-in.

mod bootstrap;
mod clients;
mod directory;
mod grpc;
mod login;
mod rows;
mod scope;
mod units;
mod users;

pub use bootstrap::{AdminSetup, ensure_bootstrap};
pub use directory::{UnitSummary, UserSummary};
pub use grpc::IdentityApi;
pub use login::{IdentityVerifier, load_signer};

use eiso_platform::Journal;
use std::sync::Arc;

/// The service: its journal (storage + outbox + audit) and the token machinery.
#[derive(Clone)]
pub struct Identity {
    journal: Journal,
    verifier: Arc<IdentityVerifier>,
    token_ttl: chrono::Duration,
    throttle: Arc<login::Throttle>,
}

impl Identity {
    pub fn new(journal: Journal, verifier: Arc<IdentityVerifier>, token_ttl: chrono::Duration) -> Self {
        Self {
            journal,
            verifier,
            token_ttl,
            throttle: Arc::new(login::Throttle::default()),
        }
    }

    /// PERMISSION_DENIED unless the caller holds the method's role at a root unit.
    pub async fn require_root(&self, ctx: &eiso_platform::CallContext) -> eiso_platform::ServiceResult<()> {
        scope::require_root(self.journal.db().reader(), ctx).await
    }

    /// The same service with sign-in lockouts timed by `clock`.
    pub fn with_clock(mut self, clock: eiso_platform::clock::Clock) -> Self {
        self.throttle = Arc::new(login::Throttle::with_clock(clock));
        self
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }
}

/// Names of the service's storage (file name or PostgreSQL schema) and trail.
pub const SERVICE_NAME: &str = "identity";
