//! Chờ duyệt: the revisions waiting for the signed-in person's decision
//! (agree, or disagree saying what must change), the approved revisions a
//! document controller may publish, and the documents whose periodic review
//! is due. Each decision is a form posting to
//! `/cho-duyet/{document id}/{revision}/{action}`; the documents service
//! decides whether the person is a reviewer of the current round, whether the
//! revision is still in review, and whether the person may publish.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::documents::v1 as pb;
use http::HeaderMap;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::document::{FileView, file_views};
use super::fields::Fields;
use super::methods::{
    APPROVE_REVISION, GET_DOCUMENT, LIST_REVIEW_DUE, LIST_REVISIONS, PUBLISH_REVISION, REJECT_REVISION,
};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

/// A decision from the inbox: its address, API method, and what the page says once done.
const ACTIONS: &[(&str, &str, &str)] = &[
    ("dong-y", APPROVE_REVISION, "Đã ghi ý kiến đồng ý."),
    (
        "khong-dong-y",
        REJECT_REVISION,
        "Đã ghi ý kiến không đồng ý; bản dự thảo trở lại người soạn thảo.",
    ),
    (
        "ban-hanh",
        PUBLISH_REVISION,
        "Đã ban hành: bản này có hiệu lực từ bây giờ.",
    ),
];

#[derive(Deserialize, Default)]
pub struct InboxQuery {
    /// The action just done.
    #[serde(default)]
    da: String,
}

#[derive(Serialize)]
struct Waiting {
    /// `{document id}/{number}`: the forms' address.
    key: String,
    document_href: String,
    code: String,
    title: String,
    number: i32,
    round: i32,
    change_summary: String,
    change_reason: String,
    author: String,
    submitted: String,
    approved: String,
    files: Vec<FileView>,
    /// The owner unit, whose people are asked to acknowledge what is published.
    unit: String,
}

/// A refusal to show beside the revision it is about.
struct Problem {
    key: String,
    message: String,
    comment: String,
}

/// Revisions of every document the person may read, matching `filter`.
async fn revisions(web: &Web, session: &Session, filter: String) -> Result<Vec<pb::Revision>, PageError> {
    let answer = web
        .documents()
        .list_revisions(
            &session.context(LIST_REVISIONS)?,
            pb::ListRevisionsRequest {
                parent: "documents/-".into(),
                page_size: 100,
                filter,
                ..Default::default()
            },
        )
        .await?;
    Ok(answer.revisions)
}

async fn waiting(web: &Web, session: &Session, list: &[pb::Revision]) -> Result<Vec<Waiting>, PageError> {
    let mut names = Names::new(web);
    let mut documents: HashMap<String, pb::Document> = HashMap::new();
    let mut out = Vec::new();
    for r in list {
        let document_name = r.name.split("/revisions/").next().unwrap_or_default().to_string();
        if !documents.contains_key(&document_name) {
            let document = web
                .documents()
                .get_document(
                    &session.context(GET_DOCUMENT)?,
                    pb::GetDocumentRequest {
                        name: document_name.clone(),
                        as_of_time: None,
                    },
                )
                .await?;
            documents.insert(document_name.clone(), document);
        }
        let document = &documents[&document_name];
        let id = document_name.trim_start_matches("documents/");
        out.push(Waiting {
            key: format!("{id}/{}", r.number),
            document_href: super::documents::href(&document_name),
            code: document.code.clone(),
            title: document.title.clone(),
            number: r.number,
            round: r.review_round,
            change_summary: r.change_summary.clone(),
            change_reason: r.change_reason.clone(),
            author: names.user(&r.author).await,
            submitted: format::timestamp(r.submit_time.as_ref()),
            approved: format::timestamp(r.approve_time.as_ref()),
            files: file_views(&r.files),
            unit: names.unit(&document.owner_unit).await,
        });
    }
    Ok(out)
}

async fn render(web: &Web, session: &Session, done: &str, problem: Option<Problem>) -> Result<Html<String>, PageError> {
    let mine = revisions(
        web,
        session,
        format!("pending_reviewer = \"{}\"", session.principal.name),
    )
    .await?;
    let to_decide = waiting(web, session, &mine).await?;
    let may_publish = session.may(PUBLISH_REVISION);
    let to_publish = if may_publish {
        let approved = revisions(web, session, "state = STATE_APPROVED".into()).await?;
        waiting(web, session, &approved).await?
    } else {
        Vec::new()
    };
    let mut review_due = Vec::new();
    if session.may(LIST_REVIEW_DUE) {
        let due = web
            .documents()
            .list_review_due(
                &session.context(LIST_REVIEW_DUE)?,
                pb::ListReviewDueDocumentsRequest {
                    within_days: 30,
                    page_size: 100,
                    ..Default::default()
                },
            )
            .await?;
        let mut names = Names::new(web);
        for d in due.documents {
            review_due.push(context! {
                href => super::documents::href(&d.name),
                code => d.code,
                title => d.title,
                unit => names.unit(&d.owner_unit).await,
                due => format::timestamp(d.next_review_time.as_ref()),
            });
        }
    }
    let done = ACTIONS.iter().find(|(key, ..)| *key == done).map(|(.., said)| *said);
    let (problem_key, problem_message, problem_comment) = match problem {
        Some(p) => (p.key, p.message, p.comment),
        None => Default::default(),
    };
    web.pages().render(
        "reviews.html",
        context! {
            frame => session.frame(),
            title => "Chờ duyệt",
            done,
            problem_key,
            problem_message,
            problem_comment,
            to_decide,
            may_publish,
            to_publish,
            review_due,
            may_see_due => session.may(LIST_REVIEW_DUE),
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<InboxQuery>,
) -> Result<Html<String>, PageError> {
    render(&web, &session, &query.da, None).await
}

pub async fn submit(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path((id, number, key)): Path<(String, u32, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields::checked(form, &headers)?;
    super::fields::check_id(&id)?;
    let (_, method, _) = ACTIONS.iter().find(|(k, ..)| *k == key).ok_or(PageError::NotFound)?;
    let ctx = web.write_context(&session, method).await?;
    let name = format!("documents/{id}/revisions/{number}");
    let comment = fields.get("nhan_xet").to_string();
    let documents = web.documents();
    let result = match key.as_str() {
        "dong-y" => {
            documents
                .approve(
                    &ctx,
                    pb::ApproveRevisionRequest {
                        name,
                        comment: comment.clone(),
                    },
                )
                .await
        }
        "khong-dong-y" => {
            documents
                .reject(
                    &ctx,
                    pb::RejectRevisionRequest {
                        name,
                        comment: comment.clone(),
                    },
                )
                .await
        }
        _ => {
            // Everyone of the owner unit (and the units below) reads what is published.
            let mut units = Vec::new();
            if fields.get("xac_nhan") == "1" {
                let document = documents
                    .get_document(
                        &session.context(GET_DOCUMENT)?,
                        pb::GetDocumentRequest {
                            name: format!("documents/{id}"),
                            as_of_time: None,
                        },
                    )
                    .await?;
                units.push(document.owner_unit);
            }
            documents
                .publish(
                    &ctx,
                    pb::PublishRevisionRequest {
                        name,
                        acknowledgement_units: units,
                        ..Default::default()
                    },
                )
                .await
        }
    };
    let message = match web.audited(&session, method, result).await {
        Ok(_) => return Ok(Redirect::to(&format!("/cho-duyet?da={key}")).into_response()),
        Err(ServiceError::InvalidArgument(violations)) => {
            if violations.iter().any(|v| v.field == "comment") {
                if comment.trim().is_empty() {
                    "Nhập nhận xét: điều gì cần sửa để bản dự thảo được đồng ý.".to_string()
                } else {
                    "Nhận xét quá dài.".to_string()
                }
            } else {
                "Có giá trị không hợp lệ.".to_string()
            }
        }
        Err(ServiceError::FailedPrecondition { .. } | ServiceError::Aborted(_)) => {
            "Bản này vừa thay đổi (đã có ý kiến, đã trở lại người soạn thảo hoặc đã ban hành), \
             hoặc bạn không còn là người xem xét của vòng này. Danh sách dưới đây là hiện tại."
                .to_string()
        }
        Err(other) => return Err(other.into()),
    };
    let problem = Problem {
        key: format!("{id}/{number}"),
        message,
        comment,
    };
    Ok(render(&web, &session, "", Some(problem)).await?.into_response())
}
