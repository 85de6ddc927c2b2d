//! Chỉ tiêu: a plan's targets as cards — the figure measured from live
//! data, the goal, the status (met, at risk, missed, no data) with the
//! figures behind it, and the figure month by month — and the plan's
//! periodic reports with the records they were filed as, each printable
//! and as a workbook.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use eiso_platform::aip::time::proto_date;
use eiso_proto::eiso::plans::v1::{self as pb, Comparator, ReportKind, TargetStatus};
use eiso_proto::labels::{Label, ProtoEnum};
use http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use minijinja::{Value, context};
use serde::Deserialize;

use super::fields::check_id;
use super::methods::{EVALUATE_TARGETS, EXPORT_REPORT, LIST_REPORTS};
use super::plans::{plan_of, today};
use crate::Web;
use crate::chart::{self, Bar};
use crate::error::PageError;
use crate::format::{self, day_text};
use crate::session::Session;

/// The goal as the plan states it: `≥ 95%`.
fn goal(target: &pb::Target) -> String {
    let sign = match Comparator::try_from(target.comparator).unwrap_or_default() {
        Comparator::Above => ">",
        Comparator::AtMost => "≤",
        Comparator::AtLeast | Comparator::Unspecified => "≥",
    };
    format!("{sign} {}%", format::decimal(target.threshold_percent))
}

/// The last day of each month of `year` up to `today` (today for its own
/// month): the days the trend is measured as at.
fn month_ends(year: i32, today: NaiveDate) -> Vec<NaiveDate> {
    (1..=12)
        .filter_map(|month| {
            let first = NaiveDate::from_ymd_opt(year, month, 1)?;
            if first > today {
                return None;
            }
            let next = first.checked_add_months(chrono::Months::new(1))?;
            Some(next.pred_opt()?.min(today))
        })
        .collect()
}

pub async fn page(State(web): State<Web>, session: Session, Path(id): Path<String>) -> Result<Html<String>, PageError> {
    let plan = plan_of(&web, &session, &id).await?;
    let name = plan.name.clone();
    let evaluate = |as_of: Option<NaiveDate>| {
        let web = web.clone();
        let name = name.clone();
        let session = &session;
        async move {
            web.plans()
                .evaluate_targets(
                    &session.context(EVALUATE_TARGETS)?,
                    pb::EvaluateTargetsRequest {
                        name,
                        as_of_date: as_of.map(proto_date),
                    },
                )
                .await
                .map_err(PageError::from)
        }
    };
    let now = evaluate(None).await?.evaluations;
    let today = today(&web);
    let mut monthly: Vec<(NaiveDate, Vec<pb::TargetEvaluation>)> = Vec::new();
    for day in month_ends(plan.year, today) {
        monthly.push((day, evaluate(Some(day)).await?.evaluations));
    }
    let mut cards = Vec::new();
    for evaluation in &now {
        let Some(target) = &evaluation.target else { continue };
        let status = TargetStatus::try_from(evaluation.status).unwrap_or_default();
        let bars: Vec<Bar> = monthly
            .iter()
            .map(|(day, evaluations)| Bar {
                label: format!("T{}", day.month()),
                value: evaluations
                    .iter()
                    .find(|e| e.target.as_ref().is_some_and(|t| t.name == target.name))
                    .filter(|e| e.denominator > 0)
                    .map(|e| e.percent / 100.0),
            })
            .collect();
        let trend = if bars.iter().any(|b| b.value.is_some()) {
            Some(Value::from_safe_string(chart::small_bars(
                &format!("Chỉ tiêu {} theo tháng, năm {}", target.number, plan.year),
                &bars,
            )))
        } else {
            None
        };
        cards.push(context! {
            number => target.number.clone(),
            text => target.text.clone(),
            figure => if evaluation.denominator > 0 { format!("{}%", format::decimal((evaluation.percent * 10.0).round() / 10.0)) } else { "–".to_string() },
            goal => goal(target),
            status => status.label_vi(),
            status_key => status.short_name(),
            explanation => evaluation.explanation.clone(),
            period => format!("{} – {}", day_text(evaluation.period_start.as_ref()), day_text(evaluation.period_end.as_ref())),
            late_tasks => evaluation.late_tasks.len(),
            trend,
        });
    }
    let reports = web
        .plans()
        .list_reports(
            &session.context(LIST_REPORTS)?,
            pb::ListReportsRequest {
                parent: name.clone(),
                page_size: 100,
                ..Default::default()
            },
        )
        .await?;
    let reports: Vec<_> = reports
        .reports
        .iter()
        .map(|r| {
            context! {
                id => r.name.rsplit('/').next().unwrap_or_default().to_string(),
                title => r.title.clone(),
                kind => ReportKind::try_from(r.kind).unwrap_or_default().label_vi(),
                number => r.document_number.clone(),
                cut_off => day_text(r.cut_off_date.as_ref()),
                revision => r.revision,
                record => if r.record.is_empty() { String::new() } else { super::records::href(&r.record) },
            }
        })
        .collect();
    web.pages().render(
        "targets.html",
        context! {
            frame => session.frame(),
            title => format!("Chỉ tiêu – {}", plan.title),
            id,
            plan_title => plan.title,
            cards,
            reports,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    /// `xlsx`: the workbook; otherwise the printable page.
    #[serde(default, rename = "dinh-dang")]
    dinh_dang: String,
}

/// A report as filed: its printable page, or its workbook to download.
pub async fn export(
    State(web): State<Web>,
    session: Session,
    Path((plan_id, report_id)): Path<(String, String)>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, PageError> {
    check_id(&plan_id)?;
    check_id(&report_id)?;
    let workbook = query.dinh_dang == "xlsx";
    let file = web
        .plans()
        .export_report(
            &session.context(EXPORT_REPORT)?,
            pb::ExportReportRequest {
                name: format!("plans/{plan_id}/reports/{report_id}"),
                format: if workbook {
                    pb::ReportFormat::Xlsx
                } else {
                    pb::ReportFormat::Html
                } as i32,
            },
        )
        .await?;
    let mut response = (StatusCode::OK, file.content).into_response();
    let headers = response.headers_mut();
    let value = |text: &str| HeaderValue::from_str(text).map_err(|e| PageError::Internal(e.to_string()));
    headers.insert(CONTENT_TYPE, value(&file.content_type)?);
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if workbook {
        headers.insert(
            CONTENT_DISPOSITION,
            value(&super::download::disposition(false, &file.file_name))?,
        );
    }
    // The printable page carries its print CSS inline and runs no script.
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'",
        ),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trend_is_measured_at_each_month_end_up_to_today() {
        let today = NaiveDate::from_ymd_opt(2024, 3, 10).expect("a day");
        let days: Vec<String> = month_ends(2024, today).iter().map(|d| d.to_string()).collect();
        assert_eq!(days, ["2024-01-31", "2024-02-29", "2024-03-10"]);
        assert!(month_ends(2025, today).is_empty());
        assert_eq!(month_ends(2023, today).len(), 12);
    }

    #[test]
    fn goals_read_as_the_plan_writes_them() {
        let target = |comparator: Comparator, threshold: f64| pb::Target {
            comparator: comparator as i32,
            threshold_percent: threshold,
            ..Default::default()
        };
        assert_eq!(goal(&target(Comparator::AtLeast, 95.0)), "≥ 95%");
        assert_eq!(goal(&target(Comparator::Above, 92.5)), "> 92,5%");
        assert_eq!(goal(&target(Comparator::AtMost, 5.0)), "≤ 5%");
    }
}
