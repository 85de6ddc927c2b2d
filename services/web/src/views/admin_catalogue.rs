//! Quản trị — danh mục thủ tục: the administrative procedures the agencies
//! receive, with their published and latest versions; the catalogue table
//! imported (checked first, each refused row shown with its column) or
//! exported; a new version published. The procedures service decides who
//! may change which agency's procedures.

use axum::extract::{Multipart, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::procedures::v1::{self as pb, procedure};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::{Value, context};
use serde::Deserialize;

use super::every_page::every_page;
use super::methods::{EXPORT_PROCEDURES, IMPORT_PROCEDURES, LIST_PROCEDURES, PUBLISH_PROCEDURE_VERSION};
use crate::Web;
use crate::error::PageError;
use crate::session::Session;

#[derive(Deserialize, Default)]
pub struct CatalogueQuery {
    #[serde(default)]
    da: String,
}

/// How the last import went.
#[derive(Default)]
struct Outcome {
    /// (created, versioned, unchanged, checked only)
    counts: Option<(i32, i32, i32, bool)>,
    /// (row, column, what is wrong), and how many in all.
    errors: Vec<(i32, String, String)>,
    error_count: i32,
    problem: Option<String>,
}

async fn render(web: &Web, session: &Session, outcome: Outcome, done: &str) -> Result<Html<String>, PageError> {
    session.context(LIST_PROCEDURES)?;
    let procedures = every_page(100, |page_token| {
        let request = pb::ListProceduresRequest {
            page_size: 1000,
            page_token,
            order_by: "code".into(),
            ..Default::default()
        };
        async move {
            web.procedures()
                .list_procedures(request)
                .await
                .map(|answer| (answer.procedures, answer.next_page_token))
        }
    })
    .await?;
    let may_publish = session.may(PUBLISH_PROCEDURE_VERSION);
    let rows: Vec<Value> = procedures
        .iter()
        .map(|p| {
            let state = procedure::State::try_from(p.state).unwrap_or_default();
            let pending = p.latest_version > p.published_version && state != procedure::State::Withdrawn;
            context! {
                code => p.code,
                name => p.version.as_ref().map(|v| v.display_name.clone()).unwrap_or_default(),
                state => state.label_vi(),
                state_key => state.short_name(),
                published => p.published_version,
                latest => p.latest_version,
                publish => (pending && may_publish).then(|| format!("{}/versions/{}", p.name, p.latest_version)),
            }
        })
        .collect();
    let errors: Vec<Value> = outcome
        .errors
        .into_iter()
        .map(|(row, column, what)| context! { row, column, what })
        .collect();
    web.pages().render(
        "admin_catalogue.html",
        context! {
            frame => session.frame(),
            title => "Danh mục thủ tục",
            rows,
            may_import => session.may(IMPORT_PROCEDURES),
            counts => outcome.counts.map(|(created, versioned, unchanged, checked)| context! { created, versioned, unchanged, checked }),
            errors,
            error_count => outcome.error_count,
            problem => outcome.problem,
            done => (done == "ban-hanh").then_some("Đã ban hành phiên bản mới của thủ tục."),
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<CatalogueQuery>,
) -> Result<Html<String>, PageError> {
    render(&web, &session, Outcome::default(), &query.da).await
}

/// Checks (`kiem_tra`) or imports (`nhap`, publishing when `ban_hanh`) the catalogue table.
pub async fn import(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let mut outcome = Outcome::default();
    let mut form = match super::tables_form::read(&headers, multipart).await {
        Ok(form) => form,
        Err(Ok(problem)) => {
            outcome.problem = Some(problem);
            return refused(&web, &session, outcome).await;
        }
        Err(Err(error)) => return Err(error),
    };
    let action = form.get("hanh_dong").to_string();
    let publish = form.get("ban_hanh") == "1";
    let table = form.take_file("bang");
    let ctx = web.write_context(&session, IMPORT_PROCEDURES).await?;
    let Some((file_name, content)) = table else {
        outcome.problem = Some("Chọn tệp danh mục thủ tục (Excel .xlsx hoặc .csv).".into());
        return refused(&web, &session, outcome).await;
    };
    let format = match super::tables_form::format_of(&file_name) {
        Some("xlsx") => pb::TableFormat::Xlsx,
        Some(_) => pb::TableFormat::Csv,
        None => {
            outcome.problem = Some(format!("“{file_name}” không phải tệp Excel (.xlsx) hay CSV (.csv)."));
            return refused(&web, &session, outcome).await;
        }
    };
    let validate_only = action != "nhap";
    let result = web
        .procedures()
        .import_procedures(
            &ctx,
            pb::ImportProceduresRequest {
                format: format as i32,
                content,
                publish,
                validate_only,
            },
        )
        .await;
    match web.audited(&session, IMPORT_PROCEDURES, result).await {
        Ok(answer) if answer.error_count == 0 => {
            outcome.counts = Some((answer.created, answer.versioned, answer.unchanged, validate_only));
            Ok(render(&web, &session, outcome, "").await?.into_response())
        }
        Ok(answer) => {
            outcome.error_count = answer.error_count;
            outcome.errors = answer
                .errors
                .into_iter()
                .map(|e| (e.row, e.column, super::catalogue_problems::say(&e.description)))
                .collect();
            refused(&web, &session, outcome).await
        }
        Err(ServiceError::InvalidArgument(violations)) => {
            let said: Vec<String> = violations
                .iter()
                .map(|v| super::catalogue_problems::say(&v.description))
                .collect();
            outcome.problem = Some(said.join(" "));
            refused(&web, &session, outcome).await
        }
        Err(ServiceError::PermissionDenied(_) | ServiceError::NotFound(_)) => {
            outcome.problem = Some("Bảng có thủ tục của cơ quan bạn không quản lý.".into());
            refused(&web, &session, outcome).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn refused(web: &Web, session: &Session, outcome: Outcome) -> Result<Response, PageError> {
    let page = render(web, session, outcome, "").await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A procedure's newest version published.
pub async fn publish(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = super::fields::Fields::checked(form, &headers)?;
    let ctx = web.write_context(&session, PUBLISH_PROCEDURE_VERSION).await?;
    let result = web
        .procedures()
        .publish_version(
            &ctx,
            pb::PublishProcedureVersionRequest {
                name: fields.get("phien_ban").to_string(),
            },
        )
        .await;
    let problem = match web.audited(&session, PUBLISH_PROCEDURE_VERSION, result).await {
        Ok(_) => return Ok(Redirect::to("/quan-tri/thu-tuc?da=ban-hanh").into_response()),
        Err(ServiceError::InvalidArgument(_) | ServiceError::NotFound(_)) => "Không có phiên bản này.".to_string(),
        Err(ServiceError::FailedPrecondition { description, .. }) => format!("Chưa ban hành được: {description}"),
        Err(ServiceError::PermissionDenied(_)) => "Bạn không quản lý thủ tục của cơ quan này.".to_string(),
        Err(other) => return Err(other.into()),
    };
    let outcome = Outcome {
        problem: Some(problem),
        ..Default::default()
    };
    refused(&web, &session, outcome).await
}

/// Xuất: the catalogue as the import reads it.
pub async fn export(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<super::plans::ExportQuery>,
) -> Result<Response, PageError> {
    session.context(EXPORT_PROCEDURES)?;
    let csv = query.csv();
    let file = web
        .procedures()
        .export_procedures(pb::ExportProceduresRequest {
            format: if csv {
                pb::TableFormat::Csv
            } else {
                pb::TableFormat::Xlsx
            } as i32,
            filter: String::new(),
        })
        .await?;
    super::download::table(csv, file.content, &file.file_name)
}
