//! Quản trị — lịch làm việc: an agency's working calendar (office hours,
//! working days, the receipt cut-off) and its years: the days off and
//! make-up days of each, confirmed or only proposed. A year is confirmed from
//! its proposal (the rules' days: Tết, national holidays, the weekends
//! around them), and a day off or make-up day added or removed as the
//! government announces them. Deadlines run only into confirmed years.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Datelike;
use eiso_platform::ServiceError;
use eiso_proto::eiso::procedures::v1::{self as pb, Weekday};
use eiso_proto::labels::Label;
use http::HeaderMap;
use minijinja::{Value, context};
use serde::Deserialize;

use super::audits::local_date;
use super::fields::Fields;
use super::methods::{GET_CALENDAR, LIST_CALENDAR_YEARS, PROPOSE_CALENDAR_YEAR, UPDATE_CALENDAR_YEAR};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    /// The agency, `units/{id}`.
    #[serde(default)]
    don_vi: String,
    /// The year shown; this year when empty.
    #[serde(default)]
    nam: String,
    #[serde(default)]
    da: String,
}

fn calendar_of(unit: &str) -> String {
    format!("calendars/{}", unit.trim_start_matches("units/"))
}

fn days(list: &[pb::SpecialDay]) -> Vec<Value> {
    list.iter()
        .enumerate()
        .map(|(index, d)| context! { index, day => format::day_text(d.date.as_ref()), label => d.label })
        .collect()
}

fn time_text(t: Option<&pb::LocalTime>) -> String {
    t.map(|t| format!("{:02}:{:02}", t.hours, t.minutes))
        .unwrap_or_default()
}

async fn render(
    web: &Web,
    session: &Session,
    query: &CalendarQuery,
    problem: Option<String>,
) -> Result<Html<String>, PageError> {
    let today = super::plans::today(web);
    let year = match query.nam.trim() {
        "" => today.year(),
        text => text
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| PageError::BadRequest("Năm không hợp lệ.".into()))?,
    };
    let covered = session.covered_units(web, 500).await;
    let unit = match query.don_vi.trim() {
        "" => covered.first().cloned().unwrap_or_default(),
        chosen if super::fields::is_unit_name(chosen) => chosen.to_string(),
        _ => return Err(PageError::BadRequest("Bộ lọc không hợp lệ: đơn vị.".into())),
    };
    let mut names = Names::new(web);
    let mut units = Vec::new();
    for u in &covered {
        let name = names.unit(u).await;
        units.push(context! { selected => *u == unit, value => u, name });
    }
    session.context(GET_CALENDAR)?;
    let calendar = web
        .procedures()
        .get_calendar(pb::GetCalendarRequest {
            name: calendar_of(&unit),
        })
        .await;
    let calendar = match calendar {
        Ok(c) => Some(c),
        // Not an agency (no one-stop counter): no calendar to keep.
        Err(ServiceError::NotFound(_) | ServiceError::FailedPrecondition { .. } | ServiceError::InvalidArgument(_)) => {
            None
        }
        Err(other) => return Err(other.into()),
    };
    let mut shown = None;
    let mut stored_years = Vec::new();
    if calendar.is_some() {
        session.context(LIST_CALENDAR_YEARS)?;
        let years = web
            .procedures()
            .list_calendar_years(pb::ListCalendarYearsRequest {
                parent: calendar_of(&unit),
            })
            .await?
            .years;
        stored_years = years
            .iter()
            .map(|y| context! { year => y.year, confirmed => !y.proposal })
            .collect::<Vec<_>>();
        let stored = years.into_iter().find(|y| y.year == year);
        let (year_view, confirmed) = match stored {
            Some(y) if !y.proposal => (Some(y), true),
            stored => {
                // Not confirmed: what the rules propose (nothing is stored by asking).
                let proposal = if session.may(PROPOSE_CALENDAR_YEAR) {
                    web.procedures()
                        .propose_calendar_year(
                            &session.context(PROPOSE_CALENDAR_YEAR)?,
                            pb::ProposeCalendarYearRequest {
                                name: format!("{}/years/{year}", calendar_of(&unit)),
                            },
                        )
                        .await
                        .ok()
                } else {
                    None
                };
                (proposal.or(stored), false)
            }
        };
        shown = year_view.map(|y| {
            context! {
                confirmed,
                etag => y.etag,
                days_off => days(&y.days_off),
                makeup_days => days(&y.makeup_days),
            }
        });
    }
    let calendar = calendar.map(|c| {
        context! {
            hours => c.office_hours.iter().map(|h| format!("{}–{}", time_text(h.start.as_ref()), time_text(h.end.as_ref()))).collect::<Vec<_>>().join(", "),
            days => c.working_days.iter().map(|d| Weekday::try_from(*d).unwrap_or_default().label_vi()).collect::<Vec<_>>().join(", "),
            cutoff => time_text(c.receipt_cutoff.as_ref()),
        }
    });
    let done = match query.da.as_str() {
        "xac-nhan" => Some("Đã xác nhận lịch của năm: thời hạn giải quyết được tính sang năm này."),
        "them-ngay" => Some("Đã thêm ngày."),
        "bo-ngay" => Some("Đã bỏ ngày."),
        _ => None,
    };
    web.pages().render(
        "admin_calendar.html",
        context! {
            frame => session.frame(),
            title => "Lịch làm việc",
            units,
            unit,
            unit_name => names.unit(&unit).await,
            year,
            calendar,
            shown,
            stored_years,
            may_change => session.may(UPDATE_CALENDAR_YEAR),
            problem,
            done,
            today => format::date(web.clock().now()),
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<CalendarQuery>,
) -> Result<Html<String>, PageError> {
    render(&web, &session, &query, None).await
}

/// A change to a year (`xac-nhan`, `them-ngay`, `bo-ngay`), over its etag.
pub async fn change(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path(action): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    if !matches!(action.as_str(), "xac-nhan" | "them-ngay" | "bo-ngay") {
        return Err(PageError::NotFound);
    }
    let fields = Fields::checked(form, &headers)?;
    let ctx = web.write_context(&session, UPDATE_CALENDAR_YEAR).await?;
    let unit = fields.get("don_vi").to_string();
    if !super::fields::is_unit_name(&unit) {
        return Err(PageError::NotFound);
    }
    let year: i32 = fields.get("nam").parse().map_err(|_| PageError::NotFound)?;
    let query = CalendarQuery {
        don_vi: unit.clone(),
        nam: year.to_string(),
        da: String::new(),
    };
    let name = format!("{}/years/{year}", calendar_of(&unit));
    // The days to keep: the stored year's, or (not stored yet) the rules' proposal.
    let stored = web
        .procedures()
        .get_calendar_year(pb::GetCalendarYearRequest { name: name.clone() })
        .await;
    let (mut current, etag) = match stored {
        Ok(y) => {
            let etag = y.etag.clone();
            (y, etag)
        }
        Err(ServiceError::NotFound(_)) => {
            let proposal = web
                .procedures()
                .propose_calendar_year(
                    &session.context(PROPOSE_CALENDAR_YEAR)?,
                    pb::ProposeCalendarYearRequest { name: name.clone() },
                )
                .await;
            match web.audited(&session, UPDATE_CALENDAR_YEAR, proposal).await {
                Ok(proposal) => (proposal, String::new()),
                Err(ServiceError::PermissionDenied(_)) => {
                    let problem = "Bạn không quản trị lịch của đơn vị này.".to_string();
                    let page = render(&web, &session, &query, Some(problem)).await?;
                    return Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(other) => return Err(other.into()),
    };
    let makeup = fields.get("loai") == "lam-bu";
    match action.as_str() {
        "them-ngay" => {
            let Some(date) = local_date(fields.get("ngay")) else {
                let problem = "Ngày viết theo ngày/tháng/năm.".to_string();
                let page = render(&web, &session, &query, Some(problem)).await?;
                return Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            };
            let day = pb::SpecialDay {
                date: Some(date),
                label: fields.get("ten").to_string(),
            };
            if makeup {
                current.makeup_days.push(day);
            } else {
                current.days_off.push(day);
            }
        }
        "bo-ngay" => {
            let index: usize = fields.get("so").parse().map_err(|_| PageError::NotFound)?;
            let list = if makeup {
                &mut current.makeup_days
            } else {
                &mut current.days_off
            };
            if index >= list.len() {
                return Err(PageError::NotFound);
            }
            list.remove(index);
        }
        _ => {}
    }
    let result = web
        .procedures()
        .update_calendar_year(
            &ctx,
            pb::UpdateCalendarYearRequest {
                year: Some(pb::CalendarYear {
                    name,
                    year,
                    days_off: current.days_off,
                    makeup_days: current.makeup_days,
                    ..Default::default()
                }),
                etag: if fields.get("etag").is_empty() {
                    etag
                } else {
                    fields.get("etag").to_string()
                },
            },
        )
        .await;
    let problem = match web.audited(&session, UPDATE_CALENDAR_YEAR, result).await {
        Ok(_) => {
            let back = format::query_string(&[("don_vi", &unit), ("nam", &year.to_string()), ("da", &action)]);
            return Ok(Redirect::to(&format!("/quan-tri/lich?{back}")).into_response());
        }
        Err(ServiceError::InvalidArgument(violations)) => super::fields::say_violations(&violations, |field| {
            Some(if field == "year" {
                "Một ngày có hai lần trong lịch, hoặc không thuộc năm này: xem lại các ngày đã có."
            } else if field.contains("date") {
                "Ngày phải thuộc năm đang sửa, và không trùng ngày đã có."
            } else if field.contains("label") {
                "Nhập tên ngày (ví dụ Tết Nguyên đán)."
            } else {
                return None;
            })
        }),
        Err(ServiceError::Aborted(_)) => "Lịch vừa được người khác sửa: xem lại rồi làm lại.".to_string(),
        Err(ServiceError::PermissionDenied(_)) => "Bạn không quản trị lịch của đơn vị này.".to_string(),
        Err(other) => return Err(other.into()),
    };
    let page = render(&web, &session, &query, Some(problem)).await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
