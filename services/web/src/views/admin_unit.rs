//! Quản trị — một đơn vị: its facts and history (earlier names and codes
//! with the day they changed, the units merged into it, what it became),
//! its letterhead (place name, document symbol, the signer's title and
//! name) edited, and the acts that change its place in the organisation,
//! each with the decision behind it: renamed (the old name kept), merged
//! into another unit, dissolved. The forms show where the person's
//! administrator binding covers the unit; the identity service decides.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::identity::v1::{self as pb, Role, UnitKind, unit};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::{Value, context};
use serde::Deserialize;

use super::admin_units::all_units;
use super::fields::Fields;
use super::methods::{DISSOLVE_UNIT, MERGE_UNITS, RENAME_UNIT, UPDATE_UNIT};
use crate::Web;
use crate::error::PageError;
use crate::format;
use crate::session::Session;

/// The acts of the page: (address segment, method, what the page says when done).
const ACTS: [(&str, &str, &str); 4] = [
    ("tieu-de", UPDATE_UNIT, "Đã lưu thông tin thể thức văn bản."),
    (
        "doi-ten",
        RENAME_UNIT,
        "Đã đổi tên đơn vị; tên cũ được lưu trong lịch sử.",
    ),
    ("sap-nhap", MERGE_UNITS, "Đã sáp nhập đơn vị."),
    ("giai-the", DISSOLVE_UNIT, "Đã giải thể đơn vị."),
];

/// The forms' fields, by the API field a violation names, with what to say.
const FIELDS: &super::fields::FieldTable = &[
    (
        "unit.place_name",
        "dia_danh",
        "Địa danh tối đa 100 ký tự, không có ký tự điều khiển.",
    ),
    (
        "unit.document_symbol",
        "ky_hieu",
        "Chữ viết tắt tên cơ quan: chữ cái, chữ số, “&” hoặc “-”, không dấu cách hay “/”, tối đa 30 ký tự (ví dụ PGDĐT).",
    ),
    ("unit.signer_title", "chuc_danh", "Chức danh người ký tối đa 100 ký tự."),
    ("unit.signer_name", "nguoi_ky", "Họ tên người ký tối đa 100 ký tự."),
    (
        "display_name",
        "ten_moi",
        "Nhập tên mới (tối đa 200 ký tự), mã mới, hoặc cả hai.",
    ),
    (
        "code",
        "ma_moi",
        "Mã đơn vị: chữ cái, chữ số và dấu gạch ngang, ví dụ 31-HAIAN-GDDT.",
    ),
    ("successor", "tiep_nhan", "Chọn đơn vị tiếp nhận."),
    ("sources", "vao_don_vi", "Chọn đơn vị khác để sáp nhập vào."),
];

#[derive(Deserialize, Default)]
pub struct UnitQuery {
    #[serde(default)]
    da: String,
}

/// What the person typed into the form that came back refused, and why.
#[derive(Default)]
struct Typed {
    fields: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    problem: Option<String>,
}

impl Typed {
    fn value(&self, field: &str) -> Option<String> {
        self.fields.iter().find(|(f, _)| f == field).map(|(_, v)| v.clone())
    }

    fn error(&self, field: &str) -> String {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }
}

async fn render(web: &Web, session: &Session, id: &str, typed: Typed, done: &str) -> Result<Html<String>, PageError> {
    let name = format!("units/{id}");
    let units = all_units(web, session).await?;
    let Some(current) = units.iter().find(|u| u.name == name) else {
        return Err(PageError::NotFound);
    };
    let display: HashMap<&str, &str> = units
        .iter()
        .map(|u| (u.name.as_str(), u.display_name.as_str()))
        .collect();
    let state = unit::State::try_from(current.state).unwrap_or_default();
    let active = state == unit::State::Active;
    let administered = session.covered_units_where(web, 2000, |role| role == Role::Admin).await;
    let manages = active && administered.contains(&current.name);
    let link = |u: &pb::Unit| context! { href => format!("/quan-tri/don-vi/{}", u.name.trim_start_matches("units/")), name => u.display_name.clone(), code => u.code.clone() };
    let children: Vec<Value> = units
        .iter()
        .filter(|u| u.parent == current.name && u.state == unit::State::Active as i32)
        .map(link)
        .collect();
    let merged_in: Vec<Value> = units
        .iter()
        .filter(|u| u.successor == current.name)
        .map(|u| {
            let state = unit::State::try_from(u.state).unwrap_or_default();
            context! { href => format!("/quan-tri/don-vi/{}", u.name.trim_start_matches("units/")), name => u.display_name.clone(), code => u.code.clone(), state => state.label_vi(), day => format::timestamp(u.update_time.as_ref()) }
        })
        .collect();
    let former: Vec<Value> = current
        .former_names
        .iter()
        .map(|f| context! { name => f.display_name.clone(), code => f.code.clone(), until => format::timestamp(f.change_time.as_ref()) })
        .collect();
    // Where the unit may go: the other active units the administrator covers.
    let selected = typed
        .value("vao_don_vi")
        .or_else(|| typed.value("tiep_nhan"))
        .unwrap_or_default();
    let successors: Vec<Value> = units
        .iter()
        .filter(|u| u.name != current.name && u.state == unit::State::Active as i32 && administered.contains(&u.name))
        .map(|u| context! { value => u.name.clone(), name => format!("{} ({})", u.display_name, u.code), selected => u.name == selected })
        .collect();
    let successor = units.iter().find(|u| u.name == current.successor).map(link);
    let field = |name: &str, stored: &str| typed.value(name).unwrap_or_else(|| stored.to_string());
    let errors: Vec<Value> = typed
        .errors
        .iter()
        .map(|(field, message)| context! { field, message })
        .collect();
    web.pages().render(
        "admin_unit.html",
        context! {
            frame => session.frame(),
            title => current.display_name.clone(),
            id,
            etag => current.etag.clone(),
            heading => current.display_name.clone(),
            code => current.code.clone(),
            kind => UnitKind::try_from(current.kind).unwrap_or_default().label_vi(),
            parent => display.get(current.parent.as_str()).copied().unwrap_or_default(),
            parent_href => (!current.parent.is_empty()).then(|| format!("/quan-tri/don-vi/{}", current.parent.trim_start_matches("units/"))),
            state => state.label_vi(),
            state_key => state.short_name(),
            successor,
            created => format::timestamp(current.create_time.as_ref()),
            former,
            merged_in,
            children,
            place_name => current.place_name.clone(),
            document_symbol => current.document_symbol.clone(),
            signer_title => current.signer_title.clone(),
            signer_name => current.signer_name.clone(),
            may_letterhead => manages && session.may(UPDATE_UNIT),
            may_rename => manages && session.may(RENAME_UNIT),
            may_merge => manages && session.may(MERGE_UNITS) && !successors.is_empty(),
            may_dissolve => manages && session.may(DISSOLVE_UNIT),
            successors,
            dia_danh => field("dia_danh", &current.place_name), dia_danh_error => typed.error("dia_danh"),
            ky_hieu => field("ky_hieu", &current.document_symbol), ky_hieu_error => typed.error("ky_hieu"),
            chuc_danh => field("chuc_danh", &current.signer_title), chuc_danh_error => typed.error("chuc_danh"),
            nguoi_ky => field("nguoi_ky", &current.signer_name), nguoi_ky_error => typed.error("nguoi_ky"),
            ten_moi => field("ten_moi", ""), ten_moi_error => typed.error("ten_moi"),
            ma_moi => field("ma_moi", ""), ma_moi_error => typed.error("ma_moi"),
            can_cu_doi_ten => field("can_cu_doi_ten", ""), can_cu_doi_ten_error => typed.error("can_cu_doi_ten"),
            vao_don_vi_error => typed.error("vao_don_vi"),
            can_cu_sap_nhap => field("can_cu_sap_nhap", ""), can_cu_sap_nhap_error => typed.error("can_cu_sap_nhap"),
            tiep_nhan_error => typed.error("tiep_nhan"),
            can_cu_giai_the => field("can_cu_giai_the", ""), can_cu_giai_the_error => typed.error("can_cu_giai_the"),
            open => typed.value("hanh_dong"),
            errors,
            problem => typed.problem,
            done => (!done.is_empty()).then_some(done),
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Path(id): Path<String>,
    Query(query): Query<UnitQuery>,
) -> Result<Html<String>, PageError> {
    super::fields::check_id(&id)?;
    let done = ACTS
        .iter()
        .find(|(act, ..)| *act == query.da)
        .map_or("", |(.., said)| *said);
    render(&web, &session, &id, Typed::default(), done).await
}

/// One of the page's acts on the unit.
pub async fn change(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path((id, act)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let Some(&(_, method, _)) = ACTS.iter().find(|(a, ..)| *a == act) else {
        return Err(PageError::NotFound);
    };
    super::fields::check_id(&id)?;
    let fields = Fields::checked(form, &headers)?;
    let ctx = web.write_context(&session, method).await?;
    let name = format!("units/{id}");
    let mut typed = Typed {
        fields: fields.0.iter().filter(|(f, _)| f != "csrf").cloned().collect(),
        ..Default::default()
    };
    typed.fields.push(("hanh_dong".into(), act.clone()));
    let etag = fields.get("etag").to_string();
    // Each change of the organisation rests on a decision, named on the form.
    let basis = match act.as_str() {
        "doi-ten" => Some("can_cu_doi_ten"),
        "sap-nhap" => Some("can_cu_sap_nhap"),
        "giai-the" => Some("can_cu_giai_the"),
        _ => None,
    };
    if act == "sap-nhap" && fields.get("vao_don_vi").is_empty() {
        typed.errors.push(super::fields::field_error(FIELDS, "sources"));
    }
    if let Some(field) = basis
        && fields.get(field).trim().is_empty()
    {
        typed.errors.push((
            field.to_string(),
            "Nhập căn cứ: số, ngày của quyết định hoặc văn bản.".to_string(),
        ));
    }
    if !typed.errors.is_empty() {
        return refused(&web, &session, &id, typed).await;
    }
    let reason = basis.map(|field| fields.get(field).to_string()).unwrap_or_default();
    let identity = web.identity();
    let result = match act.as_str() {
        "tieu-de" => identity
            .update_unit(
                &ctx,
                pb::UpdateUnitRequest {
                    unit: Some(pb::Unit {
                        name,
                        place_name: fields.get("dia_danh").to_string(),
                        document_symbol: fields.get("ky_hieu").to_string(),
                        signer_title: fields.get("chuc_danh").to_string(),
                        signer_name: fields.get("nguoi_ky").to_string(),
                        ..Default::default()
                    }),
                    update_mask: Some(eiso_proto::prost_types::FieldMask {
                        paths: ["place_name", "document_symbol", "signer_title", "signer_name"]
                            .map(String::from)
                            .to_vec(),
                    }),
                    etag,
                },
            )
            .await
            .map(drop),
        "doi-ten" => identity
            .rename_unit(
                &ctx,
                pb::RenameUnitRequest {
                    name,
                    display_name: fields.get("ten_moi").to_string(),
                    code: fields.get("ma_moi").to_string(),
                    reason,
                    etag,
                },
            )
            .await
            .map(drop),
        "sap-nhap" => identity
            .merge_units(
                &ctx,
                pb::MergeUnitsRequest {
                    sources: vec![name],
                    successor: fields.get("vao_don_vi").to_string(),
                    reason,
                },
            )
            .await
            .map(drop),
        _ => identity
            .dissolve_unit(
                &ctx,
                pb::DissolveUnitRequest {
                    name,
                    successor: fields.get("tiep_nhan").to_string(),
                    reason,
                    etag,
                },
            )
            .await
            .map(drop),
    };
    match web.audited(&session, method, result).await {
        Ok(()) => Ok(Redirect::to(&format!("/quan-tri/don-vi/{id}?da={act}")).into_response()),
        Err(ServiceError::InvalidArgument(violations)) => {
            typed.errors = violations
                .iter()
                .map(|v| {
                    // The merge names the unit as its source and the choice as its successor.
                    let field = if act == "sap-nhap" && v.field == "successor" {
                        "sources"
                    } else {
                        v.field.as_str()
                    };
                    super::fields::field_error(FIELDS, field)
                })
                .collect();
            typed.errors.dedup();
            refused(&web, &session, &id, typed).await
        }
        Err(error) => {
            typed.problem = Some(problem_of(error)?);
            refused(&web, &session, &id, typed).await
        }
    }
}

/// What a refusal other than a bad field means, in Vietnamese.
fn problem_of(error: ServiceError) -> Result<String, PageError> {
    Ok(match error {
        ServiceError::FailedPrecondition { kind: "UNIT_HAS_CHILDREN", .. } => {
            "Đơn vị còn đơn vị trực thuộc đang hoạt động: chọn đơn vị tiếp nhận, hoặc chuyển các đơn vị đó sang đơn vị khác trước.".into()
        }
        ServiceError::FailedPrecondition { kind: "UNIT_NOT_ACTIVE", .. } => {
            "Đơn vị này hoặc đơn vị được chọn đã sáp nhập hay giải thể, không thay đổi được nữa.".into()
        }
        ServiceError::AlreadyExists(_) => "Đã có đơn vị khác mang mã này.".into(),
        ServiceError::Aborted(_) => "Đơn vị vừa được người khác thay đổi: xem lại rồi làm lại.".into(),
        ServiceError::PermissionDenied(_) => {
            "Bạn không quản trị đơn vị này hoặc đơn vị được chọn.".into()
        }
        ServiceError::NotFound(_) => "Không còn đơn vị được chọn.".into(),
        other => return Err(other.into()),
    })
}

async fn refused(web: &Web, session: &Session, id: &str, typed: Typed) -> Result<Response, PageError> {
    let page = render(web, session, id, typed, "").await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
