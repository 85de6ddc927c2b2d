//! Kế hoạch CCHC: the reform plans the person may read, a plan's tasks as
//! its outline with units, time frames, progress and status (late ones
//! marked, or alone), and a task's page with its progress updates and the
//! ISO evidence that proves it — where the units responsible record
//! progress (also entered late, with the day it happened and why) and link
//! a document, revision, record or dossier found by searching for it.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use eiso_platform::ServiceError;
use eiso_platform::aip::time::{TIME_ZONE, proto_date};
use eiso_proto::eiso::plans::v1::{self as pb, TaskStatus};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::every_page::every_page;
use super::fields::Fields;
use super::methods::{
    ADD_TASK_EVIDENCE, EXPORT_PLAN, GET_PLAN, GET_TASK, LIST_PLANS, LIST_TASKS, RECORD_TASK_PROGRESS,
};
use crate::Web;
use crate::error::PageError;
use crate::format::{self, day, day_text};
use crate::names::Names;
use crate::session::Session;

/// Today in Vietnam.
pub(super) fn today(web: &Web) -> NaiveDate {
    web.clock().now().with_timezone(&TIME_ZONE).date_naive()
}

/// Whether the task is late today: its time frame over, not done nor cancelled.
/// A section (no time frame of its own) is never late: its tasks are.
fn is_late(task: &pb::Task, today: NaiveDate) -> bool {
    let status = TaskStatus::try_from(task.status).unwrap_or_default();
    !task.time_frame.is_empty()
        && !matches!(status, TaskStatus::Done | TaskStatus::Cancelled)
        && day(task.end_date.as_ref()).is_some_and(|end| end < today)
}

/// The plan `plans/{id}` as the person may read it; NOT_FOUND otherwise.
pub(super) async fn plan_of(web: &Web, session: &Session, id: &str) -> Result<pb::Plan, PageError> {
    super::fields::check_id(id)?;
    Ok(web
        .plans()
        .get_plan(
            &session.context(GET_PLAN)?,
            pb::GetPlanRequest {
                name: format!("plans/{id}"),
            },
        )
        .await?)
}

pub async fn list(State(web): State<Web>, session: Session) -> Result<Html<String>, PageError> {
    let answer = web
        .plans()
        .list_plans(
            &session.context(LIST_PLANS)?,
            pb::ListPlansRequest {
                page_size: 100,
                ..Default::default()
            },
        )
        .await?;
    let mut names = Names::new(&web);
    let mut plans = Vec::new();
    for plan in answer.plans {
        plans.push(context! {
            id => plan.name.trim_start_matches("plans/").to_string(),
            year => plan.year,
            title => plan.title,
            unit => names.unit(&plan.issuing_unit).await,
            tasks => plan.task_count,
            targets => plan.target_count,
        });
    }
    web.pages().render(
        "plans.html",
        context! {
            frame => session.frame(),
            title => "Kế hoạch CCHC",
            plans,
            may_import => session.may(super::methods::IMPORT_PLAN),
        },
    )
}

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    /// Set: only the tasks late today.
    #[serde(default, rename = "tre-han")]
    tre_han: String,
}

#[derive(Serialize)]
struct TaskRow {
    id: String,
    number: String,
    /// 0 for a section, 1 for `1.1`, …: the outline's indent.
    depth: usize,
    section: bool,
    content: String,
    units: String,
    time_frame: String,
    end: String,
    status: String,
    status_key: String,
    percent: i32,
    late: bool,
    evidence: usize,
}

pub async fn plan(
    State(web): State<Web>,
    session: Session,
    Path(id): Path<String>,
    Query(query): Query<PlanQuery>,
) -> Result<Html<String>, PageError> {
    let plan = plan_of(&web, &session, &id).await?;
    let name = plan.name.clone();
    let ctx = session.context(LIST_TASKS)?;
    let tasks = every_page(usize::MAX, |page_token| {
        let request = pb::ListTasksRequest {
            parent: name.clone(),
            page_size: 1000,
            page_token,
            ..Default::default()
        };
        let ctx = &ctx;
        let web = &web;
        async move {
            web.plans()
                .list_tasks(ctx, request)
                .await
                .map(|answer| (answer.tasks, answer.next_page_token))
        }
    })
    .await?;
    let today = today(&web);
    let late_only = !query.tre_han.is_empty();
    let mut names = Names::new(&web);
    let mut rows = Vec::new();
    let mut late_count = 0;
    for task in &tasks {
        let late = is_late(task, today);
        late_count += usize::from(late);
        if late_only && !late {
            continue;
        }
        let status = TaskStatus::try_from(task.status).unwrap_or_default();
        let mut units = Vec::new();
        for unit in &task.responsible_units {
            units.push(names.unit(unit).await);
        }
        rows.push(TaskRow {
            id: task.name.rsplit('/').next().unwrap_or_default().to_string(),
            number: task.number.clone(),
            depth: task.number.matches('.').count(),
            section: task.time_frame.is_empty(),
            content: task.content.clone(),
            units: if units.is_empty() {
                task.responsible_units_text.clone()
            } else {
                units.join(", ")
            },
            time_frame: task.time_frame.clone(),
            end: day_text(task.end_date.as_ref()),
            status: status.label_vi().into(),
            status_key: status.short_name(),
            percent: task.progress_percent,
            late,
            evidence: task.evidence.len(),
        });
    }
    web.pages().render(
        "plan.html",
        context! {
            frame => session.frame(),
            title => plan.title.clone(),
            id,
            heading => plan.title,
            year => plan.year,
            unit => names.unit(&plan.issuing_unit).await,
            legal_bases => plan.legal_bases,
            rows,
            late_only,
            late_count,
            total => tasks.len(),
        },
    )
}

#[derive(Deserialize, Default)]
pub struct TaskQuery {
    /// Words to find evidence by.
    #[serde(default)]
    tim: String,
    /// What was just done: `tien-do`, `minh-chung`.
    #[serde(default)]
    da: String,
}

/// What the progress form keeps after a refusal.
#[derive(Default)]
struct Typed {
    percent: String,
    note: String,
    day: String,
    reason: String,
    errors: Vec<(&'static str, &'static str)>,
}

async fn render_task(
    web: &Web,
    session: &Session,
    plan_id: &str,
    task_id: &str,
    query: &TaskQuery,
    typed: Typed,
) -> Result<Html<String>, PageError> {
    let plan_name = format!("plans/{plan_id}");
    let task = web
        .plans()
        .get_task(
            &session.context(GET_TASK)?,
            pb::GetTaskRequest {
                name: format!("{plan_name}/tasks/{task_id}"),
            },
        )
        .await?;
    // The plan's title, for those who read the plan; a school assigned a
    // task of the district's plan reads the task only.
    let plan_title = match web
        .plans()
        .get_plan(
            &session.context(GET_PLAN)?,
            pb::GetPlanRequest {
                name: plan_name.clone(),
            },
        )
        .await
    {
        Ok(plan) => plan.title,
        Err(ServiceError::NotFound(_)) => String::new(),
        Err(other) => return Err(other.into()),
    };
    let mut names = Names::new(web);
    let mut progress = Vec::new();
    for p in task.progress.iter().rev() {
        progress.push(context! {
            percent => p.percent,
            note => p.note.clone(),
            author => names.user(&p.author).await,
            entered => format::timestamp(p.time.as_ref()),
            day => day_text(p.effective_date.as_ref()),
            reason => p.reason.clone(),
        });
    }
    let mut evidence = Vec::new();
    for e in &task.evidence {
        evidence.push(context! {
            title => e.title.clone(),
            kind => super::evidence::kind_label(&e.kind),
            href => super::evidence::href(&e.resource),
            added => format::timestamp(e.add_time.as_ref()),
            actor => names.user(&e.actor).await,
        });
    }
    let mut units = Vec::new();
    for unit in &task.responsible_units {
        units.push(names.unit(unit).await);
    }
    // Evidence found by the words typed, among what the person may see.
    let linked: Vec<&str> = task.evidence.iter().map(|e| e.resource.as_str()).collect();
    let found = super::evidence::find(web, session, &query.tim, &linked).await?;
    let status = TaskStatus::try_from(task.status).unwrap_or_default();
    let may_work = session.may(RECORD_TASK_PROGRESS);
    let errors: Vec<_> = typed
        .errors
        .iter()
        .map(|(field, message)| context! { field, message })
        .collect();
    let error_of = |field: &str| {
        typed
            .errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| *m)
            .unwrap_or("")
    };
    web.pages().render(
        "task.html",
        context! {
            frame => session.frame(),
            title => format!("Nhiệm vụ {} {}", task.number, task.content),
            plan_id,
            task_id,
            plan_title,
            number => task.number.clone(),
            content => task.content.clone(),
            units => if units.is_empty() { task.responsible_units_text.clone() } else { units.join(", ") },
            product => task.product.clone(),
            time_frame => task.time_frame.clone(),
            end => day_text(task.end_date.as_ref()),
            done_day => day_text(task.complete_date.as_ref()),
            status => status.label_vi(),
            status_key => status.short_name(),
            percent => task.progress_percent,
            late => is_late(&task, today(web)),
            notes => task.notes.clone(),
            progress,
            evidence,
            may_work,
            tim => query.tim.trim(),
            found,
            done => match query.da.as_str() {
                "tien-do" => "Đã ghi tiến độ.",
                "minh-chung" => "Đã gắn minh chứng.",
                _ => "",
            },
            errors,
            percent_typed => typed.percent,
            note_typed => typed.note,
            day_typed => typed.day,
            reason_typed => typed.reason,
            percent_error => error_of("phan_tram"),
            note_error => error_of("noi_dung"),
            day_error => error_of("ngay"),
            reason_error => error_of("ly_do"),
        },
    )
}

pub async fn task(
    State(web): State<Web>,
    session: Session,
    Path((plan_id, task_id)): Path<(String, String)>,
    Query(query): Query<TaskQuery>,
) -> Result<Html<String>, PageError> {
    super::fields::check_id(&plan_id)?;
    super::fields::check_id(&task_id)?;
    render_task(&web, &session, &plan_id, &task_id, &query, Typed::default()).await
}

/// A form posted to a task: its CSRF value checked, the address's ids too.
fn checked_form(
    form: Vec<(String, String)>,
    headers: &HeaderMap,
    plan_id: &str,
    task_id: &str,
) -> Result<Fields, PageError> {
    let fields = Fields::checked(form, headers)?;
    super::fields::check_id(plan_id)?;
    super::fields::check_id(task_id)?;
    Ok(fields)
}

/// Progress recorded from the task's page.
pub async fn record_progress(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path((plan_id, task_id)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = checked_form(form, &headers, &plan_id, &task_id)?;
    let ctx = web.write_context(&session, RECORD_TASK_PROGRESS).await?;
    let mut typed = Typed {
        percent: fields.get("phan_tram").to_string(),
        note: fields.get("noi_dung").to_string(),
        day: fields.get("ngay").to_string(),
        reason: fields.get("ly_do").to_string(),
        errors: Vec::new(),
    };
    let percent = typed.percent.trim().trim_end_matches('%').trim().parse::<i32>();
    if !matches!(percent, Ok(0..=100)) {
        typed
            .errors
            .push(("phan_tram", "Nhập phần trăm hoàn thành từ 0 đến 100."));
    }
    let effective = if typed.day.trim().is_empty() {
        None
    } else {
        match format::parse_day(typed.day.trim()) {
            Some(d) => Some(d),
            None => {
                typed.errors.push(("ngay", "Nhập ngày thực hiện dạng ngày/tháng/năm."));
                None
            }
        }
    };
    if typed.errors.is_empty() {
        let request = pb::RecordTaskProgressRequest {
            name: format!("plans/{plan_id}/tasks/{task_id}"),
            percent: percent.unwrap_or_default(),
            note: typed.note.clone(),
            request_id: fields.get("ma_yeu_cau").to_string(),
            effective_date: effective.map(proto_date),
            reason: typed.reason.clone(),
        };
        let result = web.plans().record_progress(&ctx, request).await;
        match web.audited(&session, RECORD_TASK_PROGRESS, result).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/ke-hoach/{plan_id}/nhiem-vu/{task_id}?da=tien-do")).into_response());
            }
            Err(ServiceError::InvalidArgument(violations)) => {
                for v in violations.iter() {
                    typed.errors.push(match v.field.as_str() {
                        "percent" => ("phan_tram", "Nhập phần trăm hoàn thành từ 0 đến 100."),
                        "note" => ("noi_dung", "Nội dung quá dài."),
                        "effective_date" => (
                            "ngay",
                            "Ngày thực hiện không được sau hôm nay, cũng không trước năm của kế hoạch.",
                        ),
                        "reason" => (
                            "ly_do",
                            "Nhập lý do nhập muộn khi ngày thực hiện trước hôm nay (và bỏ trống khi là hôm nay).",
                        ),
                        _ => ("", "Có giá trị không hợp lệ."),
                    });
                }
            }
            Err(ServiceError::FailedPrecondition { .. } | ServiceError::Aborted(_)) => {
                typed.errors.push((
                    "",
                    "Nhiệm vụ vừa thay đổi hoặc không còn nhận tiến độ: xem lại bên dưới.",
                ));
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(
        render_task(&web, &session, &plan_id, &task_id, &TaskQuery::default(), typed)
            .await?
            .into_response(),
    )
}

/// A document, revision, record or dossier linked as the task's evidence.
pub async fn add_evidence(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path((plan_id, task_id)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = checked_form(form, &headers, &plan_id, &task_id)?;
    let ctx = web.write_context(&session, ADD_TASK_EVIDENCE).await?;
    let result = web
        .plans()
        .add_evidence(
            &ctx,
            pb::AddTaskEvidenceRequest {
                name: format!("plans/{plan_id}/tasks/{task_id}"),
                resource: fields.get("minh_chung").to_string(),
            },
        )
        .await;
    match web.audited(&session, ADD_TASK_EVIDENCE, result).await {
        Ok(_) => Ok(Redirect::to(&format!("/ke-hoach/{plan_id}/nhiem-vu/{task_id}?da=minh-chung")).into_response()),
        Err(ServiceError::InvalidArgument(_) | ServiceError::FailedPrecondition { .. }) => {
            let typed = Typed {
                errors: vec![(
                    "",
                    "Không gắn được minh chứng này: có thể đã bị xóa hoặc bạn không được xem.",
                )],
                ..Default::default()
            };
            Ok(
                render_task(&web, &session, &plan_id, &task_id, &TaskQuery::default(), typed)
                    .await?
                    .into_response(),
            )
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_is_late_when_its_time_frame_is_over_and_it_is_not_done() {
        let today = NaiveDate::from_ymd_opt(2024, 4, 1).expect("a day");
        let task = |status: TaskStatus, month: i32| pb::Task {
            status: status as i32,
            time_frame: "Quý I năm 2024".into(),
            end_date: Some(pb::LocalDate {
                year: 2024,
                month,
                day: 31,
            }),
            ..Default::default()
        };
        assert!(is_late(&task(TaskStatus::InProgress, 3), today));
        assert!(!is_late(&task(TaskStatus::Done, 3), today));
        assert!(!is_late(&task(TaskStatus::Cancelled, 3), today));
        assert!(!is_late(&task(TaskStatus::InProgress, 5), today));
        let section = pb::Task {
            time_frame: String::new(),
            ..task(TaskStatus::NotStarted, 3)
        };
        assert!(!is_late(&section, today), "a section's tasks are late, not the section");
    }
}

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    /// `csv`, or the workbook.
    #[serde(default, rename = "dinh-dang")]
    dinh_dang: String,
    /// `1`: the targets' table rather than the tasks'.
    #[serde(default, rename = "chi-tieu")]
    chi_tieu: String,
}

impl ExportQuery {
    /// CSV rather than the workbook.
    pub fn csv(&self) -> bool {
        self.dinh_dang == "csv"
    }
}

/// Xuất: the plan's appendix table (or its targets), as the import reads it,
/// to download as a workbook or CSV.
pub async fn export(
    State(web): State<Web>,
    session: Session,
    Path(id): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, PageError> {
    super::fields::check_id(&id)?;
    let csv = query.csv();
    let file = web
        .plans()
        .export_plan(
            &session.context(EXPORT_PLAN)?,
            pb::ExportPlanRequest {
                name: format!("plans/{id}"),
                format: if csv {
                    pb::TableFormat::Csv
                } else {
                    pb::TableFormat::Xlsx
                } as i32,
                targets: query.chi_tieu == "1",
            },
        )
        .await?;
    super::download::table(csv, file.content, &file.file_name)
}
