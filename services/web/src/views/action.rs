//! Một hành động khắc phục: the nonconformity, the unit that answers for it,
//! its root cause and planned actions with their owners, what was carried
//! out, each verification of effectiveness and the plans it replaced; and the
//! next step as a form — plan, carry out, verify (by someone who owns none
//! of the actions), close. The quality service decides who may take each
//! step and in which state.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::quality::v1::{self as pb, corrective_action::State as ActionState};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::{Value, context};
use serde::Deserialize;

use super::actions_board::day_text;
use super::audits::local_date;
use super::fields::Fields;
use super::methods::{
    CLOSE_CORRECTIVE_ACTION, GET_CORRECTIVE_ACTION, IMPLEMENT_CORRECTIVE_ACTION, PLAN_CORRECTIVE_ACTION,
    VERIFY_CORRECTIVE_ACTION,
};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

/// How many planned actions the plan form offers.
const PLAN_ROWS: usize = 3;

/// The page of a corrective action, `correctiveActions/{id}`.
pub fn href(name: &str) -> String {
    format!(
        "/chat-luong/hanh-dong/{}",
        name.trim_start_matches("correctiveActions/")
    )
}

#[derive(Deserialize, Default)]
pub struct ActionQuery {
    #[serde(default)]
    da: String,
}

fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "lap-ke-hoach" => "Đã lập kế hoạch khắc phục.",
        "thuc-hien" => "Đã ghi nhận việc thực hiện: chờ kiểm tra hiệu lực.",
        "kiem-tra" => "Đã ghi kết quả kiểm tra hiệu lực.",
        "dong" => "Đã đóng hành động khắc phục.",
        _ => return None,
    })
}

async fn planned(names: &mut Names<'_>, actions: &[pb::PlannedAction]) -> Vec<Value> {
    let mut out = Vec::new();
    for a in actions {
        out.push(context! {
            description => a.description,
            owner => names.user(&a.owner).await,
            due => day_text(a.due_date.as_ref()),
        });
    }
    out
}

async fn render(
    web: &Web,
    session: &Session,
    id: &str,
    done: &str,
    problem: Option<String>,
) -> Result<Html<String>, PageError> {
    let name = format!("correctiveActions/{id}");
    let action = web
        .quality()
        .get_corrective_action(
            &session.context(GET_CORRECTIVE_ACTION)?,
            pb::GetCorrectiveActionRequest { name },
        )
        .await?;
    let mut names = Names::new(web);
    let state = ActionState::try_from(action.state).unwrap_or_default();
    let mut verifications = Vec::new();
    for v in &action.verifications {
        verifications.push(context! {
            verifier => names.user(&v.verifier).await,
            effective => v.effective,
            note => v.note,
            day => day_text(v.verify_date.as_ref()),
        });
    }
    let mut history = Vec::new();
    for h in action.history.iter().rev() {
        history.push(context! {
            root_cause => h.root_cause,
            actions => planned(&mut names, &h.actions).await,
            planner => names.user(&h.planner).await,
            planned => day_text(h.plan_date.as_ref()),
            replaced_by => names.user(&h.replaced_by).await,
            replaced => format::timestamp(h.replace_time.as_ref()),
            replaced_state => ActionState::try_from(h.replaced_state).unwrap_or_default().label_vi(),
        });
    }
    // Who may own a planned action: the people of the unit that answers for it.
    let mut owners = Vec::new();
    for user in web.directory().users_in_unit(&action.unit).await.unwrap_or_default() {
        owners.push(context! { value => user.name, name => user.display_name });
    }
    let audit_href = action
        .finding
        .split("/findings/")
        .next()
        .filter(|a| a.starts_with("audits/"))
        .map(|a| format!("/chat-luong/danh-gia/{}", a.trim_start_matches("audits/")));
    let today = super::plans::today(web);
    let overdue = matches!(
        state,
        ActionState::Open | ActionState::ActionsPlanned | ActionState::NotEffective
    ) && super::actions_board::day(action.due_date.as_ref()).is_some_and(|due| due < today);
    web.pages().render(
        "action.html",
        context! {
            frame => session.frame(),
            title => "Hành động khắc phục",
            id,
            nonconformity => action.nonconformity,
            unit => names.unit(&action.unit).await,
            audit_href,
            due => day_text(action.due_date.as_ref()),
            overdue,
            state => state.label_vi(),
            state_key => state.short_name(),
            opened => day_text(action.open_date.as_ref()),
            root_cause => action.root_cause,
            actions => planned(&mut names, &action.actions).await,
            planner => names.user(&action.planner).await,
            planned_on => day_text(action.plan_date.as_ref()),
            implementation_note => action.implementation_note,
            implemented => day_text(action.implement_date.as_ref()),
            closed => day_text(action.close_date.as_ref()),
            verifications,
            history,
            etag => action.etag,
            owners,
            rows => (1..=PLAN_ROWS).collect::<Vec<_>>(),
            may_plan => matches!(state, ActionState::Open | ActionState::ActionsPlanned | ActionState::NotEffective)
                && session.may(PLAN_CORRECTIVE_ACTION),
            may_implement => state == ActionState::ActionsPlanned && session.may(IMPLEMENT_CORRECTIVE_ACTION),
            may_verify => state == ActionState::Implemented && session.may(VERIFY_CORRECTIVE_ACTION),
            may_close => state == ActionState::VerifiedEffective && session.may(CLOSE_CORRECTIVE_ACTION),
            done => done_message(done),
            problem,
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Path(id): Path<String>,
    Query(query): Query<ActionQuery>,
) -> Result<Html<String>, PageError> {
    super::fields::check_id(&id)?;
    render(&web, &session, &id, &query.da, None).await
}

/// The action's steps (`/chat-luong/hanh-dong/{id}/{step}`) and their API methods.
const STEPS: &[(&str, &str)] = &[
    ("lap-ke-hoach", PLAN_CORRECTIVE_ACTION),
    ("thuc-hien", IMPLEMENT_CORRECTIVE_ACTION),
    ("kiem-tra", VERIFY_CORRECTIVE_ACTION),
    ("dong", CLOSE_CORRECTIVE_ACTION),
];

pub async fn step(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path((id, step)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    super::fields::check_id(&id)?;
    let fields = Fields::checked(form, &headers)?;
    let (_, method) = STEPS.iter().find(|(k, _)| *k == step).ok_or(PageError::NotFound)?;
    let ctx = web.write_context(&session, method).await?;
    let name = format!("correctiveActions/{id}");
    let etag = fields.get("etag").to_string();
    let quality = web.quality();
    let result = match step.as_str() {
        "lap-ke-hoach" => {
            let mut actions = Vec::new();
            for i in 1..=PLAN_ROWS {
                let description = fields.get(&format!("mo_ta_{i}"));
                if description.is_empty() {
                    continue;
                }
                let due = fields.get(&format!("han_{i}"));
                let Some(due_date) = local_date(due) else {
                    let message = format!("Hạn của việc {i} viết theo ngày/tháng/năm.");
                    return refused(&web, &session, &id, message).await;
                };
                actions.push(pb::PlannedAction {
                    description: description.to_string(),
                    owner: fields.get(&format!("nguoi_{i}")).to_string(),
                    due_date: Some(due_date),
                });
            }
            if actions.is_empty() {
                return refused(&web, &session, &id, "Nhập ít nhất một việc cần làm.".into()).await;
            }
            quality
                .plan_corrective_action(
                    &ctx,
                    pb::PlanCorrectiveActionRequest {
                        name,
                        root_cause: fields.get("nguyen_nhan").to_string(),
                        actions,
                        etag,
                        ..Default::default()
                    },
                )
                .await
        }
        "thuc-hien" => {
            quality
                .implement_corrective_action(
                    &ctx,
                    pb::ImplementCorrectiveActionRequest {
                        name,
                        note: fields.get("ket_qua").to_string(),
                        etag,
                        ..Default::default()
                    },
                )
                .await
        }
        "kiem-tra" => {
            let effective = match fields.get("hieu_luc") {
                "co" => true,
                "khong" => false,
                _ => {
                    let message = "Chọn hành động đã có hiệu lực hay chưa.".to_string();
                    return refused(&web, &session, &id, message).await;
                }
            };
            quality
                .verify_corrective_action(
                    &ctx,
                    pb::VerifyCorrectiveActionRequest {
                        name,
                        effective,
                        note: fields.get("nhan_xet").to_string(),
                        etag,
                        ..Default::default()
                    },
                )
                .await
        }
        _ => {
            quality
                .close_corrective_action(
                    &ctx,
                    pb::CloseCorrectiveActionRequest {
                        name,
                        etag,
                        ..Default::default()
                    },
                )
                .await
        }
    };
    let message = match web.audited(&session, method, result).await {
        Ok(_) => return Ok(Redirect::to(&format!("/chat-luong/hanh-dong/{id}?da={step}")).into_response()),
        Err(ServiceError::InvalidArgument(violations)) => super::fields::say_violations(&violations, violation_vi),
        Err(ServiceError::FailedPrecondition { kind, description, .. }) => match kind {
            "VERIFIER_IS_OWNER" => {
                "Người kiểm tra hiệu lực không được là người thực hiện việc khắc phục: đề nghị người khác kiểm tra."
                    .to_string()
            }
            _ => format!("Không thực hiện được ở bước hiện tại: {description}"),
        },
        Err(ServiceError::Aborted(_)) => "Hành động vừa được người khác cập nhật: xem lại rồi làm lại.".to_string(),
        Err(ServiceError::PermissionDenied(_)) => {
            "Bạn không có quyền thực hiện bước này với hành động của đơn vị này.".to_string()
        }
        Err(other) => return Err(other.into()),
    };
    refused(&web, &session, &id, message).await
}

async fn refused(web: &Web, session: &Session, id: &str, message: String) -> Result<Response, PageError> {
    let page = render(web, session, id, "", Some(message)).await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn violation_vi(field: &str) -> Option<&'static str> {
    Some(match field {
        "root_cause" => "Nhập nguyên nhân gốc rễ.",
        "note" => "Nhập nội dung (đã làm gì, kết quả kiểm tra).",
        field if field.ends_with(".description") => "Nhập nội dung của từng việc cần làm.",
        field if field.ends_with(".owner") => "Chọn người thực hiện cho từng việc.",
        field if field.ends_with(".due_date") => {
            "Hạn của từng việc không trước hôm nay và không sau hạn của hành động."
        }
        _ => return None,
    })
}
