//! Targets against live data: each target's figures and status (the rule is in the proto
//! comment of `TargetStatus`).

use chrono::{Datelike, NaiveDate};
use eiso_platform::{CallContext, ServiceError, ServiceResult};
use eiso_proto::eiso::plans::v1 as pb;

use crate::Plans;
use crate::convert::date_from_proto;
use crate::measures::{Coverage, ServiceFigures};
use crate::rows::{self, PlanRow, TaskRow, parse_plan};
use eiso_platform::aip::time::proto_date;

/// The evaluated targets of a unit's plan for a year (for the management review).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetFigures {
    /// The plan.
    pub plan: pb::Plan,
    /// The day the figures are measured to.
    pub as_of: NaiveDate,
    /// One per target, by number.
    pub evaluations: Vec<pb::TargetEvaluation>,
}

/// The live data of one evaluation, fetched once for all targets.
#[derive(Default)]
struct Live {
    service: Option<Option<ServiceFigures>>,
    coverage: Option<Option<Coverage>>,
    published: Option<Option<(i64, i64)>>,
}

/// The state of a leaf task at `day`: done date (if done by then) and whether it is late.
pub(crate) struct TaskAt {
    pub done: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

pub(crate) fn task_at(task: &pb::Task, day: NaiveDate) -> TaskAt {
    let done = crate::progress::done_by(task, day);
    let end = task.end_date.as_ref().and_then(|d| date_from_proto(d, "end_date").ok());
    TaskAt { done, end }
}

/// Whether a task counts for the plan-tasks measure: not a section, not cancelled.
pub(crate) fn is_leaf(task: &pb::Task, all: &[TaskRow]) -> bool {
    let prefix = format!("{}.", task.number);
    task.status != pb::TaskStatus::Cancelled as i32
        && !task.time_frame.is_empty()
        && !all.iter().any(|t| t.content.number.starts_with(&prefix))
}

fn percent(numerator: i64, denominator: i64) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        (numerator as f64 * 10_000.0 / denominator as f64).round() / 100.0
    }
}

/// Whether numerator ÷ denominator meets a target's `threshold` percent.
pub fn meets(numerator: i64, denominator: i64, comparator: pb::Comparator, threshold: f64) -> bool {
    // Compared without rounding: numerator ÷ denominator against threshold ÷ 100.
    let achieved = numerator as f64 * 100.0;
    let needed = threshold * denominator as f64;
    match comparator {
        pb::Comparator::Above => achieved > needed + 1e-9,
        pb::Comparator::AtMost => achieved <= needed + 1e-9,
        pb::Comparator::AtLeast | pb::Comparator::Unspecified => achieved + 1e-9 >= needed,
    }
}

impl Plans {
    /// Every target of `plan` measured from 1 January of its year to `as_of` (or 31 December).
    pub(crate) async fn evaluate_plan(
        &self,
        ctx: &CallContext,
        plan: &PlanRow,
        as_of: NaiveDate,
    ) -> ServiceResult<Vec<pb::TargetEvaluation>> {
        let db = self.journal.db().reader();
        let year = plan.content.year;
        let period_start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| ServiceError::internal("bad year"))?;
        let period_end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(|| ServiceError::internal("bad year"))?;
        let window_end = as_of.min(period_end);
        let over = as_of >= period_end;
        let started = as_of >= period_start;
        let targets = rows::all_targets(db, &plan.id).await?;
        let tasks = rows::all_tasks(db, &plan.id).await?;
        let unit = plan.content.issuing_unit.clone();
        let mut live = Live::default();
        let mut out = Vec::new();
        for target in &targets {
            let content = &target.content;
            let measure = pb::Measure::try_from(content.measure).unwrap_or(pb::Measure::Unspecified);
            let mut late_tasks = Vec::new();
            // The dossier figures, read once for the targets measured from them.
            let from_dossiers = matches!(
                measure,
                pb::Measure::DossiersOnTime
                    | pb::Measure::Satisfaction
                    | pb::Measure::ResultsDigitised
                    | pb::Measure::DossiersTracked
            );
            if started && from_dossiers && live.service.is_none() {
                live.service = Some(
                    self.measures
                        .service_statistics(ctx, &unit, period_start, window_end)
                        .await?,
                );
            }
            // (numerator, denominator, explanation); None = the source is not available.
            let figures: Option<(i64, i64, String)> = if !started {
                Some((0, 0, "Kỳ đánh giá chưa bắt đầu".to_string()))
            } else {
                match measure {
                    pb::Measure::DossiersTracked => {
                        // Synchronised to the national portal, of those received:
                        // without a portal there is nothing to measure.
                        let synced = self
                            .measures
                            .dossiers_synced(ctx, &unit, period_start, window_end)
                            .await?;
                        match (live.service.flatten(), synced) {
                            (Some(s), Some(synced)) => Some((
                                synced,
                                s.received,
                                format!(
                                    "{synced}/{} hồ sơ tiếp nhận đã đồng bộ lên Cổng Dịch vụ công quốc gia",
                                    s.received
                                ),
                            )),
                            _ => None,
                        }
                    }
                    pb::Measure::DossiersOnTime | pb::Measure::Satisfaction | pb::Measure::ResultsDigitised => {
                        live.service.flatten().map(|s| match measure {
                            pb::Measure::DossiersOnTime => (
                                s.early + s.on_time,
                                s.early + s.on_time + s.late + s.overdue,
                                format!(
                                    "{}/{} hồ sơ giải quyết trước và đúng hạn (trễ hạn: {}, đang quá hạn: {})",
                                    s.early + s.on_time,
                                    s.early + s.on_time + s.late + s.overdue,
                                    s.late,
                                    s.overdue
                                ),
                            ),
                            pb::Measure::Satisfaction => (
                                s.satisfied,
                                s.rated,
                                format!("{}/{} lượt đánh giá hài lòng hoặc rất hài lòng", s.satisfied, s.rated),
                            ),
                            // Results digitised.
                            _ => (
                                s.digitised,
                                s.completed,
                                format!("{}/{} kết quả giải quyết được số hóa", s.digitised, s.completed),
                            ),
                        })
                    }
                    pb::Measure::SchoolsInspected => {
                        if live.coverage.is_none() {
                            live.coverage = Some(
                                self.measures
                                    .inspection_coverage(ctx, &unit, period_start, window_end)
                                    .await?,
                            );
                        }
                        live.coverage.clone().flatten().map(|c| {
                            let inspected = c.inspected.iter().filter(|u| c.population.contains(u)).count() as i64;
                            let population = c.population.len() as i64;
                            (
                                inspected,
                                population,
                                format!("{inspected}/{population} đơn vị trường học được kiểm tra"),
                            )
                        })
                    }
                    pb::Measure::ProceduresPublished => {
                        if live.published.is_none() {
                            live.published = Some(self.measures.procedures_published(ctx, &unit).await?);
                        }
                        live.published.flatten().map(|(published, total)| {
                            (
                                published,
                                total,
                                format!("{published}/{total} thủ tục hành chính được công khai"),
                            )
                        })
                    }
                    pb::Measure::PlanTasksOnTime => {
                        let mut due = 0;
                        let mut on_time = 0;
                        for task in tasks.iter().filter(|t| is_leaf(&t.content, &tasks)) {
                            let at = task_at(&task.content, window_end);
                            let Some(end) = at.end else { continue };
                            let is_due = end <= window_end;
                            if !is_due && at.done.is_none() {
                                continue;
                            }
                            due += 1;
                            match at.done {
                                Some(done) if done <= end => on_time += 1,
                                done => late_tasks.push(pb::LateTask {
                                    task: task.name(),
                                    number: task.content.number.clone(),
                                    end_date: Some(proto_date(end)),
                                    done_date: done.map(proto_date),
                                }),
                            }
                        }
                        Some((
                            on_time,
                            due,
                            format!(
                                "{on_time}/{due} nhiệm vụ đến hạn hoàn thành đúng tiến độ ({} trễ hạn)",
                                late_tasks.len()
                            ),
                        ))
                    }
                    pb::Measure::Manual => Some((
                        content.manual_numerator,
                        content.manual_denominator,
                        format!(
                            "{}/{} (số liệu nhập tay)",
                            content.manual_numerator, content.manual_denominator
                        ),
                    )),
                    pb::Measure::Unspecified => None,
                }
            };
            let (numerator, denominator, explanation) =
                figures.unwrap_or((0, 0, "Chưa có nguồn số liệu cho chỉ tiêu này".to_string()));
            let comparator = pb::Comparator::try_from(content.comparator).unwrap_or(pb::Comparator::AtLeast);
            let status = if denominator == 0 {
                pb::TargetStatus::NoData
            } else if meets(numerator, denominator, comparator, content.threshold_percent) {
                pb::TargetStatus::Met
            } else if over {
                pb::TargetStatus::Missed
            } else {
                pb::TargetStatus::AtRisk
            };
            out.push(pb::TargetEvaluation {
                target: Some(target.to_proto()),
                numerator,
                denominator,
                percent: percent(numerator, denominator),
                status: status as i32,
                period_start: Some(proto_date(period_start)),
                period_end: Some(proto_date(window_end.max(period_start))),
                explanation,
                late_tasks,
            });
        }
        Ok(out)
    }

    pub async fn evaluate_targets(
        &self,
        ctx: &CallContext,
        request: pb::EvaluateTargetsRequest,
    ) -> ServiceResult<pb::EvaluateTargetsResponse> {
        let id = parse_plan(&request.name, "name")?;
        let as_of = match &request.as_of_date {
            Some(date) => date_from_proto(date, "as_of_date")?,
            None => self.today(),
        };
        let plan = self.checked_plan(ctx, self.journal.db().reader(), &id).await?;
        Ok(pb::EvaluateTargetsResponse {
            evaluations: self.evaluate_plan(ctx, &plan, as_of).await?,
        })
    }

    /// The evaluated targets of `unit`'s plan for `year`, measured to today (or to 31 December
    /// of a past year); `None` when the unit has no plan for that year. With several plans, the
    /// one created first.
    pub async fn target_figures(
        &self,
        ctx: &CallContext,
        unit: &str,
        year: i32,
    ) -> ServiceResult<Option<TargetFigures>> {
        let db = self.journal.db().reader();
        // The plans the caller reads.
        let reader = ctx.as_method("/eiso.plans.v1.PlanService/ListPlans");
        let response = self
            .list_plans(
                &reader,
                pb::ListPlansRequest {
                    filter: format!("issuing_unit = \"{}\" AND year = {year}", unit.replace('"', "")),
                    order_by: "create_time".to_string(),
                    page_size: 1,
                    ..Default::default()
                },
            )
            .await?;
        let Some(plan) = response.plans.into_iter().next() else {
            return Ok(None);
        };
        let row = rows::get_plan(db, &parse_plan(&plan.name, "plan")?).await?;
        let today = self.today();
        let as_of = if today.year() > year {
            NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today)
        } else {
            today
        };
        let evaluations = self.evaluate_plan(ctx, &row, as_of).await?;
        Ok(Some(TargetFigures {
            plan,
            as_of,
            evaluations,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_compare_exactly() {
        assert!(meets(95, 100, pb::Comparator::AtLeast, 95.0));
        assert!(!meets(95, 100, pb::Comparator::Above, 95.0));
        assert!(meets(96, 100, pb::Comparator::Above, 95.0));
        assert!(meets(3, 10, pb::Comparator::AtLeast, 30.0));
        assert!(!meets(2, 10, pb::Comparator::AtLeast, 30.0));
        assert!(meets(10, 10, pb::Comparator::AtLeast, 100.0));
        assert!(!meets(9, 10, pb::Comparator::AtLeast, 100.0));
        assert_eq!(percent(2, 3), 66.67);
        assert_eq!(percent(0, 0), 0.0);
    }
}
