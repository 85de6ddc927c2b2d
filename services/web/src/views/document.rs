//! Một tài liệu: its facts, the revision in force (now, or on a day asked),
//! every revision with who wrote, reviewed and approved it and when, and
//! its files to view in the browser or download.

use axum::extract::{Path, Query, State};
use axum::response::Html;
use chrono::{NaiveTime, TimeZone};
use eiso_platform::aip::time::{TIME_ZONE, timestamp};
use eiso_proto::eiso::documents::v1::{self as pb, Confidentiality, DocumentType, document, review, revision};
use eiso_proto::labels::{Label, ProtoEnum};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::methods::{
    ACKNOWLEDGE_REVISION, GET_DOCUMENT, LIST_ACKNOWLEDGEMENTS, LIST_REVISIONS, UPDATE_REVISION, UPLOAD_FILE,
};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

#[derive(Deserialize, Default)]
pub struct DocumentQuery {
    /// The day whose revision in force is shown (`ngày/tháng/năm`); today when empty.
    #[serde(default)]
    ngay: String,
    /// `da-doc`: the person just acknowledged reading it.
    #[serde(default)]
    da: String,
}

/// Who was asked to acknowledge the revision in force, for those who
/// oversee the owner unit: (asked, acknowledged, who has, who has not);
/// `None` for a person who may not see it.
async fn acknowledgements(web: &Web, session: &Session, revision: &str) -> Result<Option<minijinja::Value>, PageError> {
    if !session.may(LIST_ACKNOWLEDGEMENTS) {
        return Ok(None);
    }
    let answer = web
        .documents()
        .list_acknowledgements(
            &session.context(LIST_ACKNOWLEDGEMENTS)?,
            pb::ListAcknowledgementsRequest {
                parent: revision.to_string(),
                page_size: 1000,
                ..Default::default()
            },
        )
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        // Oversight of another unit's readers: not this person's to see.
        Err(eiso_platform::ServiceError::PermissionDenied(_) | eiso_platform::ServiceError::NotFound(_)) => {
            return Ok(None);
        }
        Err(other) => return Err(other.into()),
    };
    if answer.required_count == 0 && answer.acknowledgements.is_empty() {
        return Ok(None);
    }
    let (done, waiting): (Vec<_>, Vec<_>) = answer
        .acknowledgements
        .iter()
        .partition(|a| a.acknowledge_time.is_some());
    Ok(Some(context! {
        asked => answer.required_count,
        acknowledged => answer.acknowledged_count,
        done => done.iter().map(|a| context! { name => a.display_name.clone(), time => format::timestamp(a.acknowledge_time.as_ref()) }).collect::<Vec<_>>(),
        waiting => waiting.iter().map(|a| a.display_name.clone()).collect::<Vec<_>>(),
    }))
}

/// "Tôi đã đọc và hiểu": the person acknowledges the revision in force.
pub async fn acknowledge(
    State(web): State<Web>,
    session: Session,
    headers: http::HeaderMap,
    Path((id, number)): Path<(String, u32)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<axum::response::Response, PageError> {
    use axum::response::IntoResponse;
    super::fields::Fields::checked(form, &headers)?;
    super::fields::check_id(&id)?;
    let ctx = web.write_context(&session, ACKNOWLEDGE_REVISION).await?;
    let result = web
        .documents()
        .acknowledge(
            &ctx,
            pb::AcknowledgeRevisionRequest {
                name: format!("documents/{id}/revisions/{number}"),
            },
        )
        .await;
    web.audited(&session, ACKNOWLEDGE_REVISION, result).await?;
    Ok(axum::response::Redirect::to(&format!("/tai-lieu/{id}?da=da-doc")).into_response())
}

#[derive(Serialize)]
pub struct FileView {
    file_name: String,
    size: String,
    /// Shown in the browser (PDF, pictures) rather than only downloaded.
    viewable: bool,
    href: String,
}

#[derive(Serialize)]
struct ReviewView {
    round: i32,
    reviewer: String,
    decision: String,
    decision_key: String,
    comment: String,
    time: String,
}

#[derive(Serialize)]
struct RevisionView {
    number: i32,
    state: String,
    state_key: String,
    change_summary: String,
    change_reason: String,
    author: String,
    round: i32,
    reviews: Vec<ReviewView>,
    /// Decisions of the rounds before the current one.
    earlier: Vec<ReviewView>,
    submitted: String,
    approved: String,
    effective: String,
    ended: String,
    files: Vec<FileView>,
}

/// A size as people read it: `850 B`, `12,5 KB`, `3,2 MB`.
pub fn size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{} KB", format::decimal((b / KB * 10.0).round() / 10.0))
    } else if b < KB * KB * KB {
        format!("{} MB", format::decimal((b / KB / KB * 10.0).round() / 10.0))
    } else {
        format!("{} GB", format::decimal((b / KB / KB / KB * 10.0).round() / 10.0))
    }
}

/// Whether a browser may show the file itself: PDF and pictures (not SVG,
/// which can carry script).
pub fn viewable(content_type: &str) -> bool {
    matches!(
        content_type,
        "application/pdf" | "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

/// The address of a file of a revision or a record (`…/files/{id}`).
fn file_href(name: &str) -> String {
    format!("/tep/{name}")
}

async fn review_view(names: &mut Names<'_>, review: &pb::Review) -> ReviewView {
    let decision = review::Decision::try_from(review.decision).unwrap_or_default();
    ReviewView {
        round: review.round,
        reviewer: names.user(&review.reviewer).await,
        decision: decision.label_vi().into(),
        decision_key: decision.short_name(),
        comment: review.comment.clone(),
        time: format::timestamp(review.decide_time.as_ref()),
    }
}

async fn revision_view(names: &mut Names<'_>, r: &pb::Revision) -> RevisionView {
    let state = revision::State::try_from(r.state).unwrap_or_default();
    let mut reviews = Vec::new();
    for review in &r.reviews {
        reviews.push(review_view(names, review).await);
    }
    let mut earlier = Vec::new();
    for review in &r.earlier_reviews {
        earlier.push(review_view(names, review).await);
    }
    RevisionView {
        number: r.number,
        state: state.label_vi().into(),
        state_key: state.short_name(),
        change_summary: r.change_summary.clone(),
        change_reason: r.change_reason.clone(),
        author: names.user(&r.author).await,
        round: r.review_round,
        reviews,
        earlier,
        submitted: format::timestamp(r.submit_time.as_ref()),
        approved: format::timestamp(r.approve_time.as_ref()),
        effective: format::timestamp(r.effective_time.as_ref()),
        ended: format::timestamp(r.end_time.as_ref()),
        files: file_views(&r.files),
    }
}

/// Files as links to view (PDF, pictures) or download.
pub fn file_views(files: &[pb::File]) -> Vec<FileView> {
    files
        .iter()
        .map(|f| FileView {
            file_name: f.file_name.clone(),
            size: size(f.size),
            viewable: viewable(&f.content_type),
            href: file_href(&f.name),
        })
        .collect()
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Path(id): Path<String>,
    Query(query): Query<DocumentQuery>,
) -> Result<Html<String>, PageError> {
    super::fields::check_id(&id)?;
    render(&web, &session, &id, query, None).await
}

/// The document's page; `problem` is a refused draft action (its key and
/// what to say), shown beside the draft.
pub async fn render(
    web: &Web,
    session: &Session,
    id: &str,
    query: DocumentQuery,
    problem: Option<(String, String)>,
) -> Result<Html<String>, PageError> {
    let name = format!("documents/{id}");
    // The end of the day asked, in Vietnam's time.
    let day = query.ngay.trim();
    let as_of = if day.is_empty() {
        None
    } else {
        let day = format::parse_day(day)
            .ok_or_else(|| PageError::BadRequest(format!("Ngày “{day}” không hợp lệ: viết ngày/tháng/năm.")))?;
        let end = day.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default());
        let local = TIME_ZONE
            .from_local_datetime(&end)
            .single()
            .ok_or_else(|| PageError::BadRequest("Ngày không hợp lệ.".into()))?;
        Some(local.with_timezone(&chrono::Utc))
    };
    let document = web
        .documents()
        .get_document(
            &session.context(GET_DOCUMENT)?,
            pb::GetDocumentRequest {
                name: name.clone(),
                as_of_time: as_of.map(timestamp),
            },
        )
        .await?;
    let revisions = web
        .documents()
        .list_revisions(
            &session.context(LIST_REVISIONS)?,
            pb::ListRevisionsRequest {
                parent: name.clone(),
                page_size: 100,
                ..Default::default()
            },
        )
        .await?
        .revisions;
    let mut names = Names::new(web);
    let mut shown = Vec::new();
    for r in revisions.iter().rev() {
        shown.push(revision_view(&mut names, r).await);
    }
    let in_force = match &document.revision {
        Some(r) => Some(revision_view(&mut names, r).await),
        None => None,
    };
    // Acknowledging is of the revision in use today, not of one on a past day.
    let current = document
        .revision
        .as_ref()
        .filter(|r| as_of.is_none() && r.state == revision::State::Effective as i32);
    let acks = match current {
        Some(r) => acknowledgements(web, session, &r.name).await?,
        None => None,
    };
    // The draft being written, for those who may work on it.
    let draft = match revisions.iter().find(|r| r.state == revision::State::Draft as i32) {
        Some(r) if session.may(UPDATE_REVISION) || session.may(UPLOAD_FILE) => {
            Some(super::drafting::draft_panel(web, session, &document, r).await)
        }
        _ => None,
    };
    let may_start_revision = super::drafting::may_start_revision(session, &document, &revisions);
    let (problem_key, problem_message) = problem.unwrap_or_default();
    let state = document::State::try_from(document.state).unwrap_or_default();
    web.pages().render(
        "document.html",
        context! {
            frame => session.frame(),
            title => format!("{} {}", document.code, document.title),
            id,
            code => document.code,
            heading => document.title,
            kind => DocumentType::try_from(document.r#type).unwrap_or_default().label_vi(),
            unit => names.unit(&document.owner_unit).await,
            confidentiality => Confidentiality::try_from(document.confidentiality).unwrap_or_default().label_vi(),
            state => state.label_vi(),
            state_key => state.short_name(),
            tags => document.tags,
            review_months => document.review_interval_months,
            next_review => format::timestamp(document.next_review_time.as_ref()),
            external => document.external_origin.map(|o| context! {
                issuer => o.issuer,
                reference => o.reference,
                issued => format::timestamp(o.issue_time.as_ref()),
            }),
            day => day,
            in_force,
            acks,
            may_acknowledge => current.is_some(),
            acknowledged_now => query.da == "da-doc",
            done => super::drafting::done_message(&query.da),
            revisions => shown,
            draft,
            may_start_revision,
            request_id => uuid::Uuid::new_v4().to_string(),
            problem_key,
            problem_message,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(850), "850 B");
        assert_eq!(size(12_800), "12,5 KB");
        assert_eq!(size(3_355_443), "3,2 MB");
        assert_eq!(size(1 << 30), "1 GB");
    }

    #[test]
    fn only_pdf_and_pictures_open_in_the_browser() {
        assert!(viewable("application/pdf"));
        assert!(viewable("image/png"));
        assert!(!viewable("image/svg+xml"));
        assert!(!viewable("text/html"));
        assert!(!viewable(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ));
    }
}
