//! What the plans service asks of the other services to measure its targets.
//! In `eiso-server` an adapter answers through the procedures and quality
//! services' library APIs (services/server/src/measures.rs), never their tables.

use chrono::NaiveDate;
use eiso_platform::CallContext;
use eiso_platform::links::Answer;

/// Dossier figures of a period at one agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServiceFigures {
    /// Dossiers received in the period.
    pub received: i64,
    /// Resolved early.
    pub early: i64,
    /// Resolved on time.
    pub on_time: i64,
    /// Resolved late.
    pub late: i64,
    /// Still running within their due time.
    pub in_progress: i64,
    /// Still running past their due time.
    pub overdue: i64,
    /// Completed (result ready or returned).
    pub completed: i64,
    /// Completed with a digitised result.
    pub digitised: i64,
    /// Applicants who rated.
    pub rated: i64,
    /// Applicants satisfied or very satisfied.
    pub satisfied: i64,
}

/// Units inspected in a period out of the population to inspect.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coverage {
    /// Names of the units inspected.
    pub inspected: Vec<String>,
    /// Names of the units that should be.
    pub population: Vec<String>,
}

/// The live data behind the targets. `Ok(None)` means the source is not
/// available in this deployment (the target is then NO_DATA).
pub trait Measures: Send + Sync + 'static {
    /// Dossier figures of `agency_unit` (`units/{id}`) for dossiers received
    /// from `start` to `end` (local dates, inclusive).
    fn service_statistics<'a>(
        &'a self,
        ctx: &'a CallContext,
        agency_unit: &'a str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Answer<'a, Option<ServiceFigures>>;

    /// The units below `unit` inspected from `start` to `end`, and all of them.
    fn inspection_coverage<'a>(
        &'a self,
        ctx: &'a CallContext,
        unit: &'a str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Answer<'a, Option<Coverage>>;

    /// (published, not withdrawn) procedures handled by `unit`.
    fn procedures_published<'a>(&'a self, ctx: &'a CallContext, unit: &'a str) -> Answer<'a, Option<(i64, i64)>>;
}

/// No live data: every measured target is NO_DATA (a plans service alone).
pub struct NoMeasures;

impl Measures for NoMeasures {
    fn service_statistics<'a>(
        &'a self,
        _ctx: &'a CallContext,
        _agency_unit: &'a str,
        _start: NaiveDate,
        _end: NaiveDate,
    ) -> Answer<'a, Option<ServiceFigures>> {
        Box::pin(async { Ok(None) })
    }

    fn inspection_coverage<'a>(
        &'a self,
        _ctx: &'a CallContext,
        _unit: &'a str,
        _start: NaiveDate,
        _end: NaiveDate,
    ) -> Answer<'a, Option<Coverage>> {
        Box::pin(async { Ok(None) })
    }

    fn procedures_published<'a>(&'a self, _ctx: &'a CallContext, _unit: &'a str) -> Answer<'a, Option<(i64, i64)>> {
        Box::pin(async { Ok(None) })
    }
}
