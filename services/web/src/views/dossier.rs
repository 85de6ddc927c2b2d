//! Một hồ sơ: its facts, timeline and deadline, and its printable forms.

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use eiso_proto::eiso::procedures::v1 as pb;
use eiso_proto::labels::Label;
use http::HeaderValue;
use http::header::CONTENT_SECURITY_POLICY;
use minijinja::context;
use serde::Serialize;

use super::methods::{GET_DOSSIER, RENDER_FORM};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

/// The forms 01–05 of a dossier, by their number in the address.
const FORMS: &[(&str, pb::Form, &str)] = &[
    ("01", pb::Form::Receipt, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    (
        "02",
        pb::Form::SupplementRequest,
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    ),
    ("03", pb::Form::Refusal, "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    ("04", pb::Form::Apology, "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    (
        "05",
        pb::Form::ControlSlip,
        "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    ),
];

#[derive(Serialize)]
struct Event {
    time: String,
    what: String,
    who: String,
    note: String,
}

/// A row of the control slip: the intake, then each hand-over.
#[derive(Serialize)]
struct Step {
    /// 1-based, as people number steps.
    number: i64,
    /// The step's name in the procedure; empty when it names none.
    name: String,
    /// The intake at the counter, recorded at receipt.
    intake: bool,
    giver: String,
    receiver: String,
    /// The unit the giver acted for (for the intake, the counter); empty when unknown.
    unit: String,
    time: String,
    due: String,
    note: String,
}

/// The name of step `index` (0-based) of `steps`, empty when there is none.
fn step_name(steps: &[pb::ProcedureStep], index: i32) -> String {
    usize::try_from(index)
        .ok()
        .and_then(|i| steps.get(i))
        .map(|s| s.display_name.clone())
        .unwrap_or_default()
}

/// The dossier `dossiers/{id}` as the person may see it (NOT_FOUND outside
/// their units).
pub async fn fetch(web: &Web, session: &Session, id: &str) -> Result<pb::Dossier, PageError> {
    let ctx = session.context(GET_DOSSIER)?;
    let name = format!("dossiers/{id}");
    Ok(web
        .procedures()
        .get_dossier(&ctx, pb::GetDossierRequest { name })
        .await?)
}

#[derive(serde::Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    da: String,
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Path(id): Path<String>,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Result<Response, PageError> {
    let done = match done.da.as_str() {
        "tu-choi" => Some("Từ chối tiếp nhận hồ sơ"),
        key if key == super::admin_notifications::RESENT.0 => Some(super::admin_notifications::RESENT.1),
        key => super::actions::ACTIONS.iter().find(|a| a.key == key).map(|a| a.label),
    };
    render_page(&web, &session, &id, None, done).await
}

/// Why an action was refused, shown beside its form.
pub enum Refusal {
    /// What went wrong, in Vietnamese.
    Message(String),
    /// The working time counted ran into a year whose holiday calendar is
    /// not confirmed: the year, and the id of the agency whose calendar it is.
    UnconfirmedYear(i32, String),
}

/// The dossier's page; `problem` is an action's refusal (its key and why),
/// shown beside its form.
pub async fn render(
    web: &Web,
    session: &Session,
    id: &str,
    problem: Option<(&str, Refusal)>,
) -> Result<Response, PageError> {
    render_page(web, session, id, problem, None).await
}

async fn render_page(
    web: &Web,
    session: &Session,
    id: &str,
    problem: Option<(&str, Refusal)>,
    done: Option<&str>,
) -> Result<Response, PageError> {
    let dossier = fetch(web, session, id).await?;
    let row = super::dossiers::rows(web, std::slice::from_ref(&dossier))
        .await?
        .pop()
        .ok_or(PageError::NotFound)?;
    let mut names = Names::new(web);
    let mut history = Vec::new();
    for change in &dossier.history {
        history.push(Event {
            time: format::timestamp(change.change_time.as_ref()),
            what: pb::DossierStatus::label_vi_of(change.status).unwrap_or("").to_string(),
            who: names.user(&change.actor).await,
            note: change.note.clone(),
        });
    }
    // The procedure's steps name the rows of the control slip.
    let procedure_steps = web
        .procedures()
        .get_procedure(pb::GetProcedureRequest {
            name: dossier.procedure_version.clone(),
        })
        .await
        .ok()
        .and_then(|p| p.version)
        .map(|v| v.steps)
        .unwrap_or_default();
    let mut steps = Vec::new();
    for h in &dossier.handovers {
        steps.push(Step {
            number: i64::from(h.step) + 1,
            name: step_name(&procedure_steps, h.step),
            intake: h.intake,
            giver: names.user(&h.giver).await,
            receiver: names.user(&h.receiver).await,
            unit: if h.giver_unit.is_empty() {
                String::new()
            } else {
                names.unit(&h.giver_unit).await
            },
            time: format::timestamp(h.handover_time.as_ref()),
            due: format::timestamp(h.step_due_time.as_ref()),
            note: h.note.clone(),
        });
    }
    let next_step = dossier.current_step + 1;
    let documents: Vec<_> = dossier
        .documents
        .iter()
        .map(|d| {
            context! {
                name => d.display_name,
                copy => pb::CopyKind::label_vi_of(d.copy_kind).unwrap_or(""),
                sets => d.sets,
            }
        })
        .collect();
    let supplements: Vec<_> = dossier
        .supplements
        .iter()
        .map(|s| {
            context! {
                requested => format::timestamp(s.request_time.as_ref()),
                reason => s.reason,
                documents => s.documents,
                received => format::timestamp(s.receive_time.as_ref()),
            }
        })
        .collect();
    // Forms that need the applicant's data print only for roles that see it.
    let printable = session.may(RENDER_FORM) && dossier.applicant.is_some();
    let status = pb::DossierStatus::try_from(dossier.status).unwrap_or_default();
    let forms: Vec<_> = FORMS
        .iter()
        .filter(|(_, form, _)| printable && eiso_procedures::forms::does_not_apply(*form, &dossier).is_none())
        .map(|(number, _, title)| context! { number, title })
        .collect();
    let applicant = dossier.applicant.as_ref().map(|a| {
        context! {
            name => a.full_name,
            id_number => a.id_number,
            phone => a.phone,
            address => a.address,
            email => a.email,
        }
    });
    // Why it is due when it is; a dossier refused at intake has no deadline.
    let deadline = if status == pb::DossierStatus::NotReceived {
        None
    } else {
        let ctx = session.context(GET_DOSSIER)?;
        let explained = web.procedures().explain_deadline(&ctx, &dossier.name).await;
        match explained {
            Ok(explanation) => Some(super::deadline::account(&explanation)),
            // A calendar year missing its data is the administrator's to
            // fix; the page still shows the dossier.
            Err(eiso_platform::ServiceError::FailedPrecondition { .. }) => None,
            Err(other) => return Err(other.into()),
        }
    };
    let actions = super::actions::offered(session, &dossier);
    let mut receivers = Vec::new();
    if actions.iter().any(|a| a.key == "ban-giao") {
        for user in web.directory().users_in_unit(&dossier.agency).await.unwrap_or_default() {
            if user.active && user.name != session.principal.name {
                receivers.push(context! { value => user.name, name => user.display_name });
            }
        }
    }
    let actions: Vec<_> = actions
        .iter()
        .map(|a| {
            let refusal = problem.as_ref().filter(|(key, _)| *key == a.key).map(|(_, r)| r);
            let error = match refusal {
                Some(Refusal::Message(message)) => Some(message.clone()),
                _ => None,
            };
            let unconfirmed_year = match refusal {
                Some(Refusal::UnconfirmedYear(year, unit)) => Some(context! { year, unit }),
                _ => None,
            };
            context! { key => a.key, label => a.label, error, unconfirmed_year }
        })
        .collect();
    let html = web.pages().render(
        "dossier.html",
        context! {
            frame => session.frame(),
            title => format!("Hồ sơ {}", dossier.code),
            dossier => row,
            summary => dossier.summary,
            channel => pb::Channel::label_vi_of(dossier.channel).unwrap_or(""),
            due => format::timestamp(dossier.due_time.as_ref()),
            assignee => names.user(&dossier.assignee).await,
            result => dossier.result_summary,
            applicant,
            documents,
            supplements,
            history,
            steps,
            deadline,
            forms,
            actions,
            receivers,
            next_step,
            next_step_number => i64::from(next_step) + 1,
            next_step_name => step_name(&procedure_steps, next_step),
            done,
            sync => super::admin_sync::dossier_line(web, session, &dossier.name).await,
            notifications => super::admin_notifications::dossier_section(web, session, &dossier.name, &dossier.agency).await,
            admin_role => eiso_proto::eiso::identity::v1::Role::Admin.label_vi(),
        },
    )?;
    let status = if problem.is_some() {
        http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        http::StatusCode::OK
    };
    Ok((status, html).into_response())
}

/// A printable form, as the procedures service renders it (its own page with
/// print CSS: A5 or A4).
pub async fn form(
    State(web): State<Web>,
    session: Session,
    Path((id, number)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let ctx = session.context(RENDER_FORM)?;
    let (_, form, _) = FORMS.iter().find(|(n, ..)| *n == number).ok_or(PageError::NotFound)?;
    let rendered = web
        .procedures()
        .render_form(
            &ctx,
            pb::RenderFormRequest {
                form: *form as i32,
                dossier: format!("dossiers/{id}"),
                ..Default::default()
            },
        )
        .await?;
    let mut response = Html(rendered.html).into_response();
    // The forms carry their print CSS inline; they run no script at all.
    response.headers_mut().insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'",
        ),
    );
    Ok(response)
}
