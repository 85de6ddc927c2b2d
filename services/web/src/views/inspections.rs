//! Kiểm tra: a unit's inspections of the schools below it over a year — how
//! many of its schools were inspected (the coverage, and the schools not yet
//! visited), and each inspection with its inspectors, dates and what it
//! found; a planned one is recorded as done from the page.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Datelike;
use eiso_platform::ServiceError;
use eiso_proto::eiso::procedures::v1::LocalDate;
use eiso_proto::eiso::quality::v1::{self as pb, inspection};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::context;
use serde::Deserialize;

use super::actions_board::{day, day_text};
use super::audits::local_date;
use super::every_page::every_page;
use super::fields::Fields;
use super::methods::{COMPLETE_INSPECTION, GET_INSPECTION_COVERAGE, LIST_INSPECTIONS};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

#[derive(Deserialize, Default)]
pub struct InspectionsQuery {
    /// The unit whose schools' coverage is shown, `units/{id}`.
    #[serde(default)]
    don_vi: String,
    /// The year; this year when empty.
    #[serde(default)]
    nam: String,
    #[serde(default)]
    da: String,
}

async fn render(
    web: &Web,
    session: &Session,
    query: &InspectionsQuery,
    problem: Option<(String, String)>,
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
    let mut names = Names::new(web);
    let covered = session.covered_units(web, 200).await;
    let unit = match query.don_vi.trim() {
        "" => covered.first().cloned().unwrap_or_default(),
        chosen if super::fields::is_unit_name(chosen) => chosen.to_string(),
        _ => return Err(PageError::BadRequest("Bộ lọc không hợp lệ: đơn vị.".into())),
    };
    let coverage = if unit.is_empty() {
        None
    } else {
        let answer = web
            .quality()
            .get_inspection_coverage(
                &session.context(GET_INSPECTION_COVERAGE)?,
                pb::GetInspectionCoverageRequest {
                    unit: unit.clone(),
                    start_date: Some(LocalDate { year, month: 1, day: 1 }),
                    end_date: Some(LocalDate {
                        year,
                        month: 12,
                        day: 31,
                    }),
                },
            )
            .await;
        match answer {
            Ok(c) => {
                let mut waiting = Vec::new();
                for school in c.population.iter().filter(|s| !c.inspected.contains(s)) {
                    waiting.push(names.unit(school).await);
                }
                Some(context! {
                    inspected => c.inspected.len(),
                    population => c.population.len(),
                    percent => format::decimal((c.share * 1000.0).round() / 10.0),
                    waiting,
                })
            }
            // Not one of the person's units: no coverage to show, the list still is.
            Err(ServiceError::PermissionDenied(_) | ServiceError::NotFound(_)) => None,
            Err(other) => return Err(other.into()),
        }
    };
    let ctx = session.context(LIST_INSPECTIONS)?;
    let inspections = every_page(10, |page_token| {
        let request = pb::ListInspectionsRequest {
            page_size: 1000,
            page_token,
            ..Default::default()
        };
        let ctx = &ctx;
        async move {
            let answer = web.quality().list_inspections(ctx, request).await?;
            let planned_in_year = answer
                .inspections
                .into_iter()
                .filter(|i| day(i.planned_date.as_ref()).is_some_and(|d| d.year() == year))
                .collect();
            Ok::<_, ServiceError>((planned_in_year, answer.next_page_token))
        }
    })
    .await?;
    let may_complete = session.may(COMPLETE_INSPECTION);
    let (problem_key, problem_message) = problem.unwrap_or_default();
    let mut rows = Vec::new();
    for i in &inspections {
        let state = inspection::State::try_from(i.state).unwrap_or_default();
        let mut inspectors = Vec::new();
        for user in &i.inspectors {
            inspectors.push(names.user(user).await);
        }
        let id = i.name.trim_start_matches("inspections/").to_string();
        rows.push(context! {
            problem => (problem_key == id).then(|| problem_message.clone()),
            id,
            etag => i.etag,
            unit => names.unit(&i.unit).await,
            planned => day_text(i.planned_date.as_ref()),
            done => day_text(i.done_date.as_ref()),
            late => state == inspection::State::Planned
                && day(i.planned_date.as_ref()).is_some_and(|d| d < today),
            inspectors => inspectors.join(", "),
            state => state.label_vi(),
            state_key => state.short_name(),
            findings => i.findings,
            evidence => i.evidence.iter().map(|e| context! {
                title => e.title,
                href => super::evidence::href(&e.name),
            }).collect::<Vec<_>>(),
            may_complete => may_complete && state == inspection::State::Planned,
        });
    }
    let mut units = Vec::new();
    for u in &covered {
        let name = names.unit(u).await;
        units.push(context! { selected => *u == unit, value => u, name });
    }
    web.pages().render(
        "inspections.html",
        context! {
            frame => session.frame(),
            title => "Kiểm tra các trường",
            year,
            unit_name => names.unit(&unit).await,
            units,
            coverage,
            rows,
            today => today.format("%d/%m/%Y").to_string(),
            done => (query.da == "hoan-thanh").then_some("Đã ghi nhận kết quả kiểm tra."),
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<InspectionsQuery>,
) -> Result<Html<String>, PageError> {
    render(&web, &session, &query, None).await
}

/// A planned inspection recorded as done: its day and what it found.
pub async fn complete(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    super::fields::check_id(&id)?;
    let fields = Fields::checked(form, &headers)?;
    let ctx = web.write_context(&session, COMPLETE_INSPECTION).await?;
    let query = InspectionsQuery {
        don_vi: fields.get("don_vi").to_string(),
        nam: fields.get("nam").to_string(),
        da: String::new(),
    };
    let Some(done_date) = local_date(fields.get("ngay")) else {
        let problem = (id, "Ngày kiểm tra viết theo ngày/tháng/năm.".to_string());
        return refused(&web, &session, &query, problem).await;
    };
    let result = web
        .quality()
        .complete_inspection(
            &ctx,
            pb::CompleteInspectionRequest {
                name: format!("inspections/{id}"),
                done_date: Some(done_date),
                findings: fields.get("ket_qua").to_string(),
                etag: fields.get("etag").to_string(),
                reason: fields.get("ly_do").to_string(),
                ..Default::default()
            },
        )
        .await;
    let message = match web.audited(&session, COMPLETE_INSPECTION, result).await {
        Ok(_) => {
            let back = format::query_string(&[("don_vi", &query.don_vi), ("nam", &query.nam), ("da", "hoan-thanh")]);
            return Ok(Redirect::to(&format!("/chat-luong/kiem-tra?{back}")).into_response());
        }
        Err(ServiceError::InvalidArgument(violations)) => {
            super::fields::say_violations(&violations, |field| match field {
                "findings" => Some("Nhập kết quả kiểm tra."),
                "done_date" => Some("Ngày kiểm tra không sau hôm nay."),
                "reason" => Some("Ngày kiểm tra đã qua: nhập lý do ghi muộn."),
                _ => None,
            })
        }
        Err(ServiceError::FailedPrecondition { description, .. }) => format!("Không ghi nhận được: {description}"),
        Err(ServiceError::Aborted(_)) => "Cuộc kiểm tra vừa được người khác cập nhật: xem lại rồi làm lại.".to_string(),
        Err(ServiceError::PermissionDenied(_)) => "Bạn không ghi nhận kiểm tra của đơn vị này.".to_string(),
        Err(other) => return Err(other.into()),
    };
    refused(&web, &session, &query, (id, message)).await
}

async fn refused(
    web: &Web,
    session: &Session,
    query: &InspectionsQuery,
    problem: (String, String),
) -> Result<Response, PageError> {
    let page = render(web, session, query, Some(problem)).await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
