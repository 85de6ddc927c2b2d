//! Nhập kế hoạch: a year's reform plan from its appendix table (the tasks,
//! and optionally the targets), as an Excel workbook or a CSV file — first
//! checked, then imported. What the plans service cannot read is shown
//! against the row and the column it is in, in Vietnamese.

use axum::extract::{Multipart, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Datelike;
use eiso_platform::ServiceError;
use eiso_platform::error::FieldViolation;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::plans::v1 as pb;
use http::HeaderMap;
use minijinja::{Value, context};

use super::methods::IMPORT_PLAN;
use crate::Web;
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;

/// The roles that write plans (the policy table's plan writers).
const WRITERS: [Role; 3] = [Role::Leader, Role::DocumentController, Role::Admin];

/// What the form held, and how the last try went.
#[derive(Default)]
struct Typed {
    title: String,
    year: String,
    unit: String,
    /// Checked and found readable: (tasks, targets).
    checked: Option<(i32, i32)>,
    /// The problems: (table, row, column, what is wrong).
    problems: Vec<(String, String, String, String)>,
    /// A problem with the form itself.
    problem: Option<String>,
}

async fn render(web: &Web, session: &Session, typed: Typed) -> Result<Html<String>, PageError> {
    session.context(IMPORT_PLAN)?;
    let mut names = Names::new(web);
    let mut units = Vec::new();
    for (role, bound) in &session.principal.bindings {
        if !WRITERS.contains(role) {
            continue;
        }
        for unit in web.directory().subtree(bound).await.unwrap_or_default() {
            if units.iter().any(|u: &(String, String)| u.0 == unit) || units.len() >= 200 {
                continue;
            }
            let name = names.unit(&unit).await;
            units.push((unit, name));
        }
    }
    let units: Vec<Value> = units
        .into_iter()
        .map(|(value, name)| context! { selected => value == typed.unit, value, name })
        .collect();
    let year = if typed.year.is_empty() {
        super::plans::today(web).year().to_string()
    } else {
        typed.year
    };
    let problems: Vec<Value> = typed
        .problems
        .into_iter()
        .map(|(table, row, column, what)| context! { table, row, column, what })
        .collect();
    web.pages().render(
        "plan_import.html",
        context! {
            frame => session.frame(),
            title => "Nhập kế hoạch từ bảng",
            heading => if typed.title.is_empty() { format!("Kế hoạch cải cách hành chính năm {year}") } else { typed.title },
            year,
            units,
            checked => typed.checked.map(|(tasks, targets)| context! { tasks, targets }),
            problems,
            problem => typed.problem,
        },
    )
}

pub async fn page(State(web): State<Web>, session: Session) -> Result<Html<String>, PageError> {
    render(&web, &session, Typed::default()).await
}

/// The table's format from its file name.
fn format_of(file_name: &str) -> Option<pb::TableFormat> {
    match super::tables_form::format_of(file_name)? {
        "xlsx" => Some(pb::TableFormat::Xlsx),
        _ => Some(pb::TableFormat::Csv),
    }
}

/// What a problem of the plans service's table reader means, in Vietnamese.
fn say_problem(description: &str) -> String {
    let said = if description.starts_with("is required") {
        "Bắt buộc phải có."
    } else if description.starts_with("is longer than") {
        "Dài quá giới hạn."
    } else if description.contains("control characters") {
        "Có ký tự điều khiển."
    } else if description.contains("is not a task number") {
        "Không phải số thứ tự nhiệm vụ: viết 1, 1.1, 2.3 hoặc số La Mã I, II."
    } else if description.contains("is already on row") {
        "Số thứ tự trùng với một dòng phía trên."
    } else if description.contains("comes before its parent") {
        "Nhiệm vụ đứng trước mục lớn chứa nó."
    } else if description.contains("is not a time frame") {
        "Không đọc được thời gian hoàn thành: viết ví dụ “Tháng 1,2 năm 2024”, “Quý I năm 2024”, “Trước 30/6/2024”."
    } else if description.contains("is not a target number") {
        "Không phải số thứ tự chỉ tiêu: viết 1 hoặc 4.1."
    } else if description.contains("is given twice") {
        "Chỉ tiêu có hai lần."
    } else if description.contains("holds no task") {
        "Bảng không có nhiệm vụ nào."
    } else if let Some(column) = description
        .strip_prefix("the column `")
        .and_then(|rest| rest.strip_suffix("` is missing"))
    {
        return format!("Thiếu cột “{column}”.");
    } else {
        return description.to_string();
    };
    said.to_string()
}

/// A violation as (table, row, column, what is wrong), or `None` for one of the form's own fields.
fn placed(v: &FieldViolation) -> Option<(String, String, String, String)> {
    let (table, rest) = if let Some(rest) = v.field.strip_prefix("rows[") {
        ("Bảng nhiệm vụ", rest)
    } else if let Some(rest) = v.field.strip_prefix("targets_rows[") {
        ("Bảng chỉ tiêu", rest)
    } else if v.field == "content" {
        return Some((
            "Bảng nhiệm vụ".into(),
            String::new(),
            String::new(),
            say_problem(&v.description),
        ));
    } else if v.field == "targets_content" {
        return Some((
            "Bảng chỉ tiêu".into(),
            String::new(),
            String::new(),
            say_problem(&v.description),
        ));
    } else {
        return None;
    };
    let (row, column) = rest.split_once("].").unwrap_or((rest.trim_end_matches(']'), ""));
    Some((table.into(), row.into(), column.into(), say_problem(&v.description)))
}

/// Checks (`kiem_tra`) or imports (`nhap`) the tables sent with the form.
pub async fn submit(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let mut form = match super::tables_form::read(&headers, multipart).await {
        Ok(form) => form,
        Err(Ok(problem)) => {
            let typed = Typed {
                problem: Some(problem),
                ..Default::default()
            };
            return refused(&web, &session, typed).await;
        }
        Err(Err(error)) => return Err(error),
    };
    let mut typed = Typed {
        title: form.get("ten").to_string(),
        year: form.get("nam").to_string(),
        unit: form.get("don_vi").to_string(),
        ..Default::default()
    };
    let action = form.get("hanh_dong").to_string();
    let tasks = form.take_file("bang");
    let targets = form.take_file("chi_tieu");
    let ctx = web.write_context(&session, IMPORT_PLAN).await?;
    let Some((tasks_name, tasks_content)) = tasks else {
        typed.problem = Some("Chọn tệp bảng nhiệm vụ (Excel .xlsx hoặc .csv).".into());
        return refused(&web, &session, typed).await;
    };
    let Some(format) = format_of(&tasks_name) else {
        typed.problem = Some(format!("“{tasks_name}” không phải tệp Excel (.xlsx) hay CSV (.csv)."));
        return refused(&web, &session, typed).await;
    };
    if let Some((targets_name, _)) = &targets
        && format_of(targets_name) != Some(format)
    {
        typed.problem = Some("Bảng chỉ tiêu phải cùng định dạng với bảng nhiệm vụ (cùng .xlsx hoặc cùng .csv).".into());
        return refused(&web, &session, typed).await;
    }
    let validate_only = action != "nhap";
    let result = web
        .plans()
        .import_plan(
            &ctx,
            pb::ImportPlanRequest {
                plan: Some(pb::Plan {
                    title: typed.title.clone(),
                    year: typed.year.parse().unwrap_or(-1),
                    issuing_unit: typed.unit.clone(),
                    ..Default::default()
                }),
                format: format as i32,
                content: tasks_content,
                targets_content: targets.map(|(_, content)| content).unwrap_or_default(),
                validate_only,
                ..Default::default()
            },
        )
        .await;
    match web.audited(&session, IMPORT_PLAN, result).await {
        Ok(imported) if !validate_only => {
            let id = imported
                .plan
                .map(|p| p.name.trim_start_matches("plans/").to_string())
                .unwrap_or_default();
            Ok(Redirect::to(&format!("/ke-hoach/{id}")).into_response())
        }
        Ok(checked) => {
            typed.checked = Some((checked.task_count, checked.target_count));
            Ok(render(&web, &session, typed).await?.into_response())
        }
        Err(ServiceError::InvalidArgument(violations)) => {
            let mut form_fields = Vec::new();
            for v in &violations {
                match placed(v) {
                    Some(problem) => typed.problems.push(problem),
                    None => form_fields.push(v.clone()),
                }
            }
            if !form_fields.is_empty() {
                typed.problem = Some(super::fields::say_violations(&form_fields, |field| match field {
                    "plan.title" => Some("Nhập tên kế hoạch."),
                    "plan.year" => Some("Năm không hợp lệ."),
                    "plan.issuing_unit" => Some("Chọn đơn vị ban hành."),
                    _ => None,
                }));
            }
            refused(&web, &session, typed).await
        }
        Err(ServiceError::AlreadyExists(_)) => {
            typed.problem = Some("Đơn vị đã có kế hoạch năm này.".into());
            refused(&web, &session, typed).await
        }
        Err(ServiceError::PermissionDenied(_) | ServiceError::NotFound(_)) => {
            typed.problem = Some("Bạn không lập kế hoạch cho đơn vị này.".into());
            refused(&web, &session, typed).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn refused(web: &Web, session: &Session, typed: Typed) -> Result<Response, PageError> {
    let page = render(web, session, typed).await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_is_placed_on_its_table_row_and_column() {
        let v = FieldViolation::new(
            "rows[12].Thời gian hoàn thành",
            "`sớm` is not a time frame eiso can read; write e.g. …",
        );
        let (table, row, column, what) = placed(&v).expect("placed");
        assert_eq!(
            (table.as_str(), row.as_str(), column.as_str()),
            ("Bảng nhiệm vụ", "12", "Thời gian hoàn thành")
        );
        assert!(what.starts_with("Không đọc được thời gian hoàn thành"), "{what}");
        let missing = FieldViolation::new("targets_content", "the column `Cách đo` is missing");
        assert_eq!(placed(&missing).expect("placed").3, "Thiếu cột “Cách đo”.");
        assert!(placed(&FieldViolation::new("plan.title", "is required")).is_none());
    }

    #[test]
    fn the_format_is_read_from_the_file_name() {
        assert_eq!(format_of("Phu luc KH CCHC.XLSX"), Some(pb::TableFormat::Xlsx));
        assert_eq!(format_of("bang.csv"), Some(pb::TableFormat::Csv));
        assert_eq!(format_of("bang.xls"), None);
    }
}
