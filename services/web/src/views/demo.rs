//! Dữ liệu mẫu: on an empty installation the administrator is offered the
//! demo office ([`crate::demo`]); loading it shows the demo people and the
//! password they share, once.

use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::labels::Label;
use http::HeaderMap;
use minijinja::context;

use super::fields::Fields;
use crate::error::PageError;
use crate::session::Session;
use crate::{Web, demo};

/// Whether `session` is an administrator's on an empty installation: the
/// home page then offers the demo office.
pub async fn offered(web: &Web, session: &Session) -> Result<bool, PageError> {
    Ok(session.principal.is_admin() && demo::is_empty(web).await?)
}

pub async fn page(State(web): State<Web>, session: Session) -> Result<Response, PageError> {
    if !session.principal.is_admin() {
        return Err(PageError::Forbidden(
            "the demo office is loaded by an administrator".into(),
        ));
    }
    if !demo::is_empty(&web).await? {
        return Ok(Redirect::to("/").into_response());
    }
    let html = web.pages().render(
        "demo.html",
        context! { frame => session.frame(), title => "Dữ liệu mẫu" },
    )?;
    Ok(html.into_response())
}

pub async fn submit(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Html<String>, PageError> {
    Fields::checked(form, &headers)?;
    if !session.principal.is_admin() {
        return Err(PageError::Forbidden(
            "the demo office is loaded by an administrator".into(),
        ));
    }
    let loaded = match demo::load(&web, &session.principal).await {
        Ok(loaded) => loaded,
        Err(ServiceError::FailedPrecondition { .. }) => {
            return Err(PageError::BadRequest(
                "Hệ thống đã có dữ liệu: chỉ nạp dữ liệu mẫu vào một hệ thống mới cài.".into(),
            ));
        }
        Err(other) => return Err(other.into()),
    };
    let people: Vec<_> = loaded
        .people
        .iter()
        .map(|(username, name, role)| context! { username, name, role => role.label_vi() })
        .collect();
    web.pages().render(
        "demo.html",
        context! {
            frame => session.frame(),
            title => "Đã nạp dữ liệu mẫu",
            loaded => true,
            people,
            password => loaded.password,
            dossiers => loaded.dossiers,
        },
    )
}
