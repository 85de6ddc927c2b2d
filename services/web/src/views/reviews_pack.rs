//! Xem xét của lãnh đạo: the management reviews' packs (ISO 9001 clause
//! 9.3) — each filed as a quality record whose files open from its page —
//! and a new pack generated for a unit and a period from the page.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Datelike;
use eiso_platform::ServiceError;
use eiso_proto::eiso::quality::v1 as pb;
use http::HeaderMap;
use minijinja::context;
use serde::Deserialize;

use super::audits::local_date;
use super::fields::Fields;
use super::methods::{GENERATE_REVIEW_PACK, LIST_MANAGEMENT_REVIEWS};
use crate::Web;
use crate::error::PageError;
use crate::format::{self, day_text};
use crate::names::Names;
use crate::session::Session;

#[derive(Deserialize, Default)]
pub struct PacksQuery {
    #[serde(default)]
    da: String,
}

/// What the form holds, as typed, and what was wrong with it.
#[derive(Default)]
struct Typed {
    unit: String,
    from: String,
    to: String,
    title: String,
    request_id: String,
    problem: Option<String>,
}

async fn render(web: &Web, session: &Session, typed: Typed, done: bool) -> Result<Html<String>, PageError> {
    let answer = web
        .quality()
        .list_management_reviews(
            &session.context(LIST_MANAGEMENT_REVIEWS)?,
            pb::ListManagementReviewsRequest {
                page_size: 200,
                ..Default::default()
            },
        )
        .await?;
    let mut names = Names::new(web);
    let mut rows = Vec::new();
    for r in answer.management_reviews.iter().rev() {
        rows.push(context! {
            title => r.title,
            number => r.document_number,
            unit => names.unit(&r.unit).await,
            period => format!("{} – {}", day_text(r.start_date.as_ref()), day_text(r.end_date.as_ref())),
            made => format::timestamp(r.create_time.as_ref()),
            author => names.user(&r.author).await,
            record_href => super::evidence::href(&r.record),
        });
    }
    let may_generate = session.may(GENERATE_REVIEW_PACK);
    let units = if may_generate {
        let covered = session.covered_units(web, 200).await;
        super::fields::unit_choices(&mut names, covered, &typed.unit).await
    } else {
        Vec::new()
    };
    let year = super::plans::today(web).year();
    web.pages().render(
        "review_packs.html",
        context! {
            frame => session.frame(),
            title => "Xem xét của lãnh đạo",
            rows,
            may_generate,
            units,
            from => if typed.from.is_empty() { format!("01/01/{year}") } else { typed.from },
            to => if typed.to.is_empty() { format!("30/06/{year}") } else { typed.to },
            heading => typed.title,
            request_id => super::fields::request_id_or_new(typed.request_id),
            problem => typed.problem,
            done => done.then_some("Đã lập hồ sơ xem xét của lãnh đạo và lưu thành hồ sơ chất lượng."),
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<PacksQuery>,
) -> Result<Html<String>, PageError> {
    render(&web, &session, Typed::default(), query.da == "lap").await
}

/// A new pack: the unit's figures of the period, filed as a record.
pub async fn generate(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields(form);
    let ctx = fields
        .create_context(&web, &headers, &session, GENERATE_REVIEW_PACK)
        .await?;
    let mut typed = Typed {
        unit: fields.get("don_vi").to_string(),
        from: fields.get("tu_ngay").to_string(),
        to: fields.get("den_ngay").to_string(),
        title: fields.get("tieu_de").to_string(),
        request_id: ctx.request_id.clone(),
        problem: None,
    };
    let (Some(start), Some(end)) = (local_date(&typed.from), local_date(&typed.to)) else {
        typed.problem = Some("Từ ngày, đến ngày viết theo ngày/tháng/năm.".into());
        return refused(&web, &session, typed).await;
    };
    let result = web
        .quality()
        .generate_management_review_pack(
            &ctx,
            pb::GenerateManagementReviewPackRequest {
                unit: typed.unit.clone(),
                start_date: Some(start),
                end_date: Some(end),
                title: typed.title.clone(),
                request_id: ctx.request_id.clone(),
            },
        )
        .await;
    typed.problem = Some(match web.audited(&session, GENERATE_REVIEW_PACK, result).await {
        Ok(_) => return Ok(Redirect::to("/chat-luong/xem-xet?da=lap").into_response()),
        Err(ServiceError::InvalidArgument(violations)) => {
            super::fields::say_violations(&violations, |field| match field {
                "end_date" => Some("Đến ngày không trước từ ngày."),
                "title" => Some("Tiêu đề quá dài."),
                "unit" => Some("Chọn đơn vị."),
                _ => None,
            })
        }
        Err(ServiceError::PermissionDenied(_) | ServiceError::NotFound(_)) => {
            "Bạn không lập hồ sơ xem xét cho đơn vị này.".to_string()
        }
        Err(ServiceError::FailedPrecondition { description, .. }) => format!("Chưa lập được: {description}"),
        Err(other) => return Err(other.into()),
    });
    refused(&web, &session, typed).await
}

async fn refused(web: &Web, session: &Session, typed: Typed) -> Result<Response, PageError> {
    let page = render(web, session, typed, false).await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
