//! The quality service of eiso (`eiso.quality.v1`): what an office does to
//! know and improve the quality of its work.
//!
//! - [`inspections`]: inspection programmes of the units an office manages
//!   (schools) and their inspections; [`Quality::inspection_coverage`] gives
//!   the "≥30% of schools inspected" figure.
//! - internal audits (ISO 9001 §9.2): programmes, audits with their checklist,
//!   and findings with evidence links to documents, revisions, records and
//!   dossiers (checked through [`ResourceLinks`]).
//! - corrective actions (§10.2): root cause, actions with owners and due
//!   dates, verification of effectiveness by someone else, closure, and the
//!   overdue list (by the injected clock).
//! - [`review`]: the management review data pack (§9.3), rendered as XLSX and
//!   a printable Vietnamese page and filed as a quality record.
//! - [`diagnostic`]: the ISO 18091 diagnostic (an editable indicator set,
//!   red / yellow / green assessments per period, period comparison).
//!
//! Every write is one transaction with its outbox event (the full resource as
//! payload) and audit entry; creates are idempotent by `request_id`.

pub mod diagnostic;
pub mod inspections;
pub mod review;

mod access;
mod actions;
mod audits;
mod common;
mod grpc;
mod listing;
mod programmes;
mod store;
mod write;

pub use access::HIDDEN_TITLE;
pub use grpc::QualityApi;
pub use inspections::InspectionCoverage;

use std::sync::Arc;

use eiso_platform::Journal;
use eiso_platform::clock::Clock;
use eiso_platform::directory::Directory;
use eiso_platform::links::ResourceLinks;

/// Names of the service's storage (file name or PostgreSQL schema) and trail.
pub const SERVICE_NAME: &str = "quality";

/// The service: storage, and what it needs of identity and of the services
/// holding evidence.
#[derive(Clone)]
pub struct Quality {
    journal: Journal,
    directory: Arc<dyn Directory>,
    links: Arc<dyn ResourceLinks>,
    sources: Option<Arc<dyn review::ReviewSources>>,
    clock: Clock,
    templates: Arc<review::Templates>,
}

impl Quality {
    pub fn new(journal: Journal, directory: Arc<dyn Directory>, links: Arc<dyn ResourceLinks>) -> Self {
        Self {
            journal,
            directory,
            links,
            sources: None,
            clock: Clock::system(),
            templates: Arc::new(review::Templates::builtin()),
        }
    }

    /// The same service on another clock (tests move time instead of sleeping).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Where management reviews get service statistics and target figures.
    /// Without it, GenerateManagementReviewPack is refused.
    pub fn with_review_sources(mut self, sources: Arc<dyn review::ReviewSources>) -> Self {
        self.sources = Some(sources);
        self
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }
}
