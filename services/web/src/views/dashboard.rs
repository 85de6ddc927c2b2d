//! Tổng quan (the leader's dashboard): a period's figures as the one-stop
//! reporting forms count them (carried over, received, finished early / on
//! time / late, in progress and overdue at the period's end), for the units
//! the person's roles cover, by unit and by procedure, and the on-time rate
//! month by month. Every figure is GetServiceStatistics's, asked as the person.

use axum::extract::{Query, State};
use axum::response::Html;
use chrono::{Datelike, NaiveDate};
use eiso_platform::aip::time::proto_date;
use eiso_platform::vi::{self, Zeros};
use eiso_proto::eiso::procedures::v1 as pb;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use super::methods::{GET_SERVICE_STATISTICS, LIST_PLANS, LIST_TARGETS};
use crate::chart::{self, Bar};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

#[derive(Deserialize, Default)]
pub struct Period {
    #[serde(default)]
    nam: Option<i32>,
    /// `""` the year, `q1`…`q4`, `t1`…`t12`.
    #[serde(default)]
    ky: String,
}

/// The first and last day of `ky` in `year`, and how it reads.
fn bounds(year: i32, ky: &str) -> Option<(NaiveDate, NaiveDate, String)> {
    let months = |first: u32, last: u32| {
        let start = NaiveDate::from_ymd_opt(year, first, 1)?;
        let next = if last == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, last + 1, 1)?
        };
        Some((start, next.pred_opt()?))
    };
    let (range, label) = match ky {
        "" => (months(1, 12)?, format!("Năm {year}")),
        q if q.starts_with('q') => {
            let n: u32 = q[1..].parse().ok().filter(|n| (1..=4).contains(n))?;
            (months(3 * n - 2, 3 * n)?, format!("Quý {n} năm {year}"))
        }
        t if t.starts_with('t') => {
            let n: u32 = t[1..].parse().ok().filter(|n| (1..=12).contains(n))?;
            (months(n, n)?, format!("Tháng {n} năm {year}"))
        }
        _ => return None,
    };
    Some((range.0, range.1, label))
}

/// A rate 0–1 as a percentage with one decimal: `95,5%`.
fn percent(rate: f64) -> String {
    format!("{}%", vi::decimal(rate * 100.0, 1, Zeros::Kept))
}

/// One line of the by-unit and by-procedure tables.
#[derive(Serialize)]
struct Line {
    name: String,
    carried_over: i64,
    received: i64,
    to_handle: i64,
    finished: i64,
    late: i64,
    overdue: i64,
    on_time_rate: String,
}

fn line(name: String, figures: &pb::PeriodFigures) -> Line {
    let finished = figures.finished_early + figures.finished_on_time + figures.finished_late;
    Line {
        name,
        carried_over: figures.carried_over,
        received: figures.received,
        to_handle: figures.to_handle,
        finished,
        late: figures.finished_late,
        overdue: figures.in_progress_overdue,
        on_time_rate: if finished == 0 {
            "–".into()
        } else {
            percent(figures.on_time_rate)
        },
    }
}

/// A plan's target set beside one of the dashboard's rates.
#[derive(Serialize)]
struct TargetLine {
    /// `≥ 95%`.
    threshold: String,
    /// Where it is written: `Kế hoạch CCHC năm 2025, chỉ tiêu 4.1`.
    source: String,
    /// Whether the period's figure meets it; `None` with nothing to measure.
    met: Option<bool>,
}

/// The on-time and satisfaction targets of the reform plans of `year` the
/// person may read (the first plan that sets each), judged against the
/// period's `(numerator, denominator)` of each rate.
async fn plan_targets(
    web: &Web,
    session: &Session,
    year: i32,
    on_time: (i64, i64),
    satisfaction: (i64, i64),
) -> Result<(Option<TargetLine>, Option<TargetLine>), PageError> {
    use eiso_proto::eiso::plans::v1 as plans;
    let (Ok(list_ctx), Ok(targets_ctx)) = (session.context(LIST_PLANS), session.context(LIST_TARGETS)) else {
        return Ok((None, None));
    };
    let found = web
        .plans()
        .list_plans(
            &list_ctx,
            plans::ListPlansRequest {
                page_size: 20,
                filter: format!("year = {year}"),
                ..Default::default()
            },
        )
        .await?;
    let (mut on_time_target, mut satisfaction_target) = (None, None);
    for plan in found.plans {
        let targets = web
            .plans()
            .list_targets(
                &targets_ctx,
                plans::ListTargetsRequest {
                    parent: plan.name.clone(),
                    page_size: 500,
                    ..Default::default()
                },
            )
            .await?;
        for target in targets.targets {
            let (slot, (numerator, denominator)) = match target.measure() {
                plans::Measure::DossiersOnTime => (&mut on_time_target, on_time),
                plans::Measure::Satisfaction => (&mut satisfaction_target, satisfaction),
                _ => continue,
            };
            if slot.is_some() {
                continue;
            }
            let comparator = target.comparator();
            *slot = Some(TargetLine {
                threshold: format!(
                    "{} {}%",
                    eiso_plans::table::comparator_sign(comparator),
                    format::decimal(target.threshold_percent)
                ),
                source: format!("{}, chỉ tiêu {}", plan.title, target.number),
                met: (denominator > 0)
                    .then(|| eiso_plans::meets(numerator, denominator, comparator, target.threshold_percent)),
            });
        }
    }
    Ok((on_time_target, satisfaction_target))
}

/// What the dashboard shows, gathered once for the page and the workbook.
struct Dashboard {
    year: i32,
    label: String,
    total: pb::ServiceStatistics,
    figures: pb::PeriodFigures,
    by_unit: Vec<Line>,
    by_procedure: Vec<Line>,
    months: Vec<Bar>,
    on_time_target: Option<TargetLine>,
    satisfaction_target: Option<TargetLine>,
}

async fn collect(web: &Web, session: &Session, period: &Period) -> Result<Dashboard, PageError> {
    let ctx = session.context(GET_SERVICE_STATISTICS)?;
    let today = super::plans::today(web);
    let year = period.nam.unwrap_or(today.year());
    let (start, end, label) = bounds(year, &period.ky)
        .filter(|_| (2000..=2100).contains(&year))
        .ok_or_else(|| PageError::BadRequest("Kỳ báo cáo không hợp lệ.".into()))?;
    let ask = |start: NaiveDate, end: NaiveDate, group_by: pb::StatisticsGroup| pb::GetServiceStatisticsRequest {
        start_date: Some(proto_date(start)),
        end_date: Some(proto_date(end)),
        group_by: group_by as i32,
        ..Default::default()
    };
    let procedures = web.procedures();
    // The totals, and by unit: GetServiceStatistics grouped by agency.
    let mut total = procedures
        .service_statistics(&ctx, ask(start, end, pb::StatisticsGroup::Agency))
        .await?;
    let figures = total.period.unwrap_or_default();
    let mut names = Names::new(web);
    let mut by_unit = Vec::new();
    for group in std::mem::take(&mut total.groups) {
        let unit_figures = group.period.unwrap_or_default();
        if unit_figures.to_handle > 0 {
            by_unit.push(line(names.unit(&group.key).await, &unit_figures));
        }
    }
    by_unit.sort_by(|a, b| a.name.cmp(&b.name));
    let catalogue = procedures
        .list_procedures(pb::ListProceduresRequest {
            page_size: 1000,
            page_token: String::new(),
            filter: String::new(),
            order_by: "code".into(),
        })
        .await?;
    // By procedure: the same figures grouped by procedure, in one more pass.
    let mut by_procedure = Vec::new();
    let request = ask(start, end, pb::StatisticsGroup::Procedure);
    for group in procedures
        .period_figures_by(&ctx, &request, pb::StatisticsGroup::Procedure)
        .await?
    {
        let procedure_figures = group.period.unwrap_or_default();
        if procedure_figures.to_handle > 0 {
            let code = group.key.trim_start_matches("procedures/");
            let title = catalogue
                .procedures
                .iter()
                .find(|p| p.code == code)
                .and_then(|p| p.version.as_ref())
                .map(|v| v.display_name.clone())
                .unwrap_or_default();
            by_procedure.push(line(format!("{code} {title}"), &procedure_figures));
        }
    }
    by_procedure.sort_by(|a, b| a.name.cmp(&b.name));

    // The on-time rate month by month, through the month of today in the current year.
    let last_month = if year == today.year() { today.month() } else { 12 };
    let year_end = bounds(year, &format!("t{last_month}")).map_or(end, |(_, last, _)| last);
    let year_start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(start);
    let bars = procedures
        .finished_by_month(&ctx, ask(year_start, year_end, pb::StatisticsGroup::Unspecified))
        .await?
        .into_iter()
        .map(|m| Bar {
            label: format!("T{}", m.month.month()),
            value: (m.in_time + m.late > 0).then(|| m.in_time as f64 / (m.in_time + m.late) as f64),
        })
        .collect();
    let finished = figures.finished_early + figures.finished_on_time + figures.finished_late;
    let satisfied = (total.satisfaction_rate * total.rated as f64).round() as i64;
    let (on_time_target, satisfaction_target) = plan_targets(
        web,
        session,
        year,
        (figures.finished_early + figures.finished_on_time, finished),
        (satisfied, total.rated),
    )
    .await?;
    Ok(Dashboard {
        year,
        label,
        total,
        figures,
        by_unit,
        by_procedure,
        months: bars,
        on_time_target,
        satisfaction_target,
    })
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(period): Query<Period>,
) -> Result<Html<String>, PageError> {
    let dashboard = collect(&web, &session, &period).await?;
    let (year, label, total, figures) = (dashboard.year, dashboard.label, dashboard.total, dashboard.figures);
    let (by_unit, by_procedure, bars) = (dashboard.by_unit, dashboard.by_procedure, dashboard.months);
    let chart = chart::bars(&format!("Tỷ lệ giải quyết đúng hạn theo tháng, năm {year}"), &bars);

    let periods: Vec<Value> = std::iter::once(("".to_string(), "Cả năm".to_string()))
        .chain((1..=4).map(|q| (format!("q{q}"), format!("Quý {q}"))))
        .chain((1..=12).map(|m| (format!("t{m}"), format!("Tháng {m}"))))
        .map(|(value, name)| context! { selected => value == period.ky, value, name })
        .collect();
    let finished = figures.finished_early + figures.finished_on_time + figures.finished_late;
    web.pages().render(
        "dashboard.html",
        context! {
            frame => session.frame(),
            title => "Tổng quan",
            label,
            year,
            periods,
            open => figures.open,
            as_of => format::timestamp(figures.as_of_time.as_ref()),
            f => context! {
                to_handle => figures.to_handle,
                carried_over => figures.carried_over,
                received => figures.received,
                finished_early => figures.finished_early,
                finished_on_time => figures.finished_on_time,
                finished_late => figures.finished_late,
                in_progress_overdue => figures.in_progress_overdue,
                in_progress_within_time => figures.in_progress_within_time,
            },
            finished,
            on_time_rate => if finished == 0 { "–".to_string() } else { percent(figures.on_time_rate) },
            late_rate => if figures.to_handle == 0 { "–".to_string() } else { percent(figures.late_rate) },
            satisfaction => if total.rated == 0 { "–".to_string() } else { percent(total.satisfaction_rate) },
            rated => total.rated,
            on_time_target => dashboard.on_time_target,
            satisfaction_target => dashboard.satisfaction_target,
            tables => [
                context! { id => "don-vi", heading => "Theo đơn vị", first => "Đơn vị", lines => by_unit },
                context! { id => "thu-tuc", heading => "Theo thủ tục", first => "Thủ tục", lines => by_procedure },
            ],
            chart => Value::from_safe_string(chart),
            ky => period.ky,
        },
    )
}

/// The dashboard as a workbook (`/tong-quan.xlsx`): the figures of the
/// period, by unit and by procedure, as the page shows them.
pub async fn workbook(
    State(web): State<Web>,
    session: Session,
    Query(period): Query<Period>,
) -> Result<axum::response::Response, PageError> {
    use axum::response::IntoResponse;
    let dashboard = collect(&web, &session, &period).await?;
    let file = format!("tong-quan-{}.xlsx", dashboard.year);
    // Writing the workbook is CPU work: off the async workers.
    let bytes = eiso_platform::blocking::run(move || write_workbook(&dashboard))
        .await?
        .map_err(|e| PageError::Internal(format!("dashboard workbook: {e}")))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    );
    if let Ok(value) = http::HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(http::header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

fn write_workbook(d: &Dashboard) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Tổng quan")?;
    sheet.set_column_width(0, 60)?;
    sheet.write_with_format(0, 0, format!("Tình hình giải quyết hồ sơ: {}", d.label), &bold)?;
    let f = &d.figures;
    let finished = f.finished_early + f.finished_on_time + f.finished_late;
    let rows: [(&str, i64); 11] = [
        ("Kỳ trước chuyển sang", f.carried_over),
        ("Tiếp nhận trong kỳ", f.received),
        ("Tiếp nhận trực tuyến", f.received_online),
        ("Tiếp nhận trực tiếp", f.received_direct),
        ("Tiếp nhận qua bưu chính", f.received_postal),
        ("Cần giải quyết", f.to_handle),
        ("Đã giải quyết", finished),
        ("Giải quyết trước hạn", f.finished_early),
        ("Giải quyết đúng hạn", f.finished_on_time),
        ("Giải quyết quá hạn", f.finished_late),
        ("Đang giải quyết quá hạn", f.in_progress_overdue),
    ];
    let mut row = 2;
    for (label, value) in rows {
        sheet.write(row, 0, label)?;
        sheet.write(row, 1, value as f64)?;
        row += 1;
    }
    sheet.write(row, 0, "Đang giải quyết trong hạn")?;
    sheet.write(row, 1, f.in_progress_within_time as f64)?;
    row += 1;
    sheet.write(row, 0, "Tỷ lệ đúng hạn: (trước hạn + đúng hạn) ÷ đã giải quyết")?;
    sheet.write(row, 1, f.on_time_rate)?;
    row += 1;
    sheet.write(
        row,
        0,
        "Tỷ lệ trễ hạn: (giải quyết quá hạn + đang quá hạn) ÷ cần giải quyết",
    )?;
    sheet.write(row, 1, f.late_rate)?;
    row += 1;
    sheet.write(row, 0, "Tỷ lệ hài lòng")?;
    sheet.write(row, 1, d.total.satisfaction_rate)?;
    row += 1;
    for (label, target) in [
        ("Chỉ tiêu tỷ lệ đúng hạn", &d.on_time_target),
        ("Chỉ tiêu tỷ lệ hài lòng", &d.satisfaction_target),
    ] {
        if let Some(t) = target {
            let verdict = match t.met {
                None => "chưa có số liệu",
                Some(true) => "đạt",
                Some(false) => "chưa đạt",
            };
            sheet.write(row, 0, format!("{label} ({})", t.source))?;
            sheet.write(row, 1, format!("{}: {verdict}", t.threshold))?;
            row += 1;
        }
    }
    row += 1;
    for (title, lines) in [("Theo đơn vị", &d.by_unit), ("Theo thủ tục", &d.by_procedure)] {
        sheet.write_with_format(row, 0, title, &bold)?;
        let header = [
            "Kỳ trước chuyển sang",
            "Tiếp nhận",
            "Cần giải quyết",
            "Đã giải quyết",
            "Quá hạn",
            "Đang quá hạn",
        ];
        for (i, h) in header.iter().enumerate() {
            sheet.write_with_format(row, 1 + i as u16, *h, &bold)?;
        }
        row += 1;
        for l in lines {
            sheet.write(row, 0, l.name.as_str())?;
            for (i, v) in [l.carried_over, l.received, l.to_handle, l.finished, l.late, l.overdue]
                .into_iter()
                .enumerate()
            {
                sheet.write(row, 1 + i as u16, v as f64)?;
            }
            row += 1;
        }
        row += 1;
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_have_their_days() {
        let (s, e, l) = bounds(2025, "q1").expect("q1");
        assert_eq!(
            (s.to_string(), e.to_string(), l.as_str()),
            ("2025-01-01".into(), "2025-03-31".into(), "Quý 1 năm 2025")
        );
        let (s, e, _) = bounds(2024, "t2").expect("t2");
        assert_eq!(
            (s.to_string(), e.to_string()),
            ("2024-02-01".into(), "2024-02-29".into())
        );
        let (s, e, _) = bounds(2025, "").expect("year");
        assert_eq!(
            (s.to_string(), e.to_string()),
            ("2025-01-01".into(), "2025-12-31".into())
        );
        assert!(bounds(2025, "q5").is_none() && bounds(2025, "t0").is_none() && bounds(2025, "x").is_none());
        assert_eq!(percent(0.955), "95,5%");
    }
}
