//! Hồ sơ chất lượng: the quality records the person may read — being kept,
//! closed (their retention running), due for disposition, disposed of — and
//! one record with its files by revision, its retention, and its
//! disposition, carried out from the page as a recorded act with its reason
//! and the minutes' reference.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::ServiceError;
use eiso_proto::eiso::documents::v1::{self as pb, Disposition, record};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::document::{FileView, file_views};
use super::fields::Fields;
use super::methods::{DISPOSE_RECORD, GET_RECORD, LIST_RECORDS, LIST_RECORDS_DUE};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

/// The tabs, by their address (`?loai=`): label, filter.
const TABS: &[(&str, &str, &str)] = &[
    ("", "Tất cả", ""),
    ("dang-lap", "Đang lập", "state = STATE_OPEN"),
    ("da-dong", "Đã đóng", "state = STATE_CLOSED"),
    ("den-han", "Đến hạn xử lý", ""),
    ("da-xu-ly", "Đã xử lý", "state = STATE_DISPOSED"),
];

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    loai: String,
    /// Owner unit, `units/{id}`.
    #[serde(default)]
    don_vi: String,
    #[serde(default)]
    trang: String,
}

#[derive(Serialize)]
struct Row {
    id: String,
    title: String,
    unit: String,
    state: String,
    state_key: String,
    /// "5 năm", "Vĩnh viễn".
    retention: String,
    retention_end: String,
    disposition: String,
    revision: i32,
}

/// A retention period as people say it.
fn retention(months: i32) -> String {
    match months {
        0 => "Vĩnh viễn".into(),
        m if m % 12 == 0 => format!("{} năm", m / 12),
        m => format!("{m} tháng"),
    }
}

async fn rows(web: &Web, records: &[pb::Record]) -> Vec<Row> {
    let mut names = Names::new(web);
    let mut out = Vec::new();
    for r in records {
        let state = record::State::try_from(r.state).unwrap_or_default();
        out.push(Row {
            id: r.name.trim_start_matches("records/").to_string(),
            title: r.title.clone(),
            unit: names.unit(&r.owner_unit).await,
            state: state.label_vi().into(),
            state_key: state.short_name(),
            retention: retention(r.retention_months),
            retention_end: format::timestamp(r.retention_end_time.as_ref()),
            disposition: Disposition::try_from(r.disposition)
                .unwrap_or_default()
                .label_vi()
                .into(),
            revision: r.revision,
        });
    }
    out
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    let tab = TABS
        .iter()
        .find(|(key, ..)| *key == query.loai)
        .ok_or_else(|| PageError::BadRequest("Không có danh sách này.".into()))?;
    let unit = query.don_vi.trim();
    if !unit.is_empty() && !super::fields::is_unit_name(unit) {
        return Err(PageError::BadRequest("Bộ lọc không hợp lệ: đơn vị.".into()));
    }
    let (records, next_page_token) = if tab.0 == "den-han" {
        // The records past their retention, the longest overdue first.
        let answer = web
            .documents()
            .list_due_for_disposition(
                &session.context(LIST_RECORDS_DUE)?,
                pb::ListRecordsDueForDispositionRequest {
                    page_size: 100,
                    page_token: query.trang.trim().to_string(),
                    ..Default::default()
                },
            )
            .await?;
        let records = answer
            .records
            .into_iter()
            .filter(|r| unit.is_empty() || r.owner_unit == unit)
            .collect();
        (records, answer.next_page_token)
    } else {
        let filter = [
            tab.2.to_string(),
            if unit.is_empty() {
                String::new()
            } else {
                format!("owner_unit = \"{unit}\"")
            },
        ]
        .into_iter()
        .filter(|f| !f.is_empty())
        .collect::<Vec<_>>()
        .join(" AND ");
        let answer = web
            .documents()
            .list_records(
                &session.context(LIST_RECORDS)?,
                pb::ListRecordsRequest {
                    page_size: 50,
                    page_token: query.trang.trim().to_string(),
                    filter,
                    order_by: "create_time desc".into(),
                },
            )
            .await?;
        (answer.records, answer.next_page_token)
    };
    let rows = rows(&web, &records).await;
    let tabs: Vec<_> = TABS
        .iter()
        .filter(|(key, ..)| *key != "den-han" || session.may(LIST_RECORDS_DUE))
        .map(|(key, label, _)| context! { key, label, current => *key == tab.0 })
        .collect();
    let mut names = Names::new(&web);
    let covered = session.covered_units(&web, 200).await;
    let units = super::fields::unit_choices(&mut names, covered, unit).await;
    web.pages().render(
        "records.html",
        context! {
            frame => session.frame(),
            title => "Hồ sơ chất lượng",
            tab => tab.1,
            loai => tab.0,
            tabs,
            units,
            don_vi => unit,
            rows,
            query => format::query_string(&[("loai", tab.0), ("don_vi", unit)]),
            next_page => format::percent_encode(&next_page_token),
        },
    )
}

#[derive(Serialize)]
struct RevisionView {
    number: i32,
    reason: String,
    actor: String,
    time: String,
    files: Vec<FileView>,
}

/// What the disposition form keeps after a refusal.
#[derive(Default)]
struct Typed {
    reason: String,
    reference: String,
    message: String,
}

async fn render(web: &Web, session: &Session, id: &str, done: bool, typed: Typed) -> Result<Html<String>, PageError> {
    let r = web
        .documents()
        .get_record(
            &session.context(GET_RECORD)?,
            pb::GetRecordRequest {
                name: format!("records/{id}"),
            },
        )
        .await?;
    let mut names = Names::new(web);
    // Files by the revision they came in: the first revision has those no later one lists.
    let later: Vec<&String> = r.revisions.iter().flat_map(|v| v.files.iter()).collect();
    let first: Vec<pb::File> = r.files.iter().filter(|f| !later.contains(&&f.name)).cloned().collect();
    let mut revisions = vec![RevisionView {
        number: 1,
        reason: String::new(),
        actor: String::new(),
        time: format::timestamp(r.create_time.as_ref()),
        files: file_views(&first),
    }];
    for v in &r.revisions {
        let files: Vec<pb::File> = r.files.iter().filter(|f| v.files.contains(&f.name)).cloned().collect();
        revisions.push(RevisionView {
            number: v.revision,
            reason: v.reason.clone(),
            actor: names.user(&v.actor).await,
            time: format::timestamp(v.create_time.as_ref()),
            files: file_views(&files),
        });
    }
    revisions.reverse();
    let state = record::State::try_from(r.state).unwrap_or_default();
    let now = web.clock().now().timestamp();
    let due = state == record::State::Closed && r.retention_end_time.as_ref().is_some_and(|t| t.seconds <= now);
    let act = match &r.disposition_act {
        Some(act) => Some(context! {
            what => Disposition::try_from(act.disposition).unwrap_or_default().label_vi(),
            actor => names.user(&act.actor).await,
            time => format::timestamp(act.act_time.as_ref()),
            reason => act.reason.clone(),
            reference => act.reference.clone(),
        }),
        None => None,
    };
    web.pages().render(
        "record.html",
        context! {
            frame => session.frame(),
            title => r.title.clone(),
            id,
            heading => r.title,
            unit => names.unit(&r.owner_unit).await,
            state => state.label_vi(),
            state_key => state.short_name(),
            retention => retention(r.retention_months),
            closed => format::timestamp(r.close_time.as_ref()),
            retention_end => format::timestamp(r.retention_end_time.as_ref()),
            disposition => Disposition::try_from(r.disposition).unwrap_or_default().label_vi(),
            revisions,
            act,
            due,
            may_dispose => due && session.may(DISPOSE_RECORD),
            done,
            reason => typed.reason,
            reference => typed.reference,
            problem => typed.message,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct RecordQuery {
    #[serde(default)]
    da: String,
}

pub async fn record_page(
    State(web): State<Web>,
    session: Session,
    Path(id): Path<String>,
    Query(query): Query<RecordQuery>,
) -> Result<Html<String>, PageError> {
    super::fields::check_id(&id)?;
    render(&web, &session, &id, query.da == "xu-ly", Typed::default()).await
}

/// The disposition, carried out: a recorded act with its reason and reference.
pub async fn dispose(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fields = Fields::checked(form, &headers)?;
    super::fields::check_id(&id)?;
    let ctx = web.write_context(&session, DISPOSE_RECORD).await?;
    let reason = fields.get("ly_do").to_string();
    let reference = fields.get("so_bien_ban").to_string();
    let result = web
        .documents()
        .dispose_record(
            &ctx,
            pb::DisposeRecordRequest {
                name: format!("records/{id}"),
                reason: reason.clone(),
                reference: reference.clone(),
                etag: String::new(),
            },
        )
        .await;
    let message = match web.audited(&session, DISPOSE_RECORD, result).await {
        Ok(_) => return Ok(Redirect::to(&format!("/ho-so-chat-luong/{id}?da=xu-ly")).into_response()),
        Err(ServiceError::InvalidArgument(violations)) => {
            super::fields::say_violations(&violations, |field| match field {
                "reason" => Some("Nhập lý do hoặc quyết định cho phép xử lý."),
                "reference" => Some("Nhập số biên bản hoặc quyết định."),
                _ => None,
            })
        }
        Err(ServiceError::FailedPrecondition { .. } | ServiceError::Aborted(_)) => {
            "Hồ sơ chưa hết hạn lưu hoặc vừa được xử lý: xem lại thông tin bên dưới.".to_string()
        }
        Err(other) => return Err(other.into()),
    };
    let typed = Typed {
        reason,
        reference,
        message,
    };
    Ok(render(&web, &session, &id, false, typed).await?.into_response())
}

/// The page of a record, from a search result or a link.
pub fn href(name: &str) -> String {
    format!("/ho-so-chat-luong/{}", name.trim_start_matches("records/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_reads_in_years_when_it_can() {
        assert_eq!(retention(0), "Vĩnh viễn");
        assert_eq!(retention(60), "5 năm");
        assert_eq!(retention(18), "18 tháng");
    }
}
