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
use eiso_procedures::ApplicantRating;
use eiso_proto::eiso::procedures::v1 as pb;
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
    let fields = Fields::checked(form, &headers)?;
    let code = fields.get("ma").to_string();
    if let Some(refused) = over_limit(&web, &headers, address, &code).await? {
        return Ok(refused);
    }
    answer(&web, &headers, &code, fields.get("so"), None).await
}

/// The page refusing a client address that has used up its tries, if it has.
async fn over_limit(
    web: &Web,
    headers: &HeaderMap,
    address: Option<std::net::IpAddr>,
    code: &str,
) -> Result<Option<Response>, PageError> {
    if web.lookups().allow(address, Instant::now()) {
        return Ok(None);
    }
    let answer = context! { refused => "Bạn đã tra cứu quá nhiều lần. Xin thử lại sau ít phút." };
    render(web, headers, code, Some(answer), http::StatusCode::TOO_MANY_REQUESTS)
        .await
        .map(Some)
}

/// The lookup's answer for `code` and the four characters `secret`, with
/// `rating` (what became of a rating just given) above it.
async fn answer(
    web: &Web,
    headers: &HeaderMap,
    code: &str,
    secret: &str,
    rating: Option<minijinja::Value>,
) -> Result<Response, PageError> {
    let found = web.procedures().lookup_dossier(code, secret).await?;
    let Some(dossier) = found else {
        let answer = context! {
            refused => "Không tìm thấy hồ sơ với mã và 4 số cuối này. Xin kiểm tra lại mã trên giấy tiếp nhận.",
        };
        return render(web, headers, code, Some(answer), http::StatusCode::NOT_FOUND).await;
    };
    let mut names = Names::new(web);
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
        rateable => dossier.rateable,
        rated => dossier.rated,
        // The four characters travel with the rating form: the applicant
        // typed them a moment ago.
        secret,
        rating,
    };
    render(web, headers, code, Some(answer), http::StatusCode::OK).await
}

/// Đánh giá: the applicant rates the service with the receipt's one-time
/// code, once the result is returned. Counts as a lookup against the limit.
pub async fn rate(
    State(web): State<Web>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields::checked(form, &headers)?;
    let code = fields.get("ma").to_string();
    if let Some(refused) = over_limit(&web, &headers, address, &code).await? {
        return Ok(refused);
    }
    let secret = fields.get("so");
    let satisfaction = fields.satisfaction("muc_do");
    if satisfaction == pb::Satisfaction::Unspecified {
        let rating = context! { error => "Chọn một mức độ hài lòng." };
        return answer(&web, &headers, &code, secret, Some(rating)).await;
    }
    let outcome = web
        .procedures()
        .rate_as_applicant(
            &code,
            secret,
            fields.get("ma_danh_gia"),
            satisfaction,
            fields.get("y_kien"),
        )
        .await;
    let rating = match outcome {
        Ok(ApplicantRating::Recorded) => context! { thanks => "Cảm ơn ông/bà đã đánh giá. Ý kiến đã được ghi nhận." },
        Ok(ApplicantRating::NotFound) => {
            context! { error => "Mã đánh giá không đúng. Xin kiểm tra mã in trên giấy tiếp nhận." }
        }
        Ok(ApplicantRating::NotReturned) => {
            context! { error => "Hồ sơ chưa trả kết quả: ông/bà đánh giá sau khi nhận kết quả." }
        }
        Ok(ApplicantRating::AlreadyRated) => context! { error => "Hồ sơ này đã được đánh giá." },
        Err(eiso_platform::ServiceError::InvalidArgument(_)) => {
            context! { error => "Ý kiến quá dài: xin viết ngắn hơn 2000 ký tự." }
        }
        Err(other) => return Err(other.into()),
    };
    answer(&web, &headers, &code, secret, Some(rating)).await
}
