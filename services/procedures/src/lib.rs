//! The procedures service of eiso (`eiso.procedures.v1`): the catalogue of
//! administrative procedures (thủ tục hành chính), the agencies' office
//! calendars, and dossiers with their legal deadlines and service measures.
//!
//! [`calendar`] is the working-time engine every deadline comes from (office
//! hours, working days, holidays and make-up days per year, a Vietnamese
//! lunar calendar to propose a new year, the supplement rules and the
//! early / on-time / late classification).

pub mod calendar;
pub mod forms;
pub mod rows;
pub mod table;

mod calendars;
mod catalogue;
mod convert;
pub mod counts;
mod dossiers;
pub mod gauges;
mod grpc;
mod lookup;
mod printing;
mod rating;
pub mod statistics;
mod transfer;

pub use calendars::WorkingTimeLeft;
pub use convert::{CALENDAR_YEAR_MISSING, CALENDAR_YEAR_UNCONFIRMED, unconfirmed_calendar_year, weekday_to_proto};
pub use dossiers::{ACTIVE, PERSONAL_DATA_ROLES};
pub use grpc::{CalendarApi, DossierApi, ProcedureApi};
pub use lookup::{PublicDossier, SECRET_CHARS};
pub use rating::{APPLICANT, ApplicantRating, RATING_CODE_CHARS, printed_rating_code};
pub use statistics::{Counting, MonthFinished};

use std::sync::Arc;

use eiso_platform::Journal;
use eiso_platform::clock::Clock;
use eiso_platform::directory::Directory;

/// Names of the service's storage (file name or PostgreSQL schema) and trail.
pub const SERVICE_NAME: &str = "procedures";

/// The service: storage, and what it needs to know of identity.
#[derive(Clone)]
pub struct Procedures {
    journal: Journal,
    directory: Arc<dyn Directory>,
    clock: Clock,
    templates: Arc<forms::Templates>,
    /// Where people reach the server; the receipt's QR code leads there.
    public_url: String,
}

impl Procedures {
    pub fn new(journal: Journal, directory: Arc<dyn Directory>) -> Self {
        Self {
            journal,
            directory,
            clock: Clock::system(),
            templates: Arc::new(forms::Templates::builtin()),
            public_url: String::new(),
        }
    }

    /// The same service printing with `templates` (an office's own forms).
    pub fn with_templates(mut self, templates: forms::Templates) -> Self {
        self.templates = Arc::new(templates);
        self
    }

    /// The same service printing `public_url` (`https://…`, no trailing `/`)
    /// as the receipt's QR code to the citizen's lookup page.
    pub fn with_public_url(mut self, public_url: String) -> Self {
        self.public_url = public_url;
        self
    }

    /// The same service on another clock (tests move time instead of sleeping).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The unit `name`, where a write is to put something: INVALID_ARGUMENT
    /// naming `field` when there is no such unit, FAILED_PRECONDITION
    /// (UNIT_NOT_ACTIVE) when it is merged or dissolved, `instead` saying
    /// what to do then.
    async fn active_unit(
        &self,
        name: &str,
        field: &str,
        instead: &str,
    ) -> eiso_platform::ServiceResult<eiso_platform::directory::DirectoryUnit> {
        use eiso_platform::ServiceError;
        match self.directory.unit(name).await? {
            None => Err(ServiceError::invalid(field, format!("{name} does not exist"))),
            Some(unit) if !unit.active => Err(ServiceError::precondition(
                "UNIT_NOT_ACTIVE",
                name,
                format!("{name} is merged or dissolved; {instead}"),
            )),
            Some(unit) => Ok(unit),
        }
    }

    /// PERMISSION_DENIED unless the caller holds the method's role at a root
    /// unit: operations over every unit (the event stream).
    pub async fn require_root(&self, ctx: &eiso_platform::CallContext) -> eiso_platform::ServiceResult<()> {
        eiso_platform::scope::require_root(self.directory.as_ref(), ctx).await
    }
}
