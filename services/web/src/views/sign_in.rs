//! Đăng nhập / đăng xuất: the identity service's own sign-in (its lockout and
//! audit entries), its token kept in an HttpOnly cookie.

use axum::Form;
use axum::extract::{FromRequestParts, Query};
use axum::response::{IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::identity::v1::{LoginRequest, PasswordCredentials, login_request};
use http::HeaderMap;
use http::request::Parts;
use minijinja::context;
use serde::Deserialize;

use super::fields::Fields;
use crate::error::PageError;
use crate::session::safe_next;
use crate::{Web, cookies, csrf};

#[derive(Deserialize)]
pub struct Next {
    #[serde(default)]
    tiep: String,
}

/// The address the request came from, as tonic's server saw it.
pub struct ClientAddress(pub Option<std::net::IpAddr>);

impl FromRequestParts<Web> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &Web) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<eiso_proto::tonic::transport::server::TcpConnectInfo>()
                .and_then(|info| info.remote_addr())
                .map(|addr| addr.ip()),
        ))
    }
}

pub async fn page(
    axum::extract::State(web): axum::extract::State<Web>,
    headers: HeaderMap,
    Query(next): Query<Next>,
) -> Result<Response, PageError> {
    render(&web, &headers, safe_next(&next.tiep), "", None)
}

fn render(
    web: &Web,
    headers: &HeaderMap,
    next: &str,
    username: &str,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let token = csrf::Token::for_request(headers);
    let html = web.pages().render(
        "sign_in.html",
        context! { title => "Đăng nhập", csrf => token.value, next, username, error },
    )?;
    let mut response = html.into_response();
    if let Some(cookie) = token.set_cookie {
        cookies::append(response.headers_mut(), cookie);
    }
    if error.is_some() {
        *response.status_mut() = http::StatusCode::UNAUTHORIZED;
    }
    Ok(response)
}

pub async fn submit(
    axum::extract::State(web): axum::extract::State<Web>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields::checked(form, &headers)?;
    let next = safe_next(fields.get("tiep"));
    let username = fields.get("ten_dang_nhap");
    let request = LoginRequest {
        credentials: Some(login_request::Credentials::Password(PasswordCredentials {
            username: username.to_string(),
            password: fields.raw("mat_khau").to_string(),
        })),
    };
    match web.identity().login(request, address).await {
        Ok(signed_in) => {
            let mut response = Redirect::to(next).into_response();
            *response.status_mut() = http::StatusCode::SEE_OTHER;
            // Tokens expire by the wall clock (the identity service's).
            let cookie = cookies::session(
                &signed_in.access_token,
                signed_in.expire_time.as_ref(),
                chrono::Utc::now(),
                cookies::is_https(&headers),
            );
            cookies::append(response.headers_mut(), cookie);
            Ok(response)
        }
        Err(ServiceError::Unauthenticated(_)) => render(
            &web,
            &headers,
            next,
            username,
            Some("Tên đăng nhập hoặc mật khẩu không đúng."),
        ),
        Err(ServiceError::ResourceExhausted(_)) => render(
            &web,
            &headers,
            next,
            username,
            Some("Đăng nhập sai nhiều lần. Hãy chờ ít phút rồi thử lại."),
        ),
        Err(ServiceError::InvalidArgument(_)) => render(
            &web,
            &headers,
            next,
            username,
            Some("Hãy nhập tên đăng nhập và mật khẩu."),
        ),
        Err(other) => Err(other.into()),
    }
}

pub async fn sign_out(headers: HeaderMap, Form(form): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    Fields::checked(form, &headers)?;
    let mut response = Redirect::to("/dang-nhap").into_response();
    *response.status_mut() = http::StatusCode::SEE_OTHER;
    cookies::append(
        response.headers_mut(),
        cookies::set(cookies::SESSION, "", Some(0), "Lax", cookies::is_https(&headers)),
    );
    Ok(response)
}
