//! Nhật ký: the audit trail of each service as an auditor reads it — who
//! did what to which resource, when, with what result and why — filtered by
//! resource, person and result, and the check that the trail's hash chain
//! is unbroken. Reading a trail is for the oversight roles at the root unit
//! (the audit service's own rule); this page only shows what it answers.

use axum::extract::{Query, State};
use axum::response::Html;
use eiso_proto::eiso::audit::v1::{ListAuditEntriesRequest, VerifyAuditTrailRequest};
use eiso_proto::eiso::identity::v1::ListUsersRequest;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::methods::{LIST_AUDIT_ENTRIES, LIST_AUDIT_TRAILS, VERIFY_AUDIT_TRAIL};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};
use eiso_proto::codes::name_of_number as code_name;

/// The trails as people call them, by the service's name.
const TRAILS: &[(&str, &str)] = &[
    ("identity", "Người dùng và đơn vị"),
    ("documents", "Tài liệu và hồ sơ chất lượng"),
    ("procedures", "Thủ tục và hồ sơ TTHC"),
    ("plans", "Kế hoạch CCHC"),
    ("quality", "Đánh giá nội bộ và cải tiến"),
];

fn trail_label(trail: &str) -> String {
    TRAILS
        .iter()
        .find(|(key, _)| *key == trail)
        .map_or_else(|| trail.to_string(), |(_, label)| label.to_string())
}

#[derive(Deserialize, Default)]
pub struct TrailQuery {
    /// The trail, by its service's name.
    #[serde(default)]
    so: String,
    /// A resource's name (`dossiers/…`, `documents/…`).
    #[serde(default)]
    doi_tuong: String,
    /// A person's username.
    #[serde(default)]
    nguoi: String,
    /// A result code (`7`): the calls that ended so.
    #[serde(default)]
    ket_qua: String,
    /// Set: check the hash chain.
    #[serde(default)]
    kiem_tra: String,
    #[serde(default)]
    trang: String,
}

#[derive(Serialize)]
struct EntryView {
    sequence: i64,
    time: String,
    actor: String,
    action: String,
    resource: String,
    /// The page that shows the resource, where the app has one.
    href: String,
    ok: bool,
    result: String,
    reason: String,
}

/// The results an auditor filters by: the code, and what it means.
const RESULTS: &[(i32, &str)] = &[
    (0, "Thành công"),
    (7, "Không có quyền"),
    (16, "Chưa đăng nhập"),
    (3, "Dữ liệu không hợp lệ"),
    (9, "Không đúng trạng thái"),
    (5, "Không tìm thấy"),
    (10, "Xung đột, thử lại"),
];

/// The page of the resource an entry names (or of the resource it is part
/// of: a revision's document, a file's record), where the app has one.
fn resource_href(resource: &str) -> String {
    let mut parts = resource.split('/');
    let (Some(collection), Some(id)) = (parts.next(), parts.next()) else {
        return String::new();
    };
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return String::new();
    }
    match collection {
        "documents" => format!("/tai-lieu/{id}"),
        "records" => format!("/ho-so-chat-luong/{id}"),
        "dossiers" => format!("/ho-so/{id}"),
        _ => String::new(),
    }
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<TrailQuery>,
) -> Result<Html<String>, PageError> {
    let trails = web.audit().list_trails(&session.context(LIST_AUDIT_TRAILS)?).await?;
    let names_of: Vec<String> = trails
        .audit_trails
        .iter()
        .map(|t| t.name.trim_start_matches("trails/").to_string())
        .collect();
    let trail = if query.so.trim().is_empty() {
        names_of.first().cloned().unwrap_or_default()
    } else {
        query.so.trim().to_string()
    };
    if !names_of.contains(&trail) {
        return Err(PageError::BadRequest("Không có nhật ký này.".into()));
    }
    let bad = |what: &str| PageError::BadRequest(format!("Bộ lọc không hợp lệ: {what}."));
    let mut filter = Vec::new();
    let resource = query.doi_tuong.trim();
    if !resource.is_empty() {
        if !resource
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '.' | '_'))
        {
            return Err(bad("đối tượng"));
        }
        filter.push(format!("resource = \"{resource}\""));
    }
    let username = query.nguoi.trim();
    let mut person_unknown = false;
    if !username.is_empty() {
        if !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
        {
            return Err(bad("người thực hiện"));
        }
        let found = web
            .identity()
            .list_users(ListUsersRequest {
                filter: format!("username = \"{username}\""),
                page_size: 1,
                ..Default::default()
            })
            .await?;
        match found.users.first() {
            Some(user) => filter.push(format!("actor = \"{}\"", user.name)),
            None => person_unknown = true,
        }
    }
    let result = query.ket_qua.trim();
    if !result.is_empty() {
        let code: i32 = result.parse().map_err(|_| bad("kết quả"))?;
        if !RESULTS.iter().any(|(c, _)| *c == code) {
            return Err(bad("kết quả"));
        }
        filter.push(format!("code = {code}"));
    }
    let (entries, next_page) = if person_unknown {
        (Vec::new(), String::new())
    } else {
        let answer = web
            .audit()
            .list_entries(
                &session.context(LIST_AUDIT_ENTRIES)?,
                ListAuditEntriesRequest {
                    parent: format!("trails/{trail}"),
                    page_size: 100,
                    page_token: query.trang.trim().to_string(),
                    filter: filter.join(" AND "),
                    order_by: "sequence desc".into(),
                },
            )
            .await?;
        (answer.audit_entries, answer.next_page_token)
    };
    let mut names = Names::new(&web);
    let mut rows = Vec::new();
    for e in &entries {
        let actor = if e.actor.starts_with("users/") {
            names.user(&e.actor).await
        } else {
            e.actor.clone()
        };
        rows.push(EntryView {
            sequence: e.sequence,
            time: format::timestamp(e.create_time.as_ref()),
            actor,
            action: e.method.rsplit('/').next().unwrap_or_default().to_string(),
            resource: e.resource.clone(),
            href: resource_href(&e.resource),
            ok: e.code == 0,
            result: if e.code == 0 {
                "Thành công".into()
            } else {
                format!("Bị từ chối ({}): {}", code_name(e.code), e.message)
            },
            reason: e.reason.clone(),
        });
    }
    let check = if query.kiem_tra.is_empty() {
        None
    } else {
        let verdict = web
            .audit()
            .verify(
                &session.context(VERIFY_AUDIT_TRAIL)?,
                VerifyAuditTrailRequest {
                    name: format!("trails/{trail}"),
                },
            )
            .await?;
        Some(context! {
            intact => verdict.intact,
            checked => verdict.entries_checked,
            broken_at => verdict.first_broken_sequence,
            detail => verdict.detail,
        })
    };
    let here = format::query_string(&[
        ("so", &trail),
        ("doi_tuong", resource),
        ("nguoi", username),
        ("ket_qua", result),
    ]);
    web.pages().render(
        "trail.html",
        context! {
            frame => session.frame(),
            title => "Nhật ký",
            trails => names_of.iter().map(|t| context! { key => t, label => trail_label(t), selected => *t == trail }).collect::<Vec<_>>(),
            trail_label => trail_label(&trail),
            doi_tuong => resource,
            nguoi => username,
            person_unknown,
            results => RESULTS.iter().map(|(code, label)| context! { code, label, selected => code.to_string() == result }).collect::<Vec<_>>(),
            rows,
            check,
            here,
            next_page => format::percent_encode(&next_page),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_link_to_the_page_of_what_they_changed() {
        assert_eq!(resource_href("documents/abc/revisions/1/files/f"), "/tai-lieu/abc");
        assert_eq!(resource_href("records/r-1"), "/ho-so-chat-luong/r-1");
        assert_eq!(resource_href("dossiers/d"), "/ho-so/d");
        assert_eq!(resource_href("units/u"), "");
        assert_eq!(resource_href("documents/<x>"), "");
        assert_eq!(resource_href(""), "");
    }
}
