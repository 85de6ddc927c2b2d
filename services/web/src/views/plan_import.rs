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
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, csrf};

/// The largest table the page takes (a year's appendix is a few hundred KB).
const MAX_TABLE_BYTES: usize = 10 << 20;
/// The largest text field of the form.
const MAX_FIELD_BYTES: usize = 4096;
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

/// A field's content, refused past `limit` bytes.
async fn read_field(field: &mut axum::extract::multipart::Field<'_>, limit: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                out.extend_from_slice(&chunk);
                if out.len() > limit {
                    return Err(format!("Tệp lớn hơn {} MB.", limit >> 20));
                }
            }
            Ok(None) => return Ok(out),
            Err(_) => return Err("Tệp tải lên bị gián đoạn: thử lại.".into()),
        }
    }
}

/// The table's format from its file name.
fn format_of(file_name: &str) -> Option<pb::TableFormat> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xlsx") {
        Some(pb::TableFormat::Xlsx)
    } else if lower.ends_with(".csv") {
        Some(pb::TableFormat::Csv)
    } else {
        None
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
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let mut typed = Typed::default();
    let mut action = String::new();
    let mut tasks: Option<(String, Vec<u8>)> = None;
    let mut targets: Option<(String, Vec<u8>)> = None;
    let mut checked_csrf = false;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|_| PageError::BadRequest("Biểu mẫu gửi lên không đọc được.".into()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if !checked_csrf {
            // The CSRF value comes first, before anything else is read.
            let value = match name.as_str() {
                "csrf" => read_field(&mut field, 256).await.ok(),
                _ => None,
            };
            if !csrf::check(&headers, value.as_deref().map(String::from_utf8_lossy).as_deref()) {
                return Err(PageError::Csrf);
            }
            checked_csrf = true;
            continue;
        }
        let file_name = field.file_name().map(str::to_string);
        let limit = if file_name.is_some() {
            MAX_TABLE_BYTES
        } else {
            MAX_FIELD_BYTES
        };
        let content = match read_field(&mut field, limit).await {
            Ok(content) => content,
            Err(problem) => {
                typed.problem = Some(problem);
                return refused(&web, &session, typed).await;
            }
        };
        let text = || String::from_utf8_lossy(&content).trim().to_string();
        match name.as_str() {
            "ten" => typed.title = text(),
            "nam" => typed.year = text(),
            "don_vi" => typed.unit = text(),
            "hanh_dong" => action = text(),
            "bang" => tasks = file_name.filter(|n| !n.is_empty()).map(|n| (n, content)),
            "chi_tieu" => targets = file_name.filter(|n| !n.is_empty()).map(|n| (n, content)),
            _ => {}
        }
    }
    if !checked_csrf {
        return Err(PageError::Csrf);
    }
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
