//! What the plans service asks of the other services to measure its targets.
//! In `eiso-server` an adapter answers through the procedures and quality
//! services' library APIs (services/server/src/measures.rs), never their tables.

use chrono::NaiveDate;
use eiso_platform::CallContext;
use eiso_platform::links::Answer;

/// Dossier figures of a period at one agency, as the reporting forms count
/// them: with carry-over, as at the period's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServiceFigures {
    /// Received before the period and not finished at its start.
    pub carried_over: i64,
    /// Dossiers received in the period.
    pub received: i64,
    /// Completed in the period, early.
    pub early: i64,
    /// Completed in the period, on time.
    pub on_time: i64,
    /// Completed in the period, late.
    pub late: i64,
    /// Withdrawn or stopped in the period.
    pub withdrawn_or_stopped: i64,
    /// Still running at the period's end within their due time.
    pub in_progress: i64,
    /// Still running at the period's end past their due time.
    pub overdue: i64,
    /// Of the dossiers received in the period, those completed.
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
    /// Dossier figures of `agency_unit` (`units/{id}`) for the period from
    /// `start` to `end` (local dates, inclusive).
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

    /// Of the dossiers `agency_unit` received from `start` to `end` (local
    /// dates, inclusive), those the National Public Service Portal has up
    /// to date; `None` when no portal is configured.
    fn dossiers_synced<'a>(
        &'a self,
        ctx: &'a CallContext,
        agency_unit: &'a str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Answer<'a, Option<i64>>;
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

    fn dossiers_synced<'a>(
        &'a self,
        _ctx: &'a CallContext,
        _agency_unit: &'a str,
        _start: NaiveDate,
        _end: NaiveDate,
    ) -> Answer<'a, Option<i64>> {
        Box::pin(async { Ok(None) })
    }
}
