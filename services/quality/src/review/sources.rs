//! What a management review needs from other services: the dossier
//! statistics of the period (procedures) and the plan's targets with their
//! figures (plans). `eiso-server` answers in process; the types are plain so
//! that this crate depends on neither service.

use std::future::Future;
use std::pin::Pin;

use chrono::NaiveDate;
use eiso_platform::{CallContext, ServiceResult};

/// Dossier statistics of a period, as the procedures service measures them:
/// as the reporting forms count a period (carry-over, completed in it, in
/// progress at its end); digitised results and satisfaction of the dossiers
/// received in it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceStatistics {
    pub carried_over: i64,
    pub received: i64,
    pub withdrawn_or_stopped: i64,
    pub early: i64,
    pub on_time: i64,
    pub late: i64,
    pub in_progress: i64,
    pub overdue: i64,
    /// (early + on time) ÷ resolved, 0–1.
    pub on_time_rate: f64,
    /// Completed with a digitised result ÷ completed, 0–1.
    pub digitised_rate: f64,
    pub rated: i64,
    /// (very satisfied + satisfied) ÷ rated, 0–1.
    pub satisfaction_rate: f64,
}

/// One target of the plan against its figure, as the plans service shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetFigure {
    /// What is measured, in Vietnamese.
    pub title: String,
    /// The threshold as written, e.g. `≥ 95%`.
    pub threshold: String,
    /// The figure reached, e.g. `96,2%`.
    pub actual: String,
    /// Met, at risk or missed, in Vietnamese.
    pub status: String,
}

pub type Answer<'a, T> = Pin<Box<dyn Future<Output = ServiceResult<T>> + Send + 'a>>;

pub trait ReviewSources: Send + Sync + 'static {
    /// Dossier statistics of the dossiers `unit` received from `start` to
    /// `end` (inclusive, local dates).
    fn service_statistics<'a>(
        &'a self,
        ctx: &'a CallContext,
        unit: &'a str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Answer<'a, ServiceStatistics>;

    /// The targets of `unit`'s plan for `year` with their figures; empty when
    /// there is no plan.
    fn target_figures<'a>(&'a self, ctx: &'a CallContext, unit: &'a str, year: i32) -> Answer<'a, Vec<TargetFigure>>;
}
