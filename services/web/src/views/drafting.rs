//! Soạn thảo: writing a controlled document from the browser — a new
//! document with its first draft, a new revision of a published one, and a
//! draft's work on the document's page: its change summary, its files
//! (dropped on the page and streamed to the documents service as they
//! arrive, never held whole), the check-out lock, and sending it to
//! reviewers. The documents service decides everything: who may write in the
//! owner unit, whose lock holds, that a draft has a file before it is sent
//! and that its author does not review it.

use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::documents::v1::{self as pb, Confidentiality, DocumentType, revision};
use eiso_proto::eiso::identity::v1::Role;
use eiso_proto::labels::ProtoEnum;
use http::{HeaderMap, StatusCode};
use minijinja::{Value, context};

use super::documents::choices;
use super::fields::{Fields, check_id};
use super::methods::{
    CHECK_IN_REVISION, CHECK_OUT_REVISION, CREATE_DOCUMENT, CREATE_REVISION, DELETE_FILE, SUBMIT_REVISION,
    UPDATE_REVISION, UPLOAD_FILE,
};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

/// The roles that write documents (the policy table's authors).
const AUTHOR_ROLES: [Role; 3] = [Role::DocumentController, Role::ProcessingOfficer, Role::Leader];
/// The roles that may be asked to review (the policy table's reviewers).
const REVIEWER_ROLES: [Role; 4] = [
    Role::DocumentController,
    Role::ProcessingOfficer,
    Role::Leader,
    Role::InternalAuditor,
];

/// What the new-document form holds, as typed.
#[derive(Default)]
struct Entered {
    code: String,
    title: String,
    kind: String,
    unit: String,
    level: String,
    months: String,
    tags: String,
    summary: String,
    issuer: String,
    reference: String,
    issued: String,
    request_id: String,
    errors: Vec<(String, String)>,
}

/// The form's fields, by the API field a violation names, with what to say.
const FIELDS: &super::fields::FieldTable = &[
    (
        "document.code",
        "ma",
        "Mã tài liệu: chữ cái, chữ số, dấu gạch ngang hoặc chấm, tối đa 50 ký tự (ví dụ QT-TTHC-01).",
    ),
    ("document.title", "ten", "Nhập tên tài liệu (tối đa 300 ký tự)."),
    ("document.type", "loai", "Chọn loại tài liệu."),
    ("document.owner_unit", "don_vi", "Chọn đơn vị sở hữu tài liệu."),
    ("document.confidentiality", "muc_mat", "Chọn mức mật."),
    (
        "document.review_interval_months",
        "chu_ky",
        "Chu kỳ xem xét là số tháng từ 0 (không xem xét định kỳ) đến 60.",
    ),
    ("document.tags", "tu_khoa", "Từ khóa quá dài hoặc quá nhiều."),
    (
        "document.external_origin",
        "co_quan",
        "Văn bản bên ngoài cần cơ quan ban hành và số, ký hiệu.",
    ),
    ("revision.change_summary", "noi_dung", "Nội dung sửa đổi quá dài."),
    ("revision.change_reason", "ly_do", "Lý do quá dài."),
];

fn form_error(field: &str) -> (String, String) {
    super::fields::field_error(FIELDS, field)
}

async fn render_new(web: &Web, session: &Session, entered: Entered) -> Result<Html<String>, PageError> {
    let mut names = Names::new(web);
    let mut units = Vec::new();
    // The units where the person holds an author's role, and those below.
    for unit in session
        .covered_units_where(web, 500, |role| AUTHOR_ROLES.contains(&role))
        .await
    {
        let name = names.unit(&unit).await;
        units.push(context! { selected => unit == entered.unit, value => unit, name });
    }
    let error_of = |field: &str| {
        entered
            .errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    };
    let errors: Vec<Value> = entered
        .errors
        .iter()
        .map(|(field, message)| context! { field, message })
        .collect();
    web.pages().render(
        "document_new.html",
        context! {
            frame => session.frame(),
            title => "Soạn tài liệu mới",
            errors,
            code => entered.code, code_error => error_of("ma"),
            heading => entered.title, title_error => error_of("ten"),
            kinds => choices::<DocumentType>(if entered.kind.is_empty() { "procedure" } else { &entered.kind }),
            kind_error => error_of("loai"),
            units, unit_error => error_of("don_vi"),
            levels => choices::<Confidentiality>(if entered.level.is_empty() { "internal" } else { &entered.level }),
            months => entered.months, months_error => error_of("chu_ky"),
            tags => entered.tags, tags_error => error_of("tu_khoa"),
            summary => entered.summary, summary_error => error_of("noi_dung"),
            issuer => entered.issuer, reference => entered.reference, issued => entered.issued,
            external_error => error_of("co_quan"),
            request_id => entered.request_id,
        },
    )
}

/// Soạn tài liệu mới: the form.
pub async fn new_page(State(web): State<Web>, session: Session) -> Result<Html<String>, PageError> {
    session.context(CREATE_DOCUMENT)?;
    let entered = Entered {
        months: "12".into(),
        summary: "Ban hành lần đầu".into(),
        request_id: uuid::Uuid::new_v4().to_string(),
        ..Default::default()
    };
    render_new(&web, &session, entered).await
}

/// Creates the document and its first draft; the draft is then written on
/// the document's page.
pub async fn create(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(form);
    let ctx = fields.create_context(&web, &headers, &session, CREATE_DOCUMENT).await?;
    let mut entered = Entered {
        code: fields.get("ma").to_string(),
        title: fields.get("ten").to_string(),
        kind: fields.get("loai").to_string(),
        unit: fields.get("don_vi").to_string(),
        level: fields.get("muc_mat").to_string(),
        months: fields.get("chu_ky").to_string(),
        tags: fields.get("tu_khoa").to_string(),
        summary: fields.get("noi_dung").to_string(),
        issuer: fields.get("co_quan").to_string(),
        reference: fields.get("so_ky_hieu").to_string(),
        issued: fields.get("ngay_ban_hanh").to_string(),
        request_id: ctx.request_id.clone(),
        errors: Vec::new(),
    };
    // What the page itself can tell: an unknown choice or a number that is not one.
    let kind = DocumentType::from_short_name(&entered.kind).map_or(-1, |k| k as i32);
    let level = Confidentiality::from_short_name(&entered.level).map_or(-1, |l| l as i32);
    let months = if entered.months.is_empty() {
        Some(0)
    } else {
        entered.months.parse::<i32>().ok()
    };
    if months.is_none() {
        entered.errors.push(form_error("document.review_interval_months"));
    }
    let issued = if entered.issued.is_empty() {
        None
    } else {
        match format::parse_day(&entered.issued) {
            Some(day) => Some(day),
            None => {
                entered
                    .errors
                    .push(("ngay_ban_hanh".into(), "Ngày ban hành viết theo ngày/tháng/năm.".into()));
                None
            }
        }
    };
    if !entered.errors.is_empty() {
        return Ok(render_new(&web, &session, entered).await?.into_response());
    }
    let external = (kind == DocumentType::External as i32).then(|| pb::ExternalOrigin {
        issuer: entered.issuer.clone(),
        reference: entered.reference.clone(),
        issue_time: issued.map(|day| eiso_proto::prost_types::Timestamp {
            seconds: format::start_of_day(day).timestamp(),
            nanos: 0,
        }),
    });
    let tags = entered
        .tags
        .split([',', ';'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    let created = web
        .documents()
        .create_document(
            &ctx,
            pb::CreateDocumentRequest {
                document: Some(pb::Document {
                    code: entered.code.clone(),
                    title: entered.title.clone(),
                    r#type: kind,
                    owner_unit: entered.unit.clone(),
                    confidentiality: level,
                    review_interval_months: months.unwrap_or_default(),
                    tags,
                    external_origin: external,
                    ..Default::default()
                }),
                request_id: ctx.request_id.clone(),
            },
        )
        .await;
    let document = match web.audited(&session, CREATE_DOCUMENT, created).await {
        Ok(document) => document,
        Err(ServiceError::InvalidArgument(violations)) => {
            entered.errors = violations.iter().map(|v| form_error(&v.field)).collect();
            return Ok(render_new(&web, &session, entered).await?.into_response());
        }
        Err(ServiceError::AlreadyExists(_)) => {
            entered.errors.push((
                "ma".into(),
                format!("Đơn vị đã có tài liệu mã {}: chọn mã khác.", entered.code),
            ));
            return Ok(render_new(&web, &session, entered).await?.into_response());
        }
        Err(ServiceError::PermissionDenied(_)) => {
            entered
                .errors
                .push(("don_vi".into(), "Bạn không soạn tài liệu cho đơn vị này.".into()));
            return Ok(render_new(&web, &session, entered).await?.into_response());
        }
        Err(other) => return Err(other.into()),
    };
    let mut ctx = web.write_context(&session, CREATE_REVISION).await?;
    ctx.request_id = entered.request_id.clone();
    let draft = web
        .documents()
        .create_revision(
            &ctx,
            pb::CreateRevisionRequest {
                parent: document.name.clone(),
                revision: Some(pb::Revision {
                    change_summary: entered.summary.clone(),
                    ..Default::default()
                }),
                request_id: ctx.request_id.clone(),
            },
        )
        .await;
    // The document exists either way; a draft refused here is started again on its page.
    let done = match web.audited(&session, CREATE_REVISION, draft).await {
        Ok(_) => "tao",
        Err(_) => "tao-chua-du-thao",
    };
    Ok(Redirect::to(&format!(
        "{}?da={done}#ban-thao",
        super::documents::href(&document.name)
    ))
    .into_response())
}

/// Soạn lần sửa đổi mới: a new draft of a document whose revisions are all settled.
pub async fn new_revision(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    check_id(&id)?;
    let fields = Fields(form);
    let ctx = fields.create_context(&web, &headers, &session, CREATE_REVISION).await?;
    let result = web
        .documents()
        .create_revision(
            &ctx,
            pb::CreateRevisionRequest {
                parent: format!("documents/{id}"),
                revision: Some(pb::Revision {
                    change_summary: fields.get("noi_dung").to_string(),
                    change_reason: fields.get("ly_do").to_string(),
                    ..Default::default()
                }),
                request_id: ctx.request_id.clone(),
            },
        )
        .await;
    match web.audited(&session, CREATE_REVISION, result).await {
        Ok(_) => Ok(Redirect::to(&format!("/tai-lieu/{id}?da=lan-moi#ban-thao")).into_response()),
        Err(error) => problem(&web, &session, &id, "lan-moi", error).await,
    }
}

/// The draft's actions (`/tai-lieu/{id}/lan/{n}/{action}`): the API method of each.
const ACTIONS: &[(&str, &str)] = &[
    ("sua", UPDATE_REVISION),
    ("giu", CHECK_OUT_REVISION),
    ("tra", CHECK_IN_REVISION),
    ("trinh", SUBMIT_REVISION),
    ("xoa-tep", DELETE_FILE),
];

/// What the page says once an action is done (`?da=`).
pub fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "tao" => "Đã tạo tài liệu và bản dự thảo lần 1: tải tệp lên, rồi trình xem xét.",
        "tao-chua-du-thao" => "Đã tạo tài liệu. Bản dự thảo chưa được tạo: bấm “Soạn lần sửa đổi mới”.",
        "lan-moi" => "Đã tạo bản dự thảo mới.",
        "sua" => "Đã lưu nội dung sửa đổi.",
        "giu" => "Bạn đang giữ bản dự thảo để sửa: người khác không sửa được cho đến khi bạn trả.",
        "tra" => "Đã trả bản dự thảo: người khác có thể sửa.",
        "trinh" => "Đã trình xem xét: bản dự thảo chờ ý kiến của người xem xét.",
        "xoa-tep" => "Đã xóa tệp khỏi bản dự thảo.",
        "tai-len" => "Đã tải tệp lên.",
        _ => return None,
    })
}

/// A draft's action, from its form.
pub async fn act(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path((id, number, action)): Path<(String, u32, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    check_id(&id)?;
    let fields = Fields::checked(form, &headers)?;
    let (_, method) = ACTIONS.iter().find(|(k, _)| *k == action).ok_or(PageError::NotFound)?;
    let ctx = web.write_context(&session, method).await?;
    let name = format!("documents/{id}/revisions/{number}");
    let documents = web.documents();
    let result = match action.as_str() {
        "sua" => documents
            .update_revision(
                &ctx,
                pb::UpdateRevisionRequest {
                    revision: Some(pb::Revision {
                        name,
                        change_summary: fields.get("noi_dung").to_string(),
                        change_reason: fields.get("ly_do").to_string(),
                        ..Default::default()
                    }),
                    update_mask: Some(eiso_proto::prost_types::FieldMask {
                        paths: vec!["change_summary".into(), "change_reason".into()],
                    }),
                    etag: fields.get("etag").to_string(),
                },
            )
            .await
            .map(drop),
        "giu" => documents
            .check_out(&ctx, pb::CheckOutRevisionRequest { name })
            .await
            .map(drop),
        "tra" => documents
            .check_in(
                &ctx,
                pb::CheckInRevisionRequest {
                    name,
                    force: fields.get("ep") == "1",
                    reason: fields.get("ly_do_ep").to_string(),
                },
            )
            .await
            .map(drop),
        "trinh" => documents
            .submit(
                &ctx,
                pb::SubmitRevisionRequest {
                    name,
                    reviewers: fields.all("nguoi_xem_xet").map(str::to_string).collect(),
                    etag: fields.get("etag").to_string(),
                },
            )
            .await
            .map(drop),
        _ => {
            let file = fields.get("tep");
            if !file.starts_with(&format!("{name}/files/")) {
                return Err(PageError::NotFound);
            }
            documents
                .delete_file(&ctx, pb::DeleteFileRequest { name: file.to_string() })
                .await
        }
    };
    match web.audited(&session, method, result).await {
        Ok(()) => Ok(Redirect::to(&format!("/tai-lieu/{id}?da={action}#ban-thao")).into_response()),
        Err(error) => problem(&web, &session, &id, &action, error).await,
    }
}

/// A refused draft action shown on the document's page, in Vietnamese, beside the draft.
async fn problem(
    web: &Web,
    session: &Session,
    id: &str,
    action: &str,
    error: ServiceError,
) -> Result<Response, PageError> {
    let message = match &error {
        ServiceError::InvalidArgument(violations) => {
            let fields: Vec<&str> = violations.iter().map(|v| v.field.as_str()).collect();
            if fields.contains(&"reviewers") {
                "Chọn ít nhất một người xem xét.".to_string()
            } else if fields.iter().any(|f| f.starts_with("revision.change")) {
                "Nội dung hoặc lý do sửa đổi quá dài, hoặc có ký tự không hợp lệ.".to_string()
            } else if fields.contains(&"reason") {
                "Nhập lý do trả thay người đang giữ bản dự thảo.".to_string()
            } else {
                format!("Có giá trị không hợp lệ ({}).", fields.join(", "))
            }
        }
        ServiceError::FailedPrecondition { kind, .. } => match *kind {
            "REVISION_WITHOUT_FILES" => "Bản dự thảo chưa có tệp: tải tệp lên trước khi trình.".to_string(),
            "SELF_REVIEW" => "Người soạn thảo không tự xem xét bản của mình: bỏ chọn tên bạn.".to_string(),
            "REVISION_CHECKED_OUT" => "Người khác đang giữ bản dự thảo để sửa: đề nghị họ trả trước.".to_string(),
            "REVISION_NOT_CHECKED_OUT" => "Bản dự thảo không có ai giữ.".to_string(),
            "REVISION_NOT_DRAFT" => {
                "Bản này không còn là dự thảo (đã trình hoặc đã được duyệt): không sửa được.".to_string()
            }
            "REVISION_PENDING" => {
                "Tài liệu đang có một bản dự thảo hoặc bản chờ duyệt: hoàn thành bản đó trước.".to_string()
            }
            "DOCUMENT_OBSOLETE" => "Tài liệu đã hủy bỏ: không soạn thêm lần sửa đổi.".to_string(),
            "USER_DISABLED" => "Một người được chọn xem xét đã bị khóa tài khoản.".to_string(),
            _ => format!("Không thực hiện được: {error}"),
        },
        ServiceError::Aborted(_) => "Bản dự thảo vừa được người khác thay đổi: xem lại rồi làm lại.".to_string(),
        ServiceError::PermissionDenied(_) => "Bạn không có quyền làm việc này với tài liệu của đơn vị này.".to_string(),
        _ => return Err(error.into()),
    };
    let page = super::document::render(
        web,
        session,
        id,
        Default::default(),
        Some((action.to_string(), message)),
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Reads a short text field of an upload (the CSRF value), refusing a long one.
async fn short_field(field: &mut axum::extract::multipart::Field<'_>) -> Option<String> {
    let mut out = Vec::new();
    while let Ok(Some(chunk)) = field.chunk().await {
        out.extend_from_slice(&chunk);
        if out.len() > 256 {
            return None;
        }
    }
    String::from_utf8(out).ok()
}

/// Tải tệp lên: a `multipart/form-data` post whose first part is the form's
/// CSRF value and whose next parts are files (`tep`), each streamed to the
/// documents service chunk by chunk as the browser sends it.
pub async fn upload(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path((id, number)): Path<(String, u32)>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    use axum::extract::FromRequest;
    check_id(&id)?;
    // The parser takes the body one frame at a time (see `paced`).
    let (parts, body) = request.into_parts();
    let paced = axum::body::Body::new(crate::paced::Paced::new(body));
    let mut multipart = Multipart::from_request(axum::extract::Request::from_parts(parts, paced), &())
        .await
        .map_err(|_| PageError::BadRequest("Tệp phải được gửi bằng biểu mẫu tải lên (multipart/form-data).".into()))?;
    let parent = format!("documents/{id}/revisions/{number}");
    let mut checked = false;
    let mut uploaded = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return upload_problem(&web, &session, &id, "Tệp tải lên bị gián đoạn: thử lại.").await,
        };
        let mut field = field;
        if !checked {
            // The CSRF value comes first, before any content is read.
            let value = match field.name() {
                Some("csrf") => short_field(&mut field).await,
                _ => None,
            };
            if !crate::csrf::check(&headers, value.as_deref()) {
                return Err(PageError::Csrf);
            }
            checked = true;
            continue;
        }
        if field.name() != Some("tep") {
            continue;
        }
        let file_name = field.file_name().unwrap_or_default().to_string();
        if file_name.is_empty() {
            // A form sent without choosing a file.
            continue;
        }
        let content_type = field.content_type().unwrap_or_default().to_string();
        let ctx = web.write_context(&session, UPLOAD_FILE).await?;
        let chunks = field;
        let result = web
            .documents()
            .upload(
                &ctx,
                pb::UploadFileHeader {
                    parent: parent.clone(),
                    file_name: file_name.clone(),
                    content_type,
                    expected_sha256: String::new(),
                },
                chunks,
            )
            .await;
        let message = match web.audited(&session, UPLOAD_FILE, result).await {
            Ok(_) => {
                uploaded += 1;
                continue;
            }
            Err(ServiceError::ResourceExhausted(_)) => format!(
                "Tệp “{file_name}” lớn hơn giới hạn {}.",
                super::document::size(i64::try_from(web.documents().limits().max_file_bytes).unwrap_or(i64::MAX))
            ),
            Err(ServiceError::InvalidArgument(violations))
                if violations.iter().any(|v| v.field == "header.file_name") =>
            {
                format!("Tên tệp “{file_name}” không hợp lệ: đổi tên tệp rồi tải lại.")
            }
            Err(ServiceError::Aborted(_)) => format!("Tệp “{file_name}” tải lên bị gián đoạn: thử lại."),
            Err(ServiceError::FailedPrecondition { .. }) => {
                "Bản này không còn là dự thảo bạn sửa được (đã trình, đã duyệt hoặc người khác đang giữ).".to_string()
            }
            Err(other) => return Err(other.into()),
        };
        let message = if uploaded > 0 {
            format!("Đã tải lên {uploaded} tệp. {message}")
        } else {
            message
        };
        return upload_problem(&web, &session, &id, &message).await;
    }
    if !checked {
        return Err(PageError::Csrf);
    }
    if uploaded == 0 {
        return upload_problem(&web, &session, &id, "Chọn tệp cần tải lên.").await;
    }
    Ok(Redirect::to(&format!("/tai-lieu/{id}?da=tai-len#ban-thao")).into_response())
}

async fn upload_problem(web: &Web, session: &Session, id: &str, message: &str) -> Result<Response, PageError> {
    let page = super::document::render(
        web,
        session,
        id,
        Default::default(),
        Some(("tai-len".into(), message.into())),
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The draft as its page shows it to someone who may work on it: the lock,
/// the people who may review it, and which actions the person may take.
pub async fn draft_panel(web: &Web, session: &Session, document: &pb::Document, draft: &pb::Revision) -> Value {
    let mut names = Names::new(web);
    let holder = if draft.checked_out_by.is_empty() {
        String::new()
    } else {
        names.user(&draft.checked_out_by).await
    };
    let mine = draft.checked_out_by == session.principal.name;
    let mut reviewers = Vec::new();
    if session.may(SUBMIT_REVISION) {
        for user in web
            .directory()
            .users_in_unit(&document.owner_unit)
            .await
            .unwrap_or_default()
        {
            if user.name == draft.author || reviewers.len() >= 200 {
                continue;
            }
            let bindings = web.directory().bindings(&user.name).await.unwrap_or_default();
            if bindings.iter().any(|(role, _)| REVIEWER_ROLES.contains(role)) {
                reviewers.push(context! { value => user.name, name => user.display_name });
            }
        }
    }
    context! {
        number => draft.number,
        name => draft.name,
        etag => draft.etag,
        change_summary => draft.change_summary,
        change_reason => draft.change_reason,
        round => draft.review_round,
        holder,
        held_since => format::timestamp(draft.checkout_time.as_ref()),
        mine,
        may_force => !mine && !holder.is_empty() && session.principal.has_role(Role::DocumentController),
        editable => session.may(UPDATE_REVISION) && (holder.is_empty() || mine),
        may_upload => session.may(UPLOAD_FILE) && (holder.is_empty() || mine),
        may_submit => session.may(SUBMIT_REVISION) && (holder.is_empty() || mine),
        may_lock => session.may(CHECK_OUT_REVISION),
        reviewers,
        files => draft.files.iter().map(|f| context! { name => f.name, file_name => f.file_name }).collect::<Vec<_>>(),
        max_size => super::document::size(i64::try_from(web.documents().limits().max_file_bytes).unwrap_or(i64::MAX)),
    }
}

/// Whether a new draft may be started: the document is not withdrawn and
/// none of its revisions is a draft, in review or approved.
pub fn may_start_revision(session: &Session, document: &pb::Document, revisions: &[pb::Revision]) -> bool {
    session.may(CREATE_REVISION)
        && document.state != pb::document::State::Obsolete as i32
        && !revisions.iter().any(|r| {
            matches!(
                revision::State::try_from(r.state),
                Ok(revision::State::Draft | revision::State::InReview | revision::State::Approved)
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_land_on_the_fields_that_caused_them() {
        assert_eq!(form_error("document.code").0, "ma");
        assert_eq!(form_error("document.external_origin.issuer").0, "co_quan");
        assert_eq!(form_error("revision.change_summary").0, "noi_dung");
        assert_eq!(form_error("something.else").0, "");
    }

    #[test]
    fn every_draft_action_says_what_it_did() {
        for (action, _) in ACTIONS {
            assert!(done_message(action).is_some(), "{action}");
        }
        assert!(done_message("tai-len").is_some());
        assert!(done_message("<script>").is_none());
    }
}
