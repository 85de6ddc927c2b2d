//! Tra cứu hồ sơ (public, no sign-in): the dossier code and the last four
//! digits of the applicant's ID number give its status and appointment, and
//! what is missing if a supplement was asked. Nothing personal is shown; a
//! wrong code and wrong digits get the same answer; each client address has a
//! limited number of tries. The receipt's QR code leads here with the code
//! filled in.

use std::time::Instant;

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use eiso_proto::labels::Label;
use http::HeaderMap;
use minijinja::context;
use serde::Deserialize;

use super::fields::Fields;
use super::sign_in::ClientAddress;
use crate::error::PageError;
use crate::names::Names;
use crate::{Web, cookies, csrf, format};

#[derive(Deserialize, Default)]
pub struct Code {
    #[serde(default)]
    ma: String,
}

pub async fn page(State(web): State<Web>, headers: HeaderMap, Query(code): Query<Code>) -> Result<Response, PageError> {
    render(&web, &headers, code.ma.trim(), None, http::StatusCode::OK).await
}

async fn render(
    web: &Web,
    headers: &HeaderMap,
    code: &str,
    answer: Option<minijinja::Value>,
    status: http::StatusCode,
) -> Result<Response, PageError> {
    let token = csrf::Token::for_request(headers);
    let html = web.pages().render(
        "lookup.html",
        context! { title => "Tra cứu hồ sơ", csrf => token.value, code, answer },
    )?;
    let mut response = (status, html).into_response();
    if let Some(cookie) = token.set_cookie {
        cookies::append(response.headers_mut(), cookie);
    }
    Ok(response)
}

pub async fn submit(
    State(web): State<Web>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(form);
    fields.check_csrf(&headers)?;
    let code = fields.get("ma").to_string();
    if !web.lookups().allow(address, Instant::now()) {
        let answer = context! { refused => "Bạn đã tra cứu quá nhiều lần. Xin thử lại sau ít phút." };
        return render(&web, &headers, &code, Some(answer), http::StatusCode::TOO_MANY_REQUESTS).await;
    }
    let found = web.procedures().lookup_dossier(&code, fields.get("so")).await?;
    let Some(dossier) = found else {
        let answer = context! {
            refused => "Không tìm thấy hồ sơ với mã và 4 số cuối này. Xin kiểm tra lại mã trên giấy tiếp nhận.",
        };
        return render(&web, &headers, &code, Some(answer), http::StatusCode::NOT_FOUND).await;
    };
    let mut names = Names::new(&web);
    let answer = context! {
        code => dossier.code,
        procedure => names.procedure(&dossier.procedure_version).await,
        agency => names.unit(&dossier.agency).await,
        status => dossier.status.label_vi(),
        status_key => eiso_proto::labels::ProtoEnum::short_name(&dossier.status),
        received => format::datetime(dossier.receive_time),
        appointment => dossier.appointment_time.map(format::datetime),
        returned => dossier.return_time.map(format::datetime),
        supplement => dossier.supplement.map(|(reason, documents)| context! { reason, documents }),
    };
    render(&web, &headers, &code, Some(answer), http::StatusCode::OK).await
}
