//! The office's web app (`/` on the server's own port): server-rendered
//! Vietnamese pages that work as plain HTML forms, enhanced by a little of our
//! own JavaScript.
//!
//! It is one more adapter beside the gRPC ones. A handler reads the form into
//! the API's request message, calls the same service library method with a
//! [`CallContext`](eiso_platform::CallContext) built from the session
//! ([`session::Session::context`], which applies the same policy table as the
//! gateway), and renders the result. No rule and no SQL live here: unit
//! scoping, validation and the audit trail are the services'.
//!
//! Layout: [`dispatch`] shares the port with gRPC; [`cookies`], [`csrf`] and
//! [`session`] are the browser's side of sign-in; [`pages`] renders the
//! templates (built in, overridable from `data/templates/web`); [`error`] is
//! what a failure looks like; `views/` has one file per screen.

pub mod chart;
pub mod cookies;
pub mod csrf;
pub mod demo;
pub mod dispatch;
pub mod error;
pub mod format;
pub mod names;
pub mod paced;
pub mod pages;
pub mod ratelimit;
pub mod session;

mod assets;
mod views;

use std::sync::Arc;

use axum::Router;
use eiso_identity::{Identity, IdentityVerifier};
use eiso_platform::clock::Clock;
use eiso_platform::directory::Directory;
use eiso_procedures::Procedures;

pub use dispatch::WebLayer;
pub use pages::Pages;

/// What the pages need: the services they call and the templates.
pub struct Parts {
    pub identity: Identity,
    pub verifier: Arc<IdentityVerifier>,
    pub procedures: Procedures,
    /// The reform plans: the dashboard sets its rates beside their targets.
    pub plans: eiso_plans::Plans,
    /// Controlled documents and records.
    pub documents: eiso_documents::Documents,
    /// Internal audits, corrective actions, inspections.
    pub quality: eiso_quality::Quality,
    /// The search index: the counter finds a procedure by typing.
    pub search: eiso_search::Search,
    pub directory: Arc<dyn Directory>,
    pub pages: Pages,
    pub clock: Clock,
    /// The services' audit trails, by trail name: a refused write from a
    /// page is recorded there as a refused gRPC call is.
    pub trails: std::collections::HashMap<String, eiso_platform::db::Db>,
    /// Reading and verifying those trails (the audit trail page).
    pub audit: eiso_platform::audit_service::AuditApi,
    /// The dossiers' sync with the national portal; `None` when no portal
    /// is configured (the pages say so, and the dossier's page shows no sync).
    pub sync: Option<eiso_sync::service::Sync>,
    /// The notifications to applicants; `None` when no channel (e-mail,
    /// SMS) is configured (the pages say so, and the dossier's page shows none).
    pub notifications: Option<eiso_notify::service::Notifications>,
}

/// The app: its [`Parts`], shared by every request.
#[derive(Clone)]
pub struct Web(Arc<Parts>, Arc<ratelimit::RateLimit>);

/// Public dossier lookups allowed per client address in [`LOOKUP_WINDOW`].
pub const LOOKUPS_PER_WINDOW: usize = 20;
pub const LOOKUP_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);

impl Web {
    pub fn new(parts: Parts) -> Self {
        Self(
            Arc::new(parts),
            Arc::new(ratelimit::RateLimit::new(LOOKUPS_PER_WINDOW, LOOKUP_WINDOW)),
        )
    }

    /// The limit on public lookups per client address.
    pub fn lookups(&self) -> &ratelimit::RateLimit {
        &self.1
    }

    pub fn identity(&self) -> &Identity {
        &self.0.identity
    }

    pub fn verifier(&self) -> &IdentityVerifier {
        &self.0.verifier
    }

    pub fn procedures(&self) -> &Procedures {
        &self.0.procedures
    }

    pub fn plans(&self) -> &eiso_plans::Plans {
        &self.0.plans
    }

    pub fn audit(&self) -> &eiso_platform::audit_service::AuditApi {
        &self.0.audit
    }

    pub fn quality(&self) -> &eiso_quality::Quality {
        &self.0.quality
    }

    pub fn documents(&self) -> &eiso_documents::Documents {
        &self.0.documents
    }

    /// The national portal's sync, when a portal is configured.
    pub fn sync(&self) -> Option<&eiso_sync::service::Sync> {
        self.0.sync.as_ref()
    }

    /// The notifications to applicants, when a channel is configured.
    pub fn notifications(&self) -> Option<&eiso_notify::service::Notifications> {
        self.0.notifications.as_ref()
    }

    pub fn search(&self) -> &eiso_search::Search {
        &self.0.search
    }

    pub fn directory(&self) -> &dyn Directory {
        self.0.directory.as_ref()
    }

    pub fn pages(&self) -> &Pages {
        &self.0.pages
    }

    pub fn clock(&self) -> &Clock {
        &self.0.clock
    }

    /// The context of a write from a page, authorised by the policy table; a
    /// refusal is recorded in the method's audit trail.
    pub async fn write_context(
        &self,
        session: &session::Session,
        method: &str,
    ) -> Result<eiso_platform::CallContext, error::PageError> {
        let refused = match session.context(method) {
            Ok(ctx) => return Ok(ctx),
            Err(refused) => refused,
        };
        let message = format!(
            "your roles do not allow {}",
            method.rsplit('/').next().unwrap_or(method)
        );
        let error = eiso_platform::ServiceError::PermissionDenied(message);
        self.record_refusal(session, method, &error).await;
        Err(refused)
    }

    /// `result`, the outcome of a write from a page, with a failure recorded
    /// as [`Web::record_refusal`] records it.
    pub async fn audited<T>(
        &self,
        session: &session::Session,
        method: &str,
        result: eiso_platform::ServiceResult<T>,
    ) -> eiso_platform::ServiceResult<T> {
        if let Err(error) = &result {
            self.record_refusal(session, method, error).await;
        }
        result
    }

    /// Records that a write from a page failed (nothing changed), in the
    /// method's audit trail with the person's name, as the gateway records a
    /// failed gRPC call. Internal errors are recorded without their detail.
    pub async fn record_refusal(&self, session: &session::Session, method: &str, error: &eiso_platform::ServiceError) {
        use eiso_platform::ServiceError;
        let message = match error {
            ServiceError::Internal(_) => "internal error".to_string(),
            other => eiso_platform::error::truncate_chars(&other.to_string(), eiso_platform::error::MAX_MESSAGE_CHARS),
        };
        eiso_platform::gateway::record_failure(
            &self.0.trails,
            &session.principal.name,
            method,
            error.code(),
            message,
            String::new(),
        )
        .await;
    }

    /// Every page and asset of the app.
    pub fn router(self) -> Router {
        views::routes()
            .merge(assets::routes())
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                error::render_error_pages,
            ))
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                session::renew_sessions,
            ))
            .layer(axum::middleware::from_fn(pages::security_headers))
            .with_state(self)
    }

    /// The layer that serves the app on the gRPC server's port.
    pub fn layer(self) -> WebLayer {
        WebLayer::new(self.router())
    }
}
