//! The cross-service traits of `eiso-platform` answered by another eiso
//! process over gRPC, for a process that hosts only some services (a search
//! replica follows identity from elsewhere).
//!
//! - [`Upstream`]: a lazily connected channel to another eiso process, with a
//!   per-call deadline, retries of idempotent reads on UNAVAILABLE, and a
//!   service identity (an API client that signs in by itself and keeps its
//!   token fresh).
//! - [`RemoteDirectory`]: [`eiso_platform::directory::Directory`] over
//!   `eiso.identity.v1.IdentityService`, answering what the in-process
//!   directory answers.
//! - [`RemoteVerifier`]: [`eiso_platform::gateway::TokenVerifier`] that asks
//!   identity's `WhoAmI` with the caller's own token.
//! - [`Routes`]: the upstream of each service, at `[upstream]`'s url or
//!   the service's route, all signing in as one service identity.
//! - [`error::from_status`]: a status from upstream back into a
//!   [`eiso_platform::ServiceError`], code and message kept.

pub mod directory;
pub mod error;
pub mod retry;
pub mod routes;
pub mod upstream;
pub mod verifier;

pub use directory::RemoteDirectory;
/// `[upstream]` is part of the server's configuration.
pub use eiso_platform::config::{Secret, UpstreamConfig, UpstreamError};
pub use retry::RetryPolicy;
pub use routes::Routes;
pub use upstream::Upstream;
pub use verifier::RemoteVerifier;
