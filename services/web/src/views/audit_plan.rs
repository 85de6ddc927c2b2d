//! Lập kế hoạch đánh giá: a unit's internal-audit programme of a year, and an
//! audit planned under it — title, scope, the ISO 9001 clauses, the units
//! audited, the auditors and the days — from the audits' page. The quality
//! service checks that the units lie within the programme's unit and that
//! no auditor audits their own work (ISO 19011), and says so by name.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::quality::v1 as pb;
use http::HeaderMap;
use minijinja::{Value, context};

use super::audits::local_date;
use super::fields::Fields;
use super::methods::{CREATE_AUDIT, CREATE_AUDIT_PROGRAMME, LIST_AUDIT_PROGRAMMES};
use crate::Web;
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;

/// What the planning forms hold, as typed, and what was refused.
#[derive(Default)]
pub struct Typed {
    pub programme: String,
    pub title: String,
    pub scope: String,
    pub clauses: String,
    pub auditees: Vec<String>,
    pub auditors: Vec<String>,
    pub from: String,
    pub to: String,
    pub problem: Option<String>,
}

/// The planning forms' choices for a person who may plan: programmes,
/// units, auditors; `None` for one who may not.
pub async fn forms(web: &Web, session: &Session, typed: Typed) -> Result<Option<Value>, PageError> {
    let may_programme = session.may(CREATE_AUDIT_PROGRAMME);
    let may_audit = session.may(CREATE_AUDIT);
    if !may_programme && !may_audit {
        return Ok(None);
    }
    let programmes = web
        .quality()
        .list_audit_programmes(
            &session.context(LIST_AUDIT_PROGRAMMES)?,
            pb::ListAuditProgrammesRequest {
                page_size: 200,
                ..Default::default()
            },
        )
        .await?
        .programmes;
    let mut names = Names::new(web);
    let mut programme_choices = Vec::new();
    for p in programmes.iter().rev() {
        programme_choices.push(context! {
            value => p.name,
            label => format!("{} ({})", p.title, names.unit(&p.unit).await),
            selected => p.name == typed.programme,
        });
    }
    let covered = session.covered_units(web, 200).await;
    let mut units = Vec::new();
    for unit in &covered {
        let name = names.unit(unit).await;
        units.push(context! { value => unit, name, checked => typed.auditees.contains(unit) });
    }
    // The auditors: the internal auditors of the units the person covers.
    let mut auditors: Vec<Value> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (_, bound) in &session.principal.bindings {
        for user in web.directory().users_in_unit(bound).await.unwrap_or_default() {
            if seen.contains(&user.name) || seen.len() >= 200 {
                continue;
            }
            seen.push(user.name.clone());
            let bindings = web.directory().bindings(&user.name).await.unwrap_or_default();
            if bindings.iter().any(|(role, _)| *role == Role::InternalAuditor) {
                auditors.push(context! {
                    value => user.name,
                    name => user.display_name,
                    checked => typed.auditors.contains(&user.name),
                });
            }
        }
    }
    let year = super::plans::today(web).format("%Y").to_string();
    Ok(Some(context! {
        may_programme,
        may_audit,
        programmes => programme_choices,
        units,
        auditors,
        year,
        title => typed.title,
        scope => typed.scope,
        clauses => typed.clauses,
        from => typed.from,
        to => typed.to,
        problem => typed.problem,
        request_id => uuid::Uuid::new_v4().to_string(),
    }))
}

async fn refused(web: &Web, session: &Session, typed: Typed) -> Result<Response, PageError> {
    let page = super::audits::render_list(web, session, typed).await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Chương trình đánh giá: a unit's programme of a year.
pub async fn create_programme(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(form);
    let ctx = fields
        .create_context(&web, &headers, &session, CREATE_AUDIT_PROGRAMME)
        .await?;
    let year = fields.get("nam").parse::<i32>().unwrap_or(-1);
    let result = web
        .quality()
        .create_audit_programme(
            &ctx,
            pb::CreateAuditProgrammeRequest {
                programme: Some(pb::AuditProgramme {
                    unit: fields.get("don_vi").to_string(),
                    year,
                    title: fields.get("ten_chuong_trinh").to_string(),
                    ..Default::default()
                }),
                request_id: ctx.request_id.clone(),
            },
        )
        .await;
    let problem = match web.audited(&session, CREATE_AUDIT_PROGRAMME, result).await {
        Ok(_) => return Ok(Redirect::to("/chat-luong/danh-gia?da=chuong-trinh").into_response()),
        Err(ServiceError::InvalidArgument(violations)) => {
            super::fields::say_violations(&violations, |field| match field {
                "programme.year" => Some("Năm không hợp lệ."),
                "programme.title" => Some("Nhập tên chương trình."),
                "programme.unit" => Some("Chọn đơn vị."),
                _ => None,
            })
        }
        Err(ServiceError::AlreadyExists(_)) => "Đơn vị đã có chương trình đánh giá của năm này.".to_string(),
        Err(ServiceError::PermissionDenied(_) | ServiceError::NotFound(_)) => {
            "Bạn không lập chương trình cho đơn vị này.".to_string()
        }
        Err(other) => return Err(other.into()),
    };
    let typed = Typed {
        problem: Some(problem),
        ..Default::default()
    };
    refused(&web, &session, typed).await
}

/// Một cuộc đánh giá: planned under a programme.
pub async fn create_audit(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(form);
    let ctx = fields.create_context(&web, &headers, &session, CREATE_AUDIT).await?;
    let mut typed = Typed {
        programme: fields.get("chuong_trinh").to_string(),
        title: fields.get("ten").to_string(),
        scope: fields.get("pham_vi").to_string(),
        clauses: fields.get("dieu_khoan").to_string(),
        auditees: fields.all("don_vi_duoc_danh_gia").map(str::to_string).collect(),
        auditors: fields.all("chuyen_gia").map(str::to_string).collect(),
        from: fields.get("tu_ngay").to_string(),
        to: fields.get("den_ngay").to_string(),
        problem: None,
    };
    let (start, end) = (local_date(&typed.from), local_date(&typed.to));
    if start.is_none() || end.is_none() {
        typed.problem = Some("Từ ngày, đến ngày viết theo ngày/tháng/năm.".into());
        return refused(&web, &session, typed).await;
    }
    let criteria = typed
        .clauses
        .split([',', ';'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    let result = web
        .quality()
        .create_audit(
            &ctx,
            pb::CreateAuditRequest {
                audit: Some(pb::Audit {
                    programme: typed.programme.clone(),
                    title: typed.title.clone(),
                    scope: typed.scope.clone(),
                    criteria,
                    auditees: typed.auditees.clone(),
                    auditors: typed.auditors.clone(),
                    start_date: start,
                    end_date: end,
                    ..Default::default()
                }),
                request_id: ctx.request_id.clone(),
            },
        )
        .await;
    let problem = match web.audited(&session, CREATE_AUDIT, result).await {
        Ok(audit) => {
            let id = audit.name.trim_start_matches("audits/");
            return Ok(Redirect::to(&format!("/chat-luong/danh-gia/{id}?da=lap")).into_response());
        }
        Err(ServiceError::InvalidArgument(violations)) => super::fields::say_violations(&violations, |field| {
            let said = [
                ("audit.programme", "Chọn chương trình đánh giá."),
                ("audit.title", "Nhập tên cuộc đánh giá."),
                ("audit.scope", "Nhập phạm vi đánh giá."),
                (
                    "audit.criteria",
                    "Nhập ít nhất một điều khoản ISO 9001, ví dụ 7.5, 8.5.",
                ),
                (
                    "audit.auditees",
                    "Chọn đơn vị được đánh giá (thuộc đơn vị của chương trình).",
                ),
                ("audit.auditors", "Chọn chuyên gia đánh giá."),
                ("audit.start_date", "Đến ngày không trước từ ngày."),
                ("audit.end_date", "Đến ngày không trước từ ngày."),
            ];
            said.iter()
                .find(|(api, _)| field.starts_with(api))
                .map(|(_, said)| *said)
        }),
        Err(ServiceError::FailedPrecondition {
            kind: "AUDITOR_NOT_INDEPENDENT",
            description,
            ..
        }) => {
            format!("Chuyên gia đánh giá không được đánh giá công việc của chính mình (ISO 19011): {description}")
        }
        Err(ServiceError::PermissionDenied(_) | ServiceError::NotFound(_)) => {
            "Bạn không lập kế hoạch đánh giá trong chương trình này.".to_string()
        }
        Err(other) => return Err(other.into()),
    };
    typed.problem = Some(problem);
    refused(&web, &session, typed).await
}
