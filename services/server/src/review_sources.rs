//! What a management review (quality) takes from other services: dossier
//! statistics from procedures, in process or over gRPC
//! ([`crate::measures::ProcedureFigures`]), and target figures from plans,
//! always in this process with quality.

use std::sync::Arc;

use chrono::NaiveDate;
use eiso_platform::vi::{self, Zeros};
use eiso_platform::{CallContext, ServiceResult};
use eiso_procedures::Procedures;
use eiso_proto::eiso::plans::v1 as plans;
use eiso_proto::labels::{Label, ProtoEnum};
use eiso_quality::review::{Answer, ServiceStatistics, TargetFigure};
use eiso_remote::Upstream;

/// What [`ServerReviewSources`] takes and answers, for callers that do not
/// depend on plans and quality themselves (tests).
pub use eiso_plans::Plans;
pub use eiso_quality::review::ReviewSources;

use crate::measures::{ProcedureFigures, RemoteProcedures};

/// [`ReviewSources`] over the procedures' figures `P` and this process's
/// plans service.
pub struct ServerReviewSources<P> {
    procedures: P,
    plans: Plans,
}

impl ServerReviewSources<Procedures> {
    pub fn in_process(procedures: Procedures, plans: Plans) -> Self {
        Self::new(procedures, plans)
    }
}

impl ServerReviewSources<RemoteProcedures> {
    /// The statistics from the procedures service at `procedures`, asked as
    /// the service identity.
    pub fn remote(procedures: Arc<Upstream>, plans: Plans) -> Self {
        Self::new(RemoteProcedures::new(procedures), plans)
    }
}

/// `96.25` → `96,3%` (Vietnamese decimal comma; whole numbers without one).
fn percent(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{}%", value.round() as i64)
    } else {
        // Half away from zero, as people round (format! rounds half to even).
        format!("{}%", vi::decimal((value * 10.0).round() / 10.0, 1, Zeros::Kept))
    }
}

fn threshold(target: &plans::Target) -> String {
    let sign = match plans::Comparator::try_from(target.comparator) {
        Ok(plans::Comparator::Above) => ">",
        Ok(plans::Comparator::AtMost) => "≤",
        _ => "≥",
    };
    format!("{sign} {}", percent(target.threshold_percent))
}

impl<P: ProcedureFigures> ServerReviewSources<P> {
    pub fn new(procedures: P, plans: Plans) -> Self {
        Self { procedures, plans }
    }

    async fn statistics(&self, unit: &str, start: NaiveDate, end: NaiveDate) -> ServiceResult<ServiceStatistics> {
        let stats = self.procedures.statistics(unit, start, end).await?;
        // The period as the reporting forms count it; digitised results and
        // satisfaction of the dossiers received in it.
        let period = stats.period.unwrap_or_default();
        Ok(ServiceStatistics {
            carried_over: period.carried_over,
            received: period.received,
            withdrawn_or_stopped: period.withdrawn_or_stopped,
            early: period.finished_early,
            on_time: period.finished_on_time,
            late: period.finished_late,
            in_progress: period.in_progress_within_time,
            overdue: period.in_progress_overdue,
            on_time_rate: period.on_time_rate,
            digitised_rate: stats.digitised_rate,
            rated: stats.rated,
            satisfaction_rate: stats.satisfaction_rate,
        })
    }

    async fn targets(&self, ctx: &CallContext, unit: &str, year: i32) -> ServiceResult<Vec<TargetFigure>> {
        let Some(figures) = self.plans.target_figures(ctx, unit, year).await? else {
            return Ok(Vec::new());
        };
        Ok(figures
            .evaluations
            .iter()
            .map(|evaluation| {
                let target = evaluation.target.clone().unwrap_or_default();
                let no_data = evaluation.status == plans::TargetStatus::NoData as i32;
                TargetFigure {
                    title: if target.number.is_empty() {
                        target.text.clone()
                    } else {
                        format!("{}. {}", target.number, target.text)
                    },
                    threshold: threshold(&target),
                    actual: if no_data {
                        String::new()
                    } else {
                        format!(
                            "{} ({}/{})",
                            percent(evaluation.percent),
                            evaluation.numerator,
                            evaluation.denominator
                        )
                    },
                    status: plans::TargetStatus::of(evaluation.status)
                        .unwrap_or_default()
                        .label_vi()
                        .to_string(),
                }
            })
            .collect())
    }
}

impl<P: ProcedureFigures> ReviewSources for ServerReviewSources<P> {
    fn service_statistics<'a>(
        &'a self,
        _ctx: &'a CallContext,
        unit: &'a str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Answer<'a, ServiceStatistics> {
        Box::pin(self.statistics(unit, start, end))
    }

    fn target_figures<'a>(&'a self, ctx: &'a CallContext, unit: &'a str, year: i32) -> Answer<'a, Vec<TargetFigure>> {
        Box::pin(self.targets(ctx, unit, year))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents_are_written_the_vietnamese_way() {
        assert_eq!(percent(95.0), "95%");
        assert_eq!(percent(96.25), "96,3%");
        let target = plans::Target {
            comparator: plans::Comparator::AtLeast as i32,
            threshold_percent: 30.0,
            ..Default::default()
        };
        assert_eq!(threshold(&target), "≥ 30%");
    }
}
