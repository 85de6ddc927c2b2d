//! Từ chối tiếp nhận: the counter refuses a dossier at intake, with the
//! reason printed on the refusal form (mẫu 03). The refused dossier is
//! recorded (it never counts in the statistics) and its page offers the form.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::eiso::procedures::v1 as pb;
use http::HeaderMap;
use minijinja::context;

use super::fields::Fields;
use super::methods::REFUSE_DOSSIER;
use super::receive::{Choice, form_error};
use crate::Web;
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(choice): Query<Choice>,
) -> Result<Response, PageError> {
    session.context(REFUSE_DOSSIER)?;
    let fields = vec![("thu_tuc".to_string(), choice.thu_tuc.trim().to_string())];
    render(
        &web,
        &session,
        &Fields(fields),
        &uuid::Uuid::new_v4().to_string(),
        Vec::new(),
    )
    .await
}

async fn render(
    web: &Web,
    session: &Session,
    fields: &Fields,
    request_id: &str,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let code = fields.get("thu_tuc");
    let mut names = Names::new(web);
    let procedure = names.procedure(&format!("procedures/{code}")).await;
    let mut agencies = Vec::new();
    for unit in session.units_with(Role::CounterStaff) {
        let name = names.unit(&unit).await;
        agencies.push(context! { selected => unit == fields.get("co_quan"), value => unit, name });
    }
    let error_of = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone());
    let html = web.pages().render(
        "refuse.html",
        context! {
            frame => session.frame(),
            title => "Từ chối tiếp nhận hồ sơ",
            code,
            procedure,
            agencies,
            request_id,
            applicant_types => super::fields::applicant_types(fields.get("loai_nguoi_nop")),
            ho_ten => fields.get("ho_ten"),
            so_dinh_danh => fields.get("so_dinh_danh"),
            dien_thoai => fields.get("dien_thoai"),
            dia_chi => fields.get("dia_chi"),
            ly_do => fields.get("ly_do"),
            error_ho_ten => error_of("ho_ten"),
            error_so_dinh_danh => error_of("so_dinh_danh"),
            error_ly_do => error_of("ly_do"),
            errors => errors.iter().map(|(field, message)| context! { field, message }).collect::<Vec<_>>(),
        },
    )?;
    let status = if errors.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, html).into_response())
}

pub async fn submit(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(form);
    let ctx = fields.create_context(&web, &headers, &session, REFUSE_DOSSIER).await?;
    let request_id = ctx.request_id.clone();
    let request = pb::RefuseDossierRequest {
        agency: fields.get("co_quan").to_string(),
        procedure: format!("procedures/{}", fields.get("thu_tuc")),
        applicant: Some(pb::Applicant {
            full_name: fields.get("ho_ten").to_string(),
            id_number: fields.get("so_dinh_danh").to_string(),
            phone: fields.get("dien_thoai").to_string(),
            address: fields.get("dia_chi").to_string(),
            email: String::new(),
            r#type: fields.applicant_type(),
        }),
        reason: fields.get("ly_do").to_string(),
        request_id: request_id.clone(),
    };
    let result = web.procedures().refuse_dossier(&ctx, request).await;
    match web.audited(&session, REFUSE_DOSSIER, result).await {
        Ok(dossier) => {
            let id = dossier.name.trim_start_matches("dossiers/");
            Ok(Redirect::to(&format!("/ho-so/{id}?da=tu-choi")).into_response())
        }
        Err(ServiceError::InvalidArgument(violations)) => {
            let errors = violations
                .iter()
                .map(|v| match v.field.as_str() {
                    "reason" => (
                        "ly_do".to_string(),
                        "Nhập lý do từ chối (in trên phiếu từ chối).".to_string(),
                    ),
                    field => form_error(field),
                })
                .collect();
            render(&web, &session, &fields, &request_id, errors).await
        }
        Err(other) => Err(other.into()),
    }
}
