//! What a failed page looks like. A handler returns a [`PageError`]; its
//! response carries the facts as an extension, and [`render_error_pages`]
//! (which holds the templates) turns them into the error page. An internal
//! error is logged with a reference id and the page shows only that id.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use http::StatusCode;
use minijinja::context;

use crate::Web;

/// Why a page cannot be shown.
#[derive(Debug)]
pub enum PageError {
    /// No session, or it ended: sign in, then come back to `next`.
    SignIn { next: String },
    /// The form's CSRF field did not match.
    Csrf,
    /// The address asks for something that cannot be (a bad page token or
    /// filter): the message says what, in Vietnamese.
    BadRequest(String),
    /// The caller may not do this.
    Forbidden(String),
    /// No such thing, or not one the caller may see (the same answer).
    NotFound,
    /// Storage is busy: try again.
    Unavailable,
    /// A defect or a fault: logged, shown only by reference.
    Internal(String),
}

impl From<ServiceError> for PageError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::NotFound(_) => Self::NotFound,
            ServiceError::InvalidArgument(_) => Self::BadRequest("Địa chỉ trang có tham số không hợp lệ.".into()),
            ServiceError::PermissionDenied(message) => Self::Forbidden(message),
            ServiceError::Unauthenticated(_) => Self::SignIn { next: "/".into() },
            ServiceError::Unavailable(_) => Self::Unavailable,
            other => Self::Internal(other.to_string()),
        }
    }
}

/// The facts of an error page, handed from the handler to the renderer.
#[derive(Debug, Clone)]
struct ErrorPage {
    status: StatusCode,
    title: &'static str,
    message: String,
    reference: Option<String>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = match self {
            PageError::SignIn { next } => {
                return Redirect::to(&format!("/dang-nhap?tiep={}", crate::session::encode_next(&next)))
                    .into_response();
            }
            PageError::Csrf => ErrorPage {
                status: StatusCode::FORBIDDEN,
                title: "Biểu mẫu đã hết hiệu lực",
                message: "Trang này đã mở quá lâu hoặc được gửi từ nơi khác. Hãy quay lại, tải lại trang và gửi lại."
                    .into(),
                reference: None,
            },
            PageError::BadRequest(message) => ErrorPage {
                status: StatusCode::BAD_REQUEST,
                title: "Yêu cầu không hợp lệ",
                message,
                reference: None,
            },
            PageError::Forbidden(_) => ErrorPage {
                status: StatusCode::FORBIDDEN,
                title: "Không có quyền",
                message: "Vai trò của bạn không cho phép thao tác này.".into(),
                reference: None,
            },
            PageError::NotFound => ErrorPage {
                status: StatusCode::NOT_FOUND,
                title: "Không tìm thấy",
                message: "Trang hoặc hồ sơ này không có, hoặc bạn không được xem.".into(),
                reference: None,
            },
            PageError::Unavailable => ErrorPage {
                status: StatusCode::SERVICE_UNAVAILABLE,
                title: "Hệ thống đang bận",
                message: "Xin thử lại sau ít phút.".into(),
                reference: None,
            },
            PageError::Internal(detail) => {
                let reference = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
                tracing::error!(reference, detail, "web page failed");
                ErrorPage {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    title: "Đã có lỗi",
                    message: "Hệ thống gặp lỗi khi xử lý yêu cầu. Xin báo mã tham chiếu dưới đây cho quản trị viên."
                        .into(),
                    reference: Some(reference),
                }
            }
        };
        let mut response = page.status.into_response();
        response.extensions_mut().insert(page);
        response
    }
}

/// Renders the error page of a response that carries one.
pub async fn render_error_pages(State(web): State<Web>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let Some(page) = response.extensions().get::<ErrorPage>().cloned() else {
        return response;
    };
    let html = web.pages().render(
        "error.html",
        context! {
            title => page.title,
            message => page.message,
            reference => page.reference,
        },
    );
    match html {
        Ok(html) => (page.status, html).into_response(),
        // The error page itself failed: plain text, still no detail.
        Err(_) => (page.status, page.title).into_response(),
    }
}
