//! The plans service of eiso (`eiso.plans.v1`): administrative-reform plans
//! (kế hoạch cải cách hành chính) with numbered tasks in a tree, their
//! progress and the ISO evidence that they were done, targets (chỉ tiêu)
//! measured from live data, and the periodic reports, filed as quality
//! records.
//!
//! [`timeframe`] reads time frames as plans write them; [`table`] the
//! appendix-table layout; [`measures::Measures`] is what the service asks of
//! the others to measure its targets; [`Plans::run_due_reports`] is the
//! scheduler's pass.

pub mod measures;
pub mod report;
pub mod table;
pub mod timeframe;

mod access;
mod convert;
mod evaluate;
mod groups;
mod grpc;
mod plans;
mod progress;
mod report_changes;
mod reports;
mod rows;
mod transfer;

pub use access::HIDDEN_TITLE;
pub use evaluate::{TargetFigures, meets};
pub use grpc::PlanApi;
pub use reports::Scheduler;

use std::sync::Arc;

use eiso_platform::Journal;
use eiso_platform::clock::Clock;
use eiso_platform::directory::Directory;
use eiso_platform::links::ResourceLinks;

/// Names of the service's storage (file name or PostgreSQL schema) and trail.
pub const SERVICE_NAME: &str = "plans";

/// The service: storage, and what it needs of the other services.
#[derive(Clone)]
pub struct Plans {
    journal: Journal,
    directory: Arc<dyn Directory>,
    links: Arc<dyn ResourceLinks>,
    measures: Arc<dyn measures::Measures>,
    clock: Clock,
    templates: Arc<report::Templates>,
}

impl Plans {
    pub fn new(
        journal: Journal,
        directory: Arc<dyn Directory>,
        links: Arc<dyn ResourceLinks>,
        measures: Arc<dyn measures::Measures>,
    ) -> Self {
        Self {
            journal,
            directory,
            links,
            measures,
            clock: Clock::system(),
            templates: Arc::new(report::Templates::builtin()),
        }
    }

    /// The same service on another clock (tests move time instead of sleeping).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }
}
