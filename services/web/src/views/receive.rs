//! Tiếp nhận hồ sơ: the counter receives a dossier under a procedure's
//! published version, its checklist ticked off, and the receipt opens ready to
//! print. A retried submit (double click, reload) carries the same request id,
//! so the service returns the first dossier instead of making a second.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1 as pb;
use eiso_proto::labels::Label;
use http::HeaderMap;
use minijinja::{Value, context};
use serde::Deserialize;

use super::fields::Fields;
use super::methods::{LIST_PROCEDURES, RECEIVE_DOSSIER, SEARCH};
use crate::Web;
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use eiso_proto::eiso::search::v1::SearchRequest;

#[derive(Deserialize, Default)]
pub struct Choice {
    #[serde(default)]
    pub thu_tuc: String,
    /// Words typed to find the procedure (its code, or words of its name
    /// with or without diacritics).
    #[serde(default)]
    pub tim: String,
    /// Set by the search button (and so by Enter in the search box): the
    /// words are searched, and whatever the list had chosen is not taken.
    #[serde(default)]
    pub tim_nut: String,
}

/// What the form shows again after a refused submit.
#[derive(Default)]
struct Entered {
    request_id: String,
    agency: String,
    fields: Vec<(String, String)>,
    ticked: Vec<usize>,
    errors: Vec<(String, String)>,
    problem: Option<String>,
    /// The receipt's deadline ran into a year whose holiday calendar is not
    /// confirmed: the year, and the id of the agency whose calendar it is.
    unconfirmed_year: Option<(i32, String)>,
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(choice): Query<Choice>,
) -> Result<Response, PageError> {
    session.context(RECEIVE_DOSSIER)?;
    let entered = Entered {
        request_id: uuid::Uuid::new_v4().to_string(),
        ..Default::default()
    };
    render(&web, &session, &choice, entered, http::StatusCode::OK).await
}

/// The procedures matching `tim`, as the choice's options: what the page's
/// script puts into the choice while the clerk types.
pub async fn options(
    State(web): State<Web>,
    session: Session,
    Query(choice): Query<Choice>,
) -> Result<Response, PageError> {
    session.context(RECEIVE_DOSSIER)?;
    let procedures = choices(&web, &session, choice.tim.trim()).await?;
    let html = web.pages().render(
        "procedure_options.html",
        context! {
            procedures => procedures.iter().map(|(code, name)| context! { code, name }).collect::<Vec<_>>(),
            search => choice.tim.trim(),
            code => "",
        },
    )?;
    Ok(html.into_response())
}

/// The published procedures to choose from: all of them, or those the
/// search service finds for `search`, best first.
async fn choices(web: &Web, session: &Session, search: &str) -> Result<Vec<(String, String)>, PageError> {
    let published = published(web, session).await?;
    if search.is_empty() {
        return Ok(published);
    }
    let found = search_procedures(web, session, search).await?;
    Ok(found
        .iter()
        .filter_map(|code| published.iter().find(|(c, _)| c == code).cloned())
        .collect())
}

/// The codes of the published procedures the search service finds for
/// `text`, best first. The last word may be half typed: when the words with
/// it find nothing, the words before it are searched.
async fn search_procedures(web: &Web, session: &Session, text: &str) -> Result<Vec<String>, PageError> {
    let ctx = session.context(SEARCH)?;
    let words: Vec<&str> = text.split_whitespace().take(20).collect();
    let attempts = [words.join(" "), words[..words.len().saturating_sub(1)].join(" ")];
    for query in attempts.into_iter().filter(|q| !q.is_empty()) {
        let found = web
            .search()
            .run_search(
                &ctx,
                SearchRequest {
                    query,
                    kinds: vec!["procedure".into()],
                    statuses: vec!["published".into()],
                    page_size: 50,
                    ..Default::default()
                },
            )
            .await;
        let found = match found {
            Ok(found) => found,
            // Words with nothing to look for (`-thcs` alone) find nothing.
            Err(error) if super::search::nothing_to_look_for(&error) => continue,
            Err(error) => return Err(error.into()),
        };
        let codes: Vec<String> = found
            .results
            .iter()
            .filter_map(|r| r.name.strip_prefix("procedures/"))
            .map(str::to_string)
            .collect();
        if !codes.is_empty() {
            return Ok(codes);
        }
    }
    Ok(Vec::new())
}

async fn render(
    web: &Web,
    session: &Session,
    choice: &Choice,
    entered: Entered,
    status: http::StatusCode,
) -> Result<Response, PageError> {
    let search = choice.tim.trim();
    let procedures = choices(web, session, search).await?;
    // Words typed and Enter: the best match is marked in the list, and the
    // choice waits for the clerk to confirm it (Enter again).
    let searching = !search.is_empty() && (!choice.tim_nut.is_empty() || choice.thu_tuc.trim().is_empty());
    let code = match procedures.first() {
        Some((first, _)) if searching => first.clone(),
        _ => choice.thu_tuc.trim().to_string(),
    };
    let code = code.as_str();
    let procedures: Vec<Value> = procedures.iter().map(|(code, name)| context! { code, name }).collect();
    let chosen = if code.is_empty() || searching {
        None
    } else {
        let found = web
            .procedures()
            .get_procedure(pb::GetProcedureRequest {
                name: format!("procedures/{code}"),
            })
            .await;
        match found {
            Ok(procedure) => procedure.version,
            Err(ServiceError::NotFound(_)) | Err(ServiceError::InvalidArgument(_)) => None,
            Err(other) => return Err(other.into()),
        }
    };
    let mut names = Names::new(web);
    let mut agencies = Vec::new();
    for unit in session.units_with(Role::CounterStaff) {
        let name = names.unit(&unit).await;
        agencies.push(context! { value => unit, name, selected => unit == entered.agency });
    }
    let checklist: Vec<Value> = chosen
        .as_ref()
        .map(|version| {
            version
                .required_documents
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    context! {
                        index => i,
                        name => d.display_name,
                        copy => pb::CopyKind::label_vi_of(d.copy_kind).unwrap_or(""),
                        sets => d.sets,
                        ticked => entered.ticked.contains(&i),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let value = |name: &str| {
        entered
            .fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let errors: Vec<Value> = entered
        .errors
        .iter()
        .map(|(field, message)| context! { field, message })
        .collect();
    let error_of = |field: &str| entered.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let channel = value("kenh");
    let html = web.pages().render(
        "receive.html",
        context! {
            frame => session.frame(),
            title => "Tiếp nhận hồ sơ",
            procedures,
            code,
            search,
            chosen => chosen.as_ref().map(|v| context! {
                name => v.display_name,
                number => v.number,
                processing => processing_time(v.processing_time.as_ref()),
            }),
            checklist,
            agencies,
            request_id => entered.request_id,
            applicant_types => super::fields::applicant_types(&value("loai_nguoi_nop")),
            ho_ten => value("ho_ten"),
            so_dinh_danh => value("so_dinh_danh"),
            dien_thoai => value("dien_thoai"),
            dia_chi => value("dia_chi"),
            email => value("email"),
            trich_yeu => value("trich_yeu"),
            so_bo => { let sets = value("so_bo"); if sets.is_empty() { "1".to_string() } else { sets } },
            kenh => if channel.is_empty() { "truc-tiep".to_string() } else { channel },
            errors,
            error_ho_ten => error_of("ho_ten"),
            error_so_dinh_danh => error_of("so_dinh_danh"),
            error_dien_thoai => error_of("dien_thoai"),
            error_dia_chi => error_of("dia_chi"),
            error_email => error_of("email"),
            error_trich_yeu => error_of("trich_yeu"),
            error_thanh_phan => error_of("thanh_phan"),
            error_so_bo => error_of("so_bo"),
            problem => entered.problem,
            unconfirmed_year => entered.unconfirmed_year.map(|(year, unit)| context! { year, unit }),
            admin_role => Role::Admin.label_vi(),
        },
    )?;
    Ok((status, html).into_response())
}

/// "5 ngày làm việc" / "4 giờ làm việc".
fn processing_time(time: Option<&pb::ProcessingTime>) -> String {
    use pb::processing_time::Budget;
    match time.and_then(|t| t.budget) {
        Some(Budget::WorkingDays(days)) => format!("{days} ngày làm việc"),
        Some(Budget::WorkingHours(hours)) => format!("{hours} giờ làm việc"),
        None => String::new(),
    }
}

/// The catalogue's published procedures, (code, name) by code.
pub(super) async fn published(web: &Web, session: &Session) -> Result<Vec<(String, String)>, PageError> {
    session.context(LIST_PROCEDURES)?;
    let mut out = Vec::new();
    let mut page_token = String::new();
    loop {
        let page = web
            .procedures()
            .list_procedures(pb::ListProceduresRequest {
                page_size: 1000,
                page_token,
                filter: "state = STATE_PUBLISHED".into(),
                order_by: "code".into(),
            })
            .await?;
        for procedure in page.procedures {
            let name = procedure.version.map(|v| v.display_name).unwrap_or_default();
            out.push((procedure.code, name));
        }
        if page.next_page_token.is_empty() || out.len() >= 10_000 {
            return Ok(out);
        }
        page_token = page.next_page_token;
    }
}

/// The form's fields, by the API field a violation names.
const FIELDS: &super::fields::FieldTable = &[
    (
        "applicant.full_name",
        "ho_ten",
        "Nhập họ và tên người nộp hồ sơ (tối đa 200 ký tự).",
    ),
    (
        "applicant.id_number",
        "so_dinh_danh",
        "Số định danh cá nhân chỉ gồm chữ số và chữ cái, tối đa 20 ký tự.",
    ),
    ("applicant.phone", "dien_thoai", "Số điện thoại không hợp lệ."),
    (
        "applicant.address",
        "dia_chi",
        "Địa chỉ quá dài hoặc có ký tự không hợp lệ.",
    ),
    ("applicant.email", "email", "Địa chỉ email không hợp lệ."),
    (
        "applicant.type",
        "loai_nguoi_nop",
        "Chọn người nộp là công dân, doanh nghiệp, cơ quan hay khác.",
    ),
    ("summary", "trich_yeu", "Trích yếu quá dài hoặc có ký tự không hợp lệ."),
    ("documents", "thanh_phan", "Thành phần hồ sơ không hợp lệ."),
    ("dossier_sets", "so_bo", "Số lượng hồ sơ là số bộ, từ 1 đến 20."),
];

/// A violation of the service as the form's field and a Vietnamese message.
pub fn form_error(field: &str) -> (String, String) {
    super::fields::field_error(FIELDS, field)
}

pub async fn submit(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(form);
    let ctx = fields.create_context(&web, &headers, &session, RECEIVE_DOSSIER).await?;
    let code = fields.get("thu_tuc").to_string();
    let ticked: Vec<usize> = fields.all("thanh_phan").filter_map(|v| v.parse().ok()).collect();
    let version = web
        .procedures()
        .get_procedure(pb::GetProcedureRequest {
            name: format!("procedures/{code}"),
        })
        .await
        .ok()
        .and_then(|p| p.version);
    let documents = version
        .as_ref()
        .map(|v| {
            v.required_documents
                .iter()
                .enumerate()
                .filter(|(i, _)| ticked.contains(i))
                .map(|(_, d)| pb::ReceivedDocument {
                    display_name: d.display_name.clone(),
                    copy_kind: d.copy_kind,
                    sets: d.sets,
                })
                .collect()
        })
        .unwrap_or_default();
    let channel = super::fields::channel(fields.get("kenh")).unwrap_or(pb::Channel::Direct);
    let request_id = ctx.request_id.clone();
    let request = pb::ReceiveDossierRequest {
        agency: fields.get("co_quan").to_string(),
        procedure: format!("procedures/{code}"),
        applicant: Some(pb::Applicant {
            full_name: fields.get("ho_ten").to_string(),
            id_number: fields.get("so_dinh_danh").to_string(),
            phone: fields.get("dien_thoai").to_string(),
            address: fields.get("dia_chi").to_string(),
            email: fields.get("email").to_string(),
            r#type: fields.applicant_type(),
        }),
        summary: fields.get("trich_yeu").to_string(),
        channel: channel as i32,
        documents,
        request_id: request_id.clone(),
        // Not a number: refused by the service as out of range, named.
        dossier_sets: match fields.get("so_bo").trim() {
            "" => 1,
            sets => sets.parse().unwrap_or(-1),
        },
    };
    let refused = |errors: Vec<(String, String)>, problem: Option<String>| Entered {
        request_id: request_id.clone(),
        agency: fields.get("co_quan").to_string(),
        fields: fields.0.clone(),
        ticked: ticked.clone(),
        errors,
        problem,
        unconfirmed_year: None,
    };
    let choice = Choice {
        thu_tuc: code.clone(),
        ..Choice::default()
    };
    let result = web.procedures().receive_dossier(&ctx, request).await;
    match web.audited(&session, RECEIVE_DOSSIER, result).await {
        Ok(dossier) => {
            let id = dossier.name.trim_start_matches("dossiers/");
            Ok(Redirect::to(&format!("/ho-so/{id}/da-tiep-nhan")).into_response())
        }
        Err(ServiceError::InvalidArgument(violations)) => {
            let errors = violations.iter().map(|v| form_error(&v.field)).collect();
            render(
                &web,
                &session,
                &choice,
                refused(errors, None),
                http::StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error @ ServiceError::FailedPrecondition { .. }) => {
            let entered = match eiso_procedures::unconfirmed_calendar_year(&error) {
                // Who can confirm the year, and how: the template says it.
                Some((calendar, year)) => Entered {
                    unconfirmed_year: Some((year, calendar.trim_start_matches("calendars/").to_string())),
                    ..refused(Vec::new(), None)
                },
                None => {
                    let problem = "Thủ tục này chưa công bố hoặc cơ quan không còn hoạt động: không tiếp nhận được.";
                    refused(Vec::new(), Some(problem.into()))
                }
            };
            render(&web, &session, &choice, entered, http::StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(other) => Err(other.into()),
    }
}

/// After a receipt: the receipt ready to print, and the way to the next one.
pub async fn received(
    State(web): State<Web>,
    session: Session,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Html<String>, PageError> {
    let dossier = super::dossier::fetch(&web, &session, &id).await?;
    web.pages().render(
        "receipt.html",
        context! {
            frame => session.frame(),
            title => format!("Đã tiếp nhận hồ sơ {}", dossier.code),
            id,
            code => dossier.code,
            appointment => crate::format::timestamp(dossier.appointment_time.as_ref()),
        },
    )
}
