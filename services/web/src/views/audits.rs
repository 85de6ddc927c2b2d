//! Đánh giá nội bộ: the internal audits the person may read, and an audit's
//! page — its scope, auditors and auditees, checklist and findings by
//! clause with the evidence checked. An auditor starts the audit, records
//! findings, links evidence found by searching, opens a corrective action
//! for each nonconformity, and completes the audit with its conclusion. The
//! quality service decides who may (the auditors of this audit, the units
//! audited) and what must hold (a nonconformity has its action before the
//! audit completes).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::procedures::v1::LocalDate;
use eiso_proto::eiso::quality::v1::{self as pb, ChecklistResult, FindingType, audit};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::{Value, context};
use serde::Deserialize;

use super::actions_board::day_text;
use super::fields::Fields;
use super::methods::{
    COMPLETE_AUDIT, CREATE_CORRECTIVE_ACTION, CREATE_FINDING, GET_AUDIT, LIST_AUDITS, LIST_FINDINGS, START_AUDIT,
    UPDATE_AUDIT, UPDATE_FINDING,
};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

/// A day typed as `ngày/tháng/năm`, as the API takes it.
pub(super) fn local_date(text: &str) -> Option<LocalDate> {
    use chrono::Datelike;
    let day = format::parse_day(text)?;
    Some(LocalDate {
        year: day.year(),
        month: day.month() as i32,
        day: day.day() as i32,
    })
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    da: String,
}

/// Đánh giá nội bộ: every audit the person may read, latest first, and the
/// planning forms for those who plan.
pub async fn list(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    let done = (query.da == "chuong-trinh").then_some("Đã lập chương trình đánh giá.");
    render_list_saying(&web, &session, super::audit_plan::Typed::default(), done).await
}

/// The audits' page with the planning forms as typed (a refused plan).
pub async fn render_list(
    web: &Web,
    session: &Session,
    typed: super::audit_plan::Typed,
) -> Result<Html<String>, PageError> {
    render_list_saying(web, session, typed, None).await
}

async fn render_list_saying(
    web: &Web,
    session: &Session,
    typed: super::audit_plan::Typed,
    done: Option<&str>,
) -> Result<Html<String>, PageError> {
    let answer = web
        .quality()
        .list_audits(
            &session.context(LIST_AUDITS)?,
            pb::ListAuditsRequest {
                page_size: 200,
                order_by: "start_date desc".into(),
                ..Default::default()
            },
        )
        .await?;
    let mut names = Names::new(web);
    let mut rows = Vec::new();
    for a in answer.audits {
        let state = audit::State::try_from(a.state).unwrap_or_default();
        let mut auditees = Vec::new();
        for unit in &a.auditees {
            auditees.push(names.unit(unit).await);
        }
        rows.push(context! {
            href => format!("/chat-luong/danh-gia/{}", a.name.trim_start_matches("audits/")),
            title => a.title,
            auditees => auditees.join(", "),
            start => day_text(a.start_date.as_ref()),
            end => day_text(a.end_date.as_ref()),
            state => state.label_vi(),
            state_key => state.short_name(),
            findings => a.finding_count,
        });
    }
    let plan = super::audit_plan::forms(web, session, typed).await?;
    web.pages().render(
        "audits.html",
        context! { frame => session.frame(), title => "Đánh giá nội bộ", rows, plan, done },
    )
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    /// The finding whose evidence is being looked for.
    #[serde(default)]
    phat_hien: String,
    /// Words to find evidence by.
    #[serde(default)]
    tim: String,
    /// What was just done.
    #[serde(default)]
    da: String,
}

/// What the page says once a step is done (`?da=`).
fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "bat-dau" => "Đã bắt đầu cuộc đánh giá.",
        "ket-thuc" => "Đã kết thúc cuộc đánh giá với kết luận.",
        "phat-hien" => "Đã ghi nhận phát hiện.",
        "minh-chung" => "Đã gắn minh chứng vào phát hiện.",
        "khac-phuc" => "Đã mở hành động khắc phục.",
        "danh-muc" => "Đã lưu kết quả theo danh mục kiểm tra.",
        "them-cau-hoi" => "Đã thêm câu hỏi vào danh mục kiểm tra.",
        "lap" => "Đã lập kế hoạch cuộc đánh giá.",
        _ => return None,
    })
}

/// The audit's page; `problem` is a refused step (what to say).
async fn render(
    web: &Web,
    session: &Session,
    id: &str,
    query: &AuditQuery,
    problem: Option<String>,
) -> Result<Html<String>, PageError> {
    let name = format!("audits/{id}");
    let a = web
        .quality()
        .get_audit(&session.context(GET_AUDIT)?, pb::GetAuditRequest { name: name.clone() })
        .await?;
    let findings = web
        .quality()
        .list_findings(
            &session.context(LIST_FINDINGS)?,
            pb::ListFindingsRequest {
                parent: name.clone(),
                page_size: 500,
                ..Default::default()
            },
        )
        .await?
        .findings;
    let mut names = Names::new(web);
    let state = audit::State::try_from(a.state).unwrap_or_default();
    let mut auditees = Vec::new();
    for unit in &a.auditees {
        auditees.push(context! { value => unit, name => names.unit(unit).await });
    }
    let mut auditors = Vec::new();
    for user in &a.auditors {
        auditors.push(names.user(user).await);
    }
    let checklist: Vec<Value> = a
        .checklist
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let result = ChecklistResult::try_from(item.result).unwrap_or_default();
            context! {
                index,
                clause => item.clause,
                question => item.question,
                result => if result == ChecklistResult::Unspecified { "Chưa kiểm tra" } else { result.label_vi() },
                result_key => result.short_name(),
                note => item.note,
            }
        })
        .collect();
    let may_act = session.may(CREATE_CORRECTIVE_ACTION);
    let mut shown = Vec::new();
    for f in &findings {
        let kind = FindingType::try_from(f.r#type).unwrap_or_default();
        let finding_id = f.name.rsplit('/').next().unwrap_or_default().to_string();
        let searching = query.phat_hien == finding_id;
        let linked: Vec<&str> = f.evidence.iter().map(|e| e.name.as_str()).collect();
        let found = if searching {
            super::evidence::find(web, session, &query.tim, &linked).await?
        } else {
            Vec::new()
        };
        let nonconformity = matches!(kind, FindingType::MajorNonconformity | FindingType::MinorNonconformity);
        shown.push(context! {
            id => finding_id,
            kind => kind.label_vi(),
            kind_key => kind.short_name(),
            nonconformity,
            clause => f.clause,
            statement => f.statement,
            auditee => names.unit(&f.auditee).await,
            auditee_name => f.auditee,
            author => names.user(&f.author).await,
            recorded => format::timestamp(f.create_time.as_ref()),
            evidence => f.evidence.iter().map(|e| context! {
                title => e.title,
                kind => super::evidence::kind_label(&e.kind),
                href => super::evidence::href(&e.name),
            }).collect::<Vec<_>>(),
            action_href => (!f.corrective_action.is_empty()).then(|| super::action::href(&f.corrective_action)),
            may_open_action => may_act && nonconformity && f.corrective_action.is_empty(),
            searching,
            found,
        });
    }
    let in_progress = state == audit::State::InProgress;
    let kinds: Vec<Value> = FindingType::values()
        .into_iter()
        .filter(|k| *k != FindingType::Unspecified)
        .map(|k| context! { key => k.short_name(), label => k.label_vi() })
        .collect();
    web.pages().render(
        "audit.html",
        context! {
            frame => session.frame(),
            title => a.title.clone(),
            id,
            heading => a.title,
            scope => a.scope,
            criteria => a.criteria,
            auditees,
            auditors => auditors.join(", "),
            start => day_text(a.start_date.as_ref()),
            end => day_text(a.end_date.as_ref()),
            started => day_text(a.started_date.as_ref()),
            completed => day_text(a.completed_date.as_ref()),
            state => state.label_vi(),
            state_key => state.short_name(),
            conclusion => a.conclusion,
            etag => a.etag,
            checklist,
            findings => shown,
            kinds,
            may_start => state == audit::State::Planned && session.may(START_AUDIT),
            may_complete => in_progress && session.may(COMPLETE_AUDIT),
            may_record => in_progress && session.may(CREATE_FINDING),
            may_link => session.may(UPDATE_FINDING) && state != audit::State::Completed,
            may_edit_checklist => session.may(UPDATE_AUDIT) && state != audit::State::Completed,
            results => ChecklistResult::values()
                .into_iter()
                .filter(|r| *r != ChecklistResult::Unspecified)
                .map(|r| context! { key => r.short_name(), label => r.label_vi() })
                .collect::<Vec<_>>(),
            tim => query.tim.trim(),
            done => done_message(&query.da),
            problem,
            request_id => uuid::Uuid::new_v4().to_string(),
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Path(id): Path<String>,
    Query(query): Query<AuditQuery>,
) -> Result<Html<String>, PageError> {
    super::fields::check_id(&id)?;
    render(&web, &session, &id, &query, None).await
}

/// The audit's steps (`/chat-luong/danh-gia/{id}/{step}`) and their API methods.
const STEPS: &[(&str, &str)] = &[
    ("bat-dau", START_AUDIT),
    ("ket-thuc", COMPLETE_AUDIT),
    ("phat-hien", CREATE_FINDING),
    ("minh-chung", UPDATE_FINDING),
    ("khac-phuc", CREATE_CORRECTIVE_ACTION),
    ("danh-muc", UPDATE_AUDIT),
    ("them-cau-hoi", UPDATE_AUDIT),
];

pub async fn step(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path((id, step)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    super::fields::check_id(&id)?;
    let fields = Fields(form);
    let (_, method) = STEPS.iter().find(|(k, _)| *k == step).ok_or(PageError::NotFound)?;
    let ctx = fields.create_context(&web, &headers, &session, method).await?;
    let name = format!("audits/{id}");
    let quality = web.quality();
    let finding_of = |fields: &Fields| {
        let finding = fields.get("phat_hien");
        super::fields::valid_id(finding).then(|| format!("{name}/findings/{finding}"))
    };
    let result: Result<(), ServiceError> = match step.as_str() {
        "bat-dau" => quality
            .start_audit(
                &ctx,
                pb::StartAuditRequest {
                    name: name.clone(),
                    etag: fields.get("etag").to_string(),
                    ..Default::default()
                },
            )
            .await
            .map(drop),
        "ket-thuc" => quality
            .complete_audit(
                &ctx,
                pb::CompleteAuditRequest {
                    name: name.clone(),
                    conclusion: fields.get("ket_luan").to_string(),
                    etag: fields.get("etag").to_string(),
                    ..Default::default()
                },
            )
            .await
            .map(drop),
        "phat-hien" => quality
            .create_finding(
                &ctx,
                pb::CreateFindingRequest {
                    parent: name.clone(),
                    finding: Some(pb::Finding {
                        r#type: FindingType::from_short_name(fields.get("loai")).map_or(-1, |k| k as i32),
                        clause: fields.get("dieu_khoan").to_string(),
                        statement: fields.get("noi_dung").to_string(),
                        auditee: fields.get("don_vi").to_string(),
                        ..Default::default()
                    }),
                    request_id: ctx.request_id.clone(),
                },
            )
            .await
            .map(drop),
        "minh-chung" => {
            let finding_name = finding_of(&fields).ok_or(PageError::NotFound)?;
            let current = quality
                .get_finding(
                    &session.context(super::methods::GET_FINDING)?,
                    pb::GetFindingRequest {
                        name: finding_name.clone(),
                    },
                )
                .await?;
            let mut evidence = current.evidence.clone();
            let resource = fields.get("minh_chung");
            if !evidence.iter().any(|e| e.name == resource) {
                evidence.push(pb::EvidenceLink {
                    name: resource.to_string(),
                    ..Default::default()
                });
            }
            quality
                .update_finding(
                    &ctx,
                    pb::UpdateFindingRequest {
                        finding: Some(pb::Finding {
                            name: finding_name,
                            evidence,
                            ..Default::default()
                        }),
                        update_mask: Some(eiso_proto::prost_types::FieldMask {
                            paths: vec!["evidence".into()],
                        }),
                        etag: current.etag,
                    },
                )
                .await
                .map(drop)
        }
        "danh-muc" | "them-cau-hoi" => {
            let current = quality
                .get_audit(&session.context(GET_AUDIT)?, pb::GetAuditRequest { name: name.clone() })
                .await?;
            let mut checklist = current.checklist.clone();
            if step == "them-cau-hoi" {
                checklist.push(pb::ChecklistItem {
                    clause: fields.get("dieu_khoan_moi").to_string(),
                    question: fields.get("cau_hoi").to_string(),
                    ..Default::default()
                });
            } else {
                for (i, item) in checklist.iter_mut().enumerate() {
                    let result = fields.get(&format!("ket_qua_{i}"));
                    item.result = if result.is_empty() {
                        ChecklistResult::Unspecified as i32
                    } else {
                        ChecklistResult::from_short_name(result).map_or(-1, |r| r as i32)
                    };
                    item.note = fields.get(&format!("ghi_chu_{i}")).to_string();
                }
            }
            quality
                .update_audit(
                    &ctx,
                    pb::UpdateAuditRequest {
                        audit: Some(pb::Audit {
                            name: name.clone(),
                            checklist,
                            ..Default::default()
                        }),
                        update_mask: Some(eiso_proto::prost_types::FieldMask {
                            paths: vec!["checklist".into()],
                        }),
                        etag: fields.get("etag").to_string(),
                    },
                )
                .await
                .map(drop)
        }
        _ => {
            let finding_name = finding_of(&fields).ok_or(PageError::NotFound)?;
            let due = fields.get("han");
            let due_date = if due.is_empty() {
                None
            } else {
                match local_date(due) {
                    Some(day) => Some(day),
                    None => {
                        let message = "Hạn hoàn thành viết theo ngày/tháng/năm.".to_string();
                        return refused(&web, &session, &id, message).await;
                    }
                }
            };
            quality
                .create_corrective_action(
                    &ctx,
                    pb::CreateCorrectiveActionRequest {
                        corrective_action: Some(pb::CorrectiveAction {
                            finding: finding_name,
                            nonconformity: fields.get("su_khong_phu_hop").to_string(),
                            due_date,
                            ..Default::default()
                        }),
                        request_id: ctx.request_id.clone(),
                        ..Default::default()
                    },
                )
                .await
                .map(drop)
        }
    };
    let message = match web.audited(&session, method, result).await {
        Ok(()) => return Ok(Redirect::to(&format!("/chat-luong/danh-gia/{id}?da={step}")).into_response()),
        Err(ServiceError::InvalidArgument(violations)) => {
            super::fields::say_violations(&violations, violation_vi)
        }
        Err(ServiceError::FailedPrecondition { kind, description, .. }) => match kind {
            "NONCONFORMITY_WITHOUT_CORRECTIVE_ACTION" => {
                "Còn sự không phù hợp chưa có hành động khắc phục: mở hành động khắc phục cho từng sự không phù hợp trước khi kết thúc.".to_string()
            }
            "AUDIT_NOT_IN_PROGRESS" => "Cuộc đánh giá không còn đang diễn ra.".to_string(),
            "AUDITOR_NOT_INDEPENDENT" => format!("Chuyên gia đánh giá không độc lập với đối tượng được đánh giá ({description})."),
            _ => format!("Không thực hiện được: {description}"),
        },
        Err(ServiceError::Aborted(_)) => "Cuộc đánh giá vừa được người khác thay đổi: xem lại rồi làm lại.".to_string(),
        Err(ServiceError::PermissionDenied(_)) => "Bạn không phải chuyên gia đánh giá của cuộc đánh giá này.".to_string(),
        Err(ServiceError::AlreadyExists(_)) => "Phát hiện này đã có hành động khắc phục.".to_string(),
        Err(other) => return Err(other.into()),
    };
    refused(&web, &session, &id, message).await
}

async fn refused(web: &Web, session: &Session, id: &str, message: String) -> Result<Response, PageError> {
    let page = render(web, session, id, &AuditQuery::default(), Some(message)).await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// What a violation of an audit step says, by the API field it names.
fn violation_vi(field: &str) -> Option<&'static str> {
    Some(match field {
        "finding.type" => "Chọn loại phát hiện.",
        "finding.clause" => "Nhập điều khoản ISO 9001, ví dụ 7.5.3.",
        "finding.statement" => "Nhập nội dung phát hiện.",
        "finding.auditee" => "Chọn đơn vị được đánh giá mà phát hiện nói đến.",
        "conclusion" => "Nhập kết luận của cuộc đánh giá.",
        field if field.starts_with("audit.checklist") && field.ends_with(".question") => "Nhập câu hỏi kiểm tra.",
        field if field.starts_with("audit.checklist") && field.ends_with(".clause") => {
            "Nhập điều khoản của câu hỏi, ví dụ 7.5.3."
        }
        field if field.starts_with("audit.checklist") => "Kết quả kiểm tra không hợp lệ.",
        "corrective_action.nonconformity" => "Nhập sự không phù hợp cần khắc phục.",
        "corrective_action.due_date" => "Hạn hoàn thành không trước ngày mở hành động.",
        field if field.starts_with("finding.evidence") => {
            "Không gắn được minh chứng này: có thể đã bị xóa hoặc bạn không được xem."
        }
        _ => return None,
    })
}
