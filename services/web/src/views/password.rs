//! Đổi mật khẩu: the signed-in person changes their own password, through
//! the identity service's `SetUserPassword` (its rules: the current password
//! checked, at least 10 characters; its audit entry).

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::identity::v1::SetUserPasswordRequest;
use http::HeaderMap;
use minijinja::context;

use super::fields::Fields;
use super::methods::SET_USER_PASSWORD;
use crate::Web;
use crate::error::PageError;
use crate::session::Session;

pub async fn page(State(web): State<Web>, session: Session) -> Result<Response, PageError> {
    render(&web, &session, Vec::new(), false, http::StatusCode::OK)
}

fn render(
    web: &Web,
    session: &Session,
    errors: Vec<(&str, &str)>,
    changed: bool,
    status: http::StatusCode,
) -> Result<Response, PageError> {
    let error_of = |field: &str| errors.iter().find(|(f, _)| *f == field).map(|(_, m)| *m);
    let summary: Vec<_> = errors
        .iter()
        .map(|(field, message)| context! { field, message })
        .collect();
    let html = web.pages().render(
        "password.html",
        context! {
            title => "Đổi mật khẩu",
            frame => session.frame(),
            errors => summary,
            error_hien_tai => error_of("mat_khau_hien_tai"),
            error_moi => error_of("mat_khau_moi"),
            error_nhap_lai => error_of("nhap_lai"),
            changed,
        },
    )?;
    Ok((status, html).into_response())
}

pub async fn submit(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields::checked(form, &headers)?;
    let ctx = web.write_context(&session, SET_USER_PASSWORD).await?;
    let current = fields.raw("mat_khau_hien_tai");
    let new = fields.raw("mat_khau_moi");
    let mut errors = Vec::new();
    if current.is_empty() {
        errors.push(("mat_khau_hien_tai", "Nhập mật khẩu đang dùng."));
    }
    if new.chars().count() < 10 {
        errors.push(("mat_khau_moi", "Mật khẩu mới cần ít nhất 10 ký tự."));
    } else if new == current {
        errors.push(("mat_khau_moi", "Mật khẩu mới phải khác mật khẩu đang dùng."));
    }
    if fields.raw("nhap_lai") != new {
        errors.push(("nhap_lai", "Hai lần nhập mật khẩu mới không giống nhau."));
    }
    if !errors.is_empty() {
        return render(&web, &session, errors, false, http::StatusCode::UNPROCESSABLE_ENTITY);
    }
    let request = SetUserPasswordRequest {
        name: session.principal.name.clone(),
        current_password: current.to_string(),
        new_password: new.to_string(),
    };
    let result = web.identity().set_user_password(&ctx, request).await;
    match web.audited(&session, SET_USER_PASSWORD, result).await {
        Ok(()) => render(&web, &session, Vec::new(), true, http::StatusCode::OK),
        Err(ServiceError::InvalidArgument(violations)) => {
            let errors = violations
                .iter()
                .map(|v| match v.field.as_str() {
                    "current_password" => ("mat_khau_hien_tai", "Mật khẩu đang dùng không đúng."),
                    _ => ("mat_khau_moi", "Mật khẩu mới chưa đạt yêu cầu (ít nhất 10 ký tự)."),
                })
                .collect();
            render(&web, &session, errors, false, http::StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(other.into()),
    }
}
