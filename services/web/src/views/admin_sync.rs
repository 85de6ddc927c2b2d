//! Quản trị — đồng bộ Cổng Dịch vụ công quốc gia: how the dossiers' sync
//! with the national portal stands (for a reader at a root unit: the portal,
//! the dossiers by state and the lag), the dossiers by state within the
//! person's units, and a parked dossier sent again by an administrator. The
//! dossier's own page shows its line of it ([`dossier_line`]).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use eiso_platform::scope::Scope;
use eiso_platform::{ServiceError, policy};
use eiso_proto::eiso::sync::v1::{self as pb, dossier_sync::State as SyncState};
use eiso_proto::labels::{Label, ProtoEnum};
use http::HeaderMap;
use minijinja::{Value, context};
use serde::Deserialize;

use super::fields::{Fields, is_unit_name, valid_id};
use super::methods::{GET_DOSSIER_SYNC, GET_SYNC_STATUS, LIST_DOSSIER_SYNCS, RESEND_DOSSIER_SYNC};
use crate::error::PageError;
use crate::names::Names;
use crate::session::Session;
use crate::{Web, format};

/// The page's address.
const PAGE: &str = "/quan-tri/dong-bo";

/// The lists, by their address (`?loai=`): the parked dossiers first, as the
/// page opens, since they wait for someone.
const TABS: [(&str, SyncState); 4] = [
    ("bi-dung", SyncState::Parked),
    ("dang-loi", SyncState::Failing),
    ("cho-gui", SyncState::Pending),
    ("da-dong-bo", SyncState::Synced),
];

#[derive(Deserialize, Default)]
pub struct SyncQuery {
    #[serde(default)]
    loai: String,
    /// Unit (`units/{id}`).
    #[serde(default)]
    don_vi: String,
    #[serde(default)]
    trang: String,
    /// What was just done (`gui-lai`).
    #[serde(default)]
    da: String,
}

/// The tab of the address's `loai`, the first when it is empty.
fn tab(key: &str) -> Result<(&'static str, SyncState), PageError> {
    if key.is_empty() {
        return Ok(TABS[0]);
    }
    TABS.iter()
        .find(|(k, _)| *k == key)
        .copied()
        .ok_or_else(|| PageError::BadRequest("Không có danh sách này.".into()))
}

/// The list's address for a state (the API's number).
fn list_href(state: i32) -> String {
    match TABS.iter().find(|(_, s)| *s as i32 == state) {
        Some((key, _)) if *key != TABS[0].0 => format!("{PAGE}?loai={key}"),
        _ => PAGE.to_string(),
    }
}

/// The sync as a whole, for a reader at a root unit (`None` for the others:
/// the office's figures span every unit).
async fn status(web: &Web, session: &Session, sync: &eiso_sync::service::Sync) -> Result<Option<Value>, PageError> {
    let ctx = session.context(GET_SYNC_STATUS)?;
    let status = match sync.get_sync_status(&ctx, pb::GetSyncStatusRequest {}).await {
        Ok(status) => status,
        Err(ServiceError::PermissionDenied(_)) => return Ok(None),
        Err(other) => return Err(other.into()),
    };
    let oldest = format::instant(status.oldest_pending_time.as_ref());
    Ok(Some(context! {
        portal_url => status.portal_url,
        pending => status.pending_dossiers,
        synced => status.synced_dossiers,
        parked => status.parked_dossiers,
        oldest => oldest.map(format::datetime),
        lag => oldest.map(|t| format::elapsed(web.clock().now() - t)),
    }))
}

async fn render(
    web: &Web,
    session: &Session,
    query: &SyncQuery,
    problem: Option<&str>,
) -> Result<Html<String>, PageError> {
    let ctx = session.context(LIST_DOSSIER_SYNCS)?;
    let (key, state) = tab(&query.loai)?;
    let title = "Đồng bộ Cổng Dịch vụ công quốc gia";
    let Some(sync) = web.sync() else {
        return web.pages().render(
            "admin_sync.html",
            context! { frame => session.frame(), title, configured => false },
        );
    };
    let unit = query.don_vi.trim();
    let mut filter = format!("state = {}", state.as_str_name());
    if !unit.is_empty() {
        if !is_unit_name(unit) {
            return Err(PageError::BadRequest("Bộ lọc không hợp lệ: đơn vị.".into()));
        }
        filter.push_str(&format!(" AND agency = \"{unit}\""));
    }
    let answer = sync
        .list_dossier_syncs(
            &ctx,
            pb::ListDossierSyncsRequest {
                page_size: 50,
                page_token: query.trang.clone(),
                filter,
            },
        )
        .await?;
    // "Gửi lại" where the person's administrator role covers the dossier's
    // unit (the service checks it again).
    let resend_scope = if session.may(RESEND_DOSSIER_SYNC) {
        Some(Scope::of_method(web.directory(), &session.context(RESEND_DOSSIER_SYNC)?).await?)
    } else {
        None
    };
    let mut names = Names::new(web);
    let mut rows = Vec::new();
    let mut resend_column = false;
    for s in &answer.dossier_syncs {
        let parked = s.state == SyncState::Parked as i32;
        let resend = parked && resend_scope.as_ref().is_some_and(|scope| scope.covers(&s.agency));
        resend_column |= resend;
        rows.push(context! {
            id => s.dossier.trim_start_matches("dossiers/"),
            code => s.code,
            agency => names.unit(&s.agency).await,
            attempts => s.attempts,
            last_error => s.last_error,
            last_attempt => format::timestamp(s.last_attempt_time.as_ref()),
            next_attempt => format::timestamp(s.next_attempt_time.as_ref()),
            pending_since => format::timestamp(s.pending_since_time.as_ref()),
            resend,
        });
    }
    let tabs: Vec<Value> = TABS
        .iter()
        .map(|(k, s)| context! { key => k, label => s.label_vi(), current => *k == key })
        .collect();
    // The filter's units: those the person's reading roles cover.
    let mut units = Vec::new();
    for u in session
        .covered_units_where(web, 200, |role| policy::allows(LIST_DOSSIER_SYNCS, &[role]))
        .await
    {
        let name = names.unit(&u).await;
        units.push(context! { selected => u == unit, value => u, name });
    }
    web.pages().render(
        "admin_sync.html",
        context! {
            frame => session.frame(),
            title,
            configured => true,
            status => status(web, session, sync).await?,
            tabs,
            tab => state.label_vi(),
            loai => if key == TABS[0].0 { "" } else { key },
            units,
            unit,
            rows,
            // The columns that say something in this list.
            errors_column => matches!(state, SyncState::Parked | SyncState::Failing),
            next_column => matches!(state, SyncState::Failing | SyncState::Pending),
            resend_column,
            next_page => answer.next_page_token,
            query => format::query_string(&[("loai", &query.loai), ("don_vi", unit)]),
            done => (query.da == "gui-lai").then_some("Đã đưa hồ sơ vào hàng chờ gửi lại: hồ sơ được gửi lên Cổng ở lượt gửi tới."),
            problem,
        },
    )
}

pub async fn page(
    State(web): State<Web>,
    session: Session,
    Query(query): Query<SyncQuery>,
) -> Result<Html<String>, PageError> {
    render(&web, &session, &query, None).await
}

/// A parked dossier sent again: the same call as `eiso sync resend`,
/// authorised and audited as it is.
pub async fn resend(
    State(web): State<Web>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    if !valid_id(&id) {
        return Err(PageError::NotFound);
    }
    Fields(form).check_csrf(&headers)?;
    let ctx = web.write_context(&session, RESEND_DOSSIER_SYNC).await?;
    let sync = web.sync().ok_or(PageError::NotFound)?;
    let result = sync
        .resend_dossier_sync(
            &ctx,
            pb::ResendDossierSyncRequest {
                name: format!("dossiers/{id}/sync"),
            },
        )
        .await;
    let problem = match web.audited(&session, RESEND_DOSSIER_SYNC, result).await {
        Ok(_) => return Ok(Redirect::to(&format!("{PAGE}?da=gui-lai")).into_response()),
        Err(ServiceError::FailedPrecondition { .. }) => {
            "Hồ sơ này không còn bị dừng: hệ thống đang tự gửi hồ sơ lên Cổng."
        }
        Err(ServiceError::PermissionDenied(_)) => "Bạn không quản trị đơn vị của hồ sơ này.",
        Err(other) => return Err(other.into()),
    };
    let page = render(&web, &session, &SyncQuery::default(), Some(problem)).await?;
    Ok((http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The dossier page's line of its sync with the portal, for a person who
/// may read it; `None` without a portal, or when the sync has not taken the
/// dossier in (yet).
pub async fn dossier_line(web: &Web, session: &Session, dossier: &str) -> Option<Value> {
    let sync = web.sync()?;
    let ctx = session.context(GET_DOSSIER_SYNC).ok()?;
    let name = format!("{dossier}/sync");
    let s = match sync.get_dossier_sync(&ctx, pb::GetDossierSyncRequest { name }).await {
        Ok(s) => s,
        Err(ServiceError::NotFound(_) | ServiceError::PermissionDenied(_)) => return None,
        Err(error) => {
            // The dossier's page stands without it.
            tracing::warn!(dossier, %error, "cannot read the dossier's sync with the portal");
            return None;
        }
    };
    let state = SyncState::try_from(s.state).unwrap_or_default();
    Some(context! {
        state => state.label_vi(),
        state_key => state.short_name(),
        synced_sequence => s.synced_sequence,
        attempts => s.attempts,
        last_error => s.last_error,
        last_attempt => format::timestamp(s.last_attempt_time.as_ref()),
        next_attempt => format::timestamp(s.next_attempt_time.as_ref()),
        pending_since => format::timestamp(s.pending_since_time.as_ref()),
        href => list_href(s.state),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_opens_on_the_parked_dossiers() {
        assert_eq!(tab("").ok().map(|(_, s)| s), Some(SyncState::Parked));
        assert_eq!(tab("cho-gui").ok().map(|(_, s)| s), Some(SyncState::Pending));
        assert!(tab("bi-mat").is_err());
        assert_eq!(list_href(SyncState::Parked as i32), "/quan-tri/dong-bo");
        assert_eq!(list_href(SyncState::Synced as i32), "/quan-tri/dong-bo?loai=da-dong-bo");
    }
}
